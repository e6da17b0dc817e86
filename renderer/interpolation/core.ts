// Fill between slices (issue 13 item 1): the parts of morphological contour interpolation that do not depend on
// where the wasm runs. The main thread cuts the label's bounding box out of the volume as a 0/1 mask (prepareJob);
// the worker, or Node in tests and benches, runs ITK's MorphologicalContourInterpolator on it through a
// PipelineRunner and turns the answer into the volume indices that should become the label (runJob); the caller
// turns those into a VoxelDiff under its locks and paint mode (applyInterpolation) and commits that through the
// edit session. Pure TypeScript: no DOM, no Node, no itk-wasm import (the runner is passed in).
import type { Axis, Vec3 } from '../../common/geometry.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import type { LabelValue } from '../../common/labels.js';
import { writableLut, type WriteGuard } from '../labelmap/index.js';

/** A box of voxels in volume index space: `origin` is its lowest (i, j, k), `size` its extent along i, j, k. */
export interface Box {
  origin: Vec3;
  size: Vec3;
}

/**
 * What crosses to the worker: the label's box as a 0/1 mask, transposed so that the interpolation axis is the
 * slowest one (ITK axis 2), plus what is needed to map the answer back to volume indices.
 */
export interface InterpolationJob {
  /** 1 where the box holds the label, else 0; x fastest in the transposed order `order`. */
  mask: Uint8Array;
  /** Extent of `mask` along its own three axes: size[order[0]], size[order[1]], size[order[2]] of `box`. */
  maskSize: Vec3;
  /** Volume axis of each mask axis; order[2] is the interpolation axis. */
  order: [Axis, Axis, Axis];
  box: Box;
  /** Volume size (voxels along i, j, k). */
  dims: Vec3;
  /**
   * Per slice of the box along the interpolation axis: 1 when the user already labelled it. Only slices with 0
   * strictly between the first and last 1 are filled: drawn slices and the space beyond the ends stay as they are.
   */
  labelled: Uint8Array;
}

/** The ITK call, however it is reached: browser worker (webWorker: false) or Node. Returns the output pixels. */
export type PipelineRunner = (image: MaskImage, options: { label: number; axis: number }) => Promise<Uint8Array>;

/** An itk-wasm Image, spelled out so this module needs no itk-wasm import (structurally the same type). */
export interface MaskImage {
  imageType: { dimension: number; componentType: 'uint8'; pixelType: 'Scalar'; components: number };
  name: string;
  origin: number[];
  spacing: number[];
  direction: Float64Array;
  size: number[];
  metadata: Map<string, string | number | number[] | number[][]>;
  data: Uint8Array;
}

/** Voxels added around the label's bounding box in the slice plane (the interpolation axis needs none). */
export const DEFAULT_MARGIN = 2;

/** Throws a RangeError unless `dims` are positive integers whose product is `volume.length`. */
export function assertDims(volume: Uint8Array, dims: Vec3): void {
  if (!dims.every((d) => Number.isInteger(d) && d > 0)) throw new RangeError(`volume size must be positive integers, got ${dims.join('×')}`);
  const n = dims[0] * dims[1] * dims[2];
  if (volume.length !== n) throw new RangeError(`volume holds ${volume.length} voxels, size ${dims.join('×')} needs ${n}`);
}

/** Smallest box holding every voxel of `label`, or null when the label is absent. One pass over the volume. */
export function labelBounds(volume: Uint8Array, dims: Vec3, label: LabelValue): Box | null {
  assertDims(volume, dims);
  const [nx, ny] = dims;
  let x0 = nx, x1 = -1, y0 = dims[1], y1 = -1, z0 = dims[2], z1 = -1;
  // Row by row among the rows that hold the label: indexOf finds the next one natively (most of a real volume
  // does not hold the label), lastIndexOf the row's last voxel of it.
  let pos = 0;
  for (;;) {
    const p = volume.indexOf(label, pos);
    if (p < 0) break;
    const row = Math.floor(p / nx);
    const rowStart = row * nx;
    const last = volume.lastIndexOf(label, rowStart + nx - 1);
    const j = row % ny;
    const k = Math.floor(row / ny);
    if (p - rowStart < x0) x0 = p - rowStart;
    if (last - rowStart > x1) x1 = last - rowStart;
    if (j < y0) y0 = j;
    if (j > y1) y1 = j;
    if (k < z0) z0 = k;
    z1 = k;
    pos = rowStart + nx;
  }
  if (x1 < 0) return null;
  return { origin: [x0, y0, z0], size: [x1 - x0 + 1, y1 - y0 + 1, z1 - z0 + 1] };
}

/** `box` grown by `margin` voxels along every axis except `axis`, clipped to the volume. */
export function growBox(box: Box, dims: Vec3, axis: Axis, margin: number): Box {
  const origin: Vec3 = [...box.origin];
  const size: Vec3 = [...box.size];
  for (let a = 0; a < 3; a++) {
    if (a === axis) continue;
    const lo = Math.max(0, origin[a]! - margin);
    const hi = Math.min(dims[a]! - 1, origin[a]! + size[a]! - 1 + margin);
    origin[a] = lo;
    size[a] = hi - lo + 1;
  }
  return { origin, size };
}

/** Mask axis order with `axis` last, the other two in memory order. */
export function axisOrder(axis: Axis): [Axis, Axis, Axis] {
  return axis === 0 ? [1, 2, 0] : axis === 1 ? [0, 2, 1] : [0, 1, 2];
}

/**
 * The job for filling `label` between its slices across `axis`, or null when there is nothing to fill: the label
 * is absent, lies in fewer than two slices, or its slices have no gap between them.
 */
export function prepareJob(volume: Uint8Array, dims: Vec3, label: LabelValue, axis: Axis, margin = DEFAULT_MARGIN): InterpolationJob | null {
  if (!Number.isInteger(label) || label < 1 || label > 255) throw new RangeError(`label must be an integer in 1..255, got ${label}`);
  if (axis !== 0 && axis !== 1 && axis !== 2) throw new RangeError(`axis must be 0, 1 or 2, got ${String(axis)}`);
  const bounds = labelBounds(volume, dims, label);
  if (!bounds) return null;
  const box = growBox(bounds, dims, axis, Math.max(0, Math.floor(margin)));
  const order = axisOrder(axis);
  const maskSize: Vec3 = [box.size[order[0]], box.size[order[1]], box.size[order[2]]];
  const mask = new Uint8Array(maskSize[0] * maskSize[1] * maskSize[2]);
  const labelled = new Uint8Array(maskSize[2]);
  const [bx, by, bz] = box.size;
  const [ox, oy, oz] = box.origin;
  const [nx, ny] = dims;
  // Mask strides of the volume's i, j, k inside the box.
  const ms: Vec3 = [0, 0, 0];
  ms[order[0]] = 1;
  ms[order[1]] = maskSize[0];
  ms[order[2]] = maskSize[0] * maskSize[1];
  const [si, sj, sk] = ms;
  const sliceOf = (i: number, j: number, k: number): number => (axis === 0 ? i : axis === 1 ? j : k);
  for (let k = 0; k < bz; k++) {
    for (let j = 0; j < by; j++) {
      const row = ox + nx * (oy + j + ny * (oz + k));
      const first = volume.subarray(row, row + bx).indexOf(label);
      if (first < 0) continue;
      const mrow = sj * j + sk * k;
      for (let i = first; i < bx; i++) {
        if (volume[row + i] === label) {
          mask[mrow + si * i] = 1;
          labelled[sliceOf(i, j, k)] = 1;
        }
      }
    }
  }
  const firstSlice = labelled.indexOf(1);
  const lastSlice = labelled.lastIndexOf(1);
  if (lastSlice - firstSlice < 2 || labelled.subarray(firstSlice, lastSlice + 1).every((v) => v === 1)) return null;
  return { mask, maskSize, order, box, dims: [...dims], labelled };
}

/** The job's mask as the itk-wasm Image the pipeline reads (unit spacing, identity direction). */
export function maskImage(job: InterpolationJob): MaskImage {
  return {
    imageType: { dimension: 3, componentType: 'uint8', pixelType: 'Scalar', components: 1 },
    name: 'label-mask',
    origin: [0, 0, 0],
    spacing: [1, 1, 1],
    direction: new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1]),
    size: [...job.maskSize],
    metadata: new Map(),
    data: job.mask,
  };
}

/**
 * Runs the interpolation of `job` through `run` and returns the volume indices (ascending) of the voxels that
 * should become the label: set in the output, not the label already, in an unlabelled slice between the first
 * and last labelled one. Axis 2 of the mask is always the interpolation axis (also sidesteps the package passing
 * no --axis at all for axis 0, which would interpolate along every axis).
 */
export async function runJob(job: InterpolationJob, run: PipelineRunner): Promise<Uint32Array> {
  const before = job.mask.slice(); // the pipeline may take the input buffer (noCopy)
  const out = await run(maskImage(job), { label: 1, axis: 2 });
  if (out.length !== before.length) throw new Error(`interpolation returned ${out.length} voxels, expected ${before.length}`);
  return newVoxels(job, before, out);
}

/** Volume indices (ascending) where `out` is set and `before` is not, in the job's fillable slices. */
export function newVoxels(job: InterpolationJob, before: Uint8Array, out: Uint8Array): Uint32Array {
  const { box, dims, order, maskSize, labelled } = job;
  const first = labelled.indexOf(1);
  const last = labelled.lastIndexOf(1);
  const fillable = new Uint8Array(labelled.length);
  for (let s = first + 1; s < last; s++) fillable[s] = labelled[s] ? 0 : 1;
  const ms: Vec3 = [0, 0, 0];
  ms[order[0]] = 1;
  ms[order[1]] = maskSize[0];
  ms[order[2]] = maskSize[0] * maskSize[1];
  const [si, sj, sk] = ms;
  const axis = order[2];
  const [bx, by, bz] = box.size;
  const [ox, oy, oz] = box.origin;
  const [nx, ny] = dims;
  let found = new Uint32Array(1024);
  let n = 0;
  // Walk the box in volume order so the indices come out ascending with no sort.
  for (let k = 0; k < bz; k++) {
    if (axis === 2 && !fillable[k]) continue;
    for (let j = 0; j < by; j++) {
      if (axis === 1 && !fillable[j]) continue;
      const mrow = sj * j + sk * k;
      const row = ox + nx * (oy + j + ny * (oz + k));
      for (let i = 0; i < bx; i++) {
        const m = mrow + si * i;
        if (out[m] === 0 || before[m] === 1) continue;
        if (axis === 0 && !fillable[i]) continue;
        if (n === found.length) {
          const grown = new Uint32Array(found.length * 2);
          grown.set(found);
          found = grown;
        }
        found[n++] = row + i;
      }
    }
  }
  return found.slice(0, n);
}

/**
 * The edit that fill between slices makes: `label` written into the `fill` voxels (volume indices, ascending)
 * that `guard` allows — voxels of a locked label are never changed, the paint mode decides which other values
 * may be overwritten — as a VoxelDiff. Pure: `labels` is only read; apply the diff with applyDiff(labels, diff,
 * 'forward') and commit it through the edit session like any other stroke.
 */
export function applyInterpolation(labels: Uint8Array, fill: Uint32Array, label: LabelValue, guard: WriteGuard): VoxelDiff {
  const lut = writableLut(label, guard);
  const n = fill.length;
  let indices = new Uint32Array(n);
  let before = new Uint8Array(n);
  let m = 0;
  let previous = -1;
  for (let e = 0; e < n; e++) {
    const v = fill[e]!;
    if (v <= previous) throw new RangeError('fill indices must be strictly ascending');
    previous = v;
    if (v >= labels.length) throw new RangeError(`fill index ${v} outside a volume of ${labels.length} voxels`);
    const current = labels[v]!;
    if (lut[current] === 0) continue;
    indices[m] = v;
    before[m] = current;
    m++;
  }
  if (m < n) {
    indices = indices.slice(0, m);
    before = before.slice(0, m);
  }
  return { indices, before, after: new Uint8Array(m).fill(label) };
}
