import { describe, expect, it } from 'vitest';
import { applyDiff } from '../../../common/labelDiff.js';
import { DiffRecorder } from '../../../renderer/labelmap/index.js';
import { prng } from './grid.js';

describe('DiffRecorder', () => {
  it('keeps the first before and the current after of a voxel painted twice', () => {
    const labels = Uint8Array.from([0, 7, 0, 0]);
    const recorder = new DiffRecorder(labels);
    recorder.write(1, 3); // A
    recorder.write(1, 4); // then B on the same voxel
    expect(recorder.finish()).toEqual({ indices: Uint32Array.of(1), before: Uint8Array.of(7), after: Uint8Array.of(4) });
  });

  it('drops a voxel painted back to its original value', () => {
    const labels = Uint8Array.from([0, 0, 0, 0]);
    const recorder = new DiffRecorder(labels);
    recorder.write(2, 5);
    recorder.write(3, 5);
    recorder.write(2, 0); // eraser over the brush, same stroke
    expect(recorder.touched).toBe(2);
    expect(recorder.finish()).toEqual({ indices: Uint32Array.of(3), before: Uint8Array.of(0), after: Uint8Array.of(5) });
  });

  it('ignores writes that change nothing and reports whether a write changed the voxel', () => {
    const labels = Uint8Array.from([1, 1]);
    const recorder = new DiffRecorder(labels);
    expect(recorder.write(0, 1)).toBe(false);
    expect(recorder.write(1, 2)).toBe(true);
    expect(recorder.touched).toBe(1);
  });

  it('returns sorted unique indices across chunks, and resets after finish', () => {
    const rnd = prng(11);
    const labels = new Uint8Array(50_000);
    const original = labels.slice();
    const recorder = new DiffRecorder(labels);
    for (let w = 0; w < 20_000; w++) recorder.write(Math.floor(rnd() * labels.length), 1 + Math.floor(rnd() * 3));
    const d = recorder.finish();
    for (let e = 1; e < d.indices.length; e++) expect(d.indices[e]!).toBeGreaterThan(d.indices[e - 1]!);
    expect(d.indices.length).toBe(labels.filter((v) => v !== 0).length);
    applyDiff(labels, d, 'backward');
    expect(labels).toEqual(original);
    expect(recorder.touched).toBe(0);
    expect(recorder.finish().indices.length).toBe(0);
  });
});
