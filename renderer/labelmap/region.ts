// Connected-region growth on the voxel grid (breadth-first, face neighbours only), shared by the fills and by
// island removal. Visited voxels are tracked in a bitset, 1 bit per voxel of the volume.
import type { Axis, Vec3 } from '../../common/geometry.js';

/** One bit per voxel of a volume of `voxelCount` voxels. */
export function createVisitedBits(voxelCount: number): Uint32Array {
  return new Uint32Array(Math.ceil(voxelCount / 32));
}

/**
 * Grows the face-connected region of voxels accepted by `accept`, starting at `seedVoxelIndex` (which must be
 * accepted and not yet visited), moving only along `axes` (two in-plane axes: 4-connected in the slice; all
 * three: 6-connected in 3-D). Writes the region's voxel indices, in visiting order, into `out` and returns how
 * many. Stops as soon as the region exceeds `maxVoxels` and returns maxVoxels + 1 (`out` needs room for that
 * many). Marks every voxel it enqueues in `visited`.
 */
export function growRegion(
  size: Vec3,
  seedVoxelIndex: number,
  axes: readonly Axis[],
  accept: (voxelIndex: number) => boolean,
  maxVoxels: number,
  visited: Uint32Array,
  out: Uint32Array,
): number {
  const [nx, ny, nz] = size;
  const nxy = nx * ny;
  const useI = axes.includes(0);
  const useJ = axes.includes(1);
  const useK = axes.includes(2);
  const limit = maxVoxels + 1;
  // `out` is the queue as well: entries [head, tail) are waiting, [0, head) are done.
  let tail = 0;
  const push = (voxelIndex: number): boolean => {
    const word = voxelIndex >>> 5;
    const bit = 1 << (voxelIndex & 31);
    if ((visited[word]! & bit) !== 0 || !accept(voxelIndex)) return false;
    visited[word] = visited[word]! | bit;
    out[tail++] = voxelIndex;
    return tail >= limit;
  };
  if (push(seedVoxelIndex)) return tail;
  for (let head = 0; head < tail; head++) {
    const voxelIndex = out[head]!;
    const i = voxelIndex % nx;
    const jk = (voxelIndex - i) / nx;
    const j = jk % ny;
    const k = (jk - j) / ny;
    if (useI) {
      if (i > 0 && push(voxelIndex - 1)) return tail;
      if (i < nx - 1 && push(voxelIndex + 1)) return tail;
    }
    if (useJ) {
      if (j > 0 && push(voxelIndex - nx)) return tail;
      if (j < ny - 1 && push(voxelIndex + nx)) return tail;
    }
    if (useK) {
      if (k > 0 && push(voxelIndex - nxy)) return tail;
      if (k < nz - 1 && push(voxelIndex + nxy)) return tail;
    }
  }
  return tail;
}
