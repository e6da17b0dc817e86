// The open series' label QA report from main (qaSeries, on its current labels), fetched once for everything that
// reads it: the Problems panel (issue 14) and the level check above the grading dock (issue 15). Asked again once the
// label history changed and every edit is saved (so the report is on the labels shown), and again while main's
// dataset run (the sibling and dataset checks) is still going.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EditInfo, QaSeriesReport } from '../../../common/contract.js';
import { call } from '../../platform/api.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import { noteSeriesReport } from './qaState.js';

/** Quiet time after the history changed (an edit saved, undone or redone) before asking for the findings again. */
const RECHECK_MS = 400;
/** While main's dataset run is still computing, the dataset-level findings are asked for again this often. */
const DATASET_POLL_MS = 2000;

export interface SeriesQaReport {
  /** The latest report for the open series; null until the first one came. */
  report: QaSeriesReport | null;
  /** A newer report is on its way (the labels changed since `report`, or it is being fetched). */
  loading: boolean;
  error: string | null;
  /** Asks again now (after every edit is saved). */
  reload: () => Promise<void>;
  /** Reports the failure of an action on the report (e.g. a fix that could not be built) in the same place. */
  setError: (message: string | null) => void;
}

export function useSeriesQaReport(opened: OpenedSeries | null, editing: { history: EditInfo[]; idle: () => Promise<void> }): SeriesQaReport {
  const [report, setReport] = useState<QaSeriesReport | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seriesId = opened?.info.seriesId ?? null;
  const current = useRef(seriesId);
  current.current = seriesId;
  const { idle } = editing;

  const reload = useCallback(async (): Promise<void> => {
    const id = current.current;
    if (id === null) return;
    setLoading(true);
    try {
      await idle();
      const r = await call('qaSeries', { seriesId: id });
      if (current.current !== id) return;
      setReport(r);
      setError(null);
      noteSeriesReport(r);
    } catch (e) {
      if (current.current === id) setError(e instanceof Error ? e.message : String(e));
    } finally {
      if (current.current === id) setLoading(false);
    }
  }, [idle]);

  // A new series: its report.
  useEffect(() => {
    setReport(null);
    setError(null);
    if (seriesId !== null) void reload();
  }, [seriesId, reload]);

  // The history changed: the report is stale from now on, and asked for again shortly.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    setLoading(true);
    const t = setTimeout(() => void reload(), RECHECK_MS);
    return () => clearTimeout(t);
  }, [editing.history, reload]);

  // The dataset-level checks arrive when main's dataset run is done.
  useEffect(() => {
    if (!report || report.datasetChecks) return;
    const t = setTimeout(() => void reload(), DATASET_POLL_MS);
    return () => clearTimeout(t);
  }, [report, reload]);

  return { report, loading, error, reload, setError };
}
