import { describe, expect, it } from 'vitest';
import { applyDiff } from '../../../common/labelDiff.js';
import { removeIslands } from '../../../renderer/labelmap/index.js';
import { volume } from './grid.js';

// Label 1 in two 4×3 slices: a 5-voxel body spanning both slices (top left), a 2-voxel island across the
// slices (bottom right), a 1-voxel island touching the body only diagonally (separate under 6-connectivity)
// and a lone voxel at the top right of slice 1. Label 2 is never touched.
// prettier-ignore
const LABELS = [
  1, 1, 0, 0,
  1, 0, 0, 2,
  0, 1, 0, 1,
  // slice 1
  1, 0, 0, 1,
  1, 0, 0, 0,
  0, 0, 2, 1,
];

describe('removeIslands', () => {
  it('keeps the largest 6-connected component', () => {
    const vol = volume([4, 3, 2], { labels: LABELS });
    const result = removeIslands(vol, 1, { keep: 'largest' });
    // prettier-ignore
    expect(Array.from(vol.labels)).toEqual([
      1, 1, 0, 0,
      1, 0, 0, 2,
      0, 0, 0, 0,
      1, 0, 0, 0,
      1, 0, 0, 0,
      0, 0, 2, 0,
    ]);
    expect(result).toMatchObject({ ok: true, componentCount: 4, removedComponentCount: 3 });
    if (!result.ok) throw new Error(result.message);
    expect(Array.from(result.diff.indices)).toEqual([9, 11, 15, 23]);
    applyDiff(vol.labels, result.diff, 'backward');
    expect(Array.from(vol.labels)).toEqual(LABELS);
  });

  it('removes only the components below minVoxels', () => {
    const vol = volume([4, 3, 2], { labels: LABELS });
    const result = removeIslands(vol, 1, { minVoxels: 2 });
    expect(result).toMatchObject({ ok: true, componentCount: 4, removedComponentCount: 2 });
    // prettier-ignore
    expect(Array.from(vol.labels)).toEqual([
      1, 1, 0, 0,
      1, 0, 0, 2,
      0, 0, 0, 1,
      1, 0, 0, 0,
      1, 0, 0, 0,
      0, 0, 2, 1,
    ]);
  });

  it('refuses background and locked labels, and is a no-op for an absent label', () => {
    const vol = volume([4, 3, 2], { labels: LABELS });
    expect(removeIslands(vol, 0, { keep: 'largest' })).toMatchObject({ ok: false, reason: 'invalid-label' });
    expect(removeIslands(vol, 1, { keep: 'largest' }, { locked: new Set([1]) })).toMatchObject({ ok: false, reason: 'locked', label: 1 });
    expect(Array.from(vol.labels)).toEqual(LABELS);
    expect(removeIslands(vol, 7, { minVoxels: 10 })).toMatchObject({ ok: true, componentCount: 0 });
  });
});
