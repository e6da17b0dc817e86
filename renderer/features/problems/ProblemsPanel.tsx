// Problems of the open series (issue 14 item 3): the label QA findings on its current labels (severity, code,
// labels, one line), a click puts the crosshair on the finding, Fix applies a one-click fix where one is certain
// (renderer/qa). The scan's header problems of the series are listed below them.
import type { ProblemInfo, QaFindingInfo } from '../../../common/contract.js';
import { isKnownLabel, labelInfo } from '../../../common/labels.js';
import { fixLabel } from '../../qa/decide.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import type { Viewer } from '../../viewer/index.js';
import { useQaOverview } from './qaState.js';
import { useProblems, type ProblemsEditing } from './useProblems.js';
import type { SeriesQaReport } from './useSeriesQaReport.js';

export interface ProblemsPanelProps {
  viewer: Viewer | null;
  opened: OpenedSeries | null;
  editing: ProblemsEditing;
  /** Header problems of the series from the dataset scan. */
  scanProblems: readonly ProblemInfo[];
  /** The open series' QA report (App's useSeriesQaReport, shared with the level check). */
  qa: SeriesQaReport;
}

const ICON: Record<QaFindingInfo['severity'], string> = { error: '●', warning: '▲', info: 'i' };
const labelText = (v: number): string => (isKnownLabel(v) ? labelInfo(v).name : String(v));

export function ProblemsPanel({ viewer, opened, editing, scanProblems, qa }: ProblemsPanelProps) {
  const p = useProblems(viewer, opened, editing, qa);
  const overview = useQaOverview();
  const findings = p.report?.findings ?? [];
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  return (
    <div className="problems qa-problems" data-testid="problems">
      <div className="panel-title">
        Problems
        <span className="spacer" />
        {p.report && (
          <span className="muted small" data-testid="problems-counts">
            {errors} error{errors === 1 ? '' : 's'} · {warnings} warning{warnings === 1 ? '' : 's'}
          </span>
        )}
      </div>
      {p.error && <div className="problem-line error" role="alert" data-testid="problems-error">{p.error}</div>}
      {!p.report && p.loading && <div className="muted pad-x small">Checking labels …</div>}
      {p.report && !p.report.datasetChecks && overview && (
        <div className="muted pad-x small" data-testid="problems-dataset-pending">
          Dataset checks running: {overview.done} of {overview.total} series
        </div>
      )}
      {p.report && findings.length === 0 && <div className="muted pad-x small" data-testid="problems-none">No label problems found.</div>}
      <ol className="qa-list">
        {findings.map((f, i) => {
          const fix = p.fixOf(f);
          return (
            <li
              key={`${f.code}:${f.labels.join(',')}:${i}`}
              className={`qa-finding sev-${f.severity}${p.selected === i ? ' selected' : ''}`}
              data-code={f.code}
              data-severity={f.severity}
              data-labels={f.labels.join(',')}
              title={`${f.code}: ${f.message} (click: go to it)`}
              onClick={() => p.goTo(f, i)}
            >
              <span className={`qa-sev sev-${f.severity}`} aria-label={f.severity}>{ICON[f.severity]}</span>
              <span className="qa-code">{f.code.replace(/_/g, ' ')}</span>
              <span className="qa-labels">{f.labels.map(labelText).join(', ')}</span>
              {fix && (
                <button
                  className="qa-fix"
                  data-testid="qa-fix"
                  disabled={p.fixing}
                  title={`${fixLabel(fix)}: ${fix.why} (one history entry; undo takes it back)`}
                  onClick={(e) => {
                    e.stopPropagation();
                    void p.applyFix(f);
                  }}
                >
                  Fix
                </button>
              )}
              <span className="qa-message">
                {f.message}
                {f.ijk && <span className="qa-voxel"> · voxel {f.ijk.join(', ')}</span>}
              </span>
            </li>
          );
        })}
      </ol>
      {scanProblems.map((s, i) => (
        <div key={i} className={`problem-line ${s.severity}`}>{s.message}</div>
      ))}
    </div>
  );
}
