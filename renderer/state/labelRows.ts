// The label list (value, voxel count) of the open series, from its live label volume, at most once per frame. A
// stroke's diff updates the counts directly (painting never pays a pass over the volume); opening, undo/redo and
// reloads count the whole volume.
import { useCallback, useRef } from 'react';
import type { VoxelDiff } from '../../common/labelDiff.js';
import type { LabelRow } from '../features/labels/LabelPanel.js';
import { labelCounts } from '../labelmap/index.js';
import { appStore } from './appStore.js';
import { fieldSetter } from './store.js';

const setLabelRows = fieldSetter(appStore, 'labelRows');

/** Returns `recount(diff?)`: with the diff of a stroke, the counts follow it; without one, the volume is recounted. */
export function useLabelRecount(): (diff?: VoxelDiff) => void {
  const pending = useRef(0);
  const counts = useRef<{ labels: Uint8Array; counts: Uint32Array; stale: boolean } | null>(null);
  return useCallback((diff?: VoxelDiff) => {
    const s = appStore.get().opened;
    const c = counts.current;
    if (s && c && c.labels === s.labels && diff && !c.stale) {
      for (let i = 0; i < diff.indices.length; i++) {
        c.counts[diff.before[i]!]!--;
        c.counts[diff.after[i]!]!++;
      }
    } else if (c) {
      c.stale = true;
    }
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
