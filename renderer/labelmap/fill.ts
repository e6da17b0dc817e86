// Click fills: flood fill of the seed's connected label region in a slice, and threshold fill of the seed's
// connected in-range region (slice or 3-D). Both are bounded: a region larger than `maxVoxels` is not written.
// A 2-D flood fill whose region reaches the slice's edge has leaked out of the structure (through a gap into the
// slice's background) and is refused unless `allowBorder` says otherwise.
import type { Axis, Vec3 } from '../../common/geometry.js';
import { emptyDiff, type VoxelDiff } from '../../common/labelDiff.js';
import type { LabelValue } from '../../common/labels.js';
import { createVisitedBits, growRegion } from './region.js';
import { assertVolume, inPlaneAxes, voxelIndexOf, writableLut, type IntensityRange, type LabelmapVolume, type WriteGuard } from './volume.js';

export interface FillResult {
  /** What was written (empty when truncated or nothing could be written). */
  diff: VoxelDiff;
  /** True when the region has more than `maxVoxels` voxels: nothing was written ("region larger than N voxels"). */
  truncated: boolean;
  /** True when a 2-D flood fill's region reaches the slice's edge and `allowBorder` was not set: nothing was written. */
  reachesBorder?: boolean;
}

export interface FloodFillOptions extends WriteGuard {
  /** Largest region that is written. */
  maxVoxels: number;
  /** Fill a region that reaches the slice's edge too (default false: refused, `reachesBorder`). */
  allowBorder?: boolean;
}

/**
 * Fills the 4-connected region of the seed's current label in the slice across `sliceAxis` through integer
 * `seedIjk` with `value` ("fill a closed region"): the region is bounded by any other label and by the slice's
 * edges. Writes nothing when the seed is outside the volume, already holds `value`, or may not be written under
 * the guard (locked label, paint mode), when the region is larger than `maxVoxels` (truncated), or when it reaches
 * the slice's edge without `allowBorder` (reachesBorder; checked first, on the part grown before any truncation).
 */
export function floodFill2D(vol: LabelmapVolume, seedIjk: Vec3, sliceAxis: Axis, value: LabelValue, opts: FloodFillOptions): FillResult {
  assertVolume(vol);
  const lut = writableLut(value, opts);
  const labels = vol.labels;
  const seedVoxelIndex = voxelIndexOf(vol.size, seedIjk);
  if (seedVoxelIndex < 0) return { diff: emptyDiff(), truncated: false };
  const seedLabel = labels[seedVoxelIndex]!;
  if (lut[seedLabel] === 0) return { diff: emptyDiff(), truncated: false };
  const axes = inPlaneAxes(sliceAxis);
  if (opts.allowBorder) return fillRegion(vol, seedVoxelIndex, axes, (i) => labels[i] === seedLabel, value, opts.maxVoxels);
  const [nx, ny] = vol.size;
  const edge = axes.map((a) => vol.size[a] - 1);
  let reachesBorder = false;
  const accept = (i: number): boolean => {
    if (labels[i] !== seedLabel) return false;
    if (!reachesBorder) {
      const c = [i % nx, Math.floor(i / nx) % ny, Math.floor(i / (nx * ny))];
      reachesBorder = axes.some((a, n) => c[a] === 0 || c[a] === edge[n]);
    }
    return true;
  };
  return fillRegion(vol, seedVoxelIndex, axes, accept, value, opts.maxVoxels, () => reachesBorder);
}

export interface ThresholdFillOptions extends WriteGuard {
  /** Inclusive intensity range [low, high]. */
  range: IntensityRange;
  /** '2d': 4-connected in the slice across `sliceAxis`; '3d': 6-connected in the volume. */
  connectivity: '2d' | '3d';
  sliceAxis: Axis;
  value: LabelValue;
  /** Largest region that is written. */
  maxVoxels: number;
}

/**
 * Writes `value` into the connected region of in-range voxels around integer `seedIjk`. The region grows only
 * through voxels it may write (or that already hold `value`), so it never leaks across a locked label or,
 * under 'background-only' / `{ inside }`, across voxels the mode protects. Nothing is written when the seed is
 * out of range, outside the volume or protected, or when the region is larger than `maxVoxels` (truncated).
 */
export function thresholdFill(vol: LabelmapVolume, seedIjk: Vec3, opts: ThresholdFillOptions): FillResult {
  assertVolume(vol);
  const image = vol.image;
  if (!image) throw new Error('threshold fill needs the image intensities (vol.image)');
  const lut = writableLut(opts.value, opts);
  const labels = vol.labels;
  const [lo, hi] = opts.range;
  const value = opts.value;
  const accept = (voxelIndex: number): boolean => {
    const x = image[voxelIndex]!;
    if (!(x >= lo && x <= hi)) return false;
    const current = labels[voxelIndex]!;
    return current === value || lut[current] === 1;
  };
  const seedVoxelIndex = voxelIndexOf(vol.size, seedIjk);
  if (seedVoxelIndex < 0 || !accept(seedVoxelIndex)) return { diff: emptyDiff(), truncated: false };
  const axes: readonly Axis[] = opts.connectivity === '3d' ? [0, 1, 2] : inPlaneAxes(opts.sliceAxis);
  return fillRegion(vol, seedVoxelIndex, axes, accept, value, opts.maxVoxels);
}

/** Grows the region, then (unless truncated) writes `value` into its voxels that differ and returns the diff. */
function fillRegion(
  vol: LabelmapVolume,
  seedVoxelIndex: number,
  axes: readonly Axis[],
  accept: (voxelIndex: number) => boolean,
  value: LabelValue,
  maxVoxels: number,
  refuseBorder?: () => boolean,
): FillResult {
  if (!Number.isInteger(maxVoxels) || maxVoxels < 0) throw new RangeError(`maxVoxels must be an integer ≥ 0, got ${maxVoxels}`);
  const labels = vol.labels;
  const out = new Uint32Array(Math.min(maxVoxels + 1, labels.length));
  const count = growRegion(vol.size, seedVoxelIndex, axes, accept, maxVoxels, createVisitedBits(labels.length), out);
  if (refuseBorder?.()) return { diff: emptyDiff(), truncated: count > maxVoxels, reachesBorder: true };
  if (count > maxVoxels) return { diff: emptyDiff(), truncated: true };
  const region = out.subarray(0, count).sort();
  let changed = 0;
  for (let e = 0; e < count; e++) if (labels[region[e]!] !== value) changed++;
  const diff: VoxelDiff = { indices: new Uint32Array(changed), before: new Uint8Array(changed), after: new Uint8Array(changed) };
  diff.after.fill(value);
  for (let e = 0, d = 0; e < count; e++) {
    const voxelIndex = region[e]!;
    const old = labels[voxelIndex]!;
    if (old === value) continue;
    diff.indices[d] = voxelIndex;
    diff.before[d] = old;
    labels[voxelIndex] = value;
    d++;
  }
  return { diff, truncated: false };
}
