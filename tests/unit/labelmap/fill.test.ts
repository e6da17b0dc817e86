import { describe, expect, it } from 'vitest';
import { applyDiff } from '../../../common/labelDiff.js';
import { floodFill2D, thresholdFill, type ThresholdFillOptions } from '../../../renderer/labelmap/index.js';
import { slice, volume } from './grid.js';

// A closed ring of label 1 (with a diagonal-only corner at the bottom right, which a 4-connected fill cannot
// pass), label 2 inside it at one spot, background around.
// prettier-ignore
const RING = [
  0, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 0, 0,
  0, 1, 0, 0, 1, 0, 0,
  0, 1, 0, 2, 1, 0, 0,
  0, 1, 0, 0, 0, 1, 0,
  0, 1, 1, 1, 1, 0, 0,
  0, 0, 0, 0, 0, 0, 0,
];

describe('floodFill2D', () => {
  it('fills the closed region of the seed label, bounded by other labels (4-connected)', () => {
    const vol = volume([7, 7, 1], { labels: RING });
    const { diff, truncated } = floodFill2D(vol, [2, 2, 0], 2, 3, { maxVoxels: 100 });
    expect(truncated).toBe(false);
    // prettier-ignore
    expect(slice(vol, 2, 0)).toEqual([
      0, 0, 0, 0, 0, 0, 0,
      0, 1, 1, 1, 1, 0, 0,
      0, 1, 3, 3, 1, 0, 0,
      0, 1, 3, 2, 1, 0, 0,
      0, 1, 3, 3, 3, 1, 0,
      0, 1, 1, 1, 1, 0, 0,
      0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(Array.from(diff.indices)).toEqual([16, 17, 23, 30, 31, 32]);
    expect(diff.before.every((v) => v === 0) && diff.after.every((v) => v === 3)).toBe(true);
    applyDiff(vol.labels, diff, 'backward');
    expect(Array.from(vol.labels)).toEqual(RING);
  });

  it('writes nothing and says so when the region is larger than maxVoxels', () => {
    const vol = volume([7, 7, 1], { labels: RING });
    const result = floodFill2D(vol, [2, 2, 0], 2, 3, { maxVoxels: 5 }); // the region has 6 voxels
    expect(result.truncated).toBe(true);
    expect(result.diff.indices.length).toBe(0);
    expect(Array.from(vol.labels)).toEqual(RING);
    expect(floodFill2D(vol, [2, 2, 0], 2, 3, { maxVoxels: 6 })).toMatchObject({ truncated: false, diff: { indices: Uint32Array.from([16, 17, 23, 30, 31, 32]) } });
  });

  it('stays in the slice across sliceAxis', () => {
    const vol = volume([3, 3, 3]);
    floodFill2D(vol, [1, 1, 1], 0, 5, { maxVoxels: 100, allowBorder: true }); // the i = 1 plane
    for (let k = 0; k < 3; k++) expect(slice(vol, 2, k)).toEqual([0, 5, 0, 0, 5, 0, 0, 5, 0]);
  });

  it('refuses a region that reaches the slice edge (a leak through a gap) unless allowBorder, in every slice orientation', () => {
    // The ring with a gap in its top side: the inside leaks into the background, which touches the edge.
    const leaky = RING.slice();
    leaky[2 + 7 * 1] = 0;
    const vol = volume([7, 7, 1], { labels: leaky });
    const refused = floodFill2D(vol, [2, 2, 0], 2, 3, { maxVoxels: 100 });
    expect(refused).toMatchObject({ reachesBorder: true, truncated: false });
    expect(refused.diff.indices.length).toBe(0);
    expect(Array.from(vol.labels)).toEqual(leaky);
    // Over the limit and reaching the edge: the edge is what is reported (the more useful reason).
    expect(floodFill2D(vol, [2, 2, 0], 2, 3, { maxVoxels: 8 })).toMatchObject({ reachesBorder: true });
    expect(Array.from(vol.labels)).toEqual(leaky);
    const forced = floodFill2D(vol, [2, 2, 0], 2, 3, { maxVoxels: 100, allowBorder: true });
    expect(forced.reachesBorder).toBeUndefined();
    expect(forced.diff.indices.length).toBe(leaky.filter((v) => v === 0).length);
    // The closed ring stays fillable; the same pattern across the other slice axes behaves alike.
    for (const sliceAxis of [0, 1] as const) {
      const size: [number, number, number] = sliceAxis === 0 ? [1, 7, 7] : [7, 1, 7];
      const closed = volume(size, { labels: RING });
      expect(floodFill2D(closed, sliceAxis === 0 ? [0, 2, 2] : [2, 0, 2], sliceAxis, 3, { maxVoxels: 100 }).diff.indices.length).toBe(6);
      const open = volume(size, { labels: leaky });
      expect(floodFill2D(open, sliceAxis === 0 ? [0, 2, 2] : [2, 0, 2], sliceAxis, 3, { maxVoxels: 100 })).toMatchObject({ reachesBorder: true });
      expect(Array.from(open.labels)).toEqual(leaky);
    }
  });

  it('a region that touches only the edge of the other slice axes is not refused', () => {
    // A 7×7×1 volume filled across sliceAxis 2: the k = 0 plane is both the first and last k, which is not an edge
    // of the slice; only i and j edges count.
    const vol = volume([7, 7, 1], { labels: RING });
    expect(floodFill2D(vol, [2, 2, 0], 2, 3, { maxVoxels: 100 }).reachesBorder).toBeUndefined();
  });

  it('writes nothing on a locked seed label, a seed the paint mode protects, or a seed outside the volume', () => {
    for (const [seed, opts] of [
      [[2, 2, 0], { maxVoxels: 100, locked: new Set([0]) }],
      [[1, 1, 0], { maxVoxels: 100, mode: 'background-only' }],
      [[2, 2, 0], { maxVoxels: 100, mode: { inside: 1 } }],
      [[9, 2, 0], { maxVoxels: 100 }],
    ] as const) {
      const vol = volume([7, 7, 1], { labels: RING });
      const result = floodFill2D(vol, [...seed], 2, 3, opts);
      expect(result).toEqual({ diff: { indices: new Uint32Array(0), before: new Uint8Array(0), after: new Uint8Array(0) }, truncated: false });
      expect(Array.from(vol.labels)).toEqual(RING);
    }
  });
});

describe('thresholdFill', () => {
  // Two slices of a 5×3 image: a bright (100) column at i = 1..2 in both slices, joined in slice 0 only by a
  // bright voxel at i = 3; i = 4 is bright but cut off in slice 1.
  // prettier-ignore
  const IMAGE = [
    0, 100, 100, 100, 100,
    0, 100, 100,   0, 100,
    0, 100, 100,   0,   0,
    // slice 1
    0, 100, 100,   0, 100,
    0, 100, 100,   0, 100,
    0,   0,   0,   0,   0,
  ];
  const opts = (o: Partial<ThresholdFillOptions> = {}): ThresholdFillOptions => ({
    range: [50, 150], connectivity: '2d', sliceAxis: 2, value: 7, maxVoxels: 1000, ...o,
  });

  it("'2d' fills the connected in-range region in the seed's slice only", () => {
    const vol = volume([5, 3, 2], { image: IMAGE });
    thresholdFill(vol, [1, 1, 0], opts());
    // prettier-ignore
    expect(Array.from(vol.labels)).toEqual([
      0, 7, 7, 7, 7,
      0, 7, 7, 0, 7,
      0, 7, 7, 0, 0,
      0, 0, 0, 0, 0,
      0, 0, 0, 0, 0,
      0, 0, 0, 0, 0,
    ]);
  });

  it("'3d' follows the region across slices (6-connected)", () => {
    const vol = volume([5, 3, 2], { image: IMAGE });
    const { diff } = thresholdFill(vol, [1, 1, 1], opts({ connectivity: '3d' }));
    // prettier-ignore
    expect(Array.from(vol.labels)).toEqual([
      0, 7, 7, 7, 7,
      0, 7, 7, 0, 7,
      0, 7, 7, 0, 0,
      0, 7, 7, 0, 7,
      0, 7, 7, 0, 7,
      0, 0, 0, 0, 0,
    ]);
    expect(diff.indices.length).toBe(15);
  });

  it('does not grow through locked labels or voxels the paint mode protects', () => {
    // Voxel (3, 0, 0) is locked label 4: slice 0's region loses its link to the column at i = 4.
    const labels = new Array<number>(30).fill(0);
    labels[3] = 4;
    const locked = volume([5, 3, 2], { image: IMAGE, labels });
    thresholdFill(locked, [1, 1, 0], opts({ locked: new Set([4]) }));
    expect(Array.from(locked.labels.subarray(0, 15))).toEqual([0, 7, 7, 4, 0, 0, 7, 7, 0, 0, 0, 7, 7, 0, 0]);
    const bgOnly = volume([5, 3, 2], { image: IMAGE, labels });
    thresholdFill(bgOnly, [1, 1, 0], opts({ mode: 'background-only' }));
    expect(Array.from(bgOnly.labels)).toEqual(Array.from(locked.labels));
  });

  it('writes nothing from an out-of-range seed, or when the region exceeds maxVoxels', () => {
    const vol = volume([5, 3, 2], { image: IMAGE });
    expect(thresholdFill(vol, [0, 0, 0], opts()).diff.indices.length).toBe(0);
    const big = thresholdFill(vol, [1, 1, 1], opts({ connectivity: '3d', maxVoxels: 14 }));
    expect(big.truncated).toBe(true);
    expect(vol.labels.every((v) => v === 0)).toBe(true);
    expect(thresholdFill(vol, [1, 1, 1], opts({ connectivity: '3d', maxVoxels: 15 })).truncated).toBe(false);
  });
});
