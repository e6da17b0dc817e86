// Worklist pieces of the label QA (issue 14 item 3): a series' error / warning counts as a badge, the QA filter
// control (with the dataset run's progress while it computes), and the hook that keeps the counts current.
import type { QaSeriesCounts } from '../../../common/contract.js';
import { useQaCounts, useQaOverview, useQaOverviewPolling } from '../problems/qaState.js';
import { QA_FILTER_LABELS, QA_FILTERS, qaFilterMatches, type QaFilter } from './qaFilter.js';

/** The QA counts per series, kept current (polling while main computes, refreshed after edits). */
export function useWorklistQa(): ReadonlyMap<string, QaSeriesCounts> {
  useQaOverviewPolling();
  return useQaCounts();
}

export function QaBadge({ seriesId, counts }: { seriesId: string; counts: QaSeriesCounts | undefined }) {
  if (!counts) return <span className="qa-badge pending" data-testid={`qa-${seriesId}`} title="Label QA not run yet" />;
  const { errors, warnings } = counts;
  const clean = errors === 0 && warnings === 0;
  return (
    <span
      className={`qa-badge${errors ? ' has-errors' : warnings ? ' has-warnings' : ' clean'}`}
      data-testid={`qa-${seriesId}`}
      data-errors={errors}
      data-warnings={warnings}
      title={clean ? 'Label QA: no problem found' : `Label QA: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`}
    >
      {clean ? '✓' : `${errors ? `●${errors}` : ''}${errors && warnings ? ' ' : ''}${warnings ? `▲${warnings}` : ''}`}
    </span>
  );
}

export function QaFilterSelect({ value, onChange, series, counts }: {
  value: QaFilter;
  onChange: (f: QaFilter) => void;
  series: readonly { id: string }[];
  counts: ReadonlyMap<string, QaSeriesCounts>;
}) {
  const overview = useQaOverview();
  const computing = overview !== null && overview.state !== 'ready';
  return (
    <select
      aria-label="QA filter"
      data-testid="qa-filter"
      value={value}
      onChange={(e) => onChange(e.target.value as QaFilter)}
      title={computing ? `Label QA running: ${overview.done} of ${overview.total} series checked` : 'Filter by label QA result'}
    >
      {QA_FILTERS.map((f) => (
        <option key={f} value={f}>
          {QA_FILTER_LABELS[f]}
          {f === 'all' ? (computing ? ` (checking ${overview.done}/${overview.total})` : '') : ` (${series.filter((s) => qaFilterMatches(f, counts.get(s.id))).length})`}
        </option>
      ))}
    </select>
  );
}
