// Bench: `spine-ws agree` (issue 16) over a realistic-size dataset with two imported reader layers, against reading
// every mask twice with readMetaImage (what comparing two readers' masks as files would cost at least).
// The dataset follows the realistic sample's plan (main/core/sample/plan.ts: 7 series for the first 3 patients,
// then 2 per patient on average — 640×512×120 t2_SPACE in every fourth patient, 15×896×896 fine TSE, 17×512×512 TSE
// in both orientation conventions — so 223 patients make 447 series), but built in minutes, not the generator's
// ~40: the spine phantom of a few distinct anatomies (6 or 7 vertebrae, their own disc grades) is rasterised once
// per (anatomy, grid), written zlib-compressed as SPIDER's masks are, and hard-linked under every series id that uses
// it (patient p has anatomy p mod ANATOMIES; the image is the same file: `agree` reads image headers only).
// overview.csv and radiological_gradings.csv have a row for every series / every level of every patient.
// Reader layers: per distinct mask, reader A's edit (grows the mask's largest label by one voxel along i into
// background, erases 13 824 voxels of another label in file order from its first voxel) and reader B's (relabels
// half of the second-largest label as the largest, grows the canal) are computed once as net diffs and stored for
// every series linked to that mask — valid for each of them, since their original is the same file. Series n gets
// A's edit unless n mod 3 = 2, B's unless n mod 3 = 0, neither when n mod 7 = 6 (so some series differ on both
// sides, some on one, some not at all). Both readers grade every level (B equal to A 70 % of the time, else one
// grade off). The layers go into the store through store.readers.importLayer (what importing a package writes).
// Timed, interleaved, medians after one warm-up round, process CPU time (all threads) beside wall time:
//   baseline   readMetaImage of every mask, twice over (`concurrency` in flight);
//   reference  readMetaImage of every mask once (the floor of any comparison that reads the originals);
//   agree      what the command does after parsing its arguments: scanDataset, openStore read-only,
//              runAgreement(reader:A, reader:B) (Dice per series and label, κ per field), close.
// Baseline and agree read the same mask files (every series of the index has a mask and an image; checked), and
// the agree result is checked (no series skipped, exactly the edited series differing).
// Run: node bin/run-ts.mjs bench/agree.bench.ts   (AGREE_BENCH_SERIES=447 for the full dataset size, default 60;
//      AGREE_BENCH_RUNS=n repetitions, default 3)
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { GRADING_FIELDS } from '../common/gradings.js';
import { DIFF_ENCODING, encodeDiff } from '../common/labelDiff.js';
import { mapLimit, scanDataset } from '../main/core/dataset/index.js';
import { toLabelBytes } from '../main/core/labels/original.js';
import { readMetaImage, writeMetaImage } from '../main/core/mha/index.js';
import { runAgreement } from '../main/core/readers/agreeRun.js';
import { readOnlySourceContext } from '../main/core/readers/sources.js';
import { gradingsCsv, OVERVIEW_HEADER, overviewRow, toCsv, type GradingRow } from '../main/core/sample/csv.js';
import { createAnatomy, rasterise, type Anatomy } from '../main/core/sample/phantom.js';
import { seriesGeometry, seriesPlan, type SeriesTemplate } from '../main/core/sample/plan.js';
import { createRandom } from '../main/core/sample/random.js';
import { openStore, type ReaderGrade, type ReaderLabelLayer } from '../main/core/store/index.js';
import { figure, interleave, machineLine, median, writeResults } from './lib/report.js';

const SERIES = Math.max(7, Number(process.env.AGREE_BENCH_SERIES ?? 60));
const RUNS = Math.max(1, Number(process.env.AGREE_BENCH_RUNS ?? 3));
const CONCURRENCY = Math.max(2, os.availableParallelism());
const COMMAND = `AGREE_BENCH_SERIES=${SERIES} node bin/run-ts.mjs bench/agree.bench.ts`;
const GOAL = 1.5;
/** Distinct anatomies; coprime with the plan's cycle of 4, so every anatomy meets every grid. */
const ANATOMIES = 3;

/** Labels of a volume, most voxels first. */
function labelsByCount(v: Uint8Array): number[] {
  const h = new Float64Array(256);
  for (let p = 0; p < v.length; p++) h[v[p]!]!++;
  return [...h.keys()].filter((l) => l !== 0 && h[l]! > 0).sort((a, b) => h[b]! - h[a]!);
}

/** Grows `label` by one voxel along i into background, within each row. */
function grow(src: Uint8Array, out: Uint8Array, nx: number, label: number): void {
  for (let p = 1; p < src.length; p++) if (src[p] === label && p % nx !== 0 && src[p - 1] === 0) out[p - 1] = label;
}

/** The net diff original → edited as the store keeps it (encoded), and how many voxels it changes. */
function netDiff(o: Uint8Array, v: Uint8Array): { diff: Uint8Array; changed: number } {
  const idx: number[] = [];
  for (let p = 0; p < o.length; p++) if (o[p] !== v[p]) idx.push(p);
  const d = { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (p) => o[p]!), after: Uint8Array.from(idx, (p) => v[p]!) };
  return { diff: encodeDiff(d), changed: idx.length };
}

/** Reader A's and B's edits of one original mask, as net diffs (null: that reader has nothing to change there). */
function readerEdits(o: Uint8Array, nx: number): { a: ReturnType<typeof netDiff> | null; b: ReturnType<typeof netDiff> | null } {
  const [big, second] = labelsByCount(o);
  if (big === undefined) return { a: null, b: null };
  const a = o.slice();
  grow(o, a, nx, big);
  if (second !== undefined) {
    const at = o.indexOf(second);
    for (let p = at; p < Math.min(o.length, at + 24 * 24 * 24); p++) if (a[p] === second) a[p] = 0;
  }
  if (second === undefined) return { a: netDiff(o, a), b: null };
  const b = o.slice();
  let seen = 0;
  const total = o.filter((x) => x === second).length;
  for (let p = 0; p < o.length; p++) if (o[p] === second && seen++ < total / 2) b[p] = big;
  grow(o, b, nx, 100);
  return { a: netDiff(o, a), b: netDiff(o, b) };
}

interface Mask {
  file: string;
  voxels: number;
  bytes: number;
  a: ReturnType<typeof netDiff> | null;
  b: ReturnType<typeof netDiff> | null;
}

interface Built {
  root: string;
  storeFile: string;
  series: number;
  patients: number;
  distinct: { name: string; count: number }[];
  voxels: number;
  maskBytes: number;
  layersA: number;
  layersB: number;
  changedA: number;
  changedB: number;
  untouched: number;
  /** Series ids with a layer of A or B (the ones agree must find differing). */
  edited: number;
  storeBytes: number;
}

/** Builds the dataset (images/, masks/, both CSVs) and the store with reader layers A and B. */
async function build(dir: string): Promise<Built> {
  const root = join(dir, 'ds');
  const grids = join(dir, 'grids');
  for (const d of [join(root, 'images'), join(root, 'masks'), grids]) mkdirSync(d, { recursive: true });
  const rnd = createRandom('agree-bench');
  const anatomies: { anatomy: Anatomy; pfirrmann: number[] }[] = [];
  for (let k = 0; k < ANATOMIES; k++) {
    const vertebrae = k === 1 ? 6 : 7;
    const pfirrmann = Array.from({ length: vertebrae }, (_, n) => Math.max(1, Math.min(5, Math.round(1.5 + rnd() * 1.7 + (n < 2 ? 1.2 : 0) - n * 0.15))));
    anatomies.push({ anatomy: createAnatomy({ vertebrae, pfirrmann, seed: `agree-bench:${k}` }), pfirrmann });
  }
  const masks = new Map<string, Mask>();
  const distinct = new Map<string, number>();
  /** The mask of (anatomy, grid), rasterised and its reader edits computed on first use. */
  const maskOf = async (k: number, t: SeriesTemplate): Promise<Mask> => {
    const [lr, ap, si] = [t.grid.lr[0], t.grid.ap[0], t.grid.si[0]];
    const key = t.group === 'A' ? `A ${lr}×${ap}×${si}` : `B ${ap}×${si}×${lr} (PIR)`;
    distinct.set(key, (distinct.get(key) ?? 0) + 1);
    const id = `${k}:${key}`;
    let m = masks.get(id);
    if (!m) {
      const geometry = seriesGeometry(anatomies[k]!.anatomy, t);
      const { labels } = rasterise(anatomies[k]!.anatomy, geometry, t.contrast, `agree-bench:${id}`, 0);
      const file = join(grids, `mask-${masks.size}.mha`);
      await writeMetaImage(file, { geometry, pixelType: 'int16', data: labels }, { compress: true });
      const o = toLabelBytes(labels, file);
      m = { file, voxels: o.length, bytes: statSync(file).size, ...readerEdits(o, geometry.size[0]) };
      masks.set(id, m);
    }
    return m;
  };
  const overview: { id: string; cells: string[] }[] = [];
  const gradings: GradingRow[] = [];
  const labelsA: ReaderLabelLayer[] = [], labelsB: ReaderLabelLayer[] = [];
  let n = 0, patients = 0, voxels = 0, maskBytes = 0, changedA = 0, changedB = 0, untouched = 0, edited = 0;
  for (let p = 0; n < SERIES; p++) {
    const patientId = p + 1;
    const k = p % ANATOMIES;
    const { pfirrmann } = anatomies[k]!;
    patients++;
    for (const [ivd, pf] of pfirrmann.entries()) {
      const modic = pf >= 4 && rnd() < 0.6 ? 2 : 0;
      const bit = (q: number): number => (rnd() < q ? 1 : 0);
      gradings.push({ patient: patientId, ivdLabel: ivd + 1, modic, upEndplate: modic ? 1 : bit(0.15), lowEndplate: modic ? 1 : bit(0.15), spondylolisthesis: bit(0.04), herniation: pf >= 4 ? bit(0.2) : 0, narrowing: pf >= 4 ? 1 : bit(0.15), bulging: pf >= 3 ? bit(0.7) : 0, pfirrmann: pf });
    }
    for (const t of seriesPlan(p, 'realistic')) {
      if (n >= SERIES) break;
      const id = `${patientId}_${t.suffix}`;
      const m = await maskOf(k, t);
      linkSync(m.file, join(root, 'masks', `${id}.mha`));
      linkSync(m.file, join(root, 'images', `${id}.mha`));
      overview.push({ id, cells: overviewRow(id, t, { sex: p % 2 ? 'F' : 'M', age: 40 + (p % 40), subset: p % 5 === 4 ? 'validation' : 'training', vertebrae: pfirrmann.length }, pfirrmann.length, pfirrmann.length) });
      voxels += m.voxels;
      maskBytes += m.bytes;
      const layer = (e: { diff: Uint8Array; changed: number }): ReaderLabelLayer => ({ seriesId: id, voxelCount: m.voxels, changed: e.changed, encoding: DIFF_ENCODING, diff: e.diff, revision: 1 });
      const none = n % 7 === 6;
      const withA = !none && n % 3 !== 2 && m.a !== null, withB = !none && n % 3 !== 0 && m.b !== null;
      if (withA) {
        labelsA.push(layer(m.a!));
        changedA += m.a!.changed;
      }
      if (withB) {
        labelsB.push(layer(m.b!));
        changedB += m.b!.changed;
      }
      if (withA || withB) edited++;
      else untouched++;
      n++;
    }
  }
  overview.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  writeFileSync(join(root, 'overview.csv'), toCsv(OVERVIEW_HEADER, overview.map((r) => r.cells)));
  writeFileSync(join(root, 'radiological_gradings.csv'), gradingsCsv(gradings));

  // Both readers grade every level of the CSV: A near the released grade, B equal to A 70 % of the time.
  const gradesA: ReaderGrade[] = [], gradesB: ReaderGrade[] = [];
  for (const row of gradings) {
    for (const spec of GRADING_FIELDS) {
      const i = Math.max(0, spec.values.indexOf(row[spec.field]));
      const j = Math.min(spec.values.length - 1, Math.max(0, i + (rnd() < 0.7 ? 0 : rnd() < 0.5 ? 1 : -1)));
      const g = (value: number): ReaderGrade => ({ patientId: row.patient, ivdLabel: row.ivdLabel, field: spec.field, value, firstValue: value, setAt: '2026-12-01T09:00:00.000Z' });
      gradesA.push(g(spec.values[i]!));
      gradesB.push(g(spec.values[j]!));
    }
  }
  const index = await scanDataset(root);
  const storeFile = join(dir, 'store.sqlite');
  const w = openStore(storeFile);
  try {
    const importedBy = w.annotators.ensure('bench');
    const common = { packageCreatedAt: '2026-12-01T10:00:00.000Z', appVersion: 'bench', datasetFingerprint: index.identity, importedBy };
    w.readers.importLayer({ ...common, name: 'A', sha256: 'a'.repeat(64), labels: labelsA, grades: gradesA });
    w.readers.importLayer({ ...common, name: 'B', sha256: 'b'.repeat(64), labels: labelsB, grades: gradesB });
  } finally {
    w.close();
  }
  return {
    root,
    storeFile,
    series: n,
    patients,
    distinct: [...distinct].map(([name, count]) => ({ name, count })),
    voxels,
    maskBytes,
    layersA: labelsA.length,
    layersB: labelsB.length,
    changedA,
    changedB,
    untouched,
    edited,
    storeBytes: statSync(storeFile).size,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'spine-agree-bench-'));
  const loadBuild = os.loadavg()[0]!;
  try {
    console.log(`building ${SERIES} series (${ANATOMIES} anatomies, each grid rasterised once, hard links)…`);
    const t0 = performance.now();
    const b = await build(dir);
    const buildMs = performance.now() - t0;
    const index = await scanDataset(b.root);
    const entries = index.series.filter((e) => e.maskFile && e.image);
    if (entries.length !== index.series.length || entries.length !== b.series) {
      throw new Error(`${index.series.length} series scanned, ${entries.length} with mask and image, ${b.series} built: baseline and agree would not read the same masks`);
    }
    const masks = entries.map((e) => join(b.root, e.maskFile!));
    console.log(
      `${b.series} series of ${b.patients} patients, ${(b.voxels / 1e6).toFixed(0)} M voxels, ${(b.maskBytes / 2 ** 20).toFixed(0)} MiB of masks; ` +
        `reader A ${b.layersA} series (${b.changedA} voxels), B ${b.layersB} (${b.changedB}), ${b.untouched} untouched; store ${(b.storeBytes / 2 ** 20).toFixed(0)} MiB; built in ${(buildMs / 1000).toFixed(0)} s`,
    );

    let differing = -1, skipped = -1, kappaPf: number | null = null, levels = 0, peakRss = 0;
    const cpu: Record<string, number[]> = {};
    /** Wall time is what interleave() records; the process CPU time (all threads) is kept beside it. */
    const timed = (name: string, fn: () => Promise<void>) => async (): Promise<void> => {
      const c0 = process.cpuUsage();
      await fn();
      const c = process.cpuUsage(c0);
      (cpu[name] ??= []).push((c.user + c.system) / 1000);
    };
    const readAll = (): Promise<unknown> => mapLimit(masks, CONCURRENCY, async (f) => void (await readMetaImage(f, { within: b.root })));
    const load0 = os.loadavg()[0]!;
    const samples = await interleave(
      {
        baseline: timed('baseline', async () => {
          for (let pass = 0; pass < 2; pass++) await readAll();
        }),
        readOnce: timed('readOnce', async () => void (await readAll())),
        agree: timed('agree', async () => {
          const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
          try {
            const idx = await scanDataset(b.root);
            const store = openStore(b.storeFile, { readonly: true });
            try {
              const r = await runAgreement(readOnlySourceContext(idx, store), 'reader:A', 'reader:B', 'current');
              differing = r.summary.seriesDiffering;
              skipped = r.summary.seriesSkipped;
              const pf = r.gradings.find((f) => f.field === 'pfirrmann')!;
              kappaPf = pf.kappa;
              levels = pf.n;
            } finally {
              store.close();
            }
          } finally {
            clearInterval(timer);
          }
        }),
      },
      RUNS,
    );
    const load1 = os.loadavg()[0]!;
    if (skipped !== 0 || differing !== b.edited) {
      throw new Error(`agree found ${differing} series differing and ${skipped} skipped; the build edited ${b.edited} and every layer fits its mask`);
    }
    // The warm-up round is not in `samples`; drop its CPU figure too.
    const cpuOf = (k: string): number => median(cpu[k]!.slice(1));
    const base = median(samples.baseline!), agree = median(samples.agree!), once = median(samples.readOnce!);
    const ratio = agree / base, cpuRatio = cpuOf('agree') / cpuOf('baseline');
    const figures = [
      figure('agree-dataset', 'ms', agree, base, RUNS, {
        series: b.series, patients: b.patients, voxels: b.voxels, seriesDiffering: differing, seriesSkipped: skipped, levels,
        cpuMs: cpuOf('agree'), baselineCpuMs: cpuOf('baseline'), cpuRatio, peakRssMiB: Math.round(peakRss / 2 ** 20),
        loadAverage: [load0, load1], buildMs: Math.round(buildMs),
      }),
      figure('agree-vs-one-read', 'ms', agree, once, RUNS, { series: b.series, cpuMs: cpuOf('agree'), readOnceCpuMs: cpuOf('readOnce') }),
    ];
    const row = (k: string, label: string): string => {
      const t = median(samples[k]!), c = cpuOf(k);
      return `| ${label} | ${t.toFixed(0)} | ${(t / base).toFixed(2)}× | ${c.toFixed(0)} | ${(c / cpuOf('baseline')).toFixed(2)}× |`;
    };
    const grids = b.distinct.map((g) => `${g.name} ×${g.count}`).join(', ');
    const md = `## Agreement: \`spine-ws agree\` over two reader layers

Command: \`${COMMAND}\` — ${machineLine()}; load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after the timed rounds (shared machine); ${RUNS} interleaved rounds after one warm-up, medians; CPU = process CPU time of all threads in the same round.

${b.series} series of ${b.patients} patients on the realistic sample's plan (${grids}; ${(b.voxels / 1e6).toFixed(0)} M voxels, ${(b.maskBytes / 2 ** 20).toFixed(0)} MiB of zlib-compressed masks): the spine phantom of ${ANATOMIES} anatomies rasterised once per grid and hard-linked under every series id (build ${(buildMs / 1000).toFixed(0)} s, not timed). Two reader layers imported: reader A edited ${b.layersA} series (${b.changedA} voxels), reader B ${b.layersB} (${b.changedB}), ${b.untouched} series left as released by both; both graded all ${levels} levels. **Baseline**: \`readMetaImage\` of every mask twice over, ${CONCURRENCY} in flight. **agree**: \`scanDataset\` + read-only store + \`runAgreement(reader:A, reader:B)\`: each original mask read once, the counts of both readers from its histogram and the two layer diffs (no reader volume built), 2 series in flight; κ of every field.

| | wall (ms) | vs baseline | CPU (ms) | vs baseline |
|---|---:|---:|---:|---:|
${row('baseline', '**baseline: read every mask twice** (`readMetaImage`)')}
${row('readOnce', 'reference: read every mask once')}
${row('agree', `**agree** (scan + store + Dice of ${b.series} series + κ)`)}

Result (checked): ${differing} series differing (every edited one), ${skipped} skipped; Pfirrmann κw ${kappaPf === null ? '—' : (kappaPf as number).toFixed(2)} over ${levels} levels; peak RSS during agree ${(peakRss / 2 ** 20).toFixed(0)} MiB.

Goal (issue 16): agree over 447 series × 2 readers ≤ ${GOAL}× reading all masks twice: **${ratio <= GOAL ? 'met' : 'not met'}** at ${b.series} series, ${ratio.toFixed(2)}× wall, ${cpuRatio.toFixed(2)}× CPU.
`;
    writeResults('agree', figures, md);
    console.log(md);
    console.log(
      `RATIO agree / read-all-masks-twice = ${ratio.toFixed(2)}× wall, ${cpuRatio.toFixed(2)}× CPU at ${b.series} series (goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'not met'}); ` +
        `agree / read-once = ${(agree / once).toFixed(2)}×; build ${(buildMs / 1000).toFixed(0)} s; load average ${loadBuild.toFixed(1)} at start, ${load0.toFixed(1)} before timing, ${load1.toFixed(1)} after`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
