// The one mask → uint8 label conversion shared by the workstation (toLabelBytes) and the export worker.
import { describe, expect, it } from 'vitest';
import { labelBytesOf } from '../../../main/core/export/labelBytes.mjs';
import { toLabelBytes } from '../../../main/core/workstation.js';

/** Int16 voxels placed `offset` bytes into a fresh buffer (to reach the word-aligned and unaligned paths). */
function int16At(values: number[], offset: number): Int16Array {
  const buf = new ArrayBuffer(offset + values.length * 2);
  const a = new Int16Array(buf, offset, values.length);
  a.set(values);
  return a;
}

describe('labelBytesOf', () => {
  it('converts int16/uint16 labels 0–255 exactly, aligned or not, even or odd length', () => {
    for (const values of [[0, 1, 255, 200, 26], [0, 7, 100, 201], [], [255]]) {
      for (const offset of [0, 2, 4]) {
        const r = labelBytesOf(int16At(values, offset));
        expect(r.labels && Array.from(r.labels)).toEqual(values);
      }
      expect(Array.from(labelBytesOf(Uint16Array.from(values)).labels!)).toEqual(values);
    }
  });

  it('names the first value outside 0–255 or not an integer, and where it is', () => {
    expect(labelBytesOf(int16At([0, 3, 256, 5], 0))).toEqual({ bad: 256, index: 2 });
    expect(labelBytesOf(int16At([0, 3, 4, -1], 4))).toEqual({ bad: -1, index: 3 });
    expect(labelBytesOf(int16At([1, 2, 3, 4, 5, 6, 7, 512], 2))).toEqual({ bad: 512, index: 7 });
    // The odd last voxel is covered by the fast check too.
    expect(labelBytesOf(int16At([1, 2, 3, 4, 300], 0))).toEqual({ bad: 300, index: 4 });
    expect(labelBytesOf(Float32Array.from([1, 2.5]))).toEqual({ bad: 2.5, index: 1 });
    expect(labelBytesOf(Int32Array.from([1, 2, 65536]))).toEqual({ bad: 65536, index: 2 });
    expect(labelBytesOf(Int8Array.from([4, -3]))).toEqual({ bad: -3, index: 1 });
  });

  it('copies a uint8 volume (the worker hands both copies back)', () => {
    const src = Uint8Array.from([1, 2, 3]);
    const r = labelBytesOf(src);
    expect(r.labels).not.toBe(src);
    expect(Array.from(r.labels!)).toEqual([1, 2, 3]);
  });
});

describe('toLabelBytes (workstation)', () => {
  it('keeps a uint8 volume as is, converts int16, and refuses a value outside 0–255 with the file named', () => {
    const u8 = Uint8Array.from([0, 9]);
    expect(toLabelBytes(u8, 'm.mha')).toBe(u8);
    expect(Array.from(toLabelBytes(int16At([0, 26, 201], 0), 'm.mha'))).toEqual([0, 26, 201]);
    expect(() => toLabelBytes(int16At([0, 26, 1000], 0), 'masks/1_t1.mha')).toThrow(/masks\/1_t1\.mha holds the label value 1000 at voxel 2/);
  });
});
