// Which labels an edit changed, and where: from a stroke's VoxelDiff (common/labelDiff.ts), or from the voxels of a
// region before and after. Pure: no DOM, no Node.
import type { Vec3 } from '../../../common/geometry.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';
import type { VoxelBox } from './mesh.js';

export { changedLabels } from './mesh.js';

/** Non-zero label values a diff touches (as `before` or as `after`), ascending. */
export function labelsInDiff(diff: VoxelDiff): number[] {
  const seen = new Uint8Array(256);
  const { before, after } = diff;
  for (let e = 0; e < before.length; e++) {
    seen[before[e]!] = 1;
    seen[after[e]!] = 1;
  }
  const out: number[] = [];
  for (let v = 1; v < 256; v++) if (seen[v]) out.push(v);
  return out;
}

/** Inclusive index box of every voxel in the diff, or null for an empty diff. `size` is the volume's voxel counts. */
export function diffBox(diff: VoxelDiff, size: Vec3): VoxelBox | null {
  const { indices } = diff;
  if (indices.length === 0) return null;
  const nx = size[0];
  const nxy = size[0] * size[1];
  let i0 = Infinity, j0 = Infinity, k0 = Infinity;
  let i1 = -1, j1 = -1, k1 = -1;
  for (let e = 0; e < indices.length; e++) {
    const n = indices[e]!;
    const k = Math.floor(n / nxy);
    const r = n - k * nxy;
    const j = Math.floor(r / nx);
    const i = r - j * nx;
    if (i < i0) i0 = i;
    if (i > i1) i1 = i;
    if (j < j0) j0 = j;
    if (j > j1) j1 = j;
    if (k < k0) k0 = k;
    if (k > k1) k1 = k;
  }
  return { min: [i0, j0, k0], max: [i1, j1, k1] };
}
