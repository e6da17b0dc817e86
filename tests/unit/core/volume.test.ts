// Intensity statistics (the automatic window) and mask -> label-byte conversion of the workstation core.
import { describe, expect, it } from 'vitest';
import { intensityStats, intensityStatsAsync } from '../../../main/core/volumeStats.js';
import { toLabelBytes } from '../../../main/core/workstation.js';

function percentileOracle(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.ceil(p * s.length) - 1]!;
}

describe('intensity statistics', () => {
  const raw = Array.from({ length: 20_001 }, (_, i) => ((i * 7919) % 3000) - 1000);
  raw[17] = -1000 - 500; // a few extremes the window must ignore
  raw[99] = 3096 + 900;
  it.each([
    ['int16', Int16Array.from(raw)],
    ['float32', Float32Array.from(raw)],
    ['uint16', Uint16Array.from(raw.map((v) => v + 1500))],
  ] as const)('finds the exact range and percentile window of %s voxels', async (_name, data) => {
    const values = Array.from(data as ArrayLike<number>);
    const sync = intensityStats(data);
    expect(sync.range).toEqual([Math.min(...values), Math.max(...values)]);
    const tol = data instanceof Float32Array ? (sync.range[1] - sync.range[0]) / 4000 : 0;
    expect(Math.abs(sync.window[0] - percentileOracle(values, 0.005))).toBeLessThanOrEqual(tol + 1e-9);
    expect(Math.abs(sync.window[1] - percentileOracle(values, 0.995))).toBeLessThanOrEqual(tol + 1e-9);
    expect(await intensityStatsAsync(data)).toEqual(sync);
  });

  it('copes with constant, empty and NaN-laden volumes', () => {
    expect(intensityStats(new Int16Array([5, 5, 5])).range).toEqual([5, 5]);
    expect(intensityStats(new Int16Array([5, 5, 5])).window[1]).toBeGreaterThan(5);
    expect(intensityStats(new Float32Array([NaN, 1, 2, NaN])).range).toEqual([1, 2]);
    expect(intensityStats(new Float32Array([NaN])).range).toEqual([0, 0]);
  });

  it('yields to the event loop on large volumes', async () => {
    const data = new Uint16Array(12_000_000).fill(7);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await intensityStatsAsync(data);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('mask to label bytes', () => {
  it('converts SPIDER int16 masks exactly', () => {
    const mask = Int16Array.from([0, 1, 9, 100, 201, 209, 255, 0, 7]);
    expect(Array.from(toLabelBytes(mask, 'masks/1_t1.mha'))).toEqual(Array.from(mask));
  });

  it.each([[256], [-1], [1000], [-32768]])('refuses the value %i naming the file and voxel', (bad) => {
    const mask = Int16Array.from([0, 1, 2, bad, 4]);
    expect(() => toLabelBytes(mask, 'masks/1_t1.mha')).toThrowError(new RegExp(`masks/1_t1\\.mha holds the label value ${bad} at voxel 3`));
  });

  it('checks odd lengths, unaligned views and float masks too', () => {
    expect(() => toLabelBytes(Int16Array.from([1, 2, 300]), 'm.mha')).toThrow(/300 at voxel 2/);
    const buf = new ArrayBuffer(12);
    const unaligned = new Int16Array(buf, 2, 5);
    unaligned.set([3, 4, 5, 6, 7]);
    expect(Array.from(toLabelBytes(unaligned, 'm.mha'))).toEqual([3, 4, 5, 6, 7]);
    expect(() => toLabelBytes(Float32Array.from([1, 2.5]), 'm.mha')).toThrow(/2\.5/);
    expect(Array.from(toLabelBytes(Float32Array.from([1, 201]), 'm.mha'))).toEqual([1, 201]);
  });
});
