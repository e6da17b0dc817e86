// Shared machinery of the fuzz suite (issue 11, item 10): seeded per-case random sources (the sample generator's
// PRNG), outcome classification (a correct result, a typed AppError, or a failure: an untyped or 'internal' error,
// or a hang past the per-case timeout), a failure log that prints reproducible cases, folder hashing, the store's
// integrity check and a tiny SPIDER-layout dataset written with the project's own MetaImage writer.
//
// Reproducing a case: SPINE_FUZZ_SEED=<seed> SPINE_FUZZ_CASE=<index>[,<index>…] npx vitest run tests/fuzz/<file>
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, ERROR_CODES } from '../../common/errors.js';
import type { Vec3, VolumeGeometry } from '../../common/geometry.js';
import { GRADINGS_HEADER } from '../../common/gradings.js';
import { encodeMetaImage, pixelArrayFor, type PixelType } from '../../main/core/mha/index.js';
import { gradingsCsv, OVERVIEW_HEADER, overviewRow, toCsv, type GradingRow } from '../../main/core/sample/csv.js';
import type { SeriesTemplate } from '../../main/core/sample/plan.js';
import { createRandom } from '../../main/core/sample/random.js';

/** The seed of every fuzz target; a case's generator is seeded with `${seed}:${target}:${index}`. */
export const FUZZ_SEED = process.env.SPINE_FUZZ_SEED ?? 'issue-11';

/** Most a single operation of a case may take before it counts as a hang (2-core machines, other tests running). */
export const CASE_TIMEOUT_MS = 5_000;

/** Case indices to run: 0 … count-1, or only those listed in SPINE_FUZZ_CASE (comma-separated) to reproduce one. */
export function caseIndices(count: number): number[] {
  const only = process.env.SPINE_FUZZ_CASE;
  if (only) return only.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n >= 0);
  return Array.from({ length: count }, (_, i) => i);
}

/** True when the run is a reproduction of chosen cases (counts are then not checked, each case is printed). */
export const REPRODUCING = Boolean(process.env.SPINE_FUZZ_CASE);

/** Prints what a case fed in when reproducing chosen cases. */
export function trace(target: string, index: number, input: string, ms: number): void {
  if (REPRODUCING) console.log(`${target} case ${index} (${Math.round(ms)} ms): ${input}`);
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  bytes(n: number): Buffer;
}

export function caseRng(target: string, index: number): Rng {
  const next = createRandom(`${FUZZ_SEED}:${target}:${index}`);
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    pick: <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!,
    chance: (p) => next() < p,
    bytes: (n) => {
      const b = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) b[i] = int(0, 255);
      return b;
    },
  };
}

// --- outcomes --- //

export type Outcome<T> =
  | { kind: 'ok'; value: T; ms: number }
  | { kind: 'typed'; error: AppError; ms: number }
  | { kind: 'untyped'; detail: string; ms: number }
  | { kind: 'hang'; ms: number };

const KNOWN_CODES = new Set<string>(ERROR_CODES.filter((c) => c !== 'internal'));

function untypedDetail(err: unknown): string {
  if (err instanceof AppError) {
    const cause = err.cause instanceof Error ? ` (cause ${err.cause.name}: ${err.cause.message})` : '';
    return `AppError '${err.code}': ${err.message}${cause}`;
  }
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `thrown ${typeof err}: ${String(err)}`;
}

/**
 * Runs `fn` with a deadline. A typed error is an AppError whose code is one of common/errors.ts except 'internal'
 * (which means "a bug"); anything else thrown is untyped. A hang leaves the promise running and reports it.
 */
export async function attempt<T>(fn: () => T | Promise<T>, timeoutMs = CASE_TIMEOUT_MS): Promise<Outcome<T>> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'hang'>((ok) => {
    timer = setTimeout(() => ok('hang'), timeoutMs);
  });
  try {
    const work = (async () => fn())();
    work.catch(() => undefined); // a late rejection after a hang is not an unhandled rejection
    const r = await Promise.race([work.then((value) => ({ value })), deadline]);
    const ms = performance.now() - t0;
    if (r === 'hang') return { kind: 'hang', ms };
    return { kind: 'ok', value: r.value, ms };
  } catch (err) {
    const ms = performance.now() - t0;
    if (err instanceof AppError && KNOWN_CODES.has(err.code)) return { kind: 'typed', error: err, ms };
    return { kind: 'untyped', detail: untypedDetail(err), ms };
  } finally {
    clearTimeout(timer);
  }
}

/** One line for an outcome: "ok", "typed invalid_file/truncated", "untyped RangeError: …", "hang after 5000 ms". */
export function describe(o: Outcome<unknown>): string {
  switch (o.kind) {
    case 'ok':
      return 'ok';
    case 'typed': {
      const problem = (o.error as AppError & { problem?: string }).problem;
      return `typed ${o.error.code}${problem ? `/${problem}` : ''}: ${o.error.message.slice(0, 160)}`;
    }
    case 'untyped':
      return `UNTYPED ${o.detail.slice(0, 300)}`;
    case 'hang':
      return `HANG after ${Math.round(o.ms)} ms`;
  }
}

/** A short label of an outcome for the statistics: "ok", "invalid_file/truncated", "UNTYPED", "HANG". */
export function outcomeLabel(o: Outcome<unknown>): string {
  if (o.kind === 'ok') return 'ok';
  if (o.kind === 'typed') {
    const problem = (o.error as AppError & { problem?: string }).problem;
    return problem && problem !== o.error.code ? `${o.error.code}/${problem}` : o.error.code;
  }
  return o.kind === 'hang' ? 'HANG' : 'UNTYPED';
}

/** A failure outcome (untyped or hang) as a short string, or null for ok / typed. */
export function badOutcome(o: Outcome<unknown>): string | null {
  return o.kind === 'untyped' || o.kind === 'hang' ? describe(o) : null;
}

// --- failures --- //

export interface Failure {
  case: number;
  /** What the case fed in (the mutations applied). */
  input: string;
  /** Stable category, e.g. "openSeries: untyped error". */
  kind: string;
  detail: string;
}

/** Collects the failures of one fuzz target, per property, and prints them as reproducible cases. */
export class FailureLog {
  readonly byProperty = new Map<string, Failure[]>();
  cases = 0;
  startedAt = performance.now();
  elapsedMs = 0;

  /** Outcome counts per group (what the cases exercised), saved with the failures. */
  readonly stats = new Map<string, Map<string, number>>();

  constructor(readonly target: string, readonly file: string) {}

  count(group: string, key: string): void {
    const g = this.stats.get(group) ?? new Map<string, number>();
    g.set(key, (g.get(key) ?? 0) + 1);
    this.stats.set(group, g);
  }

  add(property: string, f: Failure): void {
    const list = this.byProperty.get(property) ?? [];
    list.push(f);
    this.byProperty.set(property, list);
  }

  failures(property: string): Failure[] {
    return this.byProperty.get(property) ?? [];
  }

  /** Failures of one property grouped by kind: count, then the first cases of each kind with how to rerun them. */
  summary(property: string): string {
    const list = this.failures(property);
    if (list.length === 0) return `${property}: no failures`;
    const groups = new Map<string, Failure[]>();
    for (const f of list) groups.set(f.kind, [...(groups.get(f.kind) ?? []), f]);
    const lines = [`${property}: ${list.length} failing case(s) of ${this.cases} (seed ${JSON.stringify(FUZZ_SEED)})`];
    for (const [kind, fs] of groups) {
      lines.push(`  ${fs.length} × ${kind} — cases ${fs.slice(0, 12).map((f) => f.case).join(', ')}${fs.length > 12 ? ', …' : ''}`);
      for (const f of fs.slice(0, 2)) lines.push(`      case ${f.case} [${f.input.slice(0, 200)}]: ${f.detail.slice(0, 400)}`);
    }
    lines.push(`  rerun one: SPINE_FUZZ_SEED=${FUZZ_SEED} SPINE_FUZZ_CASE=${list[0]!.case} npx vitest run ${this.file}`);
    return lines.join('\n');
  }

  /** Writes every failure to test-results/fuzz/<target>.json (git-ignored), for the record. */
  save(): void {
    const out = join(REPO_ROOT, 'test-results', 'fuzz', `${this.target}.json`);
    mkdirSync(dirname(out), { recursive: true });
    const doc = {
      target: this.target,
      seed: FUZZ_SEED,
      cases: this.cases,
      elapsedSeconds: Math.round(this.elapsedMs / 100) / 10,
      stats: Object.fromEntries([...this.stats].map(([g, m]) => [g, Object.fromEntries([...m].sort((a, b) => b[1] - a[1]))])),
      failures: Object.fromEntries(this.byProperty),
    };
    writeFileSync(out, JSON.stringify(doc, null, 1));
  }
}

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// --- files --- //

/** Every file under `dir` with its SHA-256 (sorted by path): equal maps mean nothing was added, removed or changed. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** The names of the entries that differ between two hashTree maps. */
export function treeDiff(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}

/** `PRAGMA integrity_check` of an annotation store file, opened read-only: 'ok' or SQLite's complaint. */
export function storeIntegrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

// --- a tiny SPIDER-layout dataset --- //

type Mat3 = VolumeGeometry['direction'];

const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];
const PIR: Mat3 = [0, 1, 0, 0, 0, -1, -1, 0, 0];

/** Group A (identity, LPS) or group B (PIR) grid of a few voxels per axis; the S–I axis is long enough for 3 discs. */
export function tinyGrid(group: 'A' | 'B', lr = 4, ap = 5, si = 9): VolumeGeometry {
  if (group === 'A') return { size: [lr, ap, si], spacing: [3.3, 0.625, 0.5006], origin: [-10.5, 20.25, -30], direction: [...IDENTITY] };
  return { size: [ap, si, lr], spacing: [0.46875, 0.46875, 0.9], origin: [5, -6.5, 7], direction: [...PIR] };
}

/** Index of the superior–inferior axis of a tiny grid and whether index 0 is inferior. */
function siAxis(g: VolumeGeometry): { axis: 0 | 1 | 2; upward: boolean } {
  for (const a of [0, 1, 2] as const) {
    const z = g.direction[3 * a + 2]!;
    if (Math.abs(z) > 0.5) return { axis: a, upward: z > 0 };
  }
  return { axis: 2, upward: true };
}

/**
 * SPIDER labels on a grid, bottom up along S–I: vertebra 1, disc 201, vertebra 2, disc 202, vertebra 3, disc 203,
 * vertebra 4; the canal (100) in the posterior column of every other slab. Vertebrae and discs span the whole slab.
 */
export function spiderLabels(g: VolumeGeometry): Int16Array {
  const [nx, ny, nz] = g.size;
  const out = new Int16Array(nx * ny * nz);
  const { axis, upward } = siAxis(g);
  const n = g.size[axis];
  const order = [1, 201, 2, 202, 3, 203, 4];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const ijk = [i, j, k] as Vec3;
        const s = upward ? ijk[axis] : n - 1 - ijk[axis];
        const slab = Math.min(order.length - 1, Math.floor((s * order.length) / n));
        out[i + nx * (j + ny * k)] = i === nx - 1 && slab % 2 === 0 ? 100 : order[slab]!;
      }
    }
  }
  return out;
}

/** An image volume of `pixelType` with a deterministic pattern (signed types include negatives). */
export function patternImage(g: VolumeGeometry, pixelType: PixelType, salt = 0): ReturnType<typeof pixelArrayFor> {
  const n = g.size[0] * g.size[1] * g.size[2];
  const data = pixelArrayFor(pixelType, n);
  const signed = pixelType.startsWith('int') || pixelType.startsWith('float');
  for (let i = 0; i < n; i++) {
    const v = ((i * 37 + salt * 11) % 200) + (signed ? -50 : 0);
    data[i] = pixelType.startsWith('float') ? v + 0.25 : v;
  }
  return data;
}

/** The .mha bytes (project writer) of an image or a mask on `g`. */
export function imageBytes(g: VolumeGeometry, pixelType: PixelType, compress: boolean, salt = 0): Buffer {
  return encodeMetaImage({ geometry: g, pixelType, data: patternImage(g, pixelType, salt) }, { compress });
}
export function maskBytes(g: VolumeGeometry, compress = true): Buffer {
  return encodeMetaImage({ geometry: g, pixelType: 'int16', data: spiderLabels(g) }, { compress });
}

const TEMPLATE: SeriesTemplate = {
  suffix: 't1',
  contrast: 't1',
  group: 'A',
  pixelType: 'int16',
  grid: { lr: [4, 3.3], ap: [5, 0.625], si: [9, 0.5] },
  scanner: 'ingenia3',
};

/** overview.csv as a table (the sample generator's 39 columns and quirks) for the given series ids. */
export function overviewTable(ids: readonly string[]): { header: string[]; rows: string[][] } {
  const rows = ids.map((id) => {
    const suffix = id.slice(id.indexOf('_') + 1) as SeriesTemplate['suffix'];
    const t: SeriesTemplate = { ...TEMPLATE, suffix, contrast: suffix === 't1' ? 't1' : 't2', scanner: suffix === 't1' ? 'ingenia3' : 'avanto15' };
    return overviewRow(id, t, { sex: 'F', age: 61, subset: 'training', vertebrae: 4 }, 4, 3);
  });
  return { header: [...OVERVIEW_HEADER], rows };
}

/** overview.csv text (CRLF, as released) for the given series ids. */
export function overviewCsv(ids: readonly string[]): string {
  const t = overviewTable(ids);
  return toCsv(t.header, t.rows);
}

function gradingRows(patients: readonly number[]): GradingRow[] {
  return patients.flatMap((patient) =>
    [1, 2, 3].map((ivdLabel) => ({
      patient, ivdLabel, modic: ivdLabel === 1 ? 2 : 0, upEndplate: 0, lowEndplate: ivdLabel === 1 ? 1 : 0, spondylolisthesis: 0,
      herniation: 0, narrowing: ivdLabel === 1 ? 1 : 0, bulging: 1, pfirrmann: ivdLabel + 1,
    })),
  );
}

/** radiological_gradings.csv as a table (released header) grading discs 1–3 of each patient. */
export function gradingsTable(patients: readonly number[]): { header: string[]; rows: string[][] } {
  const rows = gradingRows(patients).map((g) =>
    [g.patient, g.ivdLabel, g.modic, g.upEndplate, g.lowEndplate, g.spondylolisthesis, g.herniation, g.narrowing, g.bulging, g.pfirrmann].map(String),
  );
  return { header: [...GRADINGS_HEADER], rows };
}

/** radiological_gradings.csv text (released header, CRLF) grading discs 1–3 of each patient. */
export function gradingsCsvFor(patients: readonly number[]): string {
  return gradingsCsv(gradingRows(patients));
}

/** Writes a file, creating its folder. */
export function put(file: string, bytes: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

/** One of `items` (non-empty), chosen with probability proportional to its weight. */
export function pickWeighted<T extends { weight: number }>(items: readonly T[], r: Rng): T {
  const total = items.reduce((s, m) => s + m.weight, 0);
  let x = r.next() * total;
  for (const m of items) {
    x -= m.weight;
    if (x < 0) return m;
  }
  return items[items.length - 1]!;
}
