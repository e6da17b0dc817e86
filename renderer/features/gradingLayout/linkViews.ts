// Links the grading layout's sagittal views (one viewer per series of the patient) in physical space: a crosshair
// move in one view moves the others' crosshair to the same superior-inferior / anterior-posterior point (LPS mm),
// a zoom or pan moves the others by the same world shift and to the same mm per pixel, while every view keeps its
// own left-right slice: its mid-sagittal slice (from its own canal mask) plus an offset in slices, and its own
// window/level. A disc level centres every view on that disc as found in its own mask. Framework-free.
import type { GradingLevel } from '../../../common/contract.js';
import { axisVector, indexToWorld, worldToIndex, type Axis, type Vec3, type VolumeGeometry } from '../../../common/geometry.js';
import { labelCentres, midSagittal, sagittalAxis } from '../../labelmap/index.js';
import type { Viewer, Viewport, WindowLevel } from '../../viewer/index.js';

export interface LinkedSeries {
  id: string;
  viewer: Viewer;
  geometry: VolumeGeometry;
  labels: Uint8Array;
}

/** What one view shows, for its caption (and the tests, through data attributes). */
export interface PaneState {
  id: string;
  /** Displayed sagittal slice (file index along `axis`) and the slice count. */
  slice: number;
  count: number;
  /** Mid-sagittal slice of the current reference (the whole canal, or the canal at the chosen level). */
  mid: number;
  /** Slices from mid, + = towards the patient's left (the same sense in every view, whatever the file order). */
  offset: number;
  /** Distance between two of its sagittal slices (mm): T2 SPACE slices are thinner than T1 / T2 ones. */
  sliceMm: number;
  /** Where `mid` comes from: 'canal' (whole canal), 'level' (canal at the disc), 'none' (no canal: volume centre). */
  scope: 'canal' | 'level' | 'none';
  crosshair: Vec3;
  windowLevel: WindowLevel;
  /** The view's centre (LPS mm) and zoom; null while it has no area. */
  centre: Vec3 | null;
  mmPerPx: number | null;
}

export interface ViewLink {
  /** Moves every view by `delta` slices from where it is (buttons and ← / →). */
  step(delta: number): void;
  /** Every view back to its mid-sagittal slice. */
  toMid(): void;
  /**
   * Centres every view on the level's disc (each from its own mask) at the canal's mid-sagittal slice there.
   * `keep`: a view the user just clicked the disc in; it stays where it is (its mid and offset are of the level).
   */
  goToLevel(level: Pick<GradingLevel, 'maskValue' | 'hint'>, keep?: string): void;
  /** The label under a view's crosshair (0 outside its volume or for an unknown view). */
  labelAtCrosshair(id: string): number;
  /** After the views were resized (each keeps its zoom relative to its own fit): one mm per pixel again, the first's. */
  resized(): void;
  states(): PaneState[];
  dispose(): void;
}

interface Pane {
  s: LinkedSeries;
  axis: Axis;
  /** +1 when the file index grows towards the patient's left, else -1. */
  sign: 1 | -1;
  mid: number;
  offset: number;
  scope: PaneState['scope'];
  last: Viewport | null;
  centres: Map<number, Vec3> | null;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/**
 * Links the views (each already showing its series). `start`: world point whose superior-inferior / anterior-
 * posterior position the crosshairs start at (e.g. the main viewer's crosshair). `changed` hears every state change.
 */
export function linkViews(series: readonly LinkedSeries[], start: Vec3 | null, changed: (states: PaneState[]) => void): ViewLink {
  const panes: Pane[] = series.map((s) => {
    const m = midSagittal(s.labels, s.geometry);
    const axis = m?.sliceAxis ?? sagittalAxis(s.geometry);
    const mid = m?.slice ?? Math.floor((s.geometry.size[axis] - 1) / 2);
    return { s, axis, sign: axisVector(s.geometry, axis)[0] >= 0 ? 1 : -1, mid, offset: 0, scope: m ? 'canal' : 'none', last: null, centres: null };
  });
  let syncing = false;
  const sliceOf = (p: Pane): number => clamp(p.mid + p.offset * p.sign, 0, p.s.geometry.size[p.axis] - 1);
  /** The pane's own crosshair for a world point: same S-I / A-P, its own sagittal slice. */
  const placeCrosshair = (p: Pane, world: Vec3): void => {
    const ijk = worldToIndex(p.s.geometry, world);
    ijk[p.axis] = sliceOf(p);
    p.s.viewer.setCrosshair(indexToWorld(p.s.geometry, ijk));
  };
  const states = (): PaneState[] =>
    panes.map((p) => {
      const crosshair = p.s.viewer.getCrosshair();
      const vp = p.s.viewer.getViewport('sagittal');
      return {
        id: p.s.id,
        slice: Math.round(worldToIndex(p.s.geometry, crosshair)[p.axis]),
        count: p.s.geometry.size[p.axis],
        mid: p.mid,
        offset: p.offset,
        sliceMm: p.s.geometry.spacing[p.axis],
        scope: p.scope,
        crosshair,
        windowLevel: p.s.viewer.getWindowLevel(),
        centre: vp?.centre ?? null,
        mmPerPx: vp?.mmPerPx ?? null,
      };
    });
  const notify = (): void => changed(states());
  const quietly = (f: () => void): void => {
    syncing = true;
    try {
      f();
    } finally {
      syncing = false;
    }
  };

  const offs: (() => void)[] = [];
  for (const p of panes) {
    const v = p.s.viewer;
    offs.push(
      v.onCrosshair((world) => {
        if (syncing) return;
        // The user moved this view (click, drag, wheel): its own offset follows its slice; the others follow in-plane.
        const slice = Math.round(worldToIndex(p.s.geometry, world)[p.axis]);
        p.offset = (slice - p.mid) * p.sign;
        quietly(() => {
          for (const q of panes) if (q !== p) placeCrosshair(q, world);
        });
        notify();
      }),
      v.onViewport((vp) => {
        if (syncing || vp.view !== 'sagittal') return;
        const before = p.last;
        p.last = vp;
        const shift: Vec3 = before ? [vp.centre[0] - before.centre[0], vp.centre[1] - before.centre[1], vp.centre[2] - before.centre[2]] : [0, 0, 0];
        quietly(() => {
          for (const q of panes) {
            if (q === p) continue;
            const own = q.s.viewer.getViewport('sagittal');
            if (!own) continue;
            q.s.viewer.setViewport('sagittal', { centre: [own.centre[0] + shift[0], own.centre[1] + shift[1], own.centre[2] + shift[2]], mmPerPx: vp.mmPerPx });
            q.last = q.s.viewer.getViewport('sagittal');
          }
        });
        notify();
      }),
      v.onWindowLevel(() => notify()),
    );
  }

  // Start: every view at its mid-sagittal slice, the crosshairs at one point, one scale that fits every series.
  quietly(() => {
    for (const p of panes) placeCrosshair(p, start ?? p.s.viewer.getCrosshair());
    const fits = panes.map((p) => p.s.viewer.getViewport('sagittal')?.mmPerPx ?? 0);
    const mmPerPx = Math.max(...fits);
    for (const p of panes) {
      if (mmPerPx > 0) p.s.viewer.setViewport('sagittal', { mmPerPx });
      p.last = p.s.viewer.getViewport('sagittal');
    }
  });

  const moveAll = (): void => {
    quietly(() => {
      for (const p of panes) placeCrosshair(p, p.s.viewer.getCrosshair());
    });
    notify();
  };

  return {
    step(delta) {
      for (const p of panes) {
        const slice = clamp(sliceOf(p) + Math.round(delta) * p.sign, 0, p.s.geometry.size[p.axis] - 1);
        p.offset = (slice - p.mid) * p.sign;
      }
      moveAll();
    },
    toMid() {
      for (const p of panes) p.offset = 0;
      moveAll();
    },
    goToLevel(level, keep) {
      const found = panes.map((p) => {
        p.centres ??= labelCentres(p.s.labels, p.s.geometry.size);
        const ijk = p.centres.get(level.maskValue);
        return ijk ? indexToWorld(p.s.geometry, ijk) : null;
      });
      // A series without this disc centres where the others (or the measured hint) put it.
      const fallback = found.find((w) => w !== null) ?? level.hint?.centre ?? null;
      quietly(() => {
        panes.forEach((p, n) => {
          const disc = found[n] ?? fallback;
          if (!disc) return;
          const m = found[n] ? midSagittal(p.s.labels, p.s.geometry, { disc: level.maskValue }) : null;
          if (m) {
            p.mid = m.slice;
            p.scope = m.scope;
          }
          if (p.s.id === keep) {
            p.offset = (Math.round(worldToIndex(p.s.geometry, p.s.viewer.getCrosshair())[p.axis]) - p.mid) * p.sign;
            return;
          }
          placeCrosshair(p, disc);
          p.s.viewer.setViewport('sagittal', { centre: disc });
          p.last = p.s.viewer.getViewport('sagittal');
        });
      });
      notify();
    },
    labelAtCrosshair(id) {
      const p = panes.find((q) => q.s.id === id);
      if (!p) return 0;
      const [nx, ny, nz] = p.s.geometry.size;
      const [i, j, k] = worldToIndex(p.s.geometry, p.s.viewer.getCrosshair()).map(Math.round) as Vec3;
      if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return 0;
      return p.s.labels[i + nx * (j + ny * k)] ?? 0;
    },
    resized() {
      const mmPerPx = panes[0]?.s.viewer.getViewport('sagittal')?.mmPerPx;
      if (!mmPerPx) return;
      quietly(() => {
        for (const p of panes) {
          p.s.viewer.setViewport('sagittal', { mmPerPx });
          p.last = p.s.viewer.getViewport('sagittal');
        }
      });
      notify();
    },
    states,
    dispose() {
      for (const off of offs) off();
    },
  };
}
