// Review status of the open series and "Next": sets a status (buttons and keys), keeps the worklist's statuses
// current after label edits (the first edit starts a series, undoing every edit takes it back), opens the next
// series to do, and prefetches that series once the open one has rendered and the window is idle.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EditInfo, SeriesStatus, SeriesStatusInfo } from '../../../common/contract.js';
import { call } from '../../platform/api.js';
import { appStore, setSeries, useApp } from '../../state/appStore.js';
import { cancelPrefetch, onPrefetchChange, prefetchSeries, prefetchState } from '../../state/prefetch.js';
import { nextTodo } from './reviewStatus.js';

/** The registry's review commands (renderer/commands.ts) and their actions. */
export type ReviewCommandId = 'review-todo' | 'review-in-progress' | 'review-done' | 'review-second-look' | 'review-next';

/** How long the window must stay calm after an open before the prefetch starts, ms. */
const PREFETCH_DELAY_MS = 800;

export interface Review {
  setStatus: (status: SeriesStatus) => void;
  next: () => void;
  /** A note for the panel: "No series left to do", or why a status could not be set. */
  note: string | null;
  /** The series whose bytes are prefetched and ready for Next, or null. */
  prefetched: string | null;
  actions: Record<ReviewCommandId, () => void>;
}

/** Puts one series' status fields into the worklist's list. */
function applyStatus(info: SeriesStatusInfo): void {
  const { series } = appStore.get();
  setSeries(series.map((s) => (s.id === info.seriesId ? { ...s, status: info.status, statusBy: info.statusBy, statusAt: info.statusAt, statusAuto: info.statusAuto } : s)));
}

/**
 * @param open the app's opener (saves pending edits first, then loads and renders)
 * @param history the open series' journal entries: when they change, the statuses are read again
 */
export function useReview(open: (id: string) => Promise<void>, history: readonly EditInfo[]): Review {
  const openedId = useApp((s) => s.opened?.info.seriesId ?? null);
  const renderedId = useApp((s) => s.lastOpen?.seriesId ?? null);
  const series = useApp((s) => s.series);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => setNote(null), [openedId]);
  const [prefetched, setPrefetched] = useState<string | null>(null);
  useEffect(
    () =>
      onPrefetchChange(() => {
        const st = prefetchState();
        setPrefetched(st?.ready ? st.seriesId : null);
      }),
    [],
  );

  const setStatus = useCallback((status: SeriesStatus) => {
    const id = appStore.get().opened?.info.seriesId;
    if (!id) return;
    call('setSeriesStatus', { seriesId: id, status })
      .then((info) => {
        applyStatus(info);
        setNote(null);
      })
      .catch((e: unknown) => setNote(`Status not saved: ${e instanceof Error ? e.message : String(e)}`));
  }, []);

  const next = useCallback(() => {
    const { series: list, opened } = appStore.get();
    const target = nextTodo(list, opened?.info.seriesId ?? null);
    if (!target) {
      setNote('No series left to do: every series is in progress, done or marked for a second look.');
      return;
    }
    setNote(null);
    void open(target.id);
  }, [open]);

  // The first edit and undoing every edit change the status in main: read the statuses again shortly after.
  const firstHistory = useRef(true);
  useEffect(() => {
    if (firstHistory.current) {
      firstHistory.current = false;
      return;
    }
    const t = setTimeout(() => {
      call('listSeries', {})
        .then((list) => setSeries(list))
        .catch(() => undefined); // the worklist keeps its last statuses; a dead service shows its own banner
    }, 300);
    return () => clearTimeout(t);
  }, [history]);

  // Prefetch the series Next would open, once the open series has rendered and nothing happened for a moment.
  // Not while a series is being opened (busy): the prefetch must not compete with the open the annotator asked for.
  const opening = useApp((s) => s.busy !== null);
  const settled = openedId !== null && renderedId === openedId && !opening;
  const target = settled ? (nextTodo(series, openedId)?.id ?? null) : null;
  useEffect(() => {
    if (target === null) return;
    let idleHandle: number | null = null;
    const t = setTimeout(() => {
      idleHandle = requestIdleCallback(() => prefetchSeries(target), { timeout: 2000 });
    }, PREFETCH_DELAY_MS);
    return () => {
      clearTimeout(t);
      if (idleHandle !== null) cancelIdleCallback(idleHandle);
    };
  }, [target]);
  // Nothing left to prefetch (no series to do): drop what is held.
  useEffect(() => {
    if (settled && target === null) cancelPrefetch();
  }, [settled, target]);

  const actions: Record<ReviewCommandId, () => void> = {
    'review-todo': () => setStatus('todo'),
    'review-in-progress': () => setStatus('in_progress'),
    'review-done': () => setStatus('done'),
    'review-second-look': () => setStatus('second_look'),
    'review-next': next,
  };
  return { setStatus, next, note, prefetched, actions };
}
