// Grading ↔ views: a grading row moves the crosshair to its disc; a click on a disc in a view (navigation, no
// tool) selects its grading row. Disc centres of the open series' live labels are recomputed after label edits.
import { useCallback, useRef } from 'react';
import type { EditInfo, GradingLevel } from '../../../common/contract.js';
import { indexToWorld, worldToIndex, type Vec3 } from '../../../common/geometry.js';
import { labelCentres } from '../../labelmap/index.js';
import { appStore } from '../../state/appStore.js';
import type { Viewer } from '../../viewer/index.js';

export function useDiscNavigation(
  viewer: Viewer | null,
  history: EditInfo[],
  toolActive: boolean,
  gradings: { levels: GradingLevel[]; select: (ivdLabel: number) => void },
): { goToLevel: (level: GradingLevel) => void; onViewerClick: (e: React.MouseEvent) => void } {
  const centresCache = useRef<{ labels: Uint8Array; history: unknown; centres: Map<number, Vec3> } | null>(null);
  const discCentre = useCallback(
    (level: GradingLevel): Vec3 | null => {
      const s = appStore.get().opened;
      if (!s) return null;
      const c = centresCache.current;
      let centres = c && c.labels === s.labels && c.history === history ? c.centres : null;
      if (!centres) {
        centres = labelCentres(s.labels, s.info.image.geometry.size);
        centresCache.current = { labels: s.labels, history, centres };
      }
      const ijk = centres.get(level.maskValue);
      if (ijk) return indexToWorld(s.info.image.geometry, ijk);
      // Not in this series' labels: the disc as measured in the patient's series that holds it.
      return level.hint?.centre ?? null;
    },
    [history],
  );
  const goToLevel = useCallback(
    (level: GradingLevel) => {
      const p = discCentre(level);
      if (p && viewer) viewer.setCrosshair(p);
    },
    [discCentre, viewer],
  );
  const onViewerClick = (e: React.MouseEvent): void => {
    const s = appStore.get().opened;
    if (!s || !viewer || toolActive || e.button !== 0) return;
    const g = s.info.image.geometry;
    const [i, j, k] = worldToIndex(g, viewer.getCrosshair()).map(Math.round) as [number, number, number];
    const [nx, ny, nz] = g.size;
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return;
    const v = s.labels[i + nx * (j + ny * k)] ?? 0;
    if (v > 200 && v < 226 && gradings.levels.some((l) => l.maskValue === v)) gradings.select(v - 200);
  };
  return { goToLevel, onViewerClick };
}
