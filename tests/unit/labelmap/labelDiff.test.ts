import { describe, expect, it } from 'vitest';
import {
  applyDiff, base64ToBytes, bytesToBase64, checkBase, decodeDiff, DiffFormatError, encodeDiff, type VoxelDiff,
} from '../../../common/labelDiff.js';
import { prng } from './grid.js';

const diff = (indices: number[], before: number[], after: number[]): VoxelDiff => ({
  indices: Uint32Array.from(indices),
  before: Uint8Array.from(before),
  after: Uint8Array.from(after),
});

// Voxels 2, 3, 4: 0 → 5 (one run); voxel 10: 1 → 0.
const SAMPLE = diff([2, 3, 4, 10], [0, 0, 0, 1], [5, 5, 5, 0]);
// prettier-ignore
const SAMPLE_BYTES = [
  0xd1, 4,     // magic, 4 voxels
  2, 3, 0, 5,  // first run starts at index 2, 3 voxels, 0 → 5
  6, 1, 1, 0,  // next run starts 6 after index 4 (= 10), 1 voxel, 1 → 0
];

/** A random valid diff: runs with random gaps, lengths and (before, after) pairs, some from a small palette. */
function randomDiff(rnd: () => number, voxelCount: number): VoxelDiff {
  const indices: number[] = [];
  const before: number[] = [];
  const after: number[] = [];
  let next = Math.floor(rnd() * 50);
  while (next < voxelCount) {
    const length = 1 + Math.floor(rnd() ** 3 * 300);
    const fromPalette = rnd() < 0.7;
    const b = fromPalette ? [0, 1, 201][Math.floor(rnd() * 3)]! : Math.floor(rnd() * 256);
    let a = fromPalette ? [0, 2, 100][Math.floor(rnd() * 3)]! : Math.floor(rnd() * 256);
    if (a === b) a = (b + 1) % 256;
    for (let e = 0; e < length && next < voxelCount; e++, next++) {
      indices.push(next);
      before.push(b);
      after.push(rnd() < 0.05 ? (b + 2) % 256 : a); // occasional single-voxel break inside a run
    }
    next += rnd() < 0.3 ? 0 : Math.floor(rnd() ** 2 * 5000); // touching runs with other pairs, and gaps
  }
  return diff(indices, before, after);
}

describe("'rle-u8-v1' diff codec", () => {
  it('encodes runs of (before, after) pairs exactly as specified', () => {
    expect([...encodeDiff(SAMPLE)]).toEqual(SAMPLE_BYTES);
    expect(decodeDiff(Uint8Array.from(SAMPLE_BYTES), 11)).toEqual(SAMPLE);
  });

  it('round-trips the empty diff and multi-byte varints', () => {
    expect([...encodeDiff(diff([], [], []))]).toEqual([0xd1, 0]);
    expect(decodeDiff(Uint8Array.from([0xd1, 0]), 0)).toEqual(diff([], [], []));
    const far = diff([0, 300, 2 ** 32 - 1], [1, 1, 1], [0, 0, 0]);
    expect(decodeDiff(encodeDiff(far), 2 ** 32)).toEqual(far);
  });

  it('round-trips random diffs (seeded)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rnd = prng(seed);
      const voxelCount = 1 + Math.floor(rnd() * 200_000);
      const d = randomDiff(rnd, voxelCount);
      const bytes = encodeDiff(d);
      expect(decodeDiff(bytes, voxelCount)).toEqual(d);
      expect(bytes.length).toBeLessThanOrEqual(2 + 6 + 12 * d.indices.length);
    }
  });

  it('refuses to encode a diff that is not well-formed', () => {
    expect(() => encodeDiff(diff([3, 3], [0, 0], [1, 1]))).toThrow(/ascending/);
    expect(() => encodeDiff(diff([4, 3], [0, 0], [1, 1]))).toThrow(/ascending/);
    expect(() => encodeDiff(diff([3], [7], [7]))).toThrow(/changes nothing/);
    expect(() => encodeDiff({ indices: Uint32Array.of(1), before: new Uint8Array(0), after: Uint8Array.of(1) })).toThrow(/length/);
  });

  describe('decodeDiff refuses malformed input with a DiffFormatError', () => {
    // prettier-ignore
    const cases: Array<[string, number[], number, RegExp]> = [
      ['empty input',                   [],                                          11, /empty input/],
      ['another magic byte',            [0xd2, 4, 2, 3, 0, 5, 6, 1, 1, 0],           11, /not an rle-u8-v1 diff/],
      ['truncated header',              [0xd1, 0x84],                                11, /truncated/],
      ['no run after the header',       [0xd1, 4, 2, 3],                             11, /truncated/],
      ['truncated run',                 [0xd1, 4, 2, 3, 0, 5, 6, 1, 1],              11, /truncated/],
      ['trailing bytes',                [...SAMPLE_BYTES, 0],                        11, /1 trailing bytes/],
      ['indices not strictly ascending',[0xd1, 4, 2, 3, 0, 5, 0, 1, 1, 0],           11, /not strictly ascending/],
      ['index outside the volume',      SAMPLE_BYTES,                                10, /index 10 outside a volume of 10/],
      ['no-op run (before = after)',    [0xd1, 4, 2, 3, 0, 5, 6, 1, 1, 1],           11, /no-op run/],
      ['empty run',                     [0xd1, 4, 2, 0, 0, 5, 6, 4, 1, 0],           11, /empty run/],
      ['runs exceed the count',         [0xd1, 2, 2, 3, 0, 5, 6, 1, 1, 0],           11, /add up to more than the declared 2/],
      ['runs fall short of the count',  [0xd1, 5, 2, 3, 0, 5, 6, 1, 1, 0],           11, /truncated/],
      ['count larger than the volume',  [0xd1, 12, 0, 12, 0, 1],                     11, /declares 12 voxels, the volume has 11/],
      ['run split in two (non-canonical)', [0xd1, 4, 2, 2, 0, 5, 1, 1, 0, 5, 6, 1, 1, 0], 11, /non-canonical/],
      ['varint above 32 bits',          [0xd1, 1, 0xff, 0xff, 0xff, 0xff, 0x1f, 1, 0, 1], 11, /overflows 32 bits/],
      ['varint longer than 5 bytes',    [0xd1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 0, 1], 11, /longer than 5 bytes/],
      ['overlong varint',               [0xd1, 1, 0x82, 0x00, 1, 0, 1],              11, /overlong/],
    ];
    it.each(cases)('%s', (_name, bytes, voxelCount, message) => {
      const decode = () => decodeDiff(Uint8Array.from(bytes), voxelCount);
      expect(decode).toThrow(DiffFormatError);
      expect(decode).toThrow(message);
    });

    it('validates a huge declared count before allocating for it', () => {
      // 2^32 - 1 voxels declared for a 2^32-voxel volume (16 GiB of indices), but only one 1-voxel run follows.
      const bytes = Uint8Array.from([0xd1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 1, 0, 1]);
      expect(() => decodeDiff(bytes, 2 ** 32)).toThrow(/truncated/);
    });
  });
});

describe('applying diffs', () => {
  it('forward then backward restores the volume', () => {
    const rnd = prng(7);
    const labels = Uint8Array.from({ length: 5000 }, () => Math.floor(rnd() * 4));
    const original = labels.slice();
    const d = randomDiff(prng(8), labels.length);
    d.before.set(d.indices.map((i) => labels[i]!)); // a diff made on this volume
    for (let e = 0; e < d.indices.length; e++) if (d.after[e] === d.before[e]) d.after[e] = d.before[e]! + 10;
    expect(checkBase(labels, d, 'forward')).toBe(-1);
    applyDiff(labels, d, 'forward');
    expect(checkBase(labels, d, 'backward')).toBe(-1);
    expect(labels).not.toEqual(original);
    applyDiff(labels, d, 'backward');
    expect(labels).toEqual(original);
  });

  it('checkBase names the first voxel that is not what the diff expects', () => {
    const labels = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(checkBase(labels, SAMPLE, 'forward')).toBe(-1);
    labels[3] = 7; // someone else painted voxel 3
    expect(checkBase(labels, SAMPLE, 'forward')).toBe(3);
    applyDiff(labels, SAMPLE, 'forward');
    expect(checkBase(labels, SAMPLE, 'forward')).toBe(2); // applied already: the base is stale
    expect(checkBase(labels, SAMPLE, 'backward')).toBe(-1);
  });

  it('refuses an index outside the volume and writes nothing', () => {
    const labels = new Uint8Array(10);
    expect(() => applyDiff(labels, SAMPLE, 'forward')).toThrow(RangeError);
    expect(labels).toEqual(new Uint8Array(10));
    expect(checkBase(labels, SAMPLE, 'forward')).toBe(10);
  });
});

describe('base64', () => {
  it('matches Node for every tail length and byte value', () => {
    const rnd = prng(3);
    for (const n of [0, 1, 2, 3, 4, 5, 255, 256, 257, 10_001]) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(text)).toEqual(bytes);
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base64ToBytes(bytesToBase64(all))).toEqual(all);
  });

  it.each([
    ['a length that is not a multiple of 4', 'QUJD R'],
    ['a character outside the alphabet', 'QU-D'],
    ['whitespace', 'QUJD\nQUJD'],
    ['padding in the middle', 'QQ==QUJD'],
    ['non-ASCII text', 'QUJé'],
    ['non-zero bits under the padding', 'QR=='],
  ])('refuses %s', (_name, text) => {
    expect(() => base64ToBytes(text)).toThrow(DiffFormatError);
  });
});
