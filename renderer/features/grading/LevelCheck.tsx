// The level line above the grading dock (issue 15, item 4): before grading, is the vertebra naming of the open
// series right? The decision is common/levelAnchor.ts, on the label centroids of main's QA report for the series
// (qaSeries: its labels and its siblings'), overview.csv's counts and the gradings CSV's levels. When the naming is
// off and a shift is certain, the `level-shift` command (renderer/commands.ts) moves every level of the open series
// by the shift: renderer/qa's one-click 'shift' fix, committed through the editing session as ONE journal entry
// (undoable like any label edit); then the check runs again. Otherwise the command only says why not.
import { useEffect, useState } from 'react';
import type { GradingLevel, SeriesSummary } from '../../../common/contract.js';
import { checkLevelAnchor, type LevelAnchor } from '../../../common/levelAnchor.js';
import { keyHint } from '../../commands.js';
import type { ProblemsEditing } from '../problems/useProblems.js';
import type { SeriesQaReport } from '../problems/useSeriesQaReport.js';
import { buildFix } from '../../qa/fixes.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import './levelCheck.css';

/** What the check needs of the editing session (useEditing): what the Problems panel's fixes need. */
export type LevelCheckEditing = ProblemsEditing;

export interface LevelCheckState {
  /** The check on the current labels; null while none has been made for the open series. */
  check: LevelAnchor | null;
  /** The check is being made again (labels changed, or a shift was just applied). */
  checking: boolean;
  error: string | null;
  /** The `level-shift` command: applies the certain shift, or says in the status bar why there is none. */
  shift: () => void;
}

export function useLevelCheck(
  opened: OpenedSeries | null,
  series: readonly SeriesSummary[],
  gradings: { patientId: number | null; levels: readonly GradingLevel[]; loading: boolean },
  editing: LevelCheckEditing,
  qa: SeriesQaReport,
): LevelCheckState {
  const { report, error } = qa;
  const seriesId = opened?.info.seriesId ?? null;
  // A shift was just applied: the check it came from must not shift a second time before the next report.
  const [shifted, setShifted] = useState(false);
  useEffect(() => setShifted(false), [report, seriesId]);
  const checking = qa.loading || shifted;

  const summary = series.find((s) => s.id === seriesId);
  const csvLevels = gradings.levels.filter((l) => l.inCsv && l.ivdLabel >= 1).map((l) => l.ivdLabel);
  // The patient's levels are loaded (a new patient starts with none while its gradings load): no early ✓.
  const levelsReady = gradings.patientId === (opened?.info.patientId ?? null) && !(gradings.loading && gradings.levels.length === 0);
  const check =
    levelsReady && report && report.seriesId === seriesId
      ? checkLevelAnchor({
          seriesId: report.seriesId,
          labels: report.labels,
          siblings: report.siblings,
          overview: summary?.overview ?? null,
          csvLevels,
        })
      : null;

  const shift = (): void => {
    const say = editing.setMessage;
    if (!opened) return;
    if (!check || checking) return say('Level naming: the level check is still running; try again in a moment');
    if (!check.shift) return say(`Level naming not shifted: ${check.ok ? 'the naming is not off' : `a shift is not certain (${check.noShift})`}`);
    if (editing.readOnly !== null) return say(`Level naming not shifted: labels read-only (${editing.readOnly})`);
    const vol = editing.labelVolume();
    if (!vol) return;
    const { from, to, delta, why } = check.shift;
    const r = buildFix({ kind: 'shift', from, to, delta, why }, { labels: vol.labels, size: vol.size }, editing.settings.locked);
    if (!r.ok) return say(`Level naming not shifted: ${r.message}`);
    const dir = delta > 0 ? 'up' : 'down';
    const title = `Level naming: shift levels ${from}–${to} ${dir} by ${Math.abs(delta)}`;
    if (!editing.commitPrepared(r.diff, { tool: r.tool, label: r.label, title })) return;
    say(`${title} (${why}); undo with ${keyHint('undo').slice(2, -1)}`);
    setShifted(true); // the old check must not shift a second time
  };

  return { check, checking, error, shift };
}

/** The compact line next to the grading dock. */
export function LevelCheck({ state }: { state: LevelCheckState }) {
  const { check, checking, error } = state;
  if (error) {
    return <div className="level-check warn" data-testid="level-check" data-state="error" title={error}>⚠ Level check failed: {error}</div>;
  }
  if (!check) {
    return <div className="level-check" data-testid="level-check" data-state="checking"><span className="muted">Checking level naming…</span></div>;
  }
  const tip = check.ok ? 'Level naming checked: lowest vertebra 1 (above the sacrum), counts and sibling series agree' : check.problems.join('\n');
  return (
    <div className={`level-check ${check.ok ? 'ok' : 'warn'}${checking ? ' stale' : ''}`} data-testid="level-check" data-state={check.ok ? 'ok' : 'warn'} title={tip}>
      <span className="level-check-line" data-testid="level-check-line">{check.line}</span>
      {!check.ok && check.shift && (
        <button className="level-check-shift" data-testid="level-check-shift" onClick={state.shift} disabled={checking}
          title={`Shift the open series' levels by ${check.shift.delta} (${check.shift.why})`}>
          Shift naming {check.shift.delta > 0 ? 'up' : 'down'} {Math.abs(check.shift.delta)}{keyHint('level-shift')}
        </button>
      )}
      {!check.ok && !check.shift && <span className="muted small level-check-noshift">no certain shift: {check.noShift}</span>}
    </div>
  );
}
