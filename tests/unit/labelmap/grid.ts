// Test helpers for labelmap ops: volumes from literals, slices back out as flat arrays, a seeded PRNG.
import type { Axis, Vec3 } from '../../../common/geometry.js';
import type { LabelmapVolume } from '../../../renderer/labelmap/index.js';
import { createRandom } from '../../../main/core/sample/random.js';

/** A volume of `size` voxels, all `fill` (default 0), spacing 1 mm unless given. */
export function volume(size: Vec3, opts: { spacing?: Vec3; labels?: ArrayLike<number>; image?: ArrayLike<number> } = {}): LabelmapVolume {
  const n = size[0] * size[1] * size[2];
  const labels = new Uint8Array(n);
  if (opts.labels) {
    if (opts.labels.length !== n) throw new Error(`literal has ${opts.labels.length} voxels, ${n} expected`);
    labels.set(opts.labels);
  }
  const vol: LabelmapVolume = { size, spacing: opts.spacing ?? [1, 1, 1], labels };
  if (opts.image) vol.image = Float32Array.from(opts.image);
  return vol;
}

/** The voxels of slice `index` across `sliceAxis`, rows along the higher in-plane axis, as a plain array. */
export function slice(vol: LabelmapVolume, sliceAxis: Axis, index: number): number[] {
  const [nx, ny, nz] = vol.size;
  const out: number[] = [];
  const at = (i: number, j: number, k: number): number => vol.labels[i + nx * (j + ny * k)]!;
  if (sliceAxis === 2) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out.push(at(i, j, index));
  if (sliceAxis === 1) for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) out.push(at(i, index, k));
  if (sliceAxis === 0) for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) out.push(at(index, j, k));
  return out;
}

/** Number of voxels holding `value`. */
export function countOf(labels: Uint8Array, value: number): number {
  let n = 0;
  for (const v of labels) if (v === value) n++;
  return n;
}

/** Deterministic PRNG in [0, 1): the sample generator's, seeded with a number. */
export const prng = (seed: number): (() => number) => createRandom(`prng:${seed}`);
