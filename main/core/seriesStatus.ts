// The review status of a series as the contract reports it (SeriesStatusInfo): status, who set it, when, and
// whether the workstation set it automatically. Read from the store's series table (migration 40).
import type { SeriesStatusInfo } from '../../common/contract.js';
import type { Store } from './store/index.js';

/** Status fields of a series for listSeries and setSeriesStatus; a series never registered is 'todo', unset. */
export function seriesStatusInfo(store: Store, seriesId: string): SeriesStatusInfo {
  const rec = store.series.get(seriesId);
  if (!rec || rec.updatedBy === null) {
    return { seriesId, status: rec?.status ?? 'todo', statusBy: null, statusAt: null, statusAuto: rec?.automatic ?? false };
  }
  return {
    seriesId,
    status: rec.status,
    statusBy: store.annotators.name(rec.updatedBy),
    statusAt: rec.updatedAt,
    statusAuto: rec.automatic,
  };
}
