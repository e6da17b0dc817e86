// The grading panel (issue 5): one row per disc level of the open patient, cranial first, with Pfirrmann, Modic,
// the six yes/no findings, reviewed, and the disc-height hint from the masks. Keyboard first (the panel takes
// keys while it has focus — D focuses it from anywhere): 1–5 Pfirrmann, M then 0–3 Modic, U/L/S/H/N/B toggle a
// finding, ↑/↓ level, Enter marks the level reviewed and moves on, Ctrl+Z undoes the last grading change. Every
// field is also clickable. Values come only from legal choices: out-of-range values cannot be entered here, and
// "clear" is offered only for fields without a CSV value (the service refuses to blank a CSV value).
import { useEffect, useRef, useState } from 'react';
import type { GradingEventInfo, GradingLevel } from '../../../common/contract.js';
import { GRADING_FIELDS, gradingFieldSpec, isClearable, isFullyGraded, type GradingField } from '../../../common/gradings.js';
import type { Gradings } from './useGradings.js';

/** The one-key toggles of the yes/no findings. */
export const FINDING_KEYS: ReadonlyArray<[string, GradingField, string]> = [
  ['u', 'upEndplate', 'UP'],
  ['l', 'lowEndplate', 'LOW'],
  ['s', 'spondylolisthesis', 'Spondy'],
  ['h', 'herniation', 'Hern'],
  ['n', 'narrowing', 'Narrow'],
  ['b', 'bulging', 'Bulg'],
];

const COLUMNS: ReadonlyArray<[GradingField, string]> = [['pfirrmann', 'Pfirrmann'], ['modic', 'Modic'], ...FINDING_KEYS.map(([, f, short]): [GradingField, string] => [f, short])];

function show(field: GradingField, v: number | null): string {
  if (v === null) return '–';
  if (field === 'pfirrmann' || field === 'modic') return String(v);
  return v === 1 ? '✓' : '·';
}

function fieldName(field: GradingEventInfo['field']): string {
  return field === 'reviewed' ? 'Reviewed' : gradingFieldSpec(field).title;
}

function eventValue(field: GradingEventInfo['field'], v: number | null): string {
  if (v === null) return 'empty';
  if (field === 'reviewed') return v ? 'yes' : 'no';
  return gradingFieldSpec(field).valueNames[v] ?? String(v);
}

export interface GradingPanelProps {
  gradings: Gradings;
  /** A level was chosen by the user (click or arrow key): move the crosshair to its disc. */
  onNavigate: (level: GradingLevel) => void;
  /** Incremented by the app's D key: focus the panel. */
  focusRequest: number;
}

export function GradingPanel({ gradings: g, onNavigate, focusRequest }: GradingPanelProps) {
  const root = useRef<HTMLDivElement>(null);
  const [modicArmed, setModicArmed] = useState(false);
  // Collapsed: only the title bar, for small screens; D (focus request) opens it again.
  const [collapsed, setCollapsed] = useState(false);
  const level = g.levels.find((l) => l.ivdLabel === g.selected) ?? null;
  const editable = level !== null && level.ivdLabel >= 1;

  useEffect(() => {
    if (focusRequest > 0) {
      setCollapsed(false);
      root.current?.focus();
    }
  }, [focusRequest]);
  useEffect(() => {
    root.current?.querySelector('tr.selected')?.scrollIntoView({ block: 'nearest' });
  }, [g.selected]);

  const choose = (l: GradingLevel): void => {
    g.select(l.ivdLabel);
    onNavigate(l);
  };
  const stepAndGo = (delta: number): void => {
    const i = g.levels.findIndex((l) => l.ivdLabel === g.selected);
    const next = g.levels[Math.max(0, Math.min(g.levels.length - 1, (i < 0 ? 0 : i) + delta))];
    if (next) choose(next);
  };

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (e.altKey) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key;
    let handled = true;
    if (mod) {
      if (key.toLowerCase() === 'z' && !e.shiftKey) g.undo();
      else handled = false;
    } else if (modicArmed) {
      setModicArmed(false);
      if (/^[0-3]$/.test(key)) {
        if (editable) g.setValue('modic', Number(key));
      } else if (key !== 'Escape') handled = false;
    } else if (key === 'ArrowDown' || key === 'ArrowUp') {
      stepAndGo(key === 'ArrowDown' ? 1 : -1);
    } else if (/^[1-5]$/.test(key)) {
      if (editable) g.setValue('pfirrmann', Number(key));
    } else if (key === 'm' || key === 'M') {
      if (editable) setModicArmed(true);
    } else if (key === 'Enter') {
      if (editable) {
        void g.setReviewed('toggle').then((now) => {
          if (now) stepAndGo(1);
        });
      }
    } else if (key === 'Escape') {
      root.current?.blur();
    } else {
      const finding = FINDING_KEYS.find(([k]) => k === key.toLowerCase());
      if (finding && !e.shiftKey) {
        if (editable) g.toggle(finding[1]);
      } else handled = false;
    }
    if (handled) {
      // Keys the panel used are not also shortcuts of the viewer (H hides labels, S switches series …).
      e.preventDefault();
      e.stopPropagation();
    }
  };

  const save = g.save;
  return (
    <div
      className={`grading-panel${collapsed ? ' collapsed' : ''}`}
      ref={root}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onBlur={() => setModicArmed(false)}
      role="grid"
      aria-label="Disc gradings"
      data-testid="grading-panel"
    >
      <div className="panel-title">
        Gradings{g.patientId !== null ? ` · patient ${g.patientId}` : ''}
        <span className="muted small">
          {g.levels.filter((l) => l.ivdLabel >= 1 && isFullyGraded(l.values)).length}/
          {g.levels.filter((l) => l.ivdLabel >= 1).length} graded · {g.levels.filter((l) => l.reviewed).length} reviewed
        </span>
        {modicArmed && <span className="grading-armed" data-testid="modic-armed">Modic: press 0–3</span>}
        <span className="spacer" />
        <span
          className={`small ${save.kind === 'error' ? 'saved-error' : save.kind === 'saving' ? 'saved-pending' : 'saved-ok'}`}
          data-testid="grading-save"
          role={save.kind === 'error' ? 'alert' : undefined}
        >
          {save.kind === 'saving' ? 'saving …' : save.kind === 'saved' ? `saved ${save.at}` : save.kind === 'error' ? save.message : ''}
        </span>
        <button onClick={() => g.undo()} title="Undo the last grading change of this patient (Ctrl+Z in the panel)">Undo grading</button>
        <button onClick={() => setCollapsed((c) => !c)} aria-expanded={!collapsed} title={collapsed ? 'Show the grading dock (D)' : 'Hide the grading dock to give the views more room'} data-testid="grading-collapse">
          {collapsed ? '▴' : '▾'}
        </button>
      </div>
      {!collapsed && <div className="grading-body">
        <div className="grading-table-wrap">
          <table className="grading-table">
            <thead>
              <tr>
                <th>Level</th>
                {COLUMNS.map(([f, short]) => (
                  <th key={f} title={gradingFieldSpec(f).title}>{short}</th>
                ))}
                <th title="Reviewed">Rev.</th>
                <th title="Disc height along the spine axis and its ratio to the neighbouring discs' mean">Height</th>
              </tr>
            </thead>
            <tbody>
              {g.levels.map((l) => {
                const readOnly = l.ivdLabel < 1;
                return (
                  <tr
                    key={l.ivdLabel}
                    data-level={l.ivdLabel}
                    className={`${l.ivdLabel === g.selected ? 'selected' : ''}${readOnly ? ' readonly' : ''}${l.reviewed ? ' reviewed' : ''}`}
                    onClick={() => choose(l)}
                  >
                    <td className="level-name" title={l.warnings.join('\n')}>
                      {l.name}
                      {l.warnings.length > 0 && <span className="grading-warn" aria-label={`warning: ${l.warnings.join('; ')}`}> ⚠</span>}
                    </td>
                    {COLUMNS.map(([f]) => {
                      const edited = l.edited.includes(f);
                      const binary = f !== 'pfirrmann' && f !== 'modic';
                      return (
                        <td
                          key={f}
                          data-field={f}
                          className={`cell${edited ? ' edited' : ''}${binary ? ' binary' : ''}`}
                          title={edited ? `${gradingFieldSpec(f).title}: CSV ${show(f, l.baseline[f])} → ${show(f, l.values[f])}` : gradingFieldSpec(f).title}
                          onClick={(e) => {
                            if (!binary || readOnly) return;
                            e.stopPropagation();
                            // A click that selects the level never also changes one of its gradings.
                            if (l.ivdLabel !== g.selected) return choose(l);
                            g.toggle(f);
                          }}
                        >
                          {show(f, l.values[f])}
                        </td>
                      );
                    })}
                    <td className="cell">{l.reviewed ? '✓' : ''}</td>
                    <td className={`hint${l.hint?.narrowingSuspect ? ' suspect' : ''}`} data-testid={`hint-${l.ivdLabel}`}>
                      {l.hint?.heightMm != null ? `${l.hint.heightMm.toFixed(1)} mm` : ''}
                      {l.hint?.neighbourRatio != null ? ` · ${Math.round(l.hint.neighbourRatio * 100)}%` : ''}
                      {l.hint?.narrowingSuspect && <span title="Disc narrowing is 0 but the disc is under 70% of its neighbours' mean height"> ⚠ narrowing?</span>}
                    </td>
                  </tr>
                );
              })}
              {g.levels.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length + 3} className="muted">{g.loading ? 'Loading …' : 'No disc levels: no discs in the masks and no CSV rows.'}</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        {level && (
          <div className="grading-detail" data-testid="grading-detail">
            <div className="grading-fields">
            <div className="grading-detail-title">
              {level.name}
              {level.inMask ? '' : ' · not segmented'}
              {level.inCsv ? '' : ' · not in the CSV'}
            </div>
            {level.warnings.map((w) => (
              <div key={w} className="problem-line warning">⚠ {w}</div>
            ))}
            {GRADING_FIELDS.map((spec) => (
              <div key={spec.field} className="grading-field">
                <span className={`grading-field-name${level.edited.includes(spec.field) ? ' edited' : ''}`}>{spec.title}</span>
                <span className="segmented" role="radiogroup" aria-label={spec.title}>
                  {spec.values.map((v) => (
                    <button
                      key={v}
                      role="radio"
                      aria-checked={level.values[spec.field] === v}
                      className={level.values[spec.field] === v ? 'on' : ''}
                      disabled={!editable}
                      title={spec.valueNames[v]}
                      onClick={() => g.setValue(spec.field, v)}
                    >
                      {spec.field === 'pfirrmann' || spec.field === 'modic' ? v : spec.valueNames[v]}
                    </button>
                  ))}
                  {/* Clear only where the CSV has no value (a new level): a CSV value can be changed or undone, not blanked. */}
                  {isClearable(level.baseline[spec.field]) && (
                    <button disabled={!editable || level.values[spec.field] === null} title="Clear (no value)" data-testid={`grading-clear-${spec.field}`} onClick={() => g.setValue(spec.field, null)}>
                      –
                    </button>
                  )}
                </span>
                <span className="muted small">CSV {show(spec.field, level.baseline[spec.field])}</span>
              </div>
            ))}
            <label className="grading-field">
              <input type="checkbox" disabled={!editable} checked={level.reviewed} onChange={(e) => void g.setReviewed(e.target.checked)} />
              Reviewed
            </label>
            </div>
            <div className="grading-hist">
            <div className="panel-title small">History of {level.name}</div>
            <ul className="history-list grading-history" data-testid="grading-history">
              {g.history.length === 0 && <li className="muted">No changes in this store.</li>}
              {[...g.history].reverse().map((ev) => (
                <li key={ev.id} className={ev.undone ? 'history-undone' : ''}>
                  <span className="history-desc">
                    {ev.kind === 'undo' ? 'Undo: ' : ''}
                    {fieldName(ev.field)} {eventValue(ev.field, ev.oldValue)} → {eventValue(ev.field, ev.newValue)}
                    {ev.undone ? ' (undone)' : ''}
                  </span>
                  <span className="muted small" title={ev.createdAt}>
                    {ev.annotator} · {new Date(ev.createdAt).toLocaleTimeString()}
                  </span>
                </li>
              ))}
            </ul>
            </div>
          </div>
        )}
      </div>}
    </div>
  );
}
