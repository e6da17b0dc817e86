// Size limits of the click fills, relative to what is filled: a fraction of the slice (2-D) or of the volume
// (3-D), so the same setting means the same on a 256² and on a 1024² slice.
import type { Axis, Vec3 } from '../../common/geometry.js';

/** In-plane index axes of a slice across `sliceAxis`. */
const IN_PLANE: Record<Axis, [Axis, Axis]> = { 0: [1, 2], 1: [0, 2], 2: [0, 1] };

/**
 * Voxels a fill may write at most: `percent` % of the slice across `sliceAxis`, or of the whole volume when
 * `sliceAxis` is null; at least 1.
 */
export function fillLimit(size: Vec3, sliceAxis: Axis | null, percent: number): number {
  const n = sliceAxis === null ? size[0] * size[1] * size[2] : size[IN_PLANE[sliceAxis][0]] * size[IN_PLANE[sliceAxis][1]];
  const f = Number.isFinite(percent) ? Math.min(Math.max(percent, 0), 100) / 100 : 0;
  return Math.max(1, Math.floor(n * f));
}

/** "25 % of the slice (16,384 voxels)" */
export function describeLimit(size: Vec3, sliceAxis: Axis | null, percent: number): string {
  return `${percent} % of the ${sliceAxis === null ? 'volume' : 'slice'} (${fillLimit(size, sliceAxis, percent).toLocaleString('en-US')} voxels)`;
}
