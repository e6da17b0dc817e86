// Public types of the slice viewer (re-exported by index.ts). No vtk.js types appear here: callers never see them.
import type { Axis, Vec3, VolumeGeometry } from '../../common/geometry.js';

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
  /** Locked labels (no tool overwrites them): drawn with a solid rim and a dimmed interior (see labelTables). */
  locked?: ReadonlySet<number>;
}

/**
 * What a LEFT press/drag/release in a view does. 'navigate' (default): crosshair, Shift+left drag zoom, Ctrl/Cmd+left
 * drag pan. 'tool': the gesture goes to `onToolPointer` listeners, with every modifier (Ctrl/Cmd+click = pick, etc.);
 * zoom is then Ctrl/Cmd+wheel only and pan middle drag only. Wheel, PageUp/PageDown, right drag (window/level),
 * middle drag (pan) and Ctrl/Cmd+wheel (zoom) mean the same in both modes.
 */
export type PointerMode = 'navigate' | 'tool';

/** One step of a left-button gesture in 'tool' pointer mode. */
export interface ToolPointerEvent {
  /**
   * 'down' starts a gesture, then every pointer sample ('move', coalesced samples included) until 'up'. 'cancel'
   * ends a gesture that did not finish normally (pointercancel, lost capture, setPointerMode, setVolumes, dispose):
   * the tool should keep or drop what it did, but expect no 'up'.
   */
  phase: 'down' | 'move' | 'up' | 'cancel';
  view: ViewId;
  /** Index axis the view slices along (file index order). */
  sliceAxis: Axis;
  /**
   * CONTINUOUS voxel index (file index order; voxel centres at integers) of the pointer on the view's current slice
   * plane: `ijk[sliceAxis]` is exactly the displayed slice index. Not clamped: during a drag (pointer capture) it may
   * lie outside the volume.
   */
  ijk: Vec3;
  /** The same point in world coordinates (LPS mm). */
  world: Vec3;
  /** The button that started the gesture (always 0 = left for now). */
  button: number;
  /** Modifier state at this sample. */
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/**
 * Brush outline drawn around the pointer in the hovered view (an SVG overlay: moving it never re-renders vtk).
 * Views are isotropic in mm on screen, so the outline is a circle of `radiusMm` at the view's current zoom.
 */
export interface BrushCursor {
  /** Radius in mm (world units, not voxels). */
  radiusMm: number;
  /** 'sphere' draws the sphere's section through the current slice (a circle of the same radius, dashed). */
  shape: 'circle' | 'sphere';
}

/** Transient overlay for the threshold tools, drawn above the labels in every view. */
export interface PreviewLayer {
  /**
   * One byte per voxel on the image grid, FILE index order; non-zero = show. Used in place (no copy) until the next
   * setPreview: write into it and call `previewModified()`.
   */
  mask: Uint8Array;
  /** RGB 0..255. */
  color: [number, number, number];
  /** 0..1. */
  opacity: number;
}

/**
 * Another source's labels (e.g. a second reader's) drawn over the labels in every view as thin outlines in the
 * label colours, interior clear (compareLayer.ts).
 */
export interface CompareLayer {
  /** One byte per voxel on the image grid, FILE index order; used in place until the next setCompare. */
  labels: Uint8Array;
  /** Outline opacity 0..1 (default 1). */
  opacity?: number;
}

/**
 * How the views share the container: '1x3' = three equal views side by side; '1+2' = `large` on the left (2/3 of the
 * width, full height) with the other two stacked on the right (each 1/3 × 1/2: the large view is twice as wide and
 * twice as high); '2x2' = sagittal, coronal / axial and the 3-D cell (`Viewer.threeDHost`).
 */
export type LayoutKind = '1x3' | '1+2' | '2x2';

export const LAYOUT_KINDS: readonly LayoutKind[] = ['1+2', '2x2', '1x3'];

export interface Layout {
  kind: LayoutKind;
  /** The large view of '1+2' (kept, unused, in the other kinds). */
  large: ViewId;
  /** A view shown alone over the whole container (whatever `kind` is), or null. */
  maximised: ViewId | null;
}

/** The viewer's layout when none is given: today's three equal views. */
export const DEFAULT_LAYOUT: Layout = { kind: '1x3', large: 'sagittal', maximised: null };

/**
 * A ruler (2 points) or angle (3 points, vertex in the middle) drawn in every view whose displayed slice it lies in
 * (all points within half a slice of the slice plane), with its label next to it.
 */
export interface MeasurementShape {
  /** Stable key (e.g. the stored id); data-measurement on its SVG group. */
  key: string;
  /** World points, LPS mm. */
  points: readonly Vec3[];
  /** Shown next to the shape, e.g. "23.4 mm". */
  label: string;
  /** Being placed: dashed, no end marks. */
  draft?: boolean;
  /** Drawn brighter (e.g. the row selected in a list). */
  highlighted?: boolean;
}

export interface ViewerOptions {
  /** Initial label display; default fill, opacity 0.5, nothing hidden. */
  labelDisplay?: LabelDisplay;
  /** Initial layout; default DEFAULT_LAYOUT. */
  layout?: Layout;
  /** Window/level used by setVolumes instead of the automatic one (0.5–99.5 percentile of the image). */
  windowLevel?: WindowLevel;
}

/** What a view shows, in world terms: links views of different series (grids, fields of view) in physical space. */
export interface Viewport {
  view: ViewId;
  /** World point at the view's centre (LPS mm, on its slice plane). */
  centre: Vec3;
  /** Zoom as millimetres per CSS pixel. */
  mmPerPx: number;
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
  /** Changes the fields given; the rest stay. A view's zoom, pan and slice and the crosshair are kept. */
  setLayout(layout: Partial<Layout>): void;
  getLayout(): Layout;
  /**
   * Layout changes, from setLayout or from the views' own corner buttons (maximise / make large): the caller keeps
   * its copy (e.g. the app store) in step. Returns unsubscribe.
   */
  onLayout(cb: (layout: Layout) => void): () => void;
  /**
   * The fourth cell of '2x2', reserved for the 3-D view: an empty div filling the cell (a placeholder note lies
   * beneath it until something is drawn). Hidden (0×0) in the other layouts; watch its size with a ResizeObserver.
   * Mount the 3-D view's DOM into it; the viewer never touches its children.
   */
  readonly threeDHost: HTMLDivElement;
  /** Resets zoom and pan of every view. */
  resetViews(): void;
  /** Left-button meaning (see PointerMode). Changing it cancels a gesture in progress. Default 'navigate'. */
  setPointerMode(mode: PointerMode): void;
  getPointerMode(): PointerMode;
  /** Left-button gestures in 'tool' mode (see ToolPointerEvent). Returns unsubscribe. */
  onToolPointer(cb: (e: ToolPointerEvent) => void): () => void;
  /** Brush outline that follows the pointer in the hovered view; null hides it. */
  setBrushCursor(cursor: BrushCursor | null): void;
  /**
   * Shows (or with null removes, freeing its GPU textures and dropping the mask reference) the preview layer: a
   * third image slice per view, nearest-neighbour, above the labels. Costs nothing while null. Throws on a mask of
   * the wrong length or before setVolumes; setVolumes removes it (a new series has a new grid).
   */
  setPreview(preview: PreviewLayer | null): void;
  /** Call after writing into the preview mask: one render next frame re-uploading only each view's displayed slice. */
  previewModified(): void;
  /**
   * Shows (null: removes) the compare layer: another label volume as outlines over the labels. Throws on a volume of
   * the wrong length or before setVolumes; setVolumes removes it.
   */
  setCompare(layer: CompareLayer | null): void;
  /** Call after writing into the compare labels: one render next frame. */
  compareModified(): void;
  /** Replaces the rulers and angles drawn over the views (SVG overlay: never a re-render of the images). */
  setMeasurements(shapes: readonly MeasurementShape[]): void;
  /** A view's centre and zoom in world terms; null before setVolumes or while the view has no area. */
  getViewport(view: ViewId): Viewport | null;
  /** Pans (`centre`, its in-plane part) and zooms (`mmPerPx`) a view; a field left out stays. Fires no onViewport. */
  setViewport(view: ViewId, viewport: { centre?: Vec3; mmPerPx?: number }): void;
  /** Zoom and pan gestures (wheel, drags) in a view, with its new viewport. Returns unsubscribe. */
  onViewport(cb: (viewport: Viewport) => void): () => void;
  /** Shows or hides the crosshair lines in every view (the crosshair still moves and sets the slices). */
  setCrosshairVisible(visible: boolean): void;
  isCrosshairVisible(): boolean;
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
