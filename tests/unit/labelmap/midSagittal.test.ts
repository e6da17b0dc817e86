// midSagittal on volumes of known geometry, in both SPIDER on-disk orientation groups (identity LPS and PIR): a
// canal whose left-right position jumps between two disc levels, rasterised from world coordinates, so the
// expected slices follow from the construction; and the sample phantom, whose canal is centred at xCentre.
import { describe, expect, it } from 'vitest';
import { indexToWorld, type Vec3, type VolumeGeometry } from '../../../common/geometry.js';
import { midSagittal, sagittalAxis } from '../../../renderer/labelmap/index.js';
import { createAnatomy, rasterise } from '../../../main/core/sample/phantom.js';
import { seriesGeometry, seriesPlan } from '../../../main/core/sample/plan.js';

/** Canal (100) centred at x = 10 mm below z = 40 and x = 16 mm above; disc 201 at z 20..28, 202 at z 50..58. */
function anatomy([x, y, z]: Vec3): number {
  const cx = z < 40 ? 10 : 16;
  if (Math.abs(x - cx) <= 4.5 && Math.abs(y - 30) <= 3) return 100;
  if (y >= 0 && y <= 20 && Math.abs(x - 12) <= 10) {
    if (z >= 20 && z <= 28) return 201;
    if (z >= 50 && z <= 58) return 202;
  }
  return 0;
}

function rasteriseWorld(g: VolumeGeometry): Uint8Array {
  const [nx, ny, nz] = g.size;
  const out = new Uint8Array(nx * ny * nz);
  let p = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, p++) out[p] = anatomy(indexToWorld(g, [i, j, k]));
  return out;
}

// World box x -2..30 (L-R, 2 mm slices), y -5..45, z 0..80 (1 mm); both grids have voxel centres at x = 10 and 16.
const LPS: VolumeGeometry = { size: [17, 51, 81], spacing: [2, 1, 1], origin: [-2, -5, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
// PIR: i = posterior, j = inferior, k = right. Origin is the voxel at (max x, min y, max z).
const PIR: VolumeGeometry = { size: [51, 81, 17], spacing: [1, 1, 2], origin: [30, -5, 80], direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] };

describe('midSagittal', () => {
  for (const [name, g, axis, sliceOfX] of [
    ['identity LPS', LPS, 0, (x: number) => (x + 2) / 2],
    ['PIR', PIR, 2, (x: number) => (30 - x) / 2],
  ] as const) {
    describe(name, () => {
      const labels = rasteriseWorld(g);
      it('slices along the index axis nearest to left-right', () => {
        expect(sagittalAxis(g)).toBe(axis);
      });
      it('puts each level on the slice through the canal at that disc', () => {
        const l5 = midSagittal(labels, g, { disc: 201 })!;
        expect(l5).toMatchObject({ sliceAxis: axis, slice: sliceOfX(10), scope: 'level' });
        const l4 = midSagittal(labels, g, { disc: 202 })!;
        expect(l4).toMatchObject({ sliceAxis: axis, slice: sliceOfX(16), scope: 'level' });
        // The slice's world x is the canal's centre at that level.
        const ijk: Vec3 = [0, 0, 0];
        ijk[axis] = l4.slice;
        expect(indexToWorld(g, ijk)[0]).toBeCloseTo(16, 6);
      });
      it('takes the whole canal without a level (or for a disc the mask lacks)', () => {
        // 40 of the 81 z rows (0..39) hold the canal at x = 10, 41 rows (40..80) at x = 16.
        const whole = (40 * sliceOfX(10) + 41 * sliceOfX(16)) / 81;
        const all = midSagittal(labels, g)!;
        expect(all.scope).toBe('canal');
        expect(all.exact).toBeCloseTo(whole, 9);
        expect(all.slice).toBe(Math.round(whole));
        expect(midSagittal(labels, g, { disc: 207 })).toMatchObject({ scope: 'canal', slice: Math.round(whole) });
      });
      it('is null without a canal, and refuses labels that do not fit the grid', () => {
        expect(midSagittal(labels.map((v) => (v === 100 ? 0 : v)), g, { disc: 201 })).toBeNull();
        expect(() => midSagittal(new Uint8Array(10), g)).toThrow(/10 voxels.*needs/);
      });
    });
  }

  it("finds the sample phantom's canal centre in both orientation groups", () => {
    const a = createAnatomy({ vertebrae: 7, pfirrmann: [3, 2, 2, 1, 1, 1, 1], seed: 'mid-sagittal' });
    const plan = seriesPlan(0, 'tiny'); // t1 (group A, LPS), t2 (A), t2_SPACE (group B, PIR)
    const groups = new Set<string>();
    for (const t of plan) {
      const g = seriesGeometry(a, t);
      const labels = Uint8Array.from(rasterise(a, g, t.contrast, 'mid').labels);
      for (const disc of [undefined, 201, 204]) {
        const m = midSagittal(labels, g, disc === undefined ? {} : { disc })!;
        const ijk: Vec3 = [0, 0, 0];
        ijk[m.sliceAxis] = m.slice;
        // The chosen slice is the one nearest the canal's true centre (within half a slice).
        expect(Math.abs(indexToWorld(g, ijk)[0] - a.xCentre)).toBeLessThanOrEqual(g.spacing[m.sliceAxis] / 2 + 1e-6);
        if (disc) expect(m.scope).toBe('level');
      }
      groups.add(t.group);
    }
    expect([...groups].sort()).toEqual(['A', 'B']);
  });
});
