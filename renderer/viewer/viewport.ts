// A view's viewport in world terms (the point at its centre, millimetres per CSS pixel) instead of the viewer's
// internal zoom-relative-to-fit and pan: viewers of different series (different grids and fields of view) can then
// be linked in physical space (the grading layout). Pure maths plus the small API the viewer spreads into itself.
import type { Vec3, VolumeGeometry } from '../../common/geometry.js';
import { createEmitter } from './emitter.js';
import { centerWorld, fitParallelScale, type ViewCamera, type ViewFrame, type ViewportSize } from './orientation.js';
import type { Series } from './series.js';
import type { Viewer, ViewId, Viewport } from './types.js';

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Zoom limits of the viewer (relative to fit), the same as its own wheel zoom. */
const ZOOM_MIN = 0.05;
const ZOOM_MAX = 100;

/** The viewport of a camera: its focal point and scale. */
export function viewportOf(view: ViewId, cam: ViewCamera, size: ViewportSize): Viewport {
  return { view, centre: [...cam.focal], mmPerPx: (2 * cam.parallelScale) / Math.max(1, size.height) };
}

/**
 * The zoom (relative to fit) and pan (mm along screen right/up from the volume centre) that put `centre` at the
 * view's centre at `mmPerPx`. The centre's component along the viewing direction is ignored (the slice stays);
 * a field left out keeps the current value, as does the zoom of a 0-height view.
 */
export function zoomPanFor(
  g: VolumeGeometry,
  frame: ViewFrame,
  size: ViewportSize,
  target: { centre?: Vec3; mmPerPx?: number },
  current: { zoom: number; pan: [number, number] },
): { zoom: number; pan: [number, number] } {
  let { zoom, pan } = current;
  if (target.centre) {
    const c = centerWorld(g);
    const d: Vec3 = [target.centre[0] - c[0], target.centre[1] - c[1], target.centre[2] - c[2]];
    pan = [dot(d, frame.right), dot(d, frame.up)];
  }
  if (target.mmPerPx !== undefined && target.mmPerPx > 0 && size.height > 0) {
    const parallelScale = (target.mmPerPx * size.height) / 2;
    zoom = Math.min(Math.max(fitParallelScale(g, frame, size) / parallelScale, ZOOM_MIN), ZOOM_MAX);
  }
  return { zoom, pan };
}

/** The viewer's viewport API over its state (`emit` is called by the viewer after a user zoom or pan). */
export function viewportControl(parts: {
  series: () => Series | null;
  size: (view: ViewId) => ViewportSize;
  camera: (series: Series, view: ViewId) => ViewCamera;
  state: Record<ViewId, { zoom: number; pan: [number, number] }>;
  invalidate: (views: ViewId[]) => void;
}): Pick<Viewer, 'getViewport' | 'setViewport' | 'onViewport'> & { emit(view: ViewId): void; clear(): void } {
  const events = createEmitter<Viewport>();
  const get = (view: ViewId): Viewport | null => {
    const s = parts.series();
    const size = parts.size(view);
    return s && size.width > 0 && size.height > 0 ? viewportOf(view, parts.camera(s, view), size) : null;
  };
  return {
    getViewport: get,
    setViewport(view, target) {
      const s = parts.series();
      if (!s) return;
      Object.assign(parts.state[view], zoomPanFor(s.geometry, s.frames[view], parts.size(view), target, parts.state[view]));
      parts.invalidate([view]);
    },
    onViewport: (cb) => events.on(cb),
    emit(view) {
      const vp = get(view);
      if (vp) events.emit(vp);
    },
    clear: () => events.clear(),
  };
}
