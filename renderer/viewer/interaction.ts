// Pointer, wheel and key handling of the slice views (own DOM handlers, no vtk interactor: slice views never
// rotate). Bindings:
//   left click / drag ............ move the crosshair (all views follow)
//   wheel, PageUp / PageDown ..... previous / next slice (1 slice per wheel notch)
//   Ctrl + wheel ................. zoom about the pointer
//   middle drag, Ctrl + left drag  pan
//   Shift + left drag ............ zoom (drag up = in)
//   right drag ................... window (horizontal) / level (vertical)
import type { ViewId } from './types.js';

/** What the handlers drive; implemented by viewer.ts. Display positions are CSS px relative to the view cell. */
export interface InteractionTarget {
  /** Crosshair to the point under a display position of a view. */
  pointCrosshair(view: ViewId, xy: [number, number]): void;
  scrollSlice(view: ViewId, delta: number): void;
  /** Multiplies the zoom of a view, keeping the point under `xy` fixed. */
  zoomAt(view: ViewId, factor: number, xy: [number, number]): void;
  /** Moves the view content by a display offset. */
  panBy(view: ViewId, dx: number, dy: number): void;
  /** Window/level change for a pointer drag of (dx, dy) px. */
  dragWindowLevel(dx: number, dy: number): void;
  /** Pointer position for the status bar (null = left the view). */
  hover(view: ViewId, xy: [number, number] | null): void;
}

type DragMode = 'crosshair' | 'pan' | 'zoom' | 'windowLevel';

interface Drag {
  mode: DragMode;
  pointerId: number;
  last: [number, number];
}

/** Wheel delta (px) of one mouse notch; trackpads send smaller deltas that are accumulated up to this. */
const NOTCH_PX = 100;
const ZOOM_PER_NOTCH = 1.15;
const ZOOM_PER_DRAG_PX = 1.01;

/** Attaches the handlers to a view cell; the returned function removes them. */
export function attachViewInteraction(
  cell: HTMLElement,
  view: ViewId,
  target: InteractionTarget,
  onActive: (view: ViewId) => void,
): () => void {
  let drag: Drag | null = null;
  let wheelAccumulator = 0;

  const local = (e: PointerEvent | WheelEvent | MouseEvent): [number, number] => {
    const r = cell.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };

  const modeFor = (e: PointerEvent): DragMode | null => {
    if (e.button === 0) return e.shiftKey ? 'zoom' : e.ctrlKey || e.metaKey ? 'pan' : 'crosshair';
    if (e.button === 1) return 'pan';
    if (e.button === 2) return 'windowLevel';
    return null;
  };

  const onPointerDown = (e: PointerEvent): void => {
    onActive(view);
    const mode = modeFor(e);
    if (!mode || drag) return;
    e.preventDefault();
    (cell.closest('[tabindex]') as HTMLElement | null)?.focus({ preventScroll: true });
    const xy = local(e);
    drag = { mode, pointerId: e.pointerId, last: xy };
    cell.setPointerCapture(e.pointerId);
    if (mode === 'crosshair') target.pointCrosshair(view, xy);
  };

  const onPointerMove = (e: PointerEvent): void => {
    const xy = local(e);
    target.hover(view, xy);
    if (!drag || e.pointerId !== drag.pointerId) return;
    const dx = xy[0] - drag.last[0];
    const dy = xy[1] - drag.last[1];
    drag.last = xy;
    switch (drag.mode) {
      case 'crosshair':
        target.pointCrosshair(view, xy);
        break;
      case 'pan':
        target.panBy(view, dx, dy);
        break;
      case 'zoom':
        target.zoomAt(view, Math.pow(ZOOM_PER_DRAG_PX, -dy), [cell.clientWidth / 2, cell.clientHeight / 2]);
        break;
      case 'windowLevel':
        target.dragWindowLevel(dx, dy);
        break;
    }
  };

  const endDrag = (e: PointerEvent): void => {
    if (!drag || e.pointerId !== drag.pointerId) return;
    if (cell.hasPointerCapture(e.pointerId)) cell.releasePointerCapture(e.pointerId);
    drag = null;
  };

  const onPointerLeave = (): void => {
    if (!drag) target.hover(view, null);
  };

  const onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    onActive(view);
    const px = e.deltaMode === WheelEvent.DOM_DELTA_LINE ? e.deltaY * 33 : e.deltaMode === WheelEvent.DOM_DELTA_PAGE ? e.deltaY * NOTCH_PX : e.deltaY;
    // A mouse notch (>= half a notch of delta) is exactly one step; smaller trackpad deltas accumulate.
    let steps: number;
    if (Math.abs(px) >= NOTCH_PX / 2) {
      steps = Math.sign(px);
      wheelAccumulator = 0;
    } else {
      wheelAccumulator += px;
      steps = Math.trunc(wheelAccumulator / NOTCH_PX);
      wheelAccumulator -= steps * NOTCH_PX;
    }
    if (steps === 0) return;
    if (e.ctrlKey || e.metaKey) target.zoomAt(view, Math.pow(ZOOM_PER_NOTCH, -steps), local(e));
    // Wheel up (negative delta) = next slice (+1, towards L / P / S).
    else target.scrollSlice(view, -steps);
  };

  const onContextMenu = (e: MouseEvent): void => e.preventDefault();
  // Middle-button autoscroll would steal the pan drag.
  const onMouseDown = (e: MouseEvent): void => {
    if (e.button === 1) e.preventDefault();
  };

  cell.addEventListener('pointerdown', onPointerDown);
  cell.addEventListener('pointermove', onPointerMove);
  cell.addEventListener('pointerup', endDrag);
  cell.addEventListener('pointercancel', endDrag);
  cell.addEventListener('pointerleave', onPointerLeave);
  cell.addEventListener('wheel', onWheel, { passive: false });
  cell.addEventListener('contextmenu', onContextMenu);
  cell.addEventListener('mousedown', onMouseDown);
  return () => {
    cell.removeEventListener('pointerdown', onPointerDown);
    cell.removeEventListener('pointermove', onPointerMove);
    cell.removeEventListener('pointerup', endDrag);
    cell.removeEventListener('pointercancel', endDrag);
    cell.removeEventListener('pointerleave', onPointerLeave);
    cell.removeEventListener('wheel', onWheel);
    cell.removeEventListener('contextmenu', onContextMenu);
    cell.removeEventListener('mousedown', onMouseDown);
  };
}

/** PageUp / PageDown on the focused viewer scroll the active view. Returns the detach function. */
export function attachKeyboard(root: HTMLElement, target: InteractionTarget, activeView: () => ViewId): () => void {
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'PageUp' && e.key !== 'PageDown') return;
    e.preventDefault();
    target.scrollSlice(activeView(), e.key === 'PageUp' ? 1 : -1);
  };
  root.addEventListener('keydown', onKeyDown);
  return () => root.removeEventListener('keydown', onKeyDown);
}
