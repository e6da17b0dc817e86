// Pointer, wheel and key handling of the slice views (own DOM handlers, no vtk interactor: slice views never
// rotate). Bindings, pointer mode 'navigate' (default):
//   left click / drag ............ move the crosshair (all views follow)
//   wheel, PageUp / PageDown ..... previous / next slice (1 slice per wheel notch)
//   Ctrl/Cmd + wheel ............. zoom about the pointer
//   middle drag, Ctrl/Cmd + left drag  pan
//   Shift + left drag ............ zoom (drag up = in)
//   right drag ................... window (horizontal) / level (vertical)
//   double-click ................. maximise this view / restore the layout
// Pointer mode 'tool': every left press/drag/release, whatever the modifiers, goes to the tool (down, each pointer
// sample including coalesced ones, up / cancel); zoom is Ctrl/Cmd + wheel only and pan is middle drag only (so
// Ctrl/Cmd+click and Shift+click stay the tool's). A double-click neither maximises nor reaches the tool twice: a
// press that follows a click (press and release within DOUBLE_CLICK_PX) within DOUBLE_CLICK_MS at the same place is
// held back; released there it was the double-click's second click and is dropped (one dab, one journal entry, no
// zero-length ruler); moved away it is a stroke after all and reaches the tool from its press on. Everything else
// as in 'navigate'.
import type { PointerMode, ToolPointerEvent, ViewId } from './types.js';

/** Button and modifier state of one pointer sample, as tools receive it. */
export type PointerButtons = Pick<ToolPointerEvent, 'button' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey'>;

/** What the handlers drive; implemented by viewer.ts. Display positions are CSS px relative to the view cell. */
export interface InteractionTarget {
  pointerMode(): PointerMode;
  /** Crosshair to the point under a display position of a view. */
  pointCrosshair(view: ViewId, xy: [number, number]): void;
  scrollSlice(view: ViewId, delta: number): void;
  /** Maximises the view, or restores the layout when one is maximised. */
  toggleMaximise(view: ViewId): void;
  /** Multiplies the zoom of a view, keeping the point under `xy` fixed. */
  zoomAt(view: ViewId, factor: number, xy: [number, number]): void;
  /** Moves the view content by a display offset. */
  panBy(view: ViewId, dx: number, dy: number): void;
  /** Window/level change for a pointer drag of (dx, dy) px. */
  dragWindowLevel(dx: number, dy: number): void;
  /** Pointer position for the status bar and brush cursor (null = left the view). */
  hover(view: ViewId, xy: [number, number] | null): void;
  /** One sample of a left-button gesture in 'tool' mode. */
  toolPointer(view: ViewId, phase: ToolPointerEvent['phase'], xy: [number, number], buttons: PointerButtons): void;
}

export interface ViewInteraction {
  /** Ends a drag in progress (a tool gesture gets 'cancel'); nothing when idle. */
  cancel(): void;
  /** Removes the handlers (cancelling first). */
  detach(): void;
}

type DragMode = 'crosshair' | 'pan' | 'zoom' | 'windowLevel' | 'tool';

interface Drag {
  mode: DragMode;
  pointerId: number;
  button: number;
  last: [number, number];
  /** Where and when the press was (to tell a click from a drag). */
  press: { t: number; xy: [number, number]; keys: string };
  /** Moved farther than DOUBLE_CLICK_PX from the press. */
  moved: boolean;
  /** A tool press held back as a possible double-click's second click (not yet sent to the tool). */
  held: PointerButtons | null;
}

/** Wheel delta (px) of one mouse notch; trackpads send smaller deltas that are accumulated up to this. */
const NOTCH_PX = 100;
const ZOOM_PER_NOTCH = 1.15;
const ZOOM_PER_DRAG_PX = 1.01;
/** Two left presses this close in time (ms) and place (CSS px) make a double-click (the usual system defaults). */
export const DOUBLE_CLICK_MS = 500;
export const DOUBLE_CLICK_PX = 4;

/** The modifier keys held during a press, as a comparable string. */
const modifierKeys = (e: MouseEvent): string => `${+e.shiftKey}${+e.ctrlKey}${+e.metaKey}${+e.altKey}`;

/** Attaches the handlers to a view cell. */
export function attachViewInteraction(
  cell: HTMLElement,
  view: ViewId,
  target: InteractionTarget,
  onActive: (view: ViewId) => void,
): ViewInteraction {
  let drag: Drag | null = null;
  let wheelAccumulator = 0;
  /** The press of the last left click (press and release in place), to tell the second click of a double-click. */
  let lastClick: { t: number; xy: [number, number]; keys: string } | null = null;
  /** Both presses of the double-click now ending were on this view (not e.g. a corner button that then moved). */
  let doubleArmed = false;
  const isSecondPress = (e: PointerEvent, xy: [number, number]): boolean => {
    const prev = lastClick;
    lastClick = null;
    return (
      !!prev &&
      e.button === 0 &&
      e.timeStamp - prev.t <= DOUBLE_CLICK_MS &&
      Math.hypot(xy[0] - prev.xy[0], xy[1] - prev.xy[1]) <= DOUBLE_CLICK_PX &&
      prev.keys === modifierKeys(e) // a click with other modifiers (e.g. the Shift+click after a refused fill) is its own click
    );
  };

  const local = (e: { clientX: number; clientY: number }, r = cell.getBoundingClientRect()): [number, number] => [
    e.clientX - r.left,
    e.clientY - r.top,
  ];
  const buttonsOf = (e: MouseEvent, button: number): PointerButtons => ({
    button,
    shiftKey: e.shiftKey,
    ctrlKey: e.ctrlKey,
    metaKey: e.metaKey,
    altKey: e.altKey,
  });
  const isInside = (xy: [number, number]): boolean =>
    xy[0] >= 0 && xy[1] >= 0 && xy[0] < cell.clientWidth && xy[1] < cell.clientHeight;

  const modeFor = (e: PointerEvent): DragMode | null => {
    if (e.button === 1) return 'pan';
    if (e.button === 2) return 'windowLevel';
    if (e.button !== 0) return null;
    if (target.pointerMode() === 'tool') return 'tool';
    return e.shiftKey ? 'zoom' : e.ctrlKey || e.metaKey ? 'pan' : 'crosshair';
  };

  /** Forgets the drag and releases the capture; a tool gesture gets its closing phase. */
  const finish = (phase: 'up' | 'cancel', xy: [number, number], e: MouseEvent | null): void => {
    const d = drag;
    if (!d) return;
    drag = null;
    if (cell.hasPointerCapture(d.pointerId)) cell.releasePointerCapture(d.pointerId);
    // A left click in place (not the second one of a double-click) may be the first of the next double-click.
    lastClick = phase === 'up' && d.button === 0 && !d.moved && !doubleArmed ? d.press : null;
    if (d.held) return; // the double-click's second click: the tool never saw it, so it gets no end either
    if (d.mode === 'tool') {
      const buttons = e ? buttonsOf(e, d.button) : { button: d.button, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false };
      target.toolPointer(view, phase, xy, buttons);
    }
  };

  const onPointerDown = (e: PointerEvent): void => {
    onActive(view);
    const mode = modeFor(e);
    const xy = local(e);
    const second = isSecondPress(e, xy);
    doubleArmed = second;
    if (!mode || drag) return;
    e.preventDefault();
    cell.closest<HTMLElement>('[tabindex]')?.focus({ preventScroll: true });
    const held = mode === 'tool' && second ? buttonsOf(e, e.button) : null;
    drag = { mode, pointerId: e.pointerId, button: e.button, last: xy, press: { t: e.timeStamp, xy, keys: modifierKeys(e) }, moved: false, held };
    cell.setPointerCapture(e.pointerId);
    if (mode === 'crosshair') target.pointCrosshair(view, xy);
    else if (mode === 'tool' && !held) target.toolPointer(view, 'down', xy, buttonsOf(e, e.button));
  };

  const onPointerMove = (e: PointerEvent): void => {
    const rect = cell.getBoundingClientRect();
    const xy = local(e, rect);
    target.hover(view, xy);
    if (!drag || e.pointerId !== drag.pointerId) return;
    const dx = xy[0] - drag.last[0];
    const dy = xy[1] - drag.last[1];
    drag.last = xy;
    if (!drag.moved && Math.hypot(xy[0] - drag.press.xy[0], xy[1] - drag.press.xy[1]) > DOUBLE_CLICK_PX) drag.moved = true;
    if (drag.held) {
      if (!drag.moved) return; // still a possible double-click
      // A press-and-drag right after a click: a stroke after all, from where it was pressed.
      target.toolPointer(view, 'down', drag.press.xy, drag.held);
      drag.held = null;
    }
    switch (drag.mode) {
      case 'tool': {
        // Every sample the browser merged into this event, so fast strokes stay dense (the list ends with `e`).
        const samples = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
        for (const s of samples.length > 0 ? samples : [e]) target.toolPointer(view, 'move', local(s, rect), buttonsOf(s, drag.button));
        // Left released while another button is still down: no pointerup comes until that one is released too.
        if ((e.buttons & 1) === 0) finish('up', xy, e);
        break;
      }
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

  const onPointerUp = (e: PointerEvent): void => {
    if (!drag || e.pointerId !== drag.pointerId) return;
    const xy = local(e);
    finish('up', xy, e);
    // Captured drags may end outside the view; no pointerleave tells the hover about it.
    if (!isInside(xy)) target.hover(view, null);
  };

  const onPointerCancel = (e: PointerEvent): void => {
    if (drag && e.pointerId === drag.pointerId) finish('cancel', drag.last, e);
  };

  // Capture can be taken away without a pointerup (e.g. the element is hidden by a layout change).
  const onLostCapture = (e: PointerEvent): void => {
    if (drag && e.pointerId === drag.pointerId) finish('cancel', drag.last, e);
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

  // Navigation only: with a tool active a double-click is two presses of the tool (the second swallowed above).
  const onDoubleClick = (e: MouseEvent): void => {
    const armed = doubleArmed;
    doubleArmed = false;
    if (!armed || e.button !== 0 || e.shiftKey || e.ctrlKey || e.metaKey || target.pointerMode() !== 'navigate') return;
    e.preventDefault();
    target.toggleMaximise(view);
  };
  const onContextMenu = (e: MouseEvent): void => e.preventDefault();
  // Middle-button autoscroll would steal the pan drag.
  const onMouseDown = (e: MouseEvent): void => {
    if (e.button === 1) e.preventDefault();
  };

  const listeners: Array<[string, (e: never) => void, AddEventListenerOptions?]> = [
    ['pointerdown', onPointerDown],
    ['pointermove', onPointerMove],
    ['pointerup', onPointerUp],
    ['pointercancel', onPointerCancel],
    ['lostpointercapture', onLostCapture],
    ['pointerleave', onPointerLeave],
    ['wheel', onWheel, { passive: false }],
    ['dblclick', onDoubleClick],
    ['contextmenu', onContextMenu],
    ['mousedown', onMouseDown],
  ];
  for (const [type, fn, options] of listeners) cell.addEventListener(type, fn as EventListener, options);
  const cancel = (): void => {
    if (drag) finish('cancel', drag.last, null);
  };
  return {
    cancel,
    detach() {
      cancel();
      for (const [type, fn] of listeners) cell.removeEventListener(type, fn as EventListener);
    },
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
