// The grading panel (issue 5): one row per disc level of the open patient, cranial first, with Pfirrmann, Modic,
// the six yes/no findings, reviewed, and the disc-height hint from the masks; the selected level's fields in the
// detail pane (GradingDetail.tsx: Pfirrmann first, with the grades' criteria beside the buttons). Keyboard first
// (the panel takes keys while it has focus — D focuses it from anywhere, and the dock then shows a focus ring and
// "keys go to: grading dock"): 1–5 Pfirrmann, M then 0–3 Modic, U/L/S/H/N/B toggle a finding, ↑/↓ level, Enter
// marks the level reviewed and moves on, Ctrl+Z undoes the last grading change. A grading key that cannot act
// (a read-only level, M then something other than 0–3) says so through `onReport` (the status bar). Every field
// is also clickable. Values come only from legal choices: out-of-range values cannot be entered here, and
// "clear" is offered only for fields without a CSV value (the service refuses to blank a CSV value).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { GradingLevel } from '../../../common/contract.js';
import { t2Series } from '../../../common/gradingCriteria.js';
import { gradingFieldSpec, isFullyGraded, type GradingField } from '../../../common/gradings.js';
import { sequenceName } from '../../../common/levelAnchor.js';
import { useApp } from '../../state/appStore.js';
import { GradingDetail, show } from './GradingDetail.js';
import { LevelHints } from './LevelHints.js';
import type { Gradings } from './useGradings.js';
import './grading.css';

/** The one-key toggles of the yes/no findings. */
export const FINDING_KEYS: ReadonlyArray<[string, GradingField, string]> = [
  ['u', 'upEndplate', 'UP'],
  ['l', 'lowEndplate', 'LOW'],
  ['s', 'spondylolisthesis', 'Spondy'],
  ['h', 'herniation', 'Hern'],
  ['n', 'narrowing', 'Narrow'],
  ['b', 'bulging', 'Bulg'],
];

/**
 * The table's value columns, Pfirrmann first (the grade read first on the sagittal T2, issue 15): field, heading,
 * and the heading on narrow docks (a finding's key letter).
 */
const COLUMNS: ReadonlyArray<[GradingField, string, string]> = [
  ['pfirrmann', 'Pfirrmann', 'Pf'],
  ['modic', 'Modic', 'Mod'],
  ...FINDING_KEYS.map(([key, f, short]): [GradingField, string, string] => [f, short, key.toUpperCase()]),
];

/** The warning next to Pfirrmann when the open patient has no T2 series (null: it has one). */
export function noT2Warning(siblings: readonly string[]): string | null {
  if (siblings.length === 0 || t2Series(siblings).length > 0) return null;
  return `No T2 series for this patient (${siblings.join(', ')}): Pfirrmann is defined on T2 — grade with care or leave it`;
}

export interface GradingPanelProps {
  gradings: Gradings;
  /** A level was chosen by the user (click or arrow key): move the crosshair to its disc. */
  onNavigate: (level: GradingLevel) => void;
  /** Incremented by the app's D key: focus the panel. */
  focusRequest: number;
  /** A key the dock took but could not act on, in words (the app shows it in the status bar). */
  onReport?: (message: string) => void;
}

export function GradingPanel({ gradings: g, onNavigate, focusRequest, onReport }: GradingPanelProps) {
  const root = useRef<HTMLDivElement>(null);
  const [modicArmed, setModicArmed] = useState(false);
  // Whether keys go to the dock (focus inside it): the ring, the header's "keys go to" and aria say so.
  const [focused, setFocused] = useState(false);
  const siblings = useApp((s) => s.opened?.info.siblings);
  const noT2 = useMemo(() => noT2Warning(siblings ?? []), [siblings]);
  // Collapsed: only the title bar, for small screens; D (focus request) opens it again.
  const [collapsed, setCollapsed] = useState(false);
  const level = g.levels.find((l) => l.ivdLabel === g.selected) ?? null;
  // The series the Height column was measured in (the patient's first series holding each disc): named in its head.
  const heightSources = useMemo(() => [...new Set(g.levels.flatMap((l) => (l.hint ? [l.hint.seriesId] : [])))], [g.levels]);
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

  /** A grading key on no level or a read-only one: nothing changes, and the status bar says why. */
  const whenEditable = (key: string, act: () => void): void => {
    if (editable) return act();
    onReport?.(level ? `${key}: ${level.name} is read-only here (IVD label ${level.ivdLabel}): nothing graded` : `${key}: no level selected — ↑/↓ chooses one`);
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
      if (/^[0-3]$/.test(key)) whenEditable(`M ${key}`, () => g.setValue('modic', Number(key)));
      else if (key !== 'Escape' && key.length === 1) onReport?.(`M ${key}: Modic takes 0–3 — nothing set (press M again)`);
      else if (key !== 'Escape') handled = false;
    } else if (key === 'ArrowDown' || key === 'ArrowUp') {
      stepAndGo(key === 'ArrowDown' ? 1 : -1);
    } else if (/^[1-5]$/.test(key)) {
      whenEditable(key, () => g.setValue('pfirrmann', Number(key)));
    } else if (key === 'm' || key === 'M') {
      whenEditable(key, () => setModicArmed(true));
    } else if (key === 'Enter') {
      whenEditable('Enter', () => {
        void g.setReviewed('toggle').then((now) => {
          if (now) stepAndGo(1);
        });
      });
    } else if (key === 'Escape') {
      // Leave the dock from wherever in it the focus is (a detail button too): keys go to the viewer again.
      const active = document.activeElement;
      if (active instanceof HTMLElement && root.current?.contains(active)) active.blur();
    } else {
      const finding = FINDING_KEYS.find(([k]) => k === key.toLowerCase());
      if (finding && !e.shiftKey) whenEditable(key, () => g.toggle(finding[1]));
      else handled = false;
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
      className={`grading-panel${collapsed ? ' collapsed' : ''}${focused ? ' keys-here' : ''}`}
      ref={root}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        setModicArmed(false);
        if (!root.current?.contains(e.relatedTarget)) setFocused(false);
      }}
      role="grid"
      aria-label={focused ? 'Disc gradings — keys go to the grading dock' : 'Disc gradings'}
      data-testid="grading-panel"
      data-keys-here={focused ? 'true' : undefined}
    >
      <div className="panel-title grading-title">
        Gradings{g.patientId !== null ? ` · patient ${g.patientId}` : ''}
        <span className="muted small grading-count">
          {g.levels.filter((l) => l.ivdLabel >= 1 && isFullyGraded(l.values)).length}/
          {g.levels.filter((l) => l.ivdLabel >= 1).length} graded · {g.levels.filter((l) => l.reviewed).length} reviewed
        </span>
        {/* One badge: where the keys go (or that Modic waits for its digit). */}
        {modicArmed ? (
          <span className="grading-armed" data-testid="modic-armed">Modic: press 0–3</span>
        ) : focused ? (
          <span className="grading-keys-here" data-testid="grading-keys-here" title="Esc leaves the dock: keys go to the views again">
            ⌨ keys go to: grading dock <span className="muted grading-esc">(Esc leaves)</span>
          </span>
        ) : (
          <span className="grading-keys-away muted small" data-testid="grading-keys-away">press d to grade with the keys</span>
        )}
        <span className="spacer" />
        <span
          className={`small grading-save ${save.kind === 'error' ? 'saved-error' : save.kind === 'saving' ? 'saved-pending' : 'saved-ok'}`}
          data-testid="grading-save"
          role={save.kind === 'error' ? 'alert' : undefined}
          title={save.kind === 'error' ? save.message : undefined}
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
                {COLUMNS.map(([f, name, narrow]) => (
                  <th key={f} data-field={f} title={gradingFieldSpec(f).title}>
                    <span className="long">{name}</span>
                    <span className="short">{narrow}</span>
                  </th>
                ))}
                <th title="Reviewed">Rev.</th>
                <th title={`Disc height along the spine axis and its ratio to the neighbouring discs' mean, measured in ${heightSources.join(', ') || 'the masks'}`} data-testid="height-head">
                  Height{heightSources.length > 0 && <span className="muted"> · {[...new Set(heightSources.map(sequenceName))].join('/')}</span>}
                </th>
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
                    <td className={`hint${l.hint?.narrowingSuspect ? ' suspect' : ''}`} data-testid={`hint-${l.ivdLabel}`} title={l.hint ? `Measured in ${l.hint.seriesId}` : undefined}>
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
          <GradingDetail level={level} gradings={g} editable={editable} noT2={noT2}>
            {/* Slot: per-level extras under the detail's title (measurement hints …). */}
            <LevelHints patientId={g.patientId} level={level} levels={g.levels} />
          </GradingDetail>
        )}
      </div>}
    </div>
  );
}
