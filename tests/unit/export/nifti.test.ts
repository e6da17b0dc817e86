// NIfTI-1 header writer and the nnU-Net label remap: header layout per the NIfTI-1 standard (offsets of
// sizeof_hdr, dim, datatype, pixdim, vox_offset, qform/sform codes, quaternion, srow, magic), the quaternion of every
// axis-permutation direction (both SPIDER conventions among them) reconstructing the RAS rotation, and the remap.
import { describe, expect, it } from 'vitest';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { niftiAffine, niftiHeader, nnunetLabels, remapDocument, spiderToNnunet } from '../../../main/core/export/index.js';

/** Rotation matrix of the NIfTI quaternion (b, c, d), a = sqrt(1 - b² - c² - d²) (NIfTI-1 standard). */
function rotation([b, c, d]: [number, number, number]): number[][] {
  const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
  return [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
}

/** All 48 signed permutation matrices, as TransformMatrix (axis vectors one after the other). */
function signedPermutations(): VolumeGeometry['direction'][] {
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  const out: VolumeGeometry['direction'][] = [];
  for (const p of perms) {
    for (let signs = 0; signs < 8; signs++) {
      const d = new Array<number>(9).fill(0);
      for (let a = 0; a < 3; a++) d[3 * a + p[a]!] = signs & (1 << a) ? -1 : 1;
      out.push(d as VolumeGeometry['direction']);
    }
  }
  return out;
}

const geometry = (direction: VolumeGeometry['direction']): VolumeGeometry => ({ size: [17, 512, 480], spacing: [3.3, 0.586, 0.625], origin: [-21.5, -160.25, 40.125], direction });

describe('niftiAffine', () => {
  it('quaternion, qfac and pixdim reproduce the sform for every axis-permutation direction (LPS → RAS)', () => {
    for (const direction of signedPermutations()) {
      const g = geometry(direction);
      const aff = niftiAffine(g, 'x.mha');
      const R = rotation(aff.quatern);
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          const fromQ = R[r]![c]! * g.spacing[c]! * (c === 2 ? aff.qfac : 1);
          expect(fromQ, `direction ${direction.join(' ')} [${r}][${c}]`).toBeCloseTo(aff.srow[r]![c]!, 9);
          // sform = diag(-1,-1,1) · axis_c · spacing_c
          const lps = direction[3 * c + r]! * g.spacing[c]!;
          expect(aff.srow[r]![c]!).toBeCloseTo(r < 2 ? -lps : lps, 12);
        }
      }
      expect(aff.qoffset).toEqual([-g.origin[0], -g.origin[1], g.origin[2]]);
      expect(aff.srow.map((row) => row[3])).toEqual(aff.qoffset);
    }
  });

  it('refuses a sheared direction (no qform exists)', () => {
    expect(() => niftiAffine(geometry([1, 0, 0, 0.5, 1, 0, 0, 0, 1]), 'masks/7_t2.mha')).toThrow(/7_t2\.mha: the direction matrix is not orthonormal/);
  });
});

describe('niftiHeader', () => {
  it('lays out the NIfTI-1 header: sizes, datatype, pixdim, vox_offset, codes, magic', () => {
    const g = geometry([0, 1, 0, 0, 0, -1, -1, 0, 0]); // SPIDER group B (PIR)
    const h = niftiHeader({ geometry: g, pixelType: 'uint16', file: 'x' });
    const v = new DataView(h.buffer);
    expect(h.length).toBe(352);
    expect(v.getInt32(0, true)).toBe(348);
    expect([0, 1, 2, 3, 4].map((i) => v.getInt16(40 + 2 * i, true))).toEqual([3, 17, 512, 480, 1]);
    expect(v.getInt16(70, true)).toBe(512); // DT_UINT16
    expect(v.getInt16(72, true)).toBe(16);
    expect(v.getFloat32(80, true)).toBeCloseTo(3.3, 6);
    expect(v.getFloat32(108, true)).toBe(352);
    expect(v.getFloat32(112, true)).toBe(1);
    expect(v.getUint8(123)).toBe(2); // mm
    expect([v.getInt16(252, true), v.getInt16(254, true)]).toEqual([1, 1]);
    expect(String.fromCharCode(h[344]!, h[345]!, h[346]!, h[347]!)).toBe('n+1\0');
    expect([...h.subarray(348, 352)]).toEqual([0, 0, 0, 0]);
    expect(Math.abs(v.getFloat32(76, true))).toBe(1); // qfac
  });

  it('refuses an axis longer than NIfTI-1 can store', () => {
    expect(() => niftiHeader({ geometry: { ...geometry([1, 0, 0, 0, 1, 0, 0, 0, 1]), size: [40000, 2, 2] }, pixelType: 'int16', file: 'big.mha' })).toThrow(/big\.mha: 40000 voxels/);
  });
});

describe('nnU-Net label remap', () => {
  it('is contiguous and fixed: vertebrae 1–25, canal 26, discs 27–51, partial vertebrae folded, others refused', () => {
    expect([0, 1, 9, 25, 100, 201, 209, 225, 101, 125].map(spiderToNnunet)).toEqual([0, 1, 9, 25, 26, 27, 35, 51, 1, 25]);
    expect([26, 99, 126, 200, 226, 255].map(spiderToNnunet)).toEqual([null, null, null, null, null, null]);
    const labels = nnunetLabels();
    expect(Object.values(labels)).toEqual(Array.from({ length: 52 }, (_, i) => i));
    expect(labels['disc L5/S1 (SPIDER 201)']).toBe(27);
    expect(Object.keys(remapDocument())).toHaveLength(1 + 25 + 1 + 25 + 25);
  });
});
