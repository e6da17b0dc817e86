// The dataset's QA counts as the renderer knows them (issue 14 item 3): qaOverview polled while main computes the
// dataset report (progress), then refreshed shortly after label edits; the Problems panel writes the open series'
// fresh counts in at once. Read by the worklist badges and filter.
import { useEffect } from 'react';
import type { QaOverview, QaSeriesCounts, QaSeriesReport } from '../../../common/contract.js';
import { call } from '../../platform/api.js';
import { labelEdits } from '../../state/labelEdits.js';
import { createStore, useStore } from '../../state/store.js';

export interface QaClientState {
  overview: QaOverview | null;
  /** Counts per series id (from the overview, or fresher from the Problems panel). */
  counts: ReadonlyMap<string, QaSeriesCounts>;
}

export const qaState = createStore<QaClientState>({ overview: null, counts: new Map() });

/** Poll interval while the dataset report is computing (ms). */
const POLL_MS = 1000;
/** Quiet time after label edits before the overview is asked again (ms): main re-checks after its own debounce. */
const AFTER_EDIT_MS = 1500;

/** Merges counts, keeping the fresher (higher revision) of what is known for a series. */
function merge(known: ReadonlyMap<string, QaSeriesCounts>, incoming: readonly QaSeriesCounts[]): Map<string, QaSeriesCounts> {
  const out = new Map(known);
  for (const c of incoming) {
    const had = out.get(c.seriesId);
    if (!had || had.revision <= c.revision) out.set(c.seriesId, c);
  }
  return out;
}

export async function refreshQaOverview(): Promise<QaOverview> {
  const overview = await call('qaOverview', {});
  qaState.set((s) => ({ overview, counts: merge(s.counts, overview.series) }));
  return overview;
}

/** A fresh per-series report (Problems panel): its counts replace what the worklist shows for the series. */
export function noteSeriesReport(r: QaSeriesReport): void {
  let errors = 0, warnings = 0;
  for (const f of r.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
  }
  qaState.set((s) => ({ counts: merge(s.counts, [{ seriesId: r.seriesId, errors, warnings, revision: r.revision }]) }));
}

export function useQaCounts(): ReadonlyMap<string, QaSeriesCounts> {
  return useStore(qaState, (s) => s.counts);
}
export function useQaOverview(): QaOverview | null {
  return useStore(qaState, (s) => s.overview);
}

/** Keeps the overview current: polls while computing, asks again after label edits. Mount once (the worklist). */
export function useQaOverviewPolling(): void {
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = (): void => {
      refreshQaOverview()
        .then((o) => {
          if (!stopped && o.state !== 'ready') timer = setTimeout(tick, POLL_MS);
        })
        .catch(() => {
          if (!stopped) timer = setTimeout(tick, POLL_MS * 5); // service unreachable: the banner says so; retry slowly
        });
    };
    tick();
    let after: ReturnType<typeof setTimeout> | undefined;
    const off = labelEdits.subscribe(() => {
      clearTimeout(after);
      after = setTimeout(() => void refreshQaOverview().catch(() => undefined), AFTER_EDIT_MS);
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(after);
      off();
    };
  }, []);
}
