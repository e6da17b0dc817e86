// Worklist filter by label QA result (issue 14 item 3): series with errors, with warnings (and no error), clean
// (checked, nothing found), or all. A series not checked yet matches only 'all'.
import type { QaSeriesCounts } from '../../../common/contract.js';

export const QA_FILTERS = ['all', 'errors', 'warnings', 'clean'] as const;
export type QaFilter = (typeof QA_FILTERS)[number];

export const QA_FILTER_LABELS: Record<QaFilter, string> = {
  all: 'All QA results',
  errors: 'QA errors',
  warnings: 'QA warnings only',
  clean: 'QA clean',
};

export function qaFilterMatches(filter: QaFilter, counts: QaSeriesCounts | undefined): boolean {
  if (filter === 'all') return true;
  if (!counts) return false;
  if (filter === 'errors') return counts.errors > 0;
  if (filter === 'warnings') return counts.errors === 0 && counts.warnings > 0;
  return counts.errors === 0 && counts.warnings === 0;
}
