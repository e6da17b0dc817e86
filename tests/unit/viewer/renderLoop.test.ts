// The viewer's render loop (renderer/viewer/renderLoop.ts) with a hand-driven requestAnimationFrame: cheap frames
// draw every dirty view at once and count one render; a frame whose views are slow stops at the time budget and the
// rest follow in the next frames, oldest first, still counting one render and releasing rendered() only at the
// end; a hidden view waits without holding rendered().
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRenderLoop, FRAME_BUDGET_MS } from '../../../renderer/viewer/renderLoop.js';
import type { ViewId } from '../../../renderer/viewer/types.js';

let queue: Array<() => void> = [];
const saved = { raf: globalThis.requestAnimationFrame, caf: globalThis.cancelAnimationFrame };
beforeEach(() => {
  queue = [];
  globalThis.requestAnimationFrame = ((cb: FrameRequestCallback) => queue.push(() => cb(0)));
  globalThis.cancelAnimationFrame = (() => undefined);
});
afterEach(() => {
  globalThis.requestAnimationFrame = saved.raf;
  globalThis.cancelAnimationFrame = saved.caf;
});
/** Runs the frames requested so far; returns how many ran. */
function runFrames(): number {
  const now = queue;
  queue = [];
  for (const f of now) f();
  return now.length;
}
const busy = (ms: number): void => {
  const t = performance.now();
  while (performance.now() - t < ms) { /* a view that takes `ms` to draw */ }
};

function setup(costMs: number, hidden: ViewId[] = []) {
  const frames: ViewId[][] = [];
  let current: ViewId[] = [];
  const loop = createRenderLoop({
    prepare: () => (current = []),
    canDraw: (id) => !hidden.includes(id),
    draw(id) {
      busy(costMs);
      current.push(id);
    },
    finish: () => frames.push(current),
  });
  return { loop, frames };
}

describe('render loop', () => {
  it('draws every dirty view in one frame when they are cheap, and counts one render', async () => {
    const { loop, frames } = setup(0);
    loop.invalidate(['sagittal', 'coronal', 'axial']);
    loop.invalidate(['coronal']);
    let done = false;
    void loop.rendered().then(() => (done = true));
    expect(runFrames()).toBe(1);
    await Promise.resolve();
    expect(done).toBe(true);
    expect(frames).toEqual([['sagittal', 'coronal', 'axial']]);
    expect(loop.renderCount).toBe(1);
    expect(runFrames(), 'nothing dirty: no further frame').toBe(0);
  });

  it('spreads slow views over frames at the budget, oldest first, one render counted at the end', async () => {
    const slow = FRAME_BUDGET_MS * 0.7; // two of them exceed the budget
    const { loop, frames } = setup(slow);
    loop.invalidate(['sagittal', 'coronal', 'axial']);
    let done = false;
    void loop.rendered().then(() => (done = true));
    runFrames();
    await Promise.resolve();
    expect(frames).toEqual([['sagittal']]);
    expect(done).toBe(false);
    expect(loop.renderCount).toBe(0);
    loop.invalidate(['sagittal']); // changed again: waits behind the two older ones
    runFrames();
    runFrames();
    runFrames();
    await Promise.resolve();
    expect(frames).toEqual([['sagittal'], ['coronal'], ['axial'], ['sagittal']]);
    expect(done).toBe(true);
    expect(loop.renderCount).toBe(1);
    expect(runFrames()).toBe(0);
  });

  it('leaves a hidden view dirty without holding rendered(), and draws it once shown', async () => {
    const hidden: ViewId[] = ['axial'];
    const { loop, frames } = setup(0, hidden);
    loop.invalidate(['sagittal', 'axial']);
    runFrames();
    await expect(loop.rendered()).resolves.toBeUndefined();
    expect(frames).toEqual([['sagittal']]);
    hidden.length = 0;
    loop.invalidate([]);
    loop.invalidate(['coronal']);
    runFrames();
    expect(frames.at(-1)).toEqual(['axial', 'coronal']);
    expect(loop.renderCount).toBe(2);
  });
});
