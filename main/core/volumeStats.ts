// Intensity statistics of an image for display: value range and an automatic window from percentiles,
// computed with one histogram pass (no sort of the whole volume).
import type { PixelArray } from './mha/index.js';

const BINS = 4096;

export interface IntensityStats {
  range: [number, number];
  /** [low, high] at the 0.5th and 99.5th percentiles. */
  window: [number, number];
}

export function intensityStats(data: PixelArray, lowPct = 0.005, highPct = 0.995): IntensityStats {
  if (data instanceof Uint16Array || data instanceof Int16Array || data instanceof Uint8Array || data instanceof Int8Array) {
    return smallIntStats(data, lowPct, highPct);
  }
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v; // NaN compares false both ways and is skipped
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { range: [0, 0], window: [0, 1] };
  if (min === max) return { range: [min, max], window: [min - 0.5, max + 0.5] };
  const hist = new Uint32Array(BINS);
  const scale = (BINS - 1) / (max - min);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v >= min && v <= max) {
      hist[Math.floor((v - min) * scale)]!++;
      n++;
    }
  }
  const at = (pct: number): number => {
    const target = pct * n;
    let acc = 0;
    for (let b = 0; b < BINS; b++) {
      acc += hist[b]!;
      if (acc >= target) return min + b / scale;
    }
    return max;
  };
  let lo = at(lowPct), hi = at(highPct);
  if (hi <= lo) [lo, hi] = [min, max];
  return { range: [min, max], window: [lo, hi] };
}

/** 8- and 16-bit integers: an exact histogram over every possible value in a single pass. */
function smallIntStats(data: Uint16Array | Int16Array | Uint8Array | Int8Array, lowPct: number, highPct: number): IntensityStats {
  const offset = data instanceof Int16Array ? 32768 : data instanceof Int8Array ? 128 : 0;
  const hist = new Uint32Array(data instanceof Uint8Array || data instanceof Int8Array ? 256 : 65536);
  for (let i = 0; i < data.length; i++) hist[data[i]! + offset]!++;
  return statsFromHistogram(hist, offset, data.length, lowPct, highPct);
}

/**
 * The same statistics without blocking the event loop for long: the histogram pass runs in slices of a few
 * million voxels with a macrotask yield between them, so sockets keep streaming meanwhile.
 */
export async function intensityStatsAsync(data: PixelArray, lowPct = 0.005, highPct = 0.995): Promise<IntensityStats> {
  if (!(data instanceof Uint16Array || data instanceof Int16Array)) return intensityStats(data, lowPct, highPct);
  const offset = data instanceof Int16Array ? 32768 : 0;
  const hist = new Uint32Array(65536);
  const SLICE = 1 << 22;
  for (let start = 0; start < data.length; start += SLICE) {
    const end = Math.min(data.length, start + SLICE);
    for (let i = start; i < end; i++) hist[data[i]! + offset]!++;
    if (end < data.length) await new Promise<void>((r) => setImmediate(r));
  }
  return statsFromHistogram(hist, offset, data.length, lowPct, highPct);
}

function statsFromHistogram(hist: Uint32Array, offset: number, n: number, lowPct: number, highPct: number): IntensityStats {
  if (n === 0) return { range: [0, 0], window: [0, 1] };
  let first = 0;
  while (first < hist.length - 1 && hist[first] === 0) first++;
  let last = hist.length - 1;
  while (last > 0 && hist[last] === 0) last--;
  const at = (pct: number): number => {
    const target = pct * n;
    let acc = 0;
    for (let b = first; b <= last; b++) {
      acc += hist[b]!;
      if (acc >= target) return b - offset;
    }
    return last - offset;
  };
  const min = first - offset, max = last - offset;
  if (min === max) return { range: [min, max], window: [min - 0.5, max + 0.5] };
  let lo = at(lowPct), hi = at(highPct);
  if (hi <= lo) [lo, hi] = [min, max];
  return { range: [min, max], window: [lo, hi] };
}
