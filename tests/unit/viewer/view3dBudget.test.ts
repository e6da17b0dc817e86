// The 3-D view's per-frame hand-over budget (renderer/viewer/view3d/budget.ts) against a simulated frame cost
// `redraw + cost × triangles handed over`: it settles where frames meet the target, shrinks at once when frames
// get slower (load), never stalls (at least one part per frame), and parts are never slivers.
import { describe, expect, it } from 'vitest';
import { nextPartSize, PART_TRIANGLES, SLICE_TARGET_MS, UPLOAD_MAX, UPLOAD_START, UploadBudget } from '../../../renderer/viewer/view3d/budget.js';

/** Runs frames of a simulated scene; returns the slices (ms). */
function simulate(b: UploadBudget, frames: number, redrawMs: number, msPerKTriangles: number): number[] {
  const out: number[] = [];
  for (let f = 0; f < frames; f++) {
    const handed = b.triangles;
    const slice = redrawMs + (handed / 1000) * msPerKTriangles;
    b.frame(handed, slice);
    out.push(slice);
  }
  return out;
}

describe('UploadBudget', () => {
  it('settles where a frame of hand-over meets the target, from above and from below', () => {
    const slow = new UploadBudget();
    const first = simulate(slow, 12, 8, 1.5); // 24 k triangles first: 44 ms, then shorter
    expect(first[0]).toBeGreaterThan(SLICE_TARGET_MS);
    for (const s of first.slice(2)) expect(s).toBeLessThanOrEqual(SLICE_TARGET_MS + 1);
    const fast = new UploadBudget();
    const slices = simulate(fast, 12, 2, 0.1); // cheap hand-over: the budget grows (at most 1.5× a frame) to the cap
    expect(fast.triangles).toBe(UPLOAD_MAX);
    expect(slices.every((s) => s <= SLICE_TARGET_MS)).toBe(true);
  });

  it('uses the measured redraw: a slow redraw leaves less room for hand-over', () => {
    const quiet = new UploadBudget();
    quiet.frame(0, 5);
    const busy = new UploadBudget();
    busy.frame(0, 20);
    simulate(busy, 8, 20, 0.5);
    simulate(quiet, 8, 5, 0.5);
    expect(busy.triangles).toBeLessThan(quiet.triangles);
    expect(20 + (busy.triangles / 1000) * 0.5).toBeLessThanOrEqual(SLICE_TARGET_MS + 1);
  });

  it('shrinks at once when a frame overshoots (the machine got busy), and never below one part', () => {
    const b = new UploadBudget();
    simulate(b, 10, 5, 0.5);
    const before = b.triangles;
    b.frame(before, 200); // a frame ten times slower than expected
    expect(b.triangles).toBeLessThanOrEqual(before / 4);
    b.frame(b.triangles, 10_000);
    expect(b.triangles).toBe(PART_TRIANGLES);
  });

  it('starts from UPLOAD_START and ignores frames it cannot use', () => {
    const b = new UploadBudget();
    expect(b.triangles).toBe(UPLOAD_START);
    b.frame(0, 12); // a redraw alone says nothing about the hand-over cost yet
    b.frame(1000, Number.NaN);
    expect(b.triangles).toBe(UPLOAD_START);
  });
});

describe('nextPartSize', () => {
  it('cuts meshes into parts of PART_TRIANGLES without slivers, within the frame\'s budget', () => {
    expect(nextPartSize(100_000, 50_000, true)).toBe(PART_TRIANGLES);
    expect(nextPartSize(PART_TRIANGLES * 1.4, 1000, true)).toBe(PART_TRIANGLES * 1.4); // the rest, not a sliver
    expect(nextPartSize(5000, 0, true)).toBe(5000); // a frame's first part always goes
    expect(nextPartSize(100_000, PART_TRIANGLES - 1, false)).toBe(0); // the budget is spent
    expect(nextPartSize(100_000, PART_TRIANGLES, false)).toBe(PART_TRIANGLES);
    expect(nextPartSize(0, 50_000, true)).toBe(0);
  });
});
