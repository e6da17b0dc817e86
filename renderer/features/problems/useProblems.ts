// The Problems panel's logic (issue 14 items 2–3): the open series' QA findings from main (qaSeries, on its current
// labels), asked again once label edits have been saved; going to a finding (crosshair at its world point, or the
// centroid of its first label when it has no place); one-click fixes (renderer/qa) committed through the editing
// session like a label operation (one journal entry, undoable), after which the check runs again.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { QaFindingInfo, QaSeriesReport } from '../../../common/contract.js';
import type { Vec3 } from '../../../common/geometry.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';
import type { EditInfo } from '../../../common/contract.js';
import type { LabelmapVolume } from '../../labelmap/index.js';
import { call } from '../../platform/api.js';
import { fixFor, type QaFix } from '../../qa/decide.js';
import { buildFix } from '../../qa/fixes.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import type { Viewer } from '../../viewer/index.js';
import { noteSeriesReport } from './qaState.js';

/** What the panel needs of the editing session (useEditing). */
export interface ProblemsEditing {
  history: EditInfo[];
  readOnly: string | null;
  settings: { locked: ReadonlySet<number> };
  labelVolume: () => LabelmapVolume | null;
  commitPrepared: (diff: VoxelDiff, meta: { tool: string; label: number; title: string }) => boolean;
  idle: () => Promise<void>;
  setMessage: (text: string) => void;
}

/** Quiet time after the history changed (an edit saved, undone or redone) before asking for the findings again. */
const RECHECK_MS = 400;
/** While main's dataset run is still computing, the dataset-level findings are asked for again this often. */
const DATASET_POLL_MS = 2000;

export interface ProblemsState {
  report: QaSeriesReport | null;
  loading: boolean;
  error: string | null;
  selected: number | null;
  fixing: boolean;
  fixOf(f: QaFindingInfo): QaFix | null;
  goTo(f: QaFindingInfo, index: number): void;
  applyFix(f: QaFindingInfo): Promise<void>;
}

export function useProblems(viewer: Viewer | null, opened: OpenedSeries | null, editing: ProblemsEditing): ProblemsState {
  const [report, setReport] = useState<QaSeriesReport | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [fixing, setFixing] = useState(false);
  const seriesId = opened?.info.seriesId ?? null;
  const current = useRef(seriesId);
  current.current = seriesId;
  const { idle } = editing;

  /** Asks main for the series' findings once every edit is saved (so they are on the labels shown). */
  const load = useCallback(async (): Promise<void> => {
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

  // A new series: its findings.
  useEffect(() => {
    setReport(null);
    setSelected(null);
    setError(null);
    if (seriesId !== null) void load();
  }, [seriesId, load]);

  // Edits saved, undone or redone (the history changed): check again shortly after.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => void load(), RECHECK_MS);
    return () => clearTimeout(t);
  }, [editing.history, load]);

  // The dataset-level checks arrive when main's dataset run is done.
  useEffect(() => {
    if (!report || report.datasetChecks) return;
    const t = setTimeout(() => void load(), DATASET_POLL_MS);
    return () => clearTimeout(t);
  }, [report, load]);

  const fixOf = useCallback((f: QaFindingInfo): QaFix | null => (report && editing.readOnly === null ? fixFor(f, report) : null), [report, editing.readOnly]);

  const goTo = useCallback(
    (f: QaFindingInfo, index: number) => {
      setSelected(index);
      const at: Vec3 | undefined = f.world ?? report?.labels.find((l) => l.value === f.labels[0])?.centroidWorld;
      if (at && viewer) viewer.setCrosshair(at);
    },
    [viewer, report],
  );

  const applyFix = useCallback(
    async (f: QaFindingInfo): Promise<void> => {
      const fix = fixOf(f);
      const vol = editing.labelVolume();
      if (!fix || !vol) return;
      const r = buildFix(fix, { labels: vol.labels, size: vol.size }, editing.settings.locked);
      if (!r.ok) {
        setError(r.message);
        editing.setMessage(r.message);
        return;
      }
      setError(null);
      setFixing(true);
      try {
        if (!editing.commitPrepared(r.diff, { tool: r.tool, label: r.label, title: r.title })) return;
        await load();
      } finally {
        setFixing(false);
      }
    },
    [fixOf, editing, load],
  );

  return { report, loading, error, selected, fixing, fixOf, goTo, applyFix };
}
