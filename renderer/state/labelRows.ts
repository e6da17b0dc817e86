// The label list (value, voxel count) of the open series, from its live label volume, at most once per frame. Every
// edit's diff — a stroke, a label operation, an undo, redo, a refused stroke taken back, a discard — updates the
// counts directly (applyDiffToCounts: editing never pays a pass over the volume); opening a series and a reload of
// main's labels (no diff) count the whole volume.
import { useCallback, useRef } from 'react';
import type { VoxelDiff } from '../../common/labelDiff.js';
import type { LabelRow } from '../features/labels/LabelPanel.js';
import { applyDiffToCounts, labelCounts } from '../labelmap/index.js';
import { appStore } from './appStore.js';
import { fieldSetter } from './store.js';

const setLabelRows = fieldSetter(appStore, 'labelRows');

/** Returns `recount(diff?)`: with the diff of an edit, the counts follow it; without one, the volume is recounted. */
export function useLabelRecount(): (diff?: VoxelDiff) => void {
  const pending = useRef(0);
  const counts = useRef<{ labels: Uint8Array; counts: Uint32Array; stale: boolean } | null>(null);
  return useCallback((diff?: VoxelDiff) => {
    const s = appStore.get().opened;
    const c = counts.current;
    if (c && !(s && c.labels === s.labels && diff && !c.stale && applyDiffToCounts(c.counts, diff))) c.stale = true;
    if (pending.current) return;
    pending.current = requestAnimationFrame(() => {
      pending.current = 0;
      const s = appStore.get().opened;
      if (!s) return;
      if (!counts.current || counts.current.labels !== s.labels || counts.current.stale) {
        counts.current = { labels: s.labels, counts: labelCounts(s.labels), stale: false };
      }
      const rows: LabelRow[] = [];
      counts.current.counts.forEach((n, v) => {
        if (v !== 0 && n > 0) rows.push({ value: v, voxels: n });
      });
      setLabelRows(rows);
    });
  }, []);
}
