import { describe, expect, it } from 'vitest';
import { labelCentres } from '../../../renderer/labelmap/index.js';

describe('labelCentres', () => {
  it('puts each label at its own voxel nearest the centroid, even for a curved (C-shaped) label', () => {
    const size = [9, 7, 5] as const;
    const labels = new Uint8Array(9 * 7 * 5);
    const at = (i: number, j: number, k: number): number => i + 9 * (j + 7 * k);
    // A solid 3×3×3 block of 201 centred at (2,2,2).
    for (let k = 1; k <= 3; k++) for (let j = 1; j <= 3; j++) for (let i = 1; i <= 3; i++) labels[at(i, j, k)] = 201;
    // A "C" of 202 in slice k=2 around (6,3): its centroid (6.4,3) is empty; the nearest label voxel is returned.
    for (const [i, j] of [[6, 1], [7, 1], [8, 1], [6, 5], [7, 5], [8, 5], [6, 2], [6, 3], [6, 4]] as const) labels[at(i, j, 2)] = 202;
    labels[at(8, 3, 2)] = 0;
    const c = labelCentres(labels, size);
    expect([...c.keys()].sort()).toEqual([201, 202]);
    expect(c.get(201)).toEqual([2, 2, 2]);
    const c202 = c.get(202)!;
    expect(labels[at(c202[0], c202[1], c202[2])]).toBe(202);
    expect(c202).toEqual([6, 3, 2]);
  });
  it('refuses a volume whose length does not match its size', () => {
    expect(() => labelCentres(new Uint8Array(10), [3, 3, 1])).toThrow(RangeError);
  });
});
