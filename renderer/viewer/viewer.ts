// createViewer: three linked slice views (sagittal, coronal, axial) over one image + label volume, drawn with vtk.js
// through ONE WebGL context (a parent vtkRenderWindow whose child render windows are the views). Owns the parent
// window, the shared image and preview properties, the current Series (series.ts) and the viewer state (crosshair,
// window/level, zoom/pan, pointer mode, brush cursor); the label layer (labelLayer.ts) and the cells' arrangement
// (layout.ts) are its parts; renders go through the render loop (renderLoop.ts). Tools get pointer gestures and draw
// previews here, but no tool logic lives here.
import '@kitware/vtk.js/Rendering/OpenGL/Profiles/Volume.js';
import '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty.js';
import vtkRenderWindow from '@kitware/vtk.js/Rendering/Core/RenderWindow.js';
import type vtkOpenGLRenderWindow from '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js';
import type { Vec3 } from '../../common/geometry.js';
import { indexToWorld, worldToIndex } from '../../common/geometry.js';
import { attachKeyboard, attachViewInteraction, type InteractionTarget } from './interaction.js';
import { createPreviewAppearance, previewControl } from './previewLayer.js';
import { compareControl, createCompareAppearance } from './compareLayer.js';
import { createEmitter } from './emitter.js';
import { createLabelLayer } from './labelLayer.js';
import { createLayoutGrid } from './layout.js';
import {
  centerWorld,
  clampToVolume,
  displayToWorld,
  edgeLetters,
  pixelsPerMm,
  sliceIndexAt,
  viewCamera,
  voxelAt,
  worldToDisplay,
  type ViewCamera,
} from './orientation.js';
import { VIEW_COLORS } from './overlay.js';
import { createSliceView, type SliceView } from './sliceView.js';
import { autoWindowLevel } from './intensity.js';
import { createSeries, type Series } from './series.js';
import { createRenderLoop } from './renderLoop.js';
import { viewportControl } from './viewport.js';
import {
  DEFAULT_LAYOUT,
  VIEW_IDS,
  type BrushCursor,
  type CursorInfo,
  type LabelDisplay,
  type Layout,
  type PointerMode,
  type ToolPointerEvent,
  type Viewer,
  type ViewId,
  type ViewerOptions,
  type WindowLevel,
} from './types.js';

const DEFAULT_LABEL_DISPLAY: LabelDisplay = { opacity: 0.5, mode: 'fill', hidden: new Set(), allHidden: false };

interface ViewState {
  zoom: number;
  pan: [number, number];
}

/** Creates the viewer inside `container` (which it fills; give the container a size). */
export function createViewer(container: HTMLElement, opts: ViewerOptions = {}): Viewer {
  // --- DOM --- //
  const root = document.createElement('div');
  root.tabIndex = 0;
  root.dataset['viewerRoot'] = '';
  root.style.cssText = 'position:absolute;inset:0;display:grid;gap:2px;background:#222;outline:none;';
  if (getComputedStyle(container).position === 'static') container.style.position = 'relative';
  container.appendChild(root);

  // --- shared vtk objects (one WebGL context) --- //
  const parentRenderWindow = vtkRenderWindow.newInstance();
  const parentView = parentRenderWindow.newAPISpecificView('WebGL') as vtkOpenGLRenderWindow;
  parentRenderWindow.addView(parentView);
  parentView.initialize();

  const imageProperty = vtkImageProperty.newInstance();
  // Nearest: annotators judge label borders against the true voxels, not an interpolated image.
  imageProperty.setInterpolationTypeToNearest();
  const labels = createLabelLayer(DEFAULT_LABEL_DISPLAY);
  const preview = createPreviewAppearance();
  const compare = createCompareAppearance();

  const shared = { parentRenderWindow, parentView, imageProperty, labelProperty: labels.property, previewProperty: preview.property, compareProperty: compare.property };
  const views = {} as Record<ViewId, SliceView>;
  for (const id of VIEW_IDS) {
    views[id] = createSliceView(id, shared);
    views[id].onSliceInput((delta) => viewer.scrollSlice(id, delta)); // the view's slice slider
    root.appendChild(views[id].cell);
  }
  const cells = { sagittal: views.sagittal.cell, coronal: views.coronal.cell, axial: views.axial.cell };
  const grid = createLayoutGrid(root, cells, { ...DEFAULT_LAYOUT, ...opts.layout }, (patch) => setLayoutNow(patch));

  // --- state --- //
  let series: Series | null = null;
  let crosshair: Vec3 = [0, 0, 0];
  let windowLevel: WindowLevel = { window: 1, level: 0 };
  let activeView: ViewId = 'sagittal';
  let lastHover: { view: ViewId; xy: [number, number] } | null = null;
  let pointerMode: PointerMode = 'navigate';
  let brush: BrushCursor | null = null;
  let disposed = false;
  const viewState = {} as Record<ViewId, ViewState>;
  const resetViewState = (): void => {
    for (const id of VIEW_IDS) viewState[id] = { zoom: 1, pan: [0, 0] };
  };
  resetViewState();

  const cursorEvents = createEmitter<CursorInfo | null>();
  const crosshairEvents = createEmitter<Vec3>();
  const windowLevelEvents = createEmitter<WindowLevel>();
  const toolEvents = createEmitter<ToolPointerEvent>();
  const layoutEvents = createEmitter<Layout>();
  const viewports = viewportControl({ series: () => series, size: (v) => (syncSize(v), views[v].size), camera: (s, v) => cameraOf(s, v), state: viewState, invalidate: (v) => invalidate(v) });

  // --- render scheduling: at most one render per animation frame, none when nothing changed --- //
  let sizeChanged = false;
  const isVisible = (id: ViewId): boolean => grid.isVisible(id);
  const loop = createRenderLoop({
    prepare() {
      for (const id of VIEW_IDS) syncSize(id);
      // The shared canvas must be as large as the largest view (otherwise views render at its default 300×300).
      if (sizeChanged) parentView.resizeFromChildRenderWindows();
      sizeChanged = false;
    },
    canDraw: isVisible,
    draw(id) {
      applyView(id);
      if (series) views[id].render();
    },
    finish: () => updateBrush(), // zoom and view size are settled now
  });
  const invalidate = (ids: readonly ViewId[] = VIEW_IDS): void => loop.invalidate(ids);
  /** Brings a view's render window to its cell's size; a change re-renders it and resizes the shared canvas. */
  const syncSize = (id: ViewId): void => {
    if (!views[id].syncSize()) return;
    sizeChanged = true;
    invalidate([id]);
  };
  const hasArea = (id: ViewId): boolean => views[id].size.width > 0 && views[id].size.height > 0;

  /** Camera of a view from the current state (also used for picking between frames). */
  const cameraOf = (s: Series, id: ViewId): ViewCamera => {
    const frame = s.frames[id];
    const ijk = worldToIndex(s.geometry, crosshair);
    ijk[frame.sliceAxis] = sliceIndexAt(s.geometry, frame, crosshair);
    const st = viewState[id];
    return viewCamera(s.geometry, frame, views[id].size, indexToWorld(s.geometry, ijk), st.zoom, st.pan);
  };

  /** Pushes the state of one view into its vtk objects and overlay. */
  const applyView = (id: ViewId): void => {
    const view = views[id];
    if (!series) {
      view.overlay.setCrosshair(null, '', '');
      view.overlay.setLetters({ left: '', right: '', top: '', bottom: '' });
      view.overlay.setSlice(null);
      return;
    }
    const frame = series.frames[id];
    const slice = sliceIndexAt(series.geometry, frame, crosshair);
    view.setSlice(slice);
    const cam = cameraOf(series, id);
    view.setCamera(frame, cam, series.depthMm);
    const planeColor = (axis: number): string => VIEW_COLORS[VIEW_IDS.find((v) => series!.frames[v].sliceAxis === axis)!];
    view.overlay.setCrosshair(
      worldToDisplay(frame, cam, view.size, crosshair),
      planeColor(frame.rightAxis),
      planeColor(frame.upAxis),
    );
    view.overlay.setLetters(edgeLetters(frame));
    view.overlay.setSlice({ index: slice, count: series.geometry.size[frame.sliceAxis] });
  };

  /** Brush outline in the hovered view (SVG only: never a render). */
  const updateBrush = (): void => {
    for (const id of VIEW_IDS) {
      const size = views[id].size;
      const xy = lastHover?.view === id ? lastHover.xy : null;
      const inside = xy !== null && xy[0] >= 0 && xy[1] >= 0 && xy[0] < size.width && xy[1] < size.height;
      if (!brush || !series || !xy || !inside || !isVisible(id)) {
        views[id].overlay.setBrush(null);
        continue;
      }
      // Screen pixels are square in mm (one parallel scale for both axes), so rx = ry.
      const r = brush.radiusMm * pixelsPerMm(cameraOf(series, id), size);
      views[id].overlay.setBrush({ xy, rx: r, ry: r, dashed: brush.shape === 'sphere' });
    }
  };

  // Only a view whose size really changed is re-rendered (the observer also reports every cell once at start).
  const resizeObserver = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const id = VIEW_IDS.find((v) => views[v].cell === entry.target);
      if (id) syncSize(id);
    }
  });
  for (const id of VIEW_IDS) resizeObserver.observe(views[id].cell);

  // --- state changes --- //
  const emitCursor = (): void => {
    if (!lastHover || !series) return;
    const { view, xy } = lastHover;
    syncSize(view);
    if (!hasArea(view)) return;
    const world = displayToWorld(series.frames[view], cameraOf(series, view), views[view].size, xy);
    const { ijk, inside } = voxelAt(series.geometry, world);
    cursorEvents.emit({ view, ijk, world, inside });
  };

  const moveCrosshair = (world: Vec3): void => {
    if (!series) return;
    const next = clampToVolume(series.geometry, world);
    if (next.every((v, a) => v === crosshair[a])) return;
    crosshair = next;
    invalidate();
    crosshairEvents.emit([...crosshair]);
    emitCursor();
  };

  const applyWindowLevel = (wl: WindowLevel): void => {
    const window = Math.max(wl.window, 1e-6);
    if (window === windowLevel.window && wl.level === windowLevel.level) return;
    windowLevel = { window, level: wl.level };
    imageProperty.setColorWindow(window);
    imageProperty.setColorLevel(wl.level);
    invalidate();
    windowLevelEvents.emit({ ...windowLevel });
  };

  const applyLabelDisplay = (d: LabelDisplay, force: boolean): void => {
    if (!labels.apply(d, force)) return;
    for (const id of VIEW_IDS) views[id].setLabelsVisible(!labels.display().allHidden);
    invalidate();
  };

  const disposeSeries = (): void => {
    if (!series) return;
    for (const id of VIEW_IDS) views[id].clearInputs();
    series.dispose();
    series = null;
  };

  /** Rearranges the cells; every view keeps its slice, zoom and pan (a resized view is re-rendered to its size). */
  const setLayoutNow = (patch: Partial<Layout>): void => {
    const next = { ...grid.current(), ...patch };
    if (!grid.set(next)) return;
    if (next.maximised) activeView = next.maximised;
    invalidate();
    layoutEvents.emit(grid.current());
  };

  // --- interaction --- //
  const target: InteractionTarget = {
    pointerMode: () => pointerMode,
    pointCrosshair(view, xy) {
      if (!series) return;
      syncSize(view);
      if (!hasArea(view)) return;
      moveCrosshair(displayToWorld(series.frames[view], cameraOf(series, view), views[view].size, xy));
    },
    scrollSlice: (view, delta) => viewer.scrollSlice(view, delta),
    toggleMaximise: (view) => setLayoutNow({ maximised: grid.current().maximised ? null : view }),
    zoomAt(view, factor, xy) {
      if (!series) return;
      const st = viewState[view];
      const size = views[view].size;
      // Keep the point under the pointer fixed: its offset from the centre scales with 1/zoom.
      const cam = cameraOf(series, view);
      const mmPerPx = (2 * cam.parallelScale) / Math.max(1, size.height);
      const ox = (xy[0] - size.width / 2) * mmPerPx;
      const oy = (size.height / 2 - xy[1]) * mmPerPx;
      const zoom = Math.min(Math.max(st.zoom * factor, 0.05), 100);
      const k = 1 - st.zoom / zoom;
      st.pan = [st.pan[0] + ox * k, st.pan[1] + oy * k];
      st.zoom = zoom;
      invalidate([view]);
      emitCursor();
      viewports.emit(view);
    },
    panBy(view, dx, dy) {
      if (!series) return;
      const cam = cameraOf(series, view);
      const mmPerPx = (2 * cam.parallelScale) / Math.max(1, views[view].size.height);
      const st = viewState[view];
      st.pan = [st.pan[0] - dx * mmPerPx, st.pan[1] + dy * mmPerPx];
      invalidate([view]);
      viewports.emit(view);
    },
    dragWindowLevel(dx, dy) {
      if (!series) return;
      const k = Math.max(series.range[1] - series.range[0], 1) / 500;
      applyWindowLevel({ window: windowLevel.window + dx * k, level: windowLevel.level + dy * k });
    },
    hover(view, xy) {
      lastHover = xy ? { view, xy } : null;
      if (xy) emitCursor();
      else cursorEvents.emit(null);
      updateBrush();
    },
    toolPointer(view, phase, xy, buttons) {
      if (!series) return;
      syncSize(view);
      if (!hasArea(view)) return;
      const frame = series.frames[view];
      const ijk = worldToIndex(series.geometry, displayToWorld(frame, cameraOf(series, view), views[view].size, xy));
      // The camera sits on the displayed slice; snap away the rounding of the world round trip.
      ijk[frame.sliceAxis] = sliceIndexAt(series.geometry, frame, crosshair);
      toolEvents.emit({ phase, view, sliceAxis: frame.sliceAxis, ijk, world: indexToWorld(series.geometry, ijk), ...buttons });
    },
  };
  const interactions = VIEW_IDS.map((id) => attachViewInteraction(views[id].cell, id, target, (v) => (activeView = v)));
  const cancelGestures = (): void => {
    for (const i of interactions) i.cancel();
  };
  const detachKeyboard = attachKeyboard(root, target, () => activeView);

  // --- public API --- //
  let crosshairVisible = true;
  const viewer: Viewer = {
    setVolumes(image, labels) {
      const next = createSeries(image, labels); // validates before anything is replaced
      cancelGestures(); // a tool gesture ends on the grid it started on
      disposeSeries();
      series = next;
      for (const id of VIEW_IDS) views[id].setInputs(next.imageData, next.labelData, next.frames[id]);
      resetViewState();
      crosshair = centerWorld(next.geometry);
      applyWindowLevel(opts.windowLevel ?? image.windowLevel ?? autoWindowLevel(image.scalars, next.range));
      invalidate();
      crosshairEvents.emit([...crosshair]);
    },
    setLabels(labels) {
      if (!series) throw new Error('setLabels before setVolumes');
      series.replaceLabels(labels);
      invalidate();
    },
    labelsModified() {
      if (!series) return;
      // vtkImageMapper re-extracts and uploads only its current slice when the image data is modified (the
      // scalars array itself is shared with the editing tools, so nothing is copied here).
      series.labelData.modified();
      invalidate();
    },
    getCrosshair: () => [...crosshair],
    setCrosshair: (world) => moveCrosshair(world),
    scrollSlice(view, delta) {
      if (!series || !Number.isFinite(delta) || delta === 0) return;
      const frame = series.frames[view];
      const ijk = worldToIndex(series.geometry, crosshair);
      const current = sliceIndexAt(series.geometry, frame, crosshair);
      const next = Math.min(Math.max(current + Math.round(delta) * frame.sliceStep, 0), series.geometry.size[frame.sliceAxis] - 1);
      ijk[frame.sliceAxis] = next;
      moveCrosshair(indexToWorld(series.geometry, ijk));
    },
    getWindowLevel: () => ({ ...windowLevel }),
    setWindowLevel: (window, level) => applyWindowLevel({ window, level }),
    setLabelDisplay: (d) => applyLabelDisplay(d, false),
    setLayout: (patch) => setLayoutNow(patch),
    getLayout: () => grid.current(),
    onLayout: (cb) => layoutEvents.on(cb),
    threeDHost: grid.threeDHost,
    resetViews() {
      resetViewState();
      invalidate();
    },
    setPointerMode(mode) {
      if (mode === pointerMode) return;
      cancelGestures();
      pointerMode = mode;
      for (const id of VIEW_IDS) views[id].cell.style.cursor = mode === 'tool' ? 'crosshair' : '';
    },
    getPointerMode: () => pointerMode,
    onToolPointer: (cb) => toolEvents.on(cb),
    setBrushCursor(cursor) {
      brush = cursor && cursor.radiusMm > 0 ? { ...cursor } : null;
      updateBrush();
    },
    ...previewControl({ views, series: () => series, appearance: preview, invalidate }),
    ...compareControl({ views, series: () => series, appearance: compare, invalidate }),
    getViewport: viewports.getViewport,
    setViewport: viewports.setViewport,
    onViewport: viewports.onViewport,
    setMeasurements(shapes) {
      for (const id of VIEW_IDS) views[id].setMeasurements(shapes);
    },
    setCrosshairVisible(visible) {
      crosshairVisible = visible;
      for (const id of VIEW_IDS) views[id].overlay.setCrosshairVisible(visible);
    },
    isCrosshairVisible: () => crosshairVisible,
    onCursor: (cb) => cursorEvents.on(cb),
    onCrosshair: (cb) => crosshairEvents.on(cb),
    onWindowLevel: (cb) => windowLevelEvents.on(cb),
    rendered: () => loop.rendered(),
    get renderCount() {
      return loop.renderCount;
    },
    worldToDisplay(view, world) {
      if (!series || !isVisible(view)) return null;
      const v = views[view];
      syncSize(view);
      if (!hasArea(view)) return null;
      const [x, y] = worldToDisplay(series.frames[view], cameraOf(series, view), v.size, world);
      if (!(x >= 0 && y >= 0 && x <= v.size.width && y <= v.size.height)) return null;
      const cellRect = v.cell.getBoundingClientRect();
      const containerRect = container.getBoundingClientRect();
      return [x + cellRect.left - containerRect.left, y + cellRect.top - containerRect.top];
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      loop.dispose();
      resizeObserver.disconnect();
      for (const i of interactions) i.detach(); // a tool gesture in progress gets 'cancel'
      detachKeyboard();
      toolEvents.clear();
      cursorEvents.clear();
      crosshairEvents.clear();
      windowLevelEvents.clear();
      layoutEvents.clear();
      viewports.clear();
      disposeSeries();
      grid.dispose();
      for (const id of VIEW_IDS) views[id].dispose();
      imageProperty.delete();
      labels.dispose();
      preview.dispose();
      compare.dispose();
      // Give the context back now rather than when the canvas is collected (browsers cap live contexts).
      const gl = parentView.getContext();
      parentRenderWindow.removeView(parentView);
      parentView.delete();
      parentRenderWindow.delete();
      gl?.getExtension('WEBGL_lose_context')?.loseContext();
      root.remove();
    },
  };

  applyLabelDisplay(opts.labelDisplay ?? DEFAULT_LABEL_DISPLAY, true);
  activeView = grid.current().maximised ?? activeView;
  return viewer;
}
