// Public types of the 3-D label view (re-exported by ./index.ts and ../index.ts).
import type { Vec3 } from '../../../common/geometry.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';
import type { SurfaceBuilderOptions } from '../surfaces/index.js';
import type { LabelDisplay, LabelVolume } from '../types.js';

/** What the 3-D view is doing (also on its root element as data-status). */
export type View3DStatus = 'empty' | 'building' | 'ready' | 'error';

/** Observable state of the 3-D view (tests and benches read it; also mirrored as data-* attributes of its root). */
export interface View3DState {
  status: View3DStatus;
  /** Labels that have a mesh, ascending. */
  meshed: number[];
  /** Labels whose actor is drawn (meshed and not hidden), ascending. */
  shown: number[];
  /** Full builds answered. */
  fullBuilds: number;
  /** Per label: how often a partial rebuild re-meshed it (or removed it). */
  rebuilds: Record<number, number>;
  /** Labels of the last partial rebuild. */
  lastRebuilt: number[];
  /** Milliseconds from the last request (build or rebuild) to the first frame showing its answer. */
  lastUpdateMs: number | null;
  /** Frames rendered so far. */
  renders: number;
  /** Triangles drawn (shown actors). */
  triangles: number;
  error: string | null;
}

export interface View3DOptions {
  /** Passed to the SurfaceBuilder (tests: an in-process port). */
  builder?: SurfaceBuilderOptions;
  /** Background RGB 0..1. */
  background?: [number, number, number];
}

export interface View3D {
  /**
   * Shows the surfaces of this label volume (a full build in the worker), or nothing with null. The view keeps a
   * reference to `labels.scalars` and reads changed regions from it in labelsChanged().
   */
  setLabels(labels: LabelVolume | null): void;
  /**
   * Call after the labels were written in place: with the edit's diff (a stroke, undo, redo …) only the labels it
   * touched are re-meshed; with null (a reload: changed in an unknown way) everything is rebuilt.
   */
  labelsChanged(diff: VoxelDiff | null): void;
  /** Per-label visibility follows `hidden` and `allHidden` (opacity and outline mode do not apply in 3-D). */
  setLabelDisplay(display: LabelDisplay): void;
  /** Where the crosshair is: drawn as a small marker. */
  setCrosshair(world: Vec3): void;
  /** Camera back to the default oblique view of every meshed label. */
  resetCamera(): void;
  /** A left click on a shown surface: the world point (LPS mm) and its label. Returns unsubscribe. */
  onPick(cb: (world: Vec3, label: number) => void): () => void;
  onState(cb: (s: View3DState) => void): () => void;
  getState(): View3DState;
  /**
   * Display position (CSS px from the container's top-left) of a world point, or null when it falls outside the
   * view (tests click on surfaces through it).
   */
  worldToDisplay(world: Vec3): [number, number] | null;
  /** Resolves after the next frame once no build is pending (at once when idle and nothing is to draw). */
  rendered(): Promise<void>;
  dispose(): void;
}

/** Mirrors the state onto the view's root element as data-* attributes (tests and benches read them). */
export function mirrorState(root: HTMLElement, state: View3DState): void {
  root.dataset['status'] = state.status;
  root.dataset['meshed'] = state.meshed.join(',');
  root.dataset['shown'] = state.shown.join(',');
  root.dataset['triangles'] = String(state.triangles);
  root.dataset['fullBuilds'] = String(state.fullBuilds);
  root.dataset['rebuilds'] = Object.entries(state.rebuilds).map(([l, n]) => `${l}:${n}`).join(',');
  root.dataset['lastRebuilt'] = state.lastRebuilt.join(',');
  root.dataset['renders'] = String(state.renders);
}
