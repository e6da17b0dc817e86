// Measurements per disc level from one label volume (issue 15, item 5): disc height index, slip with its Meyerding
// grade, canal A–P diameter at the disc and (with the image) the nucleus-to-CSF signal ratio. Pure: the caller
// supplies the volume, its grid and optionally the image voxels.
//
// Method. SPIDER grids are axis permutations (DATASET.md §4.3), so every level is measured on the sagittal slices
// of the mid-sagittal region (slices within ±3 mm, at least the nearest one, of the disc's left–right centroid).
// In each such slice every structure is reduced to its largest 4-connected component: a stray stroke that does not
// touch the structure does not count at all, and one that touches it moves only the few columns it covers, which
// the medians below ignore. In the slice plane (p = posterior, z = superior, mm) the local spine axis u runs from
// the centroid of the vertebra below the disc to the one above it; heights are column voxel counts × the S–I
// spacing × cos(tilt) (a slab of thickness h tilted by θ is h / cos θ tall), widths row counts × A–P spacing ×
// cos(tilt). Per slice: disc heights = medians over the columns at 5–25 %, 40–60 % and 75–95 % of the disc's A–P
// extent; a vertebra's mid-height = median over its 30–70 % columns; slip = the posterior edge (median over the
// rows at 10–30 % from the endplate next to the disc) of the lower vertebra minus that of the upper one, projected
// on the lower vertebra's superior endplate (a Theil–Sen line through its top voxels); canal diameter = median canal row width over the disc's 35–65 % rows;
// nucleus core = the disc's 30–70 % columns × the middle half of each column; CSF = the middle half of the canal's
// rows at the disc's 35–65 % rows. The level's value is the median over its slices (signal: the pooled means of
// the image minus each slice's minimum; the label pass only plans those voxels, levelMeasuresSignal.ts samples them).
import type { LevelMeasure } from '../../../common/contractLevelMeasures.js';
import { meyerdingGrade } from '../../../common/contractLevelMeasures.js';
import type { Axis, VolumeGeometry } from '../../../common/geometry.js';
import { axisVector } from '../../../common/geometry.js';
import { labelMoments } from '../../../common/labelMoments.js';
import { CANAL_LABEL, DISC_OFFSET, MAX_VERTEBRA_INDEX } from '../../../common/labels.js';
import { applySignal, emptyLevelSignal, sampleInMemory, type ImageVoxels, type SignalPlan } from './levelMeasuresSignal.js';

export type { ImageVoxels } from './levelMeasuresSignal.js';

export interface SeriesLevelMeasures {
  /** Why nothing was measured (oblique grid), else null. */
  skipped: string | null;
  levels: LevelMeasure[];
}

/** Half-width of the mid-sagittal region, mm (at least the slice nearest the disc's centre is used). */
export const MID_SAGITTAL_HALF_MM = 3;

interface Frame {
  lr: Axis;
  ap: Axis;
  si: Axis;
  /** +1 when the A–P index runs towards posterior, +1 when the S–I index runs towards superior. */
  apSign: number;
  siSign: number;
}

/** Which index axis is left–right, antero-posterior and superior–inferior; a reason string for an oblique grid. */
export function sagittalFrame(g: VolumeGeometry): Frame | string {
  const byWorld: (Axis | undefined)[] = [];
  const sign = [0, 0, 0];
  for (const a of [0, 1, 2] as const) {
    const v = axisVector(g, a);
    let c = 0;
    for (const d of [1, 2]) if (Math.abs(v[d]!) > Math.abs(v[c]!)) c = d;
    if (Math.abs(v[c]!) < 0.99) return `oblique grid (axis ${a} is not along L–R, A–P or S–I)`;
    if (byWorld[c] !== undefined) return 'degenerate direction matrix';
    byWorld[c] = a;
    sign[c] = Math.sign(v[c]!);
  }
  return { lr: byWorld[0]!, ap: byWorld[1]!, si: byWorld[2]!, apSign: sign[1]!, siSign: sign[2]! };
}

interface Comp {
  id: number;
  n: number;
  a0: number;
  a1: number;
  s0: number;
  s1: number;
  /** Centroid in slice mm (p posterior, z superior). */
  p: number;
  z: number;
}

/** One sagittal slice: labels, 4-connected components, the largest component of each label. */
interface Slice {
  lab: Uint8Array;
  comp: Int32Array;
  main: (Comp | undefined)[];
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** The measures of every level; with the image (T2 series) also the nucleus/CSF ratio. */
export function measureLevels(seriesId: string, volume: Uint8Array, g: VolumeGeometry, image: ImageVoxels | null = null): SeriesLevelMeasures {
  if (image && image.length !== volume.length) throw new RangeError(`${seriesId}: image has ${image.length} voxels, labels ${volume.length}`);
  const { result, signal } = planLevelMeasures(seriesId, volume, g);
  if (image && signal) applySignal(result.levels, sampleInMemory(signal, image));
  return result;
}

/**
 * The measures of every level from the labels alone (signalRatio null) and, for a T2 series on a sagittal grid,
 * the plan of the voxels its nucleus/CSF ratio needs (levelMeasuresSignal.ts: sample the image, applySignal).
 */
export function planLevelMeasures(seriesId: string, volume: Uint8Array, g: VolumeGeometry): { result: SeriesLevelMeasures; signal: SignalPlan | null } {
  const frame = sagittalFrame(g);
  if (typeof frame === 'string') return { result: { skipped: frame, levels: [] }, signal: null };
  const sequence = seriesId.slice(seriesId.indexOf('_') + 1);
  const { lr, ap, si, apSign, siSign } = frame;
  const size = g.size;
  const stride = [1, size[0], size[0] * size[1]];
  const nA = size[ap];
  const nS = size[si];
  const spA = g.spacing[ap];
  const spS = g.spacing[si];
  const { count, si: sumI, sj: sumJ, sk: sumK } = labelMoments(volume, size);
  const plan: SignalPlan | null = /^t2/i.test(sequence) ? { voxels: volume.length, lrStride: stride[lr]!, lrSize: size[lr], levels: [] } : null;
  const lrCentre = (l: number): number => [sumI, sumJ, sumK][lr]![l]! / count[l]!;
  const pOf = (a: number): number => a * spA * apSign;
  const zOf = (s: number): number => s * spS * siSign;

  const slices = new Map<number, Slice>();
  const sliceAt = (L: number): Slice => {
    let sl = slices.get(L);
    if (!sl) {
      sl = readSlice(L);
      slices.set(L, sl);
    }
    return sl;
  };
  const readSlice = (L: number): Slice => {
    const lab = new Uint8Array(nA * nS);
    for (let s = 0; s < nS; s++) {
      for (let a = 0; a < nA; a++) lab[a + nA * s] = volume[L * stride[lr]! + a * stride[ap]! + s * stride[si]!]!;
    }
    const { comp, main } = components(lab, nA, nS, pOf, zOf);
    return { lab, comp, main };
  };

  // Column / row profiles of a component: its voxels along one line of the slice (index `at(t)`, t from t0 to t1).
  const lineCounts = (sl: Slice, c: Comp, t0: number, t1: number, at: (t: number) => number): { n: number; first: number; last: number } => {
    let n = 0;
    let first = -1;
    let last = -1;
    for (let t = t0; t <= t1; t++) {
      if (sl.comp[at(t)] !== c.id) continue;
      n++;
      if (first < 0) first = t;
      last = t;
    }
    return { n, first, last };
  };
  const colCounts = (sl: Slice, c: Comp, a: number) => lineCounts(sl, c, c.s0, c.s1, (s) => a + nA * s);
  const rowCounts = (sl: Slice, c: Comp, s: number) => lineCounts(sl, c, c.a0, c.a1, (a) => a + nA * s);
  /** Columns from f0 to f1 of the component's A–P extent, measured from its anterior end. */
  const colBand = (c: Comp, f0: number, f1: number): number[] => {
    const at = (f: number): number => (apSign > 0 ? c.a0 + f * (c.a1 - c.a0) : c.a1 - f * (c.a1 - c.a0));
    const lo = Math.round(Math.min(at(f0), at(f1)));
    const hi = Math.round(Math.max(at(f0), at(f1)));
    const out: number[] = [];
    for (let a = lo; a <= hi; a++) out.push(a);
    return out;
  };
  /** Rows from f0 to f1 of the component's S–I extent, from its inferior end (`fromTop`: from its superior end). */
  const rowBand = (c: Comp, f0: number, f1: number, fromTop = false): number[] => {
    const up = (siSign > 0) !== fromTop;
    const at = (f: number): number => (up ? c.s0 + f * (c.s1 - c.s0) : c.s1 - f * (c.s1 - c.s0));
    const lo = Math.round(Math.min(at(f0), at(f1)));
    const hi = Math.round(Math.max(at(f0), at(f1)));
    const out: number[] = [];
    for (let s = lo; s <= hi; s++) out.push(s);
    return out;
  };
  const heightOf = (sl: Slice, c: Comp, f0: number, f1: number, cos: number): number | null => {
    const m = median(colBand(c, f0, f1).map((a) => colCounts(sl, c, a).n).filter((n) => n > 0));
    return m === null ? null : m * spS * cos;
  };

  const levels: LevelMeasure[] = [];
  for (let k = 1; k <= MAX_VERTEBRA_INDEX; k++) {
    const disc = DISC_OFFSET + k;
    if (count[disc]! === 0) continue;
    const notes = new Set<string>();
    const centre = lrCentre(disc);
    const half = Math.max(MID_SAGITTAL_HALF_MM / g.spacing[lr], 0.5);
    const from = Math.max(0, Math.ceil(centre - half - 1e-9));
    const to = Math.min(size[lr] - 1, Math.floor(centre + half + 1e-9));
    const per = { a: [] as number[], m: [] as number[], p: [] as number[], vert: [] as number[], slip: [] as number[], pct: [] as number[], canal: [] as number[] };
    const signal = emptyLevelSignal();
    const voxelOf = (L: number, a: number, s: number): number => L * stride[lr]! + a * stride[ap]! + s * stride[si]!;
    let slipVoxel = spA;
    for (let L = from; L <= Math.max(from, to); L++) {
      const sl = sliceAt(L);
      const d = sl.main[disc];
      if (!d) continue;
      const up = sl.main[k];
      const low = k >= 2 ? sl.main[k - 1] : undefined;
      const above = k < MAX_VERTEBRA_INDEX ? sl.main[k + 1] : undefined;
      // Local spine axis in the slice plane, pointing superior.
      let u: [number, number] = [0, 1];
      const [q0, q1] = low && up ? [low, up] : up && above ? [up, above] : [undefined, undefined];
      if (q0 && q1) {
        const n = Math.hypot(q1.p - q0.p, q1.z - q0.z);
        if (n > 1e-6) u = [(q1.p - q0.p) / n, (q1.z - q0.z) / n];
      }
      if (u[1] < 0) u = [-u[0], -u[1]];
      const cos = Math.max(u[1], 0.2);
      const hA = heightOf(sl, d, 0.05, 0.25, cos);
      const hM = heightOf(sl, d, 0.4, 0.6, cos);
      const hP = heightOf(sl, d, 0.75, 0.95, cos);
      if (hA !== null && hM !== null && hP !== null) {
        per.a.push(hA);
        per.m.push(hM);
        per.p.push(hP);
        const vs = [up, low].filter((c): c is Comp => c !== undefined).map((c) => heightOf(sl, c, 0.3, 0.7, cos)).filter((h): h is number => h !== null);
        if (vs.length > 0) per.vert.push(vs.reduce((x, y) => x + y, 0) / vs.length);
      }
      if (up && low) {
        // The lower vertebra's superior endplate: Theil–Sen line z = α + β p through the top voxel of its 20–80 %
        // columns (robust to a few odd columns). The slip is measured along that line, pointing posterior.
        const tops = colBand(low, 0.2, 0.8)
          .map((a) => ({ a, c: colCounts(sl, low, a) }))
          .filter((x) => x.c.n > 0)
          .map((x) => [pOf(x.a), zOf(siSign > 0 ? x.c.last : x.c.first)] as const);
        const slopes: number[] = [];
        for (let i = 0; i < tops.length; i++) {
          for (let j = i + 1; j < tops.length; j++) {
            const dp = tops[j]![0] - tops[i]![0];
            if (dp !== 0) slopes.push((tops[j]![1] - tops[i]![1]) / dp);
          }
        }
        const beta = median(slopes) ?? 0;
        const norm = Math.hypot(1, beta);
        const we: [number, number] = [1 / norm, beta / norm];
        const edge = (c: Comp, fromTop: boolean): { p: number; z: number; width: number } | null => {
          const rows = rowBand(c, 0.1, 0.3, fromTop).map((s) => ({ s, r: rowCounts(sl, c, s) })).filter((x) => x.r.n > 0);
          const post = median(rows.map((x) => pOf(apSign > 0 ? x.r.last : x.r.first)));
          const z = median(rows.map((x) => zOf(x.s)));
          const width = median(rows.map((x) => x.r.n));
          return post === null || z === null || width === null ? null : { p: post, z, width: width * spA * we[0] };
        };
        const eUp = edge(up, false);
        const eLow = edge(low, true);
        if (eUp && eLow) {
          const slip = (eLow.p - eUp.p) * we[0] + (eLow.z - eUp.z) * we[1];
          per.slip.push(slip);
          per.pct.push((Math.abs(slip) / eLow.width) * 100);
          slipVoxel = spA * we[0];
        }
      }
      const canal = sl.main[CANAL_LABEL];
      const midRows = rowBand(d, 0.35, 0.65);
      if (canal) {
        const widths = midRows.map((s) => rowCounts(sl, canal, s).n).filter((n) => n > 0);
        const cw = median(widths);
        if (cw !== null) per.canal.push(cw * spA * cos);
      }
      if (plan && canal) {
        for (const a of colBand(d, 0.3, 0.7)) {
          const c = colCounts(sl, d, a);
          if (c.n === 0) continue;
          const lo = Math.min(c.first, c.last);
          const span = Math.abs(c.last - c.first);
          for (let s = Math.ceil(lo + 0.25 * span); s <= Math.floor(lo + 0.75 * span); s++) {
            if (sl.comp[a + nA * s] !== d.id) continue;
            signal.nucleus.push(voxelOf(L, a, s));
            signal.nucleusSlice.push(L);
          }
        }
        for (const s of midRows) {
          const r = rowCounts(sl, canal, s);
          if (r.n === 0) continue;
          const span = r.last - r.first;
          for (let a = Math.ceil(r.first + 0.25 * span); a <= Math.floor(r.first + 0.75 * span); a++) {
            if (sl.comp[a + nA * s] !== canal.id) continue;
            signal.csf.push(voxelOf(L, a, s));
            signal.csfSlice.push(L);
          }
        }
      }
    }
    const hA = median(per.a);
    const hM = median(per.m);
    const hP = median(per.p);
    const vert = median(per.vert);
    if (hA === null) notes.add('disc not measurable in the mid-sagittal slices');
    else if (vert === null) notes.add('no adjacent vertebra in the mid-sagittal slices');
    const slip = median(per.slip);
    const pct = median(per.pct);
    if (slip === null) notes.add(k === 1 ? 'no slip at L5/S1 (the sacrum is not labelled)' : 'no slip: both adjacent vertebrae are needed');
    const canal = median(per.canal);
    if (canal === null) notes.add('no canal at this level');
    plan?.levels.push(signal);
    levels.push({
      seriesId,
      sequence,
      ivdLabel: k,
      discHeightMm: hA !== null && hM !== null && hP !== null ? { anterior: round(hA, 2), middle: round(hM, 2), posterior: round(hP, 2) } : null,
      vertebraHeightMm: vert === null ? null : round(vert, 2),
      dhi:
        hA !== null && hM !== null && hP !== null && vert !== null && vert > 0
          ? { anterior: round(hA / vert, 3), middle: round(hM / vert, 3), posterior: round(hP / vert, 3), mean: round((hA + hM + hP) / 3 / vert, 3) }
          : null,
      slipMm: slip === null ? null : round(slip, 2),
      slipPercent: pct === null ? null : round(pct, 1),
      // Under one in-plane voxel a slip is not measured: grade 0.
      meyerding: slip === null || pct === null ? null : Math.abs(slip) < slipVoxel ? 0 : meyerdingGrade(slip > 0 ? pct : -pct),
      canalApMm: canal === null ? null : round(canal, 2),
      signalRatio: null,
      notes: [...notes],
    });
  }
  return { result: { skipped: null, levels }, signal: plan };
}

/** 4-connected components of equal non-zero labels in one slice, and the largest component of each label. */
function components(
  lab: Uint8Array,
  nA: number,
  nS: number,
  pOf: (a: number) => number,
  zOf: (s: number) => number,
): { comp: Int32Array; main: (Comp | undefined)[] } {
  const comp = new Int32Array(lab.length);
  const main: (Comp | undefined)[] = [];
  const stack = new Int32Array(lab.length);
  let next = 0;
  for (let start = 0; start < lab.length; start++) {
    const l = lab[start]!;
    if (l === 0 || comp[start] !== 0) continue;
    const id = ++next;
    comp[start] = id;
    let top = 0;
    stack[top++] = start;
    const c: Comp = { id, n: 0, a0: nA, a1: -1, s0: nS, s1: -1, p: 0, z: 0 };
    let sa = 0;
    let ss = 0;
    while (top > 0) {
      const v = stack[--top]!;
      const a = v % nA;
      const s = (v - a) / nA;
      c.n++;
      sa += a;
      ss += s;
      if (a < c.a0) c.a0 = a;
      if (a > c.a1) c.a1 = a;
      if (s < c.s0) c.s0 = s;
      if (s > c.s1) c.s1 = s;
      if (a > 0 && lab[v - 1] === l && comp[v - 1] === 0) { comp[v - 1] = id; stack[top++] = v - 1; }
      if (a < nA - 1 && lab[v + 1] === l && comp[v + 1] === 0) { comp[v + 1] = id; stack[top++] = v + 1; }
      if (s > 0 && lab[v - nA] === l && comp[v - nA] === 0) { comp[v - nA] = id; stack[top++] = v - nA; }
      if (s < nS - 1 && lab[v + nA] === l && comp[v + nA] === 0) { comp[v + nA] = id; stack[top++] = v + nA; }
    }
    c.p = pOf(sa / c.n);
    c.z = zOf(ss / c.n);
    const best = main[l];
    if (!best || c.n > best.n) main[l] = c;
  }
  return { comp, main };
}
