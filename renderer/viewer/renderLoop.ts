// Render coalescing for the viewer: state changes mark views dirty; at most one frame is drawn per animation frame,
// and none when nothing changed. Also the render-settled signal (rendered()) the tests wait on. No vtk.js.
import type { ViewId } from './types.js';

export interface RenderLoop {
  /** Marks views as needing a render and requests an animation frame (once, however often it is called). */
  invalidate(ids: readonly ViewId[]): void;
  /** Resolves after the pending frame, or at once when none is pending. */
  rendered(): Promise<void>;
  /** Frames that rendered at least one view. */
  readonly renderCount: number;
  /** Cancels the pending frame and releases every waiter. */
  dispose(): void;
}

/**
 * `drawFrame` receives the dirty set, removes what it drew and returns how many views it drew. Invalidations made
 * while it runs (e.g. a view found resized) join the same frame instead of requesting another one.
 */
export function createRenderLoop(drawFrame: (dirty: Set<ViewId>) => number): RenderLoop {
  const dirty = new Set<ViewId>();
  let handle = 0;
  let drawing = false;
  let disposed = false;
  let renderCount = 0;
  let waiters: Array<() => void> = [];

  const release = (): void => {
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  const frame = (): void => {
    handle = 0;
    if (disposed) return;
    drawing = true;
    try {
      if (drawFrame(dirty) > 0) renderCount++;
    } finally {
      drawing = false;
      release();
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
