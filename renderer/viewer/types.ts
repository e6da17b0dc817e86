// Public types of the slice viewer (re-exported by index.ts). No vtk.js types appear here: callers never see them.
import type { Vec3, VolumeGeometry } from '../../common/geometry.js';

/** The three orthogonal slice views. */
export type ViewId = 'sagittal' | 'coronal' | 'axial';

export const VIEW_IDS: readonly ViewId[] = ['sagittal', 'coronal', 'axial'];

/** Every typed array a MetaImage ElementType maps to (int64 is converted by the reader before it gets here). */
export type ImageScalars =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** An image in FILE index order: flat offset i + size[0] * (j + size[1] * k), placed by its geometry. */
export interface ImageVolume {
  geometry: VolumeGeometry;
  scalars: ImageScalars;
  /** Known minimum and maximum (e.g. computed by main): spares the viewer a pass over the whole volume. */
  range?: [number, number];
  /** Window/level to start with instead of the viewer's own percentile estimate. */
  windowLevel?: WindowLevel;
}

/**
 * A label volume on the image's grid, one byte per voxel holding SPIDER values (0 = background).
 * The viewer keeps a reference to `scalars` (no copy): tools write into it and then call `labelsModified()`.
 */
export interface LabelVolume {
  geometry: VolumeGeometry;
  scalars: Uint8Array;
}

/** Where the pointer is, for the status bar. */
export interface CursorInfo {
  view: ViewId;
  /** Nearest voxel, integer index in FILE index order (may lie outside the volume: see `inside`). */
  ijk: Vec3;
  /** Pointer position on the view's slice plane, LPS millimetres. */
  world: Vec3;
  /** True when `ijk` addresses a voxel of the volume. */
  inside: boolean;
}

export interface WindowLevel {
  /** Width of the displayed intensity range (image units, > 0). */
  window: number;
  /** Centre of the displayed intensity range (image units). */
  level: number;
}

/** How labels are drawn over the image (display state, not label data). */
export interface LabelDisplay {
  /** 0..1: fill opacity in 'fill' mode, outline opacity in 'outline' mode. */
  opacity: number;
  /** 'fill' colours every labelled voxel; 'outline' colours only label borders (interior left uncoloured). */
  mode: 'fill' | 'outline';
  /** Label values drawn fully transparent. */
  hidden: ReadonlySet<number>;
  /** Hides every label at once (keeps `hidden` for when it is switched back). */
  allHidden: boolean;
}

/** 'three' = the three views side by side; a ViewId = that view alone, filling the container. */
export type Layout = 'three' | ViewId;

export interface ViewerOptions {
  /** Initial label display; default fill, opacity 0.5, nothing hidden. */
  labelDisplay?: LabelDisplay;
  /** Initial layout; default 'three'. */
  layout?: Layout;
  /** Window/level used by setVolumes instead of the automatic one (0.5–99.5 percentile of the image). */
  windowLevel?: WindowLevel;
}

/** The slice viewer. All positions are LPS millimetres unless named otherwise; voxel indices are in FILE order. */
export interface Viewer {
  /**
   * Shows a new series (image + labels on the same grid): cameras reset, crosshair at the volume centre, automatic
   * window/level. Both arrays are used in place (no copy; the viewer never writes to them). Throws, leaving the
   * current series shown, on mismatched grids or a direction too oblique for axis-aligned views.
   */
  setVolumes(image: ImageVolume, labels: LabelVolume): void;
  /** Replaces the label volume (same grid as the image). The viewer keeps a reference to `labels.scalars`. */
  setLabels(labels: LabelVolume): void;
  /**
   * Call after writing into the current labels' scalars: one render next frame that re-uploads only the displayed
   * slice of each view. Voxels written elsewhere show up when a view moves there (slices are read from the live array).
   */
  labelsModified(): void;
  getCrosshair(): Vec3;
  /** Moves the crosshair (clamped into the volume); every view shows the slice through it. */
  setCrosshair(world: Vec3): void;
  /**
   * Moves a view's slice by `delta` slices (+1 towards L / P / S for sagittal / coronal / axial), snapping the
   * crosshair onto that slice.
   */
  scrollSlice(view: ViewId, delta: number): void;
  getWindowLevel(): WindowLevel;
  setWindowLevel(window: number, level: number): void;
  setLabelDisplay(display: LabelDisplay): void;
  setLayout(layout: Layout): void;
  /** Resets zoom and pan of every view. */
  resetViews(): void;
  /** Pointer position in voxel and world terms (null when the pointer leaves a view). Returns unsubscribe. */
  onCursor(cb: (cursor: CursorInfo | null) => void): () => void;
  onCrosshair(cb: (world: Vec3) => void): () => void;
  onWindowLevel(cb: (wl: WindowLevel) => void): () => void;
  /**
   * Resolves after the next render of all visible views, or at once when no render is pending (the views
   * already show the current state). The render-settled signal for tests.
   */
  rendered(): Promise<void>;
  /** Number of frames rendered so far. */
  readonly renderCount: number;
  /**
   * Display position (CSS px from the container's top-left) of a world point projected along a view's direction,
   * or null when the view is hidden, no series is shown, or the point falls outside the view.
   */
  worldToDisplay(view: ViewId, world: Vec3): [number, number] | null;
  /** Removes the viewer from the container and deletes every vtk object and the WebGL context. */
  dispose(): void;
}
