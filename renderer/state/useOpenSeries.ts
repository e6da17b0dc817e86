// Opening a series in the viewer: pending strokes are saved first, then the volumes load and the first render is
// timed (appStore.lastOpen). Switching between siblings keeps the crosshair at the same physical point. A series
// prefetched for "Next" is shown from its bytes at once and published (editable) once main confirmed them (settlePrefetched).
import { useCallback } from 'react';
import type { Vec3 } from '../../common/geometry.js';
import type { Viewer } from '../viewer/index.js';
import { appStore, setBusy, setDisplay, setError, setOpened } from './appStore.js';
import { loadSeries, settlePrefetched, type OpenedSeries } from './loadSeries.js';

export function useOpenSeries(
  viewer: Viewer | null,
  pending: () => number,
  idle: () => Promise<void>,
  recount: () => void,
): (id: string, keepPoint?: Vec3) => Promise<void> {
  return useCallback(
    async (id: string, keepPoint?: Vec3) => {
      if (!viewer) return;
      setBusy(`Opening ${id} …`);
      setError(null);
      try {
        // Strokes still on their way to the journal finish first: nothing an annotator does is lost.
        const waiting = pending();
        if (waiting > 0) setBusy(`Saving ${waiting} edit${waiting === 1 ? '' : 's'} before opening ${id} …`);
        await idle();
        setBusy(`Opening ${id} …`);
        const t0 = performance.now();
        const s = await loadSeries(id);
        const show = async (o: OpenedSeries): Promise<void> => {
          const geometry = o.info.image.geometry;
          const [lo, hi] = o.info.image.autoWindow;
          viewer.setVolumes(
            { geometry, scalars: o.image, range: o.info.image.range, windowLevel: { window: hi - lo, level: (hi + lo) / 2 } },
            { geometry, scalars: o.labels },
          );
          if (keepPoint) viewer.setCrosshair(keepPoint);
          await viewer.rendered();
        };
        const r0 = performance.now();
        await show(s);
        const firstRenderMs = performance.now() - r0;
        const totalMs = performance.now() - t0;
        appStore.set({ lastOpen: { seriesId: id, ...s.timing, firstRenderMs, totalMs } });
        // Prefetched bytes are on screen now; the series becomes editable (published: its edit session starts) only
        // once main has confirmed its label revision, with main's labels swapped in should they have moved on. A
        // stroke can therefore never be drawn on labels main has moved past (it would be refused, and lost).
        let current = s;
        let failed = false;
        await settlePrefetched(s, {
          setLabels: (labels) => viewer.setLabels(labels),
          show,
          current: () => s,
          publish: (fresh) => {
            current = fresh;
          },
          fail: () => {
            failed = true;
          },
        });
        if (failed) {
          // Main could not confirm the prefetched labels: open the series the ordinary way (a failure there is shown).
          current = await loadSeries(id);
          await show(current);
        }
        setOpened(current);
        recount();
        setDisplay((d) => ({ ...d, hidden: new Set() }));
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        setBusy(null);
      }
    },
    [viewer, pending, idle, recount],
  );
}
