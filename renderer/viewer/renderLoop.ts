// Render coalescing for the viewer: state changes mark views dirty; views are drawn in animation frames, none when
// nothing changed, and a frame stops drawing once it has used its time budget (the remaining views are drawn in the
// next frames, the longest-waiting first), so a frame where every view must rebuild its textures (a preview or an
// edited label volume shown, software GL) does not hold the UI thread for all three. Also the render-settled
// signal (rendered()) the tests wait on. No vtk.js.
import type { ViewId } from './types.js';

export interface RenderLoop {
  /** Marks views as needing a render and requests an animation frame (once, however often it is called). */
  invalidate(ids: readonly ViewId[]): void;
  /** Resolves once no shown view is waiting for a render (at once when none is). */
  rendered(): Promise<void>;
  /**
   * Completed renders: counts once when every shown view that was waiting has been drawn (a render spread over
   * several frames by the budget counts once; a frame never counts more than once).
   */
  readonly renderCount: number;
  /** Cancels the pending frame and releases every waiter. */
  dispose(): void;
}

export interface RenderSteps {
  /** Start of a frame (sizes synced; may invalidate more views, which join this frame). */
  prepare(): void;
  /** Whether a dirty view can be drawn now (a hidden view stays dirty until it is shown). */
  canDraw(id: ViewId): boolean;
  draw(id: ViewId): void;
  /** End of a frame that drew at least one view. */
  finish(): void;
}

/**
 * UI-thread time (ms) after which a frame draws no further view. One view is always drawn; a second or third only
 * while the frame is below the budget and the views drawn so far suggest the next one fits. Ordinary frames (each
 * view a few ms) draw all three at once.
 */
export const FRAME_BUDGET_MS = 24;

export function createRenderLoop(steps: RenderSteps): RenderLoop {
  /** Dirty views in the order they became dirty (a Set keeps insertion order; re-adding keeps the old place). */
  const dirty = new Set<ViewId>();
  let handle = 0;
  let drawing = false;
  let disposed = false;
  let renderCount = 0;
  /** Views were drawn since the last completed render. */
  let partial = false;
  let waiters: Array<() => void> = [];

  const release = (): void => {
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };
  const pendingShown = (): boolean => [...dirty].some((id) => steps.canDraw(id));

  const frame = (): void => {
    handle = 0;
    if (disposed) return;
    drawing = true;
    const t0 = performance.now();
    let drawn = 0;
    try {
      steps.prepare();
      for (const id of [...dirty]) {
        if (!steps.canDraw(id)) continue;
        const spent = performance.now() - t0;
        if (drawn > 0 && spent + spent / drawn > FRAME_BUDGET_MS) break;
        dirty.delete(id);
        steps.draw(id);
        drawn++;
      }
      if (drawn > 0) {
        partial = true;
        steps.finish();
      }
    } finally {
      drawing = false;
      // User timing: lets a profile or a bench name the long tasks the viewer's frames make (performance
      // observers still get the entry; clearing keeps the timeline buffer from growing by one entry a frame).
      performance.measure('viewer:frame', { start: t0 });
      performance.clearMeasures('viewer:frame');
      if (!disposed && pendingShown()) handle = requestAnimationFrame(frame);
      else {
        if (partial) renderCount++;
        partial = false;
        release();
      }
    }
  };

  return {
    invalidate(ids) {
      for (const id of ids) dirty.add(id);
      if (!handle && !drawing && !disposed) handle = requestAnimationFrame(frame);
    },
    rendered() {
      if (disposed || !handle) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    get renderCount() {
      return renderCount;
    },
    dispose() {
      disposed = true;
      if (handle) cancelAnimationFrame(handle);
      handle = 0;
      release();
    },
  };
}
