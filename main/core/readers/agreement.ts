// Agreement figures between two readers (issue 16), pure: Cohen's κ per grading field (quadratic-weighted for the
// ordinal Pfirrmann grade) with its confusion matrix, overall and per level; per-label voxel counts of two label
// volumes (|A_L|, |B_L|, |A_L ∩ B_L| for every value L at once, 256-bin arrays) and from them Dice and volumes.
//
// Counting is the hot part of `spine-ws agree` (hundreds of volumes of 10–100 M voxels), so there are two ways:
// - `volumeCounts(A, B)`: one pass over two whole volumes, background skipped four voxels at a time;
// - `diffCounts(O, histogram(O), dA, dB)`: a reader's labels are the original O plus a sparse diff, so with O's
//   histogram the counts of O+dA against O+dB follow from the diff positions alone; no reader volume is built.
// Both give exactly the same numbers (tests compare them with a naive count).
import type { FieldAgreement, KappaFigures, LabelAgreement, SeriesAgreement } from '../../../common/contractReaders.js';
import { GRADING_FIELDS, type GradingField } from '../../../common/gradings.js';
import { labelInfo } from '../../../common/labels.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';

// --- Cohen's κ --- //

/** Pairs (value of A, value of B) of one grading field, one per level graded by both. */
export type GradePair = readonly [number, number];

/** 1 − pe under this tolerance counts as "chance agreement is 1": κ undefined. */
const PE_EPSILON = 1e-12;

/**
 * Cohen's κ of `pairs` over the legal `categories` (rows A, columns B of the confusion matrix). Unweighted:
 * κ = (po − pe)/(1 − pe) with po the share of equal pairs and pe = Σ pA_i·pB_i. Quadratic: agreement weights
 * w_ij = 1 − (i−j)²/(k−1)² over the category positions, po_w = Σ w_ij p_ij, pe_w = Σ w_ij pA_i pB_j.
 * `observed` is always the unweighted share of equal pairs. κ is null when n = 0 or the chance agreement is 1.
 * A value outside `categories` is a RangeError (callers pass legal values only).
 */
export function cohenKappa(pairs: readonly GradePair[], categories: readonly number[], weights: 'quadratic' | null): KappaFigures {
  const k = categories.length;
  const pos = new Map(categories.map((c, i) => [c, i]));
  const confusion = categories.map(() => new Array<number>(k).fill(0));
  for (const [a, b] of pairs) {
    const i = pos.get(a), j = pos.get(b);
    if (i === undefined || j === undefined) throw new RangeError(`grade pair (${a}, ${b}) outside the categories ${categories.join(', ')}`);
    confusion[i]![j]!++;
  }
  const n = pairs.length;
  if (n === 0) return { n, observed: null, kappa: null, categories: [...categories], confusion };
  const rowSum = confusion.map((r) => r.reduce((s, x) => s + x, 0));
  const colSum = categories.map((_, j) => confusion.reduce((s, r) => s + r[j]!, 0));
  const w = (i: number, j: number): number => (weights === 'quadratic' ? (k > 1 ? 1 - ((i - j) * (i - j)) / ((k - 1) * (k - 1)) : 1) : i === j ? 1 : 0);
  let equal = 0, po = 0, pe = 0;
  for (let i = 0; i < k; i++) {
    equal += confusion[i]![i]!;
    for (let j = 0; j < k; j++) {
      const wij = w(i, j);
      if (wij === 0) continue;
      po += (wij * confusion[i]![j]!) / n;
      pe += (wij * rowSum[i]! * colSum[j]!) / (n * n);
    }
  }
  const kappa = 1 - pe < PE_EPSILON ? null : (po - pe) / (1 - pe);
  return { n, observed: equal / n, kappa, categories: [...categories], confusion };
}

/** Grades of one source: key `${patientId}:${ivdLabel}` → field → value (sources.ts `sourceGrades`). */
export type GradeMap = ReadonlyMap<string, Partial<Record<GradingField, number>>>;

/** The IVD label of a grade key `${patientId}:${ivdLabel}`. */
function ivdOf(key: string): number {
  return Number(key.slice(key.indexOf(':') + 1));
}

/**
 * κ per grading field (every field of common/gradings.ts, in its order) over the levels both sources graded: a
 * level counts for a field when both hold a value for it. Pfirrmann quadratic-weighted, the others unweighted.
 * perLevel: the same per IVD label, levels with n > 0 only, ascending.
 */
export function fieldAgreements(gradesA: GradeMap, gradesB: GradeMap): FieldAgreement[] {
  return GRADING_FIELDS.map((spec) => {
    const weights = spec.field === 'pfirrmann' ? 'quadratic' : null;
    const all: GradePair[] = [];
    const byLevel = new Map<number, GradePair[]>();
    for (const [key, a] of gradesA) {
      const va = a[spec.field];
      const vb = gradesB.get(key)?.[spec.field];
      if (va === undefined || vb === undefined) continue;
      const pair: GradePair = [va, vb];
      all.push(pair);
      const ivd = ivdOf(key);
      const list = byLevel.get(ivd);
      if (list) list.push(pair);
      else byLevel.set(ivd, [pair]);
    }
    const perLevel = [...byLevel.keys()].sort((x, y) => x - y).map((ivdLabel) => ({ ivdLabel, ...cohenKappa(byLevel.get(ivdLabel)!, spec.values, weights) }));
    return { field: spec.field, weights, ...cohenKappa(all, spec.values, weights), perLevel };
  });
}

/** A level whose grades differ between A and B: the fields where both hold a value and the values differ. */
export interface LevelDifference {
  patientId: number;
  ivdLabel: number;
  fields: { field: GradingField; a: number; b: number }[];
}

/**
 * The levels (patient, IVD label) where some grading field differs between A and B, by patient then level. A
 * field differs when both sources hold a value and the values are unequal: a level only one of them graded is not
 * a disagreement (the same pairs κ counts). `patientId` limits it to one patient.
 */
export function differingLevels(gradesA: GradeMap, gradesB: GradeMap, patientId?: number): LevelDifference[] {
  const out: LevelDifference[] = [];
  for (const [key, a] of gradesA) {
    const p = Number(key.slice(0, key.indexOf(':')));
    if (patientId !== undefined && p !== patientId) continue;
    const b = gradesB.get(key);
    if (!b) continue;
    const fields: LevelDifference['fields'] = [];
    for (const spec of GRADING_FIELDS) {
      const va = a[spec.field], vb = b[spec.field];
      if (va !== undefined && vb !== undefined && va !== vb) fields.push({ field: spec.field, a: va, b: vb });
    }
    if (fields.length > 0) out.push({ patientId: p, ivdLabel: ivdOf(key), fields });
  }
  return out.sort((x, y) => x.patientId - y.patientId || x.ivdLabel - y.ivdLabel);
}

// --- label counts --- //

/** Voxel counts per label value 0–255: |A_L|, |B_L| and |A_L ∩ B_L|. `both[0]` is not kept (background). */
export interface LabelCounts {
  a: Float64Array;
  b: Float64Array;
  both: Float64Array;
}

/** A 32-bit view of the whole words of `v` when its offset allows one, else null (then bytes are walked). */
function words(v: Uint8Array): Uint32Array | null {
  return v.byteOffset % 4 === 0 ? new Uint32Array(v.buffer, v.byteOffset, v.length >>> 2) : null;
}

function sumFrom1(h: Float64Array): number {
  let s = 0;
  for (let x = 1; x < 256; x++) s += h[x]!;
  return s;
}

/** Voxels per value of one volume; all-background words are skipped, h[0] is what remains. */
export function histogram(v: Uint8Array): Float64Array {
  const h = new Float64Array(256);
  const w = words(v);
  let i = 0;
  if (w) {
    for (let k = 0; k < w.length; k++) {
      if (w[k] === 0) continue;
      const p = k << 2;
      h[v[p]!]!++; h[v[p + 1]!]!++; h[v[p + 2]!]!++; h[v[p + 3]!]!++;
    }
    i = w.length << 2;
  }
  for (; i < v.length; i++) h[v[i]!]!++;
  h[0] = v.length - sumFrom1(h);
  return h;
}

/** Counts of two whole volumes of the same length, in one pass. */
export function volumeCounts(va: Uint8Array, vb: Uint8Array): LabelCounts {
  if (va.length !== vb.length) throw new RangeError(`volumes differ in length: ${va.length} and ${vb.length} voxels`);
  const a = new Float64Array(256), b = new Float64Array(256), both = new Float64Array(256);
  const byte = (p: number): void => {
    const x = va[p]!, y = vb[p]!;
    a[x]!++;
    b[y]!++;
    if (x === y) both[x]!++;
  };
  const wa = words(va), wb = words(vb);
  let i = 0;
  if (wa && wb) {
    for (let k = 0; k < wa.length; k++) {
      const x = wa[k]!, y = wb[k]!;
      if ((x | y) === 0) continue;
      const p = k << 2;
      if (x === y) {
        for (let q = p; q < p + 4; q++) { const v = va[q]!; a[v]!++; b[v]!++; both[v]!++; }
      } else {
        byte(p); byte(p + 1); byte(p + 2); byte(p + 3);
      }
    }
    i = wa.length << 2;
  }
  for (; i < va.length; i++) byte(i);
  a[0] = va.length - sumFrom1(a);
  b[0] = vb.length - sumFrom1(b);
  both[0] = 0;
  return { a, b, both };
}

/**
 * Counts of A = O + dA against B = O + dB (a null diff: the original itself), from O's histogram `h` and the diff
 * positions only. A diff entry gives the voxel's value after (its `before` is not trusted: O decides). Exactly
 * `volumeCounts(apply(O, dA), apply(O, dB))`.
 */
export function diffCounts(o: Uint8Array, h: Float64Array, dA: VoxelDiff | null, dB: VoxelDiff | null): LabelCounts {
  const a = h.slice(), b = h.slice(), both = h.slice();
  const ia = dA?.indices ?? new Uint32Array(0), ib = dB?.indices ?? new Uint32Array(0);
  const na = ia.length, nb = ib.length;
  for (const [d, c] of [[dA, a], [dB, b]] as const) {
    if (!d) continue;
    for (let e = 0; e < d.indices.length; e++) {
      const p = d.indices[e]!;
      if (p >= o.length) throw new RangeError(`diff index ${p} outside a volume of ${o.length} voxels`);
      c[o[p]!]!--;
      c[d.after[e]!]!++;
    }
  }
  // Merge the two ascending position lists: at each position where A or B leaves O, O's own agreement goes.
  let x = 0, y = 0;
  while (x < na || y < nb) {
    const px = x < na ? ia[x]! : Infinity, py = y < nb ? ib[y]! : Infinity;
    const p = Math.min(px, py);
    const orig = o[p]!;
    const va = px === p ? dA!.after[x++]! : orig;
    const vb = py === p ? dB!.after[y++]! : orig;
    both[orig]!--;
    if (va === vb) both[va]!++;
  }
  both[0] = 0;
  return { a, b, both };
}

/** The name of a label value; values outside the SPIDER convention (an odd original mask) are named by number. */
export function labelName(v: number): string {
  try {
    return labelInfo(v).name;
  } catch {
    return `Label ${v}`;
  }
}

/** LabelAgreement rows for every value > 0 present in A or B, ascending; volumes with `voxelMm3` per voxel. */
export function labelAgreements(c: LabelCounts, voxelMm3: number): LabelAgreement[] {
  const out: LabelAgreement[] = [];
  for (let v = 1; v < 256; v++) {
    const voxelsA = c.a[v]!, voxelsB = c.b[v]!;
    if (voxelsA + voxelsB === 0) continue;
    const intersection = c.both[v]!;
    const volumeAMm3 = voxelsA * voxelMm3, volumeBMm3 = voxelsB * voxelMm3;
    out.push({ value: v, name: labelName(v), voxelsA, voxelsB, intersection, dice: (2 * intersection) / (voxelsA + voxelsB), volumeAMm3, volumeBMm3, volumeDiffMm3: volumeBMm3 - volumeAMm3 });
  }
  return out;
}

// --- summaries --- //

function medianOf(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Per label value over the compared series holding it in A or B: how many, and the Dice mean/median/minimum. */
export function perLabelSummary(series: readonly SeriesAgreement[]): { value: number; name: string; series: number; meanDice: number; medianDice: number; minDice: number }[] {
  const dice = new Map<number, number[]>();
  for (const s of series) {
    for (const l of s.labels) {
      const list = dice.get(l.value);
      if (list) list.push(l.dice);
      else dice.set(l.value, [l.dice]);
    }
  }
  return [...dice.keys()].sort((x, y) => x - y).map((value) => {
    const ds = dice.get(value)!.sort((x, y) => x - y);
    return { value, name: labelName(value), series: ds.length, meanDice: ds.reduce((s, d) => s + d, 0) / ds.length, medianDice: medianOf(ds), minDice: ds[0]! };
  });
}

/** Series counted, differing and skipped; meanDice over every (series, label) pair compared, null when none. */
export function seriesSummary(series: readonly SeriesAgreement[]): { series: number; seriesDiffering: number; seriesSkipped: number; meanDice: number | null } {
  let pairs = 0, sum = 0;
  for (const s of series) for (const l of s.labels) { pairs++; sum += l.dice; }
  return {
    series: series.length,
    seriesDiffering: series.filter((s) => s.differing).length,
    seriesSkipped: series.filter((s) => s.skipped !== null).length,
    meanDice: pairs === 0 ? null : sum / pairs,
  };
}

// --- where two volumes disagree --- //

/** Per label value: voxels of A only / B only, and the disagreeing voxel nearest their centroid (ijk), if any. */
export interface LabelDisagreementCounts {
  onlyA: Float64Array;
  onlyB: Float64Array;
  /** Flat voxel index of the focus per label value, −1 where the label has no disagreeing voxel. */
  focus: Int32Array;
}

/**
 * Walks the voxels where A and B differ (equal 4-voxel words skipped) twice: first the centroid of each label's
 * disagreeing voxels (a voxel labelled L by exactly one of A, B), then per label the disagreeing voxel nearest that
 * centroid in millimetres (`spacing` per index axis; the axes are orthonormal, so this is the world distance).
 * Ties go to the lowest index. `size` is the volume's [i, j, k] extent.
 */
export function disagreements(va: Uint8Array, vb: Uint8Array, size: readonly [number, number, number], spacing: readonly [number, number, number]): LabelDisagreementCounts {
  if (va.length !== vb.length) throw new RangeError(`volumes differ in length: ${va.length} and ${vb.length} voxels`);
  const [nx, ny] = size;
  const nxy = nx * ny;
  const onlyA = new Float64Array(256), onlyB = new Float64Array(256);
  const sum = new Float64Array(256 * 3);
  const wa = words(va), wb = words(vb);
  const start = wa && wb ? wa.length << 2 : 0;
  /** Calls `fn` for every voxel index where A and B differ, ascending. */
  const eachDiffering = (fn: (p: number, x: number, y: number) => void): void => {
    if (wa && wb) {
      for (let k = 0; k < wa.length; k++) {
        if (wa[k] === wb[k]) continue;
        for (let p = k << 2, end = p + 4; p < end; p++) if (va[p] !== vb[p]) fn(p, va[p]!, vb[p]!);
      }
    }
    for (let p = start; p < va.length; p++) if (va[p] !== vb[p]) fn(p, va[p]!, vb[p]!);
  };
  const add = (v: number, p: number): void => {
    const i = p % nx, j = Math.floor(p / nx) % ny, k = Math.floor(p / nxy);
    sum[3 * v]! += i; sum[3 * v + 1]! += j; sum[3 * v + 2]! += k;
  };
  eachDiffering((p, x, y) => {
    if (x !== 0) { onlyA[x]!++; add(x, p); }
    if (y !== 0) { onlyB[y]!++; add(y, p); }
  });
  const focus = new Int32Array(256).fill(-1);
  const best = new Float64Array(256).fill(Infinity);
  const consider = (v: number, p: number): void => {
    const n = onlyA[v]! + onlyB[v]!;
    const di = (p % nx - sum[3 * v]! / n) * spacing[0];
    const dj = ((Math.floor(p / nx) % ny) - sum[3 * v + 1]! / n) * spacing[1];
    const dk = (Math.floor(p / nxy) - sum[3 * v + 2]! / n) * spacing[2];
    const d = di * di + dj * dj + dk * dk;
    if (d < best[v]!) { best[v] = d; focus[v] = p; }
  };
  eachDiffering((p, x, y) => {
    if (x !== 0) consider(x, p);
    if (y !== 0) consider(y, p);
  });
  return { onlyA, onlyB, focus };
}
