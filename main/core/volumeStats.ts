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
