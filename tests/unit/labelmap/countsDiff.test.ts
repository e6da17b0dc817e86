// applyDiffToCounts: label counts kept from edit diffs equal a full recount of the edited volume; a diff that cannot
// belong to the counted volume is refused and leaves the counts untouched.
import { describe, expect, it } from 'vitest';
import { applyDiff, type VoxelDiff } from '../../../common/labelDiff.js';
import { applyDiffToCounts, DiffRecorder, labelCounts } from '../../../renderer/labelmap/index.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('applyDiffToCounts', () => {
  it('follows strokes, their undo and redo exactly as a recount would', () => {
    const random = rng(7);
    const labels = new Uint8Array(5000);
    for (let i = 0; i < labels.length; i++) labels[i] = random() < 0.7 ? 0 : [1, 2, 100, 201][Math.floor(random() * 4)]!;
    const counts = labelCounts(labels);
    const recorder = new DiffRecorder(labels);
    const diffs: VoxelDiff[] = [];
    for (let s = 0; s < 40; s++) {
      const value = [0, 1, 3, 100, 202, 255][Math.floor(random() * 6)]!;
      const start = Math.floor(random() * 4800);
      for (let k = 0; k < 150; k++) recorder.write(start + Math.floor(random() * 200), value);
      const d = recorder.finish();
      diffs.push(d);
      expect(applyDiffToCounts(counts, d)).toBe(true);
      expect([...counts]).toEqual([...labelCounts(labels)]);
    }
    // Undo all, newest first: each as the forward diff of what it changes.
    for (const d of diffs.reverse()) {
      applyDiff(labels, d, 'backward');
      expect(applyDiffToCounts(counts, { indices: d.indices, before: d.after, after: d.before })).toBe(true);
    }
    expect([...counts]).toEqual([...labelCounts(labels)]);
  });

  it('refuses a diff whose before values the counted volume cannot hold, leaving the counts untouched', () => {
    const labels = Uint8Array.from([0, 0, 5, 5]);
    const counts = labelCounts(labels);
    const wrong: VoxelDiff = { indices: Uint32Array.from([0, 1, 3]), before: Uint8Array.from([5, 5, 5]), after: Uint8Array.from([0, 0, 0]) };
    expect(applyDiffToCounts(counts, wrong)).toBe(false);
    expect([...counts]).toEqual([...labelCounts(labels)]);
  });

  it('names the problem for counts or a diff of the wrong shape', () => {
    const d: VoxelDiff = { indices: Uint32Array.from([0]), before: Uint8Array.from([0]), after: Uint8Array.from([1, 2]) };
    expect(() => applyDiffToCounts(new Uint32Array(256), d)).toThrow(/1 before values and 2 after values/);
    expect(() => applyDiffToCounts(new Uint32Array(10), { indices: new Uint32Array(0), before: new Uint8Array(0), after: new Uint8Array(0) })).toThrow(/10 bins/);
  });
});
