// Where to put the crosshair for a label: the voxel of that label nearest to its centroid (a curved disc's
// centroid may fall outside the disc). Two passes over the volume for every label at once. Indices in file order.
import type { Vec3 } from '../../common/geometry.js';
import { labelMoments } from '../../common/labelMoments.js';

/** For each label value present (0 excluded), the in-label voxel nearest its centroid, as [i, j, k]. */
export function labelCentres(labels: Uint8Array, size: readonly [number, number, number]): Map<number, Vec3> {
  const [nx, ny, nz] = size;
  const { count: n, si, sj, sk } = labelMoments(labels, size);
  const best = new Float64Array(256).fill(Infinity);
  const at: (Vec3 | null)[] = new Array<Vec3 | null>(256).fill(null);
  const ci = new Float64Array(256);
  const cj = new Float64Array(256);
  const ck = new Float64Array(256);
  for (let v = 1; v < 256; v++) {
    if (n[v] === 0) continue;
    ci[v] = si[v]! / n[v]!;
    cj[v] = sj[v]! / n[v]!;
    ck[v] = sk[v]! / n[v]!;
  }
  let p = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, p++) {
        const v = labels[p]!;
        if (v === 0) continue;
        const d = (i - ci[v]!) ** 2 + (j - cj[v]!) ** 2 + (k - ck[v]!) ** 2;
        if (d < best[v]!) {
          best[v] = d;
          at[v] = [i, j, k];
        }
      }
    }
  }
  const out = new Map<number, Vec3>();
  at.forEach((ijk, v) => {
    if (ijk) out.set(v, ijk);
  });
  return out;
}
