// Pure intensity statistics for the default window/level. No vtk.js, no DOM.
import type { ImageScalars, WindowLevel } from './types.js';

/** Samples used for the percentile estimate (a strided subset of the volume). */
const MAX_SAMPLES = 1 << 18;

/** Minimum and maximum finite value of the image (one pass). */
export function intensityRange(scalars: ImageScalars): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < scalars.length; i++) {
    const v = scalars[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) && Number.isFinite(max) ? [min, max] : [0, 1];
}

/**
 * Window/level spanning the 0.5–99.5 percentile of the image, estimated on a strided sample: robust to the few
 * extreme voxels of raw scanner data, and close to the full range for SPIDER's normalised group A (−1000…3096).
 */
export function autoWindowLevel(scalars: ImageScalars, range: [number, number]): WindowLevel {
  const step = Math.max(1, Math.floor(scalars.length / MAX_SAMPLES));
  const sample = new Float64Array(Math.ceil(scalars.length / step));
  let n = 0;
  for (let i = 0; i < scalars.length; i += step) {
    const v = scalars[i]!;
    if (Number.isFinite(v)) sample[n++] = v;
  }
  const sorted = sample.subarray(0, n).sort();
  let lo = n ? sorted[Math.floor(0.005 * (n - 1))]! : range[0];
  let hi = n ? sorted[Math.ceil(0.995 * (n - 1))]! : range[1];
  if (!(hi > lo)) {
    lo = range[0];
    hi = range[1] > range[0] ? range[1] : range[0] + 1;
  }
  return { window: hi - lo, level: (hi + lo) / 2 };
}
