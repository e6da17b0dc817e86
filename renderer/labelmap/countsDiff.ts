// Label voxel counts kept up to date from edit diffs instead of a pass over the volume (an undo of a stroke touches a
// few thousand voxels; a recount reads every voxel, ~40 M on a large series).
import type { VoxelDiff } from '../../common/labelDiff.js';

/**
 * Applies a forward diff to per-value counts (256 bins, from labelCounts): each voxel leaves its `before` value and
 * joins its `after` value. Returns false, with `counts` untouched, when the diff cannot belong to the counted volume
 * (a value's count would go below zero): the caller then recounts.
 */
export function applyDiffToCounts(counts: Uint32Array, diff: VoxelDiff): boolean {
  const { before, after } = diff;
  if (counts.length !== 256) throw new RangeError(`label counts hold ${counts.length} bins, expected 256`);
  if (before.length !== after.length) throw new RangeError(`diff has ${before.length} before values and ${after.length} after values`);
  const delta = new Int32Array(256);
  for (let e = 0; e < before.length; e++) {
    delta[before[e]!]!--;
    delta[after[e]!]!++;
  }
  for (let v = 0; v < 256; v++) if (counts[v]! + delta[v]! < 0) return false;
  for (let v = 0; v < 256; v++) counts[v] = counts[v]! + delta[v]!;
  return true;
}
