// The label volume as the voxel operations see it, and the write rules every operation shares (paint mode,
// locked labels). Pure TypeScript: no DOM, no vtk.js (ARCHITECTURE.md §2, renderer/labelmap/).
import type { Axis, Vec3 } from '../../common/geometry.js';
import type { LabelValue } from '../../common/labels.js';

/**
 * A label volume in FILE index order: voxel (i, j, k) is at voxelIndex = i + size[0] * (j + size[1] * k).
 * Operations write into `labels` in place and report what they changed as a VoxelDiff.
 */
export interface LabelmapVolume {
  /** Voxel counts along index axes i, j, k. */
  size: Vec3;
  /** Millimetres between voxel centres along i, j, k (brush radii are in mm). */
  spacing: Vec3;
  /** One byte per voxel, SPIDER label values. */
  labels: Uint8Array;
  /** Image intensities on the same grid and index order; needed by the threshold brush and threshold fill. */
  image?: ArrayLike<number>;
}

/**
 * Which voxels a write may change: 'overwrite' any, 'background-only' only label 0, `{ inside }` only voxels
 * currently holding that label.
 */
export type PaintMode = 'overwrite' | 'background-only' | { inside: LabelValue };

/** Rules shared by every operation that writes a label value. */
export interface WriteGuard {
  /** Default 'overwrite'. */
  mode?: PaintMode;
  /**
   * Locked labels: voxels holding one of them never change (neither painted over nor erased). Writing a locked
   * value into other voxels is allowed: the lock protects the voxels a label has, not the value.
   */
  locked?: ReadonlySet<LabelValue>;
}

/** Inclusive intensity range [low, high] of the threshold brush and threshold fill. */
export type IntensityRange = readonly [low: number, high: number];

/** Throws a RangeError unless `value` is a label value a byte can hold. */
export function assertLabelValue(value: number, what = 'label value'): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`${what} must be an integer in 0..255, got ${value}`);
}

/** Throws unless `labels` (and `image`, when present) hold exactly size[0]·size[1]·size[2] voxels. */
export function assertVolume(vol: LabelmapVolume): void {
  const n = vol.size[0] * vol.size[1] * vol.size[2];
  if (vol.labels.length !== n) throw new RangeError(`labels hold ${vol.labels.length} voxels, size ${vol.size.join('×')} needs ${n}`);
  if (vol.image && vol.image.length !== n) throw new RangeError(`image holds ${vol.image.length} voxels, size ${vol.size.join('×')} needs ${n}`);
}

/**
 * Lookup table over current values: lut[current] = 1 when a voxel holding `current` may become `value` under
 * `guard`. lut[value] is 0 (writing a voxel's own value changes nothing). Built once per dab or operation.
 */
export function writableLut(value: LabelValue, guard: WriteGuard): Uint8Array {
  assertLabelValue(value);
  const lut = new Uint8Array(256);
  const mode = guard.mode ?? 'overwrite';
  if (mode === 'overwrite') lut.fill(1);
  else if (mode === 'background-only') lut[0] = 1;
  else {
    assertLabelValue(mode.inside, 'paint mode label');
    lut[mode.inside] = 1;
  }
  if (guard.locked) for (const l of guard.locked) if (l >= 0 && l <= 255) lut[l] = 0;
  lut[value] = 0;
  return lut;
}

/** Strides of the three index axes in a flat voxel index: [1, nx, nx·ny]. */
export function strides(size: Vec3): Vec3 {
  return [1, size[0], size[0] * size[1]];
}

/** The two in-plane axes of a slice across `sliceAxis`, lower axis first (the faster-varying one in memory). */
export function inPlaneAxes(sliceAxis: Axis): [Axis, Axis] {
  return sliceAxis === 0 ? [1, 2] : sliceAxis === 1 ? [0, 2] : [0, 1];
}

/** Flat voxel index of integer `ijk`, or -1 when it lies outside the volume. */
export function voxelIndexOf(size: Vec3, ijk: Vec3): number {
  const [i, j, k] = ijk;
  if (!Number.isInteger(i) || !Number.isInteger(j) || !Number.isInteger(k)) return -1;
  if (i < 0 || j < 0 || k < 0 || i >= size[0] || j >= size[1] || k >= size[2]) return -1;
  return i + size[0] * (j + size[1] * k);
}
