// The one relabel loop (renderer/labelmap valueMapDiff) and its two users: the label operations (labelOps, which
// write the volume) and the one-click QA fixes (renderer/qa buildFix, which only compute the diff). Every result
// is checked voxel by voxel against a plain per-voxel mapping written here, on seeded random volumes.
import { describe, expect, it } from 'vitest';
import { applyDiff, assertValidDiff, type VoxelDiff } from '../../../common/labelDiff.js';
import { identityValueMap, labelCounts, relabel, shiftLevels, swapLabels, valueMapDiff } from '../../../renderer/labelmap/index.js';
import { buildFix } from '../../../renderer/qa/fixes.js';
import { prng, volume } from './grid.js';

const VALUES = [0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 201, 202, 203, 204, 250];

function randomLabels(n: number, seed: number): Uint8Array {
  const r = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = VALUES[Math.floor(r() * VALUES.length)]!;
  return out;
}

/** The expected diff of `f` over `labels`, one voxel at a time (no value map, no counts). */
function expectedDiff(labels: Uint8Array, f: (v: number) => number): { indices: number[]; before: number[]; after: number[] } {
  const e = { indices: [] as number[], before: [] as number[], after: [] as number[] };
  labels.forEach((v, i) => {
    const now = f(v);
    if (now === v) return;
    e.indices.push(i);
    e.before.push(v);
    e.after.push(now);
  });
  return e;
}

const plain = (d: VoxelDiff): { indices: number[]; before: number[]; after: number[] } =>
  ({ indices: Array.from(d.indices), before: Array.from(d.before), after: Array.from(d.after) });

/** Level shift by `delta` of vertebra n, partial 100+n and disc 200+n (n in 1..25), written out by hand. */
function shifted(v: number, delta: number, from = 1, to = 25): number {
  for (const offset of [0, 100, 200]) {
    const n = v - offset;
    if (n >= 1 && n <= 25) return n >= from && n <= to ? v + delta : v;
  }
  return v;
}

describe('valueMapDiff', () => {
  it('lists exactly the voxels the map changes, ascending, and leaves the volume alone', () => {
    const labels = randomLabels(4000, 1);
    const copy = labels.slice();
    const map = identityValueMap();
    map[2] = 3;
    map[3] = 2;
    map[201] = 0;
    const diff = valueMapDiff(labels, map);
    expect(labels).toEqual(copy);
    assertValidDiff(diff, labels.length);
    expect(plain(diff)).toEqual(expectedDiff(labels, (v) => (v === 2 ? 3 : v === 3 ? 2 : v === 201 ? 0 : v)));
    expect(diff.indices.length).toBeGreaterThan(500);
    // Same answer with the counts handed in.
    expect(plain(valueMapDiff(labels, map, labelCounts(labels)))).toEqual(plain(diff));
    // Applied forwards it is the mapping; backwards it is the volume again.
    const out = labels.slice();
    applyDiff(out, diff, 'forward');
    expect(Array.from(out)).toEqual(Array.from(labels, (v) => map[v]));
    applyDiff(out, diff, 'backward');
    expect(out).toEqual(labels);
  });

  it('is empty for the identity map and for a map of absent values', () => {
    const labels = Uint8Array.of(0, 1, 1, 100);
    expect(valueMapDiff(labels, identityValueMap()).indices.length).toBe(0);
    const map = identityValueMap();
    map[7] = 8;
    expect(valueMapDiff(labels, map).indices.length).toBe(0);
    expect(Array.from(identityValueMap())).toEqual(Array.from({ length: 256 }, (_, v) => v));
  });

  it('refuses a map that is not 256 entries and counts that disagree with the volume', () => {
    expect(() => valueMapDiff(Uint8Array.of(1), new Uint8Array(10))).toThrow(/10 entries, not 256/);
    const map = identityValueMap();
    map[1] = 2;
    const wrong = new Uint32Array(256);
    wrong[1] = 3; // the volume holds one voxel of 1
    expect(() => valueMapDiff(Uint8Array.of(1, 0), map, wrong)).toThrow(/3 voxels counted, 1 found/);
  });
});

describe('label operations and QA fixes share the mapping', () => {
  it('relabel, swapLabels and shiftLevels write what a per-voxel mapping gives and return that diff', () => {
    const base = randomLabels(3000, 2);
    const cases: Array<[string, (v: number) => number, (vol: ReturnType<typeof volume>) => ReturnType<typeof relabel>]> = [
      ['relabel 3→5', (v) => (v === 3 ? 5 : v), (vol) => relabel(vol, 3, 5)],
      ['swap 101↔202', (v) => (v === 101 ? 202 : v === 202 ? 101 : v), (vol) => swapLabels(vol, 101, 202)],
      ['shift up', (v) => shifted(v, 1), (vol) => shiftLevels(vol, 1)],
    ];
    for (const [what, f, op] of cases) {
      const vol = volume([30, 10, 10], { labels: base });
      const result = op(vol);
      if (!result.ok) throw new Error(`${what}: ${result.message}`);
      expect(Array.from(vol.labels), what).toEqual(Array.from(base, f));
      expect(plain(result.diff), what).toEqual(expectedDiff(base, f));
    }
  });

  it('the QA swap and shift fixes give the per-voxel diff and never write the volume', () => {
    const base = randomLabels(3000, 3);
    const labels = base.slice();
    const size: [number, number, number] = [30, 10, 10];
    const swap = buildFix({ kind: 'swap', a: 2, b: 4, why: 'test' }, { labels, size });
    if (!swap.ok) throw new Error(swap.message);
    expect(plain(swap.diff)).toEqual(expectedDiff(base, (v) => (v === 2 ? 4 : v === 4 ? 2 : v)));
    // Levels 3..5 up by one: 3→4, 4→5, 5→6, 103→104, 203→204, 204→205 (every target moves on or is free).
    const up = buildFix({ kind: 'shift', from: 3, to: 5, delta: 1, why: 'test' }, { labels, size });
    if (!up.ok) throw new Error(up.message);
    expect(plain(up.diff)).toEqual(expectedDiff(base, (v) => shifted(v, 1, 3, 5)));
    // Levels 2..5 down by one would merge 2 into 1, which stays: refused.
    expect(buildFix({ kind: 'shift', from: 2, to: 5, delta: -1, why: 'test' }, { labels, size })).toMatchObject({ ok: false, message: expect.stringMatching(/merge/) });
    expect(labels).toEqual(base);
  });
});
