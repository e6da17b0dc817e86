// Per-series label checks (issue 14 item 1) on one label volume and its geometry. Pure: no I/O.
// Conventions (common/labels.ts): vertebra n = 1..25 counted from the bottom (1 = L5), partial vertebra 100 + n,
// canal 100, disc 200 + n = the disc directly BELOW vertebra n (201 = L5/S1, between vertebra 1 and the
// unlabelled sacrum). So disc 200 + n lies between vertebrae n - 1 and n and touches both (only n for 201).
// Every position is judged along the spine axis computed from the vertebra centroids in world space.
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { axisVector, indexToWorld, worldToIndex } from '../../../common/geometry.js';
import {
  CANAL_LABEL,
  DISC_OFFSET,
  isDisc,
  isKnownLabel,
  isPartialVertebra,
  isVertebra,
  labelInfo,
  PARTIAL_VERTEBRA_OFFSET,
} from '../../../common/labels.js';
import type { PixelArray } from '../mha/index.js';
import { along, distanceToCurve, principalAxis } from './geometry.js';
import { contactCount, scanVolume, type Component, type LabelScan, type VolumeScan } from './scan.js';
import type { QaFinding, QaSeverity, SeriesQaSummary } from './types.js';

export interface SeriesInput {
  seriesId: string;
  patientId?: number;
  sequence?: string;
  geometry: VolumeGeometry;
  data: PixelArray;
}

export interface SeriesResult {
  findings: QaFinding[];
  summary: SeriesQaSummary;
}

/** A part is an "island" finding of severity error from this fraction of the structure's largest part. */
export const SPLIT_FRACTION = 0.1;
/** Islands listed per label; the rest are counted in one more finding. */
export const MAX_ISLANDS_LISTED = 20;
/** A part is far from the spine beyond this many vertebra radii (equivalent-sphere radius of the median vertebra). */
export const FAR_RADII = 2;

const name = (v: number): string => {
  try {
    return `${v} (${labelInfo(v).name})`;
  } catch {
    return String(v);
  }
};
const round3 = (p: Vec3): Vec3 => [Math.round(p[0]), Math.round(p[1]), Math.round(p[2])];
const r1 = (p: Vec3): Vec3 => [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10, Math.round(p[2] * 10) / 10];
const mean = (sum: Vec3, n: number): Vec3 => [sum[0] / n, sum[1] / n, sum[2] / n];

/** Runs every per-series check on one label volume. */
export function checkSeries(input: SeriesInput): SeriesResult {
  const scan = scanVolume(input.data, input.geometry.size);
  return checkScan(input, scan);
}

interface Ctx {
  input: Omit<SeriesInput, 'data'>;
  scan: VolumeScan;
  g: VolumeGeometry;
  findings: QaFinding[];
  byValue: Map<number, LabelScan>;
  centroidIjk: Map<number, Vec3>;
  centroidWorld: Map<number, Vec3>;
}

/** The per-series checks on the voxel pass of a series' labels (the voxels themselves are not needed again). */
export function checkScan(input: Omit<SeriesInput, 'data'>, scan: VolumeScan): SeriesResult {
  const g = input.geometry;
  const ctx: Ctx = { input, scan, g, findings: [], byValue: new Map(), centroidIjk: new Map(), centroidWorld: new Map() };
  for (const l of scan.labels) {
    ctx.byValue.set(l.value, l);
    const c = mean(l.sum, l.voxels);
    ctx.centroidIjk.set(l.value, c);
    ctx.centroidWorld.set(l.value, indexToWorld(g, c));
  }
  const voxelVolume = g.spacing[0] * g.spacing[1] * g.spacing[2];
  const summary: SeriesQaSummary = {
    seriesId: input.seriesId,
    patientId: input.patientId ?? 0,
    sequence: input.sequence ?? '',
    voxelVolume,
    labels: scan.labels.map((l) => ({ value: l.value, voxels: l.voxels, centroidIjk: r1(ctx.centroidIjk.get(l.value)!), centroidWorld: r1(ctx.centroidWorld.get(l.value)!) })),
  };
  checkUnknown(ctx);
  const levels = levelMap(ctx);
  checkLevels(ctx, levels);
  const axis = principalAxis([...levels.values()].map((v) => ctx.centroidWorld.get(v)!));
  checkOrder(ctx, levels, axis);
  checkDiscs(ctx, levels, axis);
  checkIslands(ctx);
  checkCanal(ctx, levels, axis);
  checkFarFromSpine(ctx, levels, axis, voxelVolume);
  return { findings: ctx.findings, summary };
}

function add(ctx: Ctx, code: QaFinding['code'], severity: QaSeverity, labels: number[], message: string, at?: Vec3): void {
  const f: QaFinding = { code, severity, seriesId: ctx.input.seriesId, labels, message };
  if (ctx.input.patientId !== undefined) f.patientId = ctx.input.patientId;
  if (at) {
    f.ijk = round3(at);
    f.world = r1(indexToWorld(ctx.g, f.ijk));
  }
  ctx.findings.push(f);
}

function checkUnknown(ctx: Ctx): void {
  for (const l of ctx.scan.labels) {
    if (Number.isInteger(l.value) && isKnownLabel(l.value)) continue;
    add(ctx, 'unknown_label', 'error', [l.value], `value ${l.value} (${l.voxels} voxels) is not a SPIDER label`, ctx.centroidIjk.get(l.value));
  }
}

/** Vertebra index n -> the mask value that carries it (n, or 100 + n when only partial). */
function levelMap(ctx: Ctx): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of ctx.scan.labels) {
    if (isVertebra(l.value)) out.set(l.value, l.value);
  }
  for (const l of ctx.scan.labels) {
    if (!isPartialVertebra(l.value)) continue;
    const n = l.value - PARTIAL_VERTEBRA_OFFSET;
    if (out.has(n)) {
      add(ctx, 'duplicate_level', 'error', [n, l.value], `vertebra ${n} is labelled both whole (${n}) and partial (${l.value})`, ctx.centroidIjk.get(l.value));
    } else out.set(n, l.value);
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

function checkLevels(ctx: Ctx, levels: Map<number, number>): void {
  const idx = [...levels.keys()];
  if (idx.length === 0) return;
  const lo = idx[0]!, hi = idx[idx.length - 1]!;
  for (let n = lo + 1; n < hi; n++) {
    if (levels.has(n)) continue;
    let below = n - 1;
    while (!levels.has(below)) below--;
    let above = n + 1;
    while (!levels.has(above)) above++;
    add(ctx, 'level_gap', 'error', [n], `vertebra ${name(n)} is missing between ${name(levels.get(below)!)} and ${name(levels.get(above)!)}: levels are not consecutive`);
  }
  for (const [n, v] of levels) {
    if (v === n || n === lo || n === hi) continue;
    add(ctx, 'partial_not_at_end', 'error', [v], `partial vertebra ${name(v)} lies between levels ${lo} and ${hi}: only the lowest or highest level may be partial`, ctx.centroidIjk.get(v));
  }
}

function checkOrder(ctx: Ctx, levels: Map<number, number>, axis: Vec3): void {
  const list = [...levels.entries()];
  for (let x = 0; x + 1 < list.length; x++) {
    const [, va] = list[x]!, [, vb] = list[x + 1]!;
    const pa = along(ctx.centroidWorld.get(va)!, axis), pb = along(ctx.centroidWorld.get(vb)!, axis);
    if (pa < pb) continue;
    add(ctx, 'level_order', 'error', [va, vb], `vertebra ${name(va)} lies ${(pa - pb).toFixed(1)} mm above vertebra ${name(vb)} along the spine: numbering out of order (swapped labels?)`, ctx.centroidIjk.get(va));
  }
}

function checkDiscs(ctx: Ctx, levels: Map<number, number>, axis: Vec3): void {
  for (const l of ctx.scan.labels) {
    if (!isDisc(l.value)) continue;
    const n = l.value - DISC_OFFSET;
    const at = ctx.centroidIjk.get(l.value)!;
    const pd = along(ctx.centroidWorld.get(l.value)!, axis);
    const upper = levels.get(n);
    const lower = n > 1 ? levels.get(n - 1) : undefined;
    if (upper === undefined) {
      add(ctx, 'disc_without_vertebra', 'warning', [l.value], `disc ${name(l.value)} has no vertebra ${n} above it`, at);
    }
    for (const v of [lower, upper]) {
      if (v === undefined) continue;
      if (contactCount(ctx.scan, l.value, v) === 0) {
        add(ctx, 'disc_not_touching', 'error', [l.value, v], `disc ${name(l.value)} does not touch vertebra ${name(v)}`, at);
      }
    }
    const pu = upper === undefined ? Infinity : along(ctx.centroidWorld.get(upper)!, axis);
    const pl = lower === undefined ? -Infinity : along(ctx.centroidWorld.get(lower)!, axis);
    if (!(pd > pl && pd < pu)) {
      const what = lower === undefined ? `below vertebra ${name(upper!)}` : upper === undefined ? `above vertebra ${name(lower)}` : `between vertebrae ${name(lower)} and ${name(upper)}`;
      const labels = [l.value, ...(lower === undefined ? [] : [lower]), ...(upper === undefined ? [] : [upper])];
      add(ctx, 'disc_position', 'error', labels, `disc ${name(l.value)} is not ${what} along the spine`, at);
    }
  }
}

function checkIslands(ctx: Ctx): void {
  for (const l of ctx.scan.labels) {
    if (l.components.length < 2) continue;
    const main = l.components[0]!;
    const parts = l.components.length;
    l.components.slice(1, 1 + MAX_ISLANDS_LISTED).forEach((c: Component) => {
      const split = c.voxels >= SPLIT_FRACTION * main.voxels;
      const msg = split
        ? `${name(l.value)} is split: a part of ${c.voxels} voxels apart from the main part of ${main.voxels} (${parts} parts)`
        : `island of ${c.voxels} voxels labelled ${name(l.value)} apart from its main part of ${main.voxels} voxels`;
      add(ctx, 'island', split ? 'error' : 'warning', [l.value], msg, mean(c.sum, c.voxels));
    });
    const more = parts - 1 - MAX_ISLANDS_LISTED;
    if (more > 0) add(ctx, 'island', 'warning', [l.value], `${more} more islands labelled ${name(l.value)} not listed`);
  }
}

/** Largest extent (mm) of one voxel along `axis`. */
function stepAlong(g: VolumeGeometry, axis: Vec3): number {
  let s = 0;
  for (const a of [0, 1, 2] as const) s = Math.max(s, Math.abs(along(axisVector(g, a), axis)) * g.spacing[a]);
  return s;
}

function checkCanal(ctx: Ctx, levels: Map<number, number>, axis: Vec3): void {
  if (levels.size < 2) return;
  const g = ctx.g;
  const curve = [...levels.values()].map((v) => ctx.centroidWorld.get(v)!);
  const lo = along(curve[0]!, axis), hi = along(curve[curve.length - 1]!, axis);
  if (!ctx.byValue.has(CANAL_LABEL)) {
    add(ctx, 'canal_missing', 'warning', [CANAL_LABEL], `no canal (${CANAL_LABEL}) although ${levels.size} vertebrae are labelled`);
    return;
  }
  if (!(hi > lo)) return;
  const bin = Math.max(1, 1.5 * stepAlong(g, axis));
  const bins = new Uint8Array(Math.ceil((hi - lo) / bin) + 1);
  const c0 = along(g.origin, axis);
  const ci = along(axisVector(g, 0), axis) * g.spacing[0];
  const cj = along(axisVector(g, 1), axis) * g.spacing[1];
  const ck = along(axisVector(g, 2), axis) * g.spacing[2];
  const runs = ctx.scan.runsOf(CANAL_LABEL);
  // Runs along i (rows j + ny·k) or along j (rows i + nx·k); the position of voxel (i, j, k) is summed in the
  // same order either way (bins at the edge of a bin must not depend on the run axis).
  const alongI = runs.axis === 0;
  const width = alongI ? g.size[1] : g.size[0];
  for (let r = 0; r < runs.count; r++) {
    const row = runs.row[r]!;
    const a = row % width, k = (row - a) / width;
    if (alongI) {
      const base = c0 + a * cj + k * ck - lo;
      for (let i = runs.start[r]!; i <= runs.end[r]!; i++) {
        const b = Math.floor((base + i * ci) / bin);
        if (b >= 0 && b < bins.length) bins[b] = 1;
      }
    } else {
      const ai = a * ci;
      for (let j = runs.start[r]!; j <= runs.end[r]!; j++) {
        const b = Math.floor((c0 + j * cj + k * ck - lo + ai) / bin);
        if (b >= 0 && b < bins.length) bins[b] = 1;
      }
    }
  }
  for (let b = 0; b < bins.length; b++) {
    if (bins[b]) continue;
    let e = b;
    while (e + 1 < bins.length && !bins[e + 1]) e++;
    const from = lo + b * bin, to = Math.min(hi, lo + (e + 1) * bin);
    const where = pointOnCurve(curve, axis, (from + to) / 2);
    add(ctx, 'canal_gap', 'error', [CANAL_LABEL], `the canal is interrupted over ${(to - from).toFixed(1)} mm along the spine between the labelled levels`, worldToIndex(g, where));
    b = e;
  }
}


/** The point of the polyline `curve` at position `t` along `axis` (linear between neighbouring points). */
function pointOnCurve(curve: readonly Vec3[], axis: Vec3, t: number): Vec3 {
  for (let s = 0; s + 1 < curve.length; s++) {
    const a = curve[s]!, b = curve[s + 1]!;
    const ta = along(a, axis), tb = along(b, axis);
    if (t >= Math.min(ta, tb) && t <= Math.max(ta, tb) && ta !== tb) {
      const u = (t - ta) / (tb - ta);
      return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
    }
  }
  return curve[0]!;
}

function checkFarFromSpine(ctx: Ctx, levels: Map<number, number>, axis: Vec3, voxelVolume: number): void {
  const full = [...levels.values()].filter((v) => isVertebra(v));
  if (full.length < 2) return;
  const vols = full.map((v) => ctx.byValue.get(v)!.voxels * voxelVolume).sort((a, b) => a - b);
  const median = vols[Math.floor(vols.length / 2)]!;
  const limit = FAR_RADII * Math.cbrt((3 * median) / (4 * Math.PI));
  const curve = [...levels.values()].map((v) => ctx.centroidWorld.get(v)!).sort((a, b) => along(a, axis) - along(b, axis));
  const reach = (along(curve[curve.length - 1]!, axis) - along(curve[0]!, axis)) / (curve.length - 1);
  for (const l of ctx.scan.labels) {
    if (!isKnownLabel(l.value)) continue;
    for (const c of l.components.slice(0, 1 + MAX_ISLANDS_LISTED)) {
      const at = mean(c.sum, c.voxels);
      const d = distanceToCurve(indexToWorld(ctx.g, at), curve, axis, reach);
      if (d <= limit) continue;
      add(ctx, 'far_from_spine', 'error', [l.value], `${c.voxels} voxels labelled ${name(l.value)} lie ${d.toFixed(0)} mm from the spine (limit ${limit.toFixed(0)} mm): outside the spine's body region`, at);
    }
  }
}
