// The grading dock's detail pane (issue 15 item 3): the selected level's fields, Pfirrmann first with the five
// grades' criteria of the Pfirrmann 2001 table beside its buttons, then Modic with each type's T1 / T2 signal,
// then the six yes/no findings in a compact grid, and the level's history. Pfirrmann is defined on T2: a patient
// without a T2 series gets a warning next to it. The criteria text is data (common/gradingCriteria.ts).
import type { ReactNode } from 'react';
import type { GradingEventInfo, GradingLevel } from '../../../common/contract.js';
import {
  MODIC_CRITERIA, PFIRRMANN_CRITERIA, PFIRRMANN_CRITERIA_NAMES, PFIRRMANN_CRITERIA_SHORT_NAMES, criteriaText, pfirrmannLine,
} from '../../../common/gradingCriteria.js';
import { gradingFieldSpec, isClearable, type GradingField } from '../../../common/gradings.js';
import type { Gradings } from './useGradings.js';

/** A grading value as the table shows it. */
export function show(field: GradingField, v: number | null): string {
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

/** A text in full and abbreviated: the dock's width decides which one shows (grading.css). */
function both(long: string, short: string): ReactNode {
  if (long === short) return long;
  return (
    <>
      <span className="long">{long}</span>
      <span className="short">{short}</span>
    </>
  );
}

/** The yes/no findings in the detail pane, with the short names of the table's columns. */
const FINDINGS: ReadonlyArray<[GradingField, string]> = [
  ['upEndplate', 'UP endplate'],
  ['lowEndplate', 'LOW endplate'],
  ['spondylolisthesis', 'Spondylolist.'],
  ['herniation', 'Herniation'],
  ['narrowing', 'Narrowing'],
  ['bulging', 'Bulging'],
];

export interface GradingDetailProps {
  level: GradingLevel;
  gradings: Gradings;
  editable: boolean;
  /** Set when the patient has no T2 series: the warning shown next to Pfirrmann. */
  noT2: string | null;
  /** Slot for per-level extras (measurement hints, …), shown after the fields (never above Pfirrmann). */
  children?: ReactNode;
}

export function GradingDetail({ level, gradings: g, editable, noT2, children }: GradingDetailProps) {
  const edited = (f: GradingField): string => (level.edited.includes(f) ? ' edited' : '');
  /** One legal value's radio button; its text is the value itself (the keys' digits). */
  const choice = (field: GradingField, v: number, text: string) => (
    <button
      role="radio"
      aria-checked={level.values[field] === v}
      className={level.values[field] === v ? 'on' : ''}
      disabled={!editable}
      title={criteriaText(field, v) ?? gradingFieldSpec(field).valueNames[v]}
      onClick={() => g.setValue(field, v)}
    >
      {text}
    </button>
  );
  /** "Clear" only where the CSV has no value (a new level): a CSV value can be changed or undone, not blanked. */
  const clear = (field: GradingField) =>
    isClearable(level.baseline[field]) && (
      <button className="grade-clear" disabled={!editable || level.values[field] === null} title="Clear (no value)" data-testid={`grading-clear-${field}`} onClick={() => g.setValue(field, null)}>
        –
      </button>
    );
  const csv = (field: GradingField) => <span className="muted small grade-csv">CSV {show(field, level.baseline[field])}</span>;

  return (
    <div className="grading-detail" data-testid="grading-detail">
      <div className="grading-fields">
        <div className="grading-detail-title">
          <span>
            {level.name}
            {level.inMask ? '' : ' · not segmented'}
            {level.inCsv ? '' : ' · not in the CSV'}
          </span>
          <label className="grading-reviewed">
            <input type="checkbox" disabled={!editable} checked={level.reviewed} onChange={(e) => void g.setReviewed(e.target.checked)} />
            Reviewed
          </label>
        </div>
        {level.warnings.map((w) => (
          <div key={w} className="problem-line warning">⚠ {w}</div>
        ))}

        <section className="grade-block" data-field="pfirrmann" data-testid="grade-pfirrmann">
          {noT2 && (
            <div className="grade-no-t2" role="status" data-testid="pfirrmann-no-t2">
              ⚠ {noT2}
            </div>
          )}
          {/* The Pfirrmann 2001 table with the grade buttons as its first column (full words on wide docks, abbreviated on narrow ones). */}
          <div className="grade-table" role="radiogroup" aria-label="Pfirrmann grade" data-testid="pfirrmann-criteria">
            <span className={`grade-title grading-field-name${edited('pfirrmann')}`} title="Pfirrmann grade, read on sagittal T2 (keys 1–5)">
              Pfirrmann
            </span>
            {(['structure', 'distinction', 'signal'] as const).map((k) => (
              <span key={k} className="grade-col">
                {both(PFIRRMANN_CRITERIA_NAMES[k], PFIRRMANN_CRITERIA_SHORT_NAMES[k])}
              </span>
            ))}
            {/* The last header cell also holds the CSV value (and "clear" for a level the CSV lacks). */}
            <span className="grade-col grade-last">
              <span>{both(PFIRRMANN_CRITERIA_NAMES.height, PFIRRMANN_CRITERIA_SHORT_NAMES.height)}</span>
              {csv('pfirrmann')}
              {clear('pfirrmann')}
            </span>
            {PFIRRMANN_CRITERIA.map((c) => (
              <div key={c.grade} className={`grade-row${level.values.pfirrmann === c.grade ? ' on' : ''}`} data-grade={c.grade} title={pfirrmannLine(c)}>
                <span className="grade-pick">
                  {choice('pfirrmann', c.grade, String(c.grade))}
                  <span className="grade-roman">{c.roman}</span>
                </span>
                <span>{both(c.structure, c.short.structure)}</span>
                <span>{both(c.distinction, c.short.distinction)}</span>
                <span>{both(c.signal, c.short.signal)}</span>
                <span>{both(c.height, c.short.height)}</span>
              </div>
            ))}
          </div>
        </section>

        <section className="grade-block modic-block" data-field="modic" data-testid="grade-modic">
          <div className="modic-head" title="Modic type: the endplate marrow signal on T1 / T2 (keys M then 0–3)">
            <span className={`grading-field-name${edited('modic')}`}>Modic</span>
            <span className="grade-last">
              {csv('modic')}
              {clear('modic')}
            </span>
          </div>
          <div className="modic-types" role="radiogroup" aria-label="Modic" data-testid="modic-criteria">
            {MODIC_CRITERIA.map((c) => (
              <span key={c.type} className={`modic-type${level.values.modic === c.type ? ' on' : ''}`} data-type={c.type}>
                {choice('modic', c.type, String(c.type))}
                {c.type === 0 ? (
                  <span>none</span>
                ) : (
                  <span>
                    T1 <b>{c.t1}</b>/T2 <b>{c.t2}</b>
                  </span>
                )}
              </span>
            ))}
          </div>
        </section>

        <div className="grading-findings">
          {FINDINGS.map(([field, name]) => {
            const spec = gradingFieldSpec(field);
            return (
              <div key={field} className="grading-finding" title={`${spec.title}: CSV ${spec.valueNames[level.baseline[field] ?? -1] ?? 'none'}`}>
                <span className={`grading-field-name${edited(field)}`}>{name}</span>
                <span className="segmented" role="radiogroup" aria-label={spec.title}>
                  {spec.values.map((v) => choice(field, v, spec.valueNames[v] ?? String(v)))}
                  {clear(field)}
                </span>
              </div>
            );
          })}
        </div>
      </div>
      <div className="grading-hist">
        {/* Per-level extras (measurement hints …): after the fields, so Pfirrmann stays first and in sight; at the
            top of the history column on wide docks, under the findings on narrow ones. */}
        {children && <div className="grading-extras">{children}</div>}
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
  );
}
