// The agreement figures of main/core/readers/agreement.ts against published worked examples and against small
// independent implementations written here from the definitions (κ with disagreement weights, counts by a naive
// loop over materialised volumes), never against numbers the code itself produced.
import { describe, expect, it } from 'vitest';
import type { SeriesAgreement } from '../../../common/contractReaders.js';
import { applyDiff, type VoxelDiff } from '../../../common/labelDiff.js';
import {
  cohenKappa,
  diffCounts,
  differingLevels,
  disagreements,
  fieldAgreements,
  histogram,
  labelAgreements,
  perLabelSummary,
  seriesSummary,
  volumeCounts,
  type GradeMap,
  type GradePair,
} from '../../../main/core/readers/agreement.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pairs from a 2×2 table [[yes/yes, yes/no], [no/yes, no/no]] (rows A, columns B), yes = 1, no = 0. */
function table2(yy: number, yn: number, ny: number, nn: number): GradePair[] {
  const out: GradePair[] = [];
  const add = (k: number, a: number, b: number): void => { for (let i = 0; i < k; i++) out.push([a, b]); };
  add(yy, 1, 1); add(yn, 1, 0); add(ny, 0, 1); add(nn, 0, 0);
  return out;
}

/** Weighted κ written independently: 1 − Σ v_ij o_ij / Σ v_ij e_ij with disagreement weights v_ij = (i−j)² (or 0/1). */
function referenceKappa(pairs: GradePair[], cats: number[], quadratic: boolean): number {
  const k = cats.length, n = pairs.length;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [a, b] of pairs) o[cats.indexOf(a)]![cats.indexOf(b)]! += 1;
  const row = o.map((r) => r.reduce((s, x) => s + x, 0));
  const col = cats.map((_, j) => o.reduce((s, r) => s + r[j]!, 0));
  let num = 0, den = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const v = quadratic ? (i - j) ** 2 : i === j ? 0 : 1;
      num += v * o[i]![j]!;
      den += (v * row[i]! * col[j]!) / n;
    }
  }
  return 1 - num / den;
}

describe("Cohen's kappa", () => {
  it('reproduces the worked examples of the Wikipedia article (Cohen 1960 definition)', () => {
    // 50 proposals: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → po 0.7, pe 0.5, κ 0.4.
    const k1 = cohenKappa(table2(20, 5, 10, 15), [0, 1], null);
    expect(k1.n).toBe(50);
    expect(k1.observed).toBeCloseTo(0.7, 12);
    expect(k1.kappa).toBeCloseTo(0.4, 12);
    // The "marginal probabilities" examples: 45/15/25/15 → κ 0.1304; 25/35/5/35 → κ 0.2593.
    expect(cohenKappa(table2(45, 15, 25, 15), [0, 1], null).kappa).toBeCloseTo(0.1304, 4);
    expect(cohenKappa(table2(25, 35, 5, 35), [0, 1], null).kappa).toBeCloseTo(0.2593, 4);
  });

  it('builds the confusion matrix with A as rows and B as columns over the legal values', () => {
    const f = cohenKappa([[1, 2], [1, 2], [3, 3], [5, 1]], [1, 2, 3, 4, 5], null);
    expect(f.categories).toEqual([1, 2, 3, 4, 5]);
    expect(f.confusion[0]).toEqual([0, 2, 0, 0, 0]);
    expect(f.confusion[2]).toEqual([0, 0, 1, 0, 0]);
    expect(f.confusion[4]).toEqual([1, 0, 0, 0, 0]);
    expect(f.confusion.flat().reduce((s, x) => s + x, 0)).toBe(4);
    expect(f.observed).toBe(0.25);
  });

  it('equals an independent implementation, unweighted and quadratic, on random grade pairs', () => {
    const r = rng(7);
    const cats = [1, 2, 3, 4, 5];
    for (let trial = 0; trial < 40; trial++) {
      const n = 5 + Math.floor(r() * 80);
      const pairs: GradePair[] = [];
      for (let i = 0; i < n; i++) {
        const a = 1 + Math.floor(r() * 5);
        // Correlated raters: B mostly within one grade of A.
        const b = Math.min(5, Math.max(1, a + (r() < 0.6 ? 0 : r() < 0.5 ? 1 : -1)));
        pairs.push([a, b]);
      }
      const un = cohenKappa(pairs, cats, null), quad = cohenKappa(pairs, cats, 'quadratic');
      expect(un.kappa).toBeCloseTo(referenceKappa(pairs, cats, false), 10);
      expect(quad.kappa).toBeCloseTo(referenceKappa(pairs, cats, true), 10);
      expect(quad.observed).toBe(un.observed);
    }
  });

  it('weights near misses: the quadratic κ of off-by-one disagreements exceeds the unweighted one', () => {
    const pairs: GradePair[] = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [1, 2], [2, 3], [3, 4], [4, 5], [5, 4]];
    const un = cohenKappa(pairs, [1, 2, 3, 4, 5], null).kappa!;
    const quad = cohenKappa(pairs, [1, 2, 3, 4, 5], 'quadratic').kappa!;
    expect(quad).toBeGreaterThan(un);
    expect(quad).toBeCloseTo(referenceKappa(pairs, [1, 2, 3, 4, 5], true), 12);
  });

  it('is undefined without pairs or when chance agreement is 1, and refuses illegal values', () => {
    const none = cohenKappa([], [0, 1], null);
    expect(none).toMatchObject({ n: 0, observed: null, kappa: null, confusion: [[0, 0], [0, 0]] });
    const same = cohenKappa([[0, 0], [0, 0], [0, 0]], [0, 1], null);
    expect(same.observed).toBe(1);
    expect(same.kappa).toBeNull();
    expect(cohenKappa([[1, 1], [1, 1]], [1, 2, 3, 4, 5], 'quadratic').kappa).toBeNull();
    expect(() => cohenKappa([[0, 7]], [0, 1], null)).toThrow(/outside the categories/);
  });
});

describe('field agreements', () => {
  const A: GradeMap = new Map([
    ['1:1', { pfirrmann: 3, modic: 0, herniation: 1 }],
    ['1:2', { pfirrmann: 2, modic: 1 }],
    ['2:1', { pfirrmann: 4, modic: 0 }],
    ['3:1', { pfirrmann: 5 }], // only A graded this level
  ]);
  const B: GradeMap = new Map([
    ['1:1', { pfirrmann: 3, modic: 2 }],
    ['1:2', { pfirrmann: 3, modic: 1 }],
    ['2:1', { pfirrmann: 4, modic: 0, herniation: 0 }],
    ['4:1', { pfirrmann: 1 }],
  ]);

  it('counts only levels both graded, per field, weighted for Pfirrmann only, with per-level figures', () => {
    const fields = fieldAgreements(A, B);
    expect(fields.map((f) => f.field).sort()).toEqual(['bulging', 'herniation', 'lowEndplate', 'modic', 'narrowing', 'pfirrmann', 'spondylolisthesis', 'upEndplate']);
    const pf = fields.find((f) => f.field === 'pfirrmann')!;
    expect(pf.weights).toBe('quadratic');
    expect(pf.n).toBe(3);
    expect(pf.observed).toBeCloseTo(2 / 3, 12);
    expect(pf.kappa).toBeCloseTo(referenceKappa([[3, 3], [2, 3], [4, 4]], [1, 2, 3, 4, 5], true), 12);
    expect(pf.perLevel.map((l) => [l.ivdLabel, l.n])).toEqual([[1, 2], [2, 1]]);
    const modic = fields.find((f) => f.field === 'modic')!;
    expect(modic.weights).toBeNull();
    expect(modic.n).toBe(3);
    expect(modic.confusion[0]).toEqual([1, 0, 1, 0]); // A none: B none once, B type II once
    expect(fields.find((f) => f.field === 'herniation')!.n).toBe(0);
    expect(fields.find((f) => f.field === 'herniation')!.perLevel).toEqual([]);
  });

  it('lists the levels where a field both graded differs', () => {
    expect(differingLevels(A, B)).toEqual([
      { patientId: 1, ivdLabel: 1, fields: [{ field: 'modic', a: 0, b: 2 }] },
      { patientId: 1, ivdLabel: 2, fields: [{ field: 'pfirrmann', a: 2, b: 3 }] },
    ]);
    expect(differingLevels(A, B, 2)).toEqual([]);
  });
});

/** A random label volume: mostly background, blocks of a few labels. */
function volume(r: () => number, n: number, labels: number[]): Uint8Array {
  const v = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const len = 1 + Math.floor(r() * 40);
    const value = r() < 0.6 ? 0 : labels[Math.floor(r() * labels.length)]!;
    v.fill(value, i, Math.min(n, i + len));
    i += len;
  }
  return v;
}

/** A random diff on `o`: ascending positions, after ≠ before. */
function randomDiff(r: () => number, o: Uint8Array, labels: number[], share: number): VoxelDiff {
  const idx: number[] = [], before: number[] = [], after: number[] = [];
  for (let p = 0; p < o.length; p++) {
    if (r() >= share) continue;
    let a = labels[Math.floor(r() * labels.length)]!;
    if (a === o[p]) a = a === 0 ? labels[1]! : 0;
    idx.push(p); before.push(o[p]!); after.push(a);
  }
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(before), after: Uint8Array.from(after) };
}

/** Naive counts: |A_L|, |B_L|, |A_L ∩ B_L| by one plain loop. */
function naive(a: Uint8Array, b: Uint8Array): { a: number[]; b: number[]; both: number[] } {
  const ca = new Array<number>(256).fill(0), cb = new Array<number>(256).fill(0), both = new Array<number>(256).fill(0);
  for (let i = 0; i < a.length; i++) {
    ca[a[i]!]! += 1;
    cb[b[i]!]! += 1;
    if (a[i] === b[i] && a[i] !== 0) both[a[i]!]! += 1;
  }
  return { a: ca, b: cb, both };
}

describe('label counts and Dice', () => {
  const labels = [0, 1, 2, 3, 100, 201, 202, 250];

  it('volumeCounts and diffCounts equal a naive count, aligned or not, odd lengths included', () => {
    const r = rng(42);
    for (const n of [0, 1, 3, 4, 1001, 4096, 20_003]) {
      const o = volume(r, n, labels);
      const dA = randomDiff(r, o, labels, 0.05), dB = randomDiff(r, o, labels, 0.03);
      const va = o.slice(), vb = o.slice();
      applyDiff(va, dA, 'forward');
      applyDiff(vb, dB, 'forward');
      const want = naive(va, vb);
      // An unaligned copy forces the byte path.
      const shifted = (v: Uint8Array): Uint8Array => { const buf = new Uint8Array(v.length + 1); buf.set(v, 1); return buf.subarray(1); };
      for (const got of [volumeCounts(va, vb), volumeCounts(shifted(va), vb), diffCounts(o, histogram(o), dA, dB), diffCounts(shifted(o), histogram(shifted(o)), dA, dB)]) {
        expect(Array.from(got.a)).toEqual(want.a);
        expect(Array.from(got.b)).toEqual(want.b);
        expect(Array.from(got.both).slice(1)).toEqual(want.both.slice(1));
      }
      // One side the original itself.
      const wantO = naive(o, vb);
      expect(Array.from(diffCounts(o, histogram(o), null, dB).both).slice(1)).toEqual(wantO.both.slice(1));
      expect(Array.from(diffCounts(o, histogram(o), null, null).a)).toEqual(naive(o, o).a);
    }
  });

  it('a diff entry gives the value after, whatever its stale "before" says', () => {
    const o = Uint8Array.from([0, 1, 1, 2, 2, 0, 0, 0]);
    const stale: VoxelDiff = { indices: Uint32Array.from([1, 5]), before: Uint8Array.from([9, 9]), after: Uint8Array.from([2, 1]) };
    const va = o.slice();
    applyDiff(va, stale, 'forward');
    const got = diffCounts(o, histogram(o), stale, null);
    const want = naive(va, o);
    expect(Array.from(got.a)).toEqual(want.a);
    expect(Array.from(got.both).slice(1)).toEqual(want.both.slice(1));
  });

  it('gives Dice 2|A∩B|/(|A|+|B|), volumes in mm³, every label present in A or B', () => {
    const a = Uint8Array.from([1, 1, 1, 1, 0, 0, 201, 201, 0, 0, 0, 0]);
    const b = Uint8Array.from([1, 1, 0, 0, 0, 0, 201, 201, 0, 100, 0, 0]);
    const rows = labelAgreements(volumeCounts(a, b), 0.5 * 0.5 * 4);
    expect(rows.map((r) => r.value)).toEqual([1, 100, 201]);
    expect(rows[0]).toMatchObject({ name: 'L5', voxelsA: 4, voxelsB: 2, intersection: 2, volumeAMm3: 4, volumeBMm3: 2, volumeDiffMm3: -2 });
    expect(rows[0]!.dice).toBeCloseTo((2 * 2) / 6, 12);
    expect(rows[1]).toMatchObject({ name: 'Canal', voxelsA: 0, voxelsB: 1, intersection: 0, dice: 0 });
    expect(rows[2]).toMatchObject({ name: 'L5/S1', dice: 1 });
  });

  it('summarises Dice per label and over the series', () => {
    const row = (value: number, dice: number) => ({ value, name: '', voxelsA: 1, voxelsB: 1, intersection: 1, dice, volumeAMm3: 1, volumeBMm3: 1, volumeDiffMm3: 0 });
    const series: SeriesAgreement[] = [
      { seriesId: '1_t1', patientId: 1, labels: [row(1, 1), row(2, 0.5)], differing: true, skipped: null },
      { seriesId: '1_t2', patientId: 1, labels: [row(1, 0.8)], differing: true, skipped: null },
      { seriesId: '2_t1', patientId: 2, labels: [row(1, 0.6)], differing: true, skipped: null },
      { seriesId: '3_t1', patientId: 3, labels: [], differing: false, skipped: 'masks/3_t1.mha cannot be read exactly' },
    ];
    const per = perLabelSummary(series);
    expect(per[0]).toMatchObject({ value: 1, name: 'L5', series: 3, minDice: 0.6 });
    expect(per[0]!.meanDice).toBeCloseTo(0.8, 12);
    expect(per[0]!.medianDice).toBeCloseTo(0.8, 12);
    expect(per[1]).toMatchObject({ value: 2, series: 1, meanDice: 0.5, medianDice: 0.5, minDice: 0.5 });
    const s = seriesSummary(series);
    expect(s).toMatchObject({ series: 4, seriesDiffering: 3, seriesSkipped: 1 });
    expect(s.meanDice).toBeCloseTo((1 + 0.5 + 0.8 + 0.6) / 4, 12);
    expect(seriesSummary([]).meanDice).toBeNull();
  });
});

describe('where two volumes disagree', () => {
  it('counts A-only / B-only voxels per label and focuses on the disagreeing voxel nearest their centroid', () => {
    const r = rng(3);
    const size: [number, number, number] = [13, 7, 5];
    const spacing: [number, number, number] = [0.5, 0.8, 3];
    const n = size[0] * size[1] * size[2];
    const labels = [0, 1, 2, 201];
    const a = volume(r, n, labels);
    const b = a.slice();
    applyDiff(b, randomDiff(r, a, labels, 0.2), 'forward');
    const got = disagreements(a, b, size, spacing);
    for (const L of [1, 2, 201]) {
      // Independent: list the voxels labelled L by exactly one side, their centroid in mm, the nearest of them.
      const pts: number[] = [];
      for (let p = 0; p < n; p++) if ((a[p] === L) !== (b[p] === L)) pts.push(p);
      const mm = (p: number): number[] => [(p % 13) * 0.5, (Math.floor(p / 13) % 7) * 0.8, Math.floor(p / 91) * 3];
      expect(got.onlyA[L]).toBe(pts.filter((p) => a[p] === L).length);
      expect(got.onlyB[L]).toBe(pts.filter((p) => b[p] === L).length);
      expect(pts.length).toBeGreaterThan(0);
      const c = [0, 1, 2].map((ax) => pts.reduce((s, p) => s + mm(p)[ax]!, 0) / pts.length);
      const dist = (p: number): number => mm(p).reduce((s, v, ax) => s + (v - c[ax]!) ** 2, 0);
      const nearest = Math.min(...pts.map(dist));
      const focus = got.focus[L]!;
      expect(pts).toContain(focus);
      expect(dist(focus)).toBeCloseTo(nearest, 9);
    }
    expect(got.focus[100]).toBe(-1);
  });
});
