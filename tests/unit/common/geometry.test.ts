import { describe, expect, it } from 'vitest';
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { indexToWorld, orientationCode, sameGrid, worldToIndex } from '../../../common/geometry.js';

const PIR: VolumeGeometry = {
  size: [64, 80, 12],
  spacing: [0.5, 0.75, 4],
  origin: [20, -50, 100],
  direction: [0, 1, 0, 0, 0, -1, -1, 0, 0],
};

describe('voxel geometry', () => {
  it('names the orientation of both SPIDER conventions', () => {
    expect(orientationCode({ ...PIR, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] })).toBe('LPS');
    expect(orientationCode(PIR)).toBe('PIR');
  });

  it('places voxels along the direction vectors (TransformMatrix order)', () => {
    // i runs posterior (+y), j inferior (-z), k to the right (-x).
    expect(indexToWorld(PIR, [2, 0, 0])).toEqual([20, -49, 100]);
    expect(indexToWorld(PIR, [0, 4, 0])).toEqual([20, -50, 97]);
    expect(indexToWorld(PIR, [0, 0, 1])).toEqual([16, -50, 100]);
  });

  it('inverts indexToWorld', () => {
    const ijk: Vec3 = [3.5, 7.25, 2];
    const back = worldToIndex(PIR, indexToWorld(PIR, ijk));
    back.forEach((v, a) => expect(v).toBeCloseTo(ijk[a]!, 10));
  });

  it('compares grids by where voxels are, not by how they are written', () => {
    expect(sameGrid(PIR, { ...PIR })).toBe(true);
    expect(sameGrid(PIR, { ...PIR, spacing: [0.5, 0.75, 4.01] })).toBe(false);
    expect(sameGrid(PIR, { ...PIR, size: [64, 80, 13] })).toBe(false);
    expect(sameGrid(PIR, { ...PIR, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] })).toBe(false);
  });
});
