// The Problems panel's logic (issue 14 items 2–3): the open series' QA findings (useSeriesQaReport, shared with the
// level check); going to a finding (crosshair at its world point, or the
// centroid of its first label when it has no place); one-click fixes (renderer/qa) committed through the editing
// session like a label operation (one journal entry, undoable), after which the check runs again.
import { useCallback, useEffect, useState } from 'react';
import type { QaFindingInfo, QaSeriesReport } from '../../../common/contract.js';
import type { Vec3 } from '../../../common/geometry.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';
import type { EditInfo } from '../../../common/contract.js';
import type { LabelmapVolume } from '../../labelmap/index.js';
import { fixFor, type QaFix } from '../../qa/decide.js';
import { buildFix } from '../../qa/fixes.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import type { Viewer } from '../../viewer/index.js';
import type { SeriesQaReport } from './useSeriesQaReport.js';

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

export function useProblems(viewer: Viewer | null, opened: OpenedSeries | null, editing: ProblemsEditing, qa: SeriesQaReport): ProblemsState {
  const { report, loading, error, reload: load, setError } = qa;
  const [selected, setSelected] = useState<number | null>(null);
  const [fixing, setFixing] = useState(false);
  const seriesId = opened?.info.seriesId ?? null;

  // A new series: nothing selected.
  useEffect(() => setSelected(null), [seriesId]);

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
    [fixOf, editing, load, setError],
  );

  return { report, loading, error, selected, fixing, fixOf, goTo, applyFix };
}
