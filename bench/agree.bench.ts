// Bench: `spine-ws agree` (issue 16) over a realistic sample with two imported reader layers, against reading every
// mask twice with readMetaImage (what comparing two readers' masks as files would cost at least). The sample is the
// generator's realistic profile (both orientation conventions, 640×512×120 SPACE series among them), its masks
// zlib-compressed as SPIDER's are. Reader A corrects two series in three (grows the series' largest label by one
// voxel along i into background, erases a 24³ block of another label), reader B another two in three (relabels half
// of the second-largest label as the largest, grows the canal), so a third of the series differ on both sides; both
// grade every level (B within one grade of A). The layers go into the store through store.readers.importLayer
// (what importing a package writes). Timed, interleaved, medians after one warm-up round:
//   baseline   readMetaImage of every mask, twice over (`concurrency` in flight);
//   reference  readMetaImage of every mask once (the floor of any comparison that reads the originals);
//   agree      what the command does after parsing its arguments: scanDataset, openStore read-only,
//              runAgreement(reader:A, reader:B) (Dice per series and label, κ per field), close.
// Run: node bin/run-ts.mjs bench/agree.bench.ts   (AGREE_BENCH_SERIES=447 for the full dataset size, default 21;
//      AGREE_BENCH_RUNS=n repetitions, default 3)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { GRADING_FIELDS } from '../common/gradings.js';
import { DIFF_ENCODING, encodeDiff } from '../common/labelDiff.js';
import { mapLimit, scanDataset } from '../main/core/dataset/index.js';
import { toLabelBytes } from '../main/core/labels/original.js';
import { readMetaImage } from '../main/core/mha/index.js';
import { runAgreement } from '../main/core/readers/agreeRun.js';
import { readOnlySourceContext } from '../main/core/readers/sources.js';
import { generateSample } from '../main/core/sample/index.js';
import { createRandom } from '../main/core/sample/random.js';
import { openStore, type ReaderGrade } from '../main/core/store/index.js';
import { figure, interleave, machineLine, median, writeResults } from './lib/report.js';

const SERIES = Math.max(7, Number(process.env.AGREE_BENCH_SERIES ?? 21));
const RUNS = Math.max(1, Number(process.env.AGREE_BENCH_RUNS ?? 3));
const CONCURRENCY = Math.max(2, os.availableParallelism());
const COMMAND = `AGREE_BENCH_SERIES=${SERIES} node bin/run-ts.mjs bench/agree.bench.ts`;
const GOAL = 1.5;

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

/** The net diff original → edited as the store keeps it. */
function layerOf(seriesId: string, o: Uint8Array, v: Uint8Array): { seriesId: string; voxelCount: number; changed: number; encoding: string; diff: Uint8Array; revision: number } {
  const idx: number[] = [];
  for (let p = 0; p < o.length; p++) if (o[p] !== v[p]) idx.push(p);
  const d = { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (p) => o[p]!), after: Uint8Array.from(idx, (p) => v[p]!) };
  return { seriesId, voxelCount: o.length, changed: idx.length, encoding: DIFF_ENCODING, diff: encodeDiff(d), revision: 1 };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'spine-agree-bench-'));
  const load0 = os.loadavg()[0]!;
  try {
    // The realistic profile: 7 series for the first 3 patients, then 2 per patient on average (a SPACE series in
    // every fourth), so 223 patients make 447 series.
    const patients = Math.min(257, 3 + Math.ceil((SERIES - 7) / 2));
    console.log(`generating the realistic sample (${patients} patients)…`);
    const t0 = performance.now();
    const root = join(dir, 'ds');
    await generateSample({ out: root, patients, profile: 'realistic', seed: 'agree-bench' });
    const index = await scanDataset(root);
    const entries = index.series.filter((e) => e.maskFile && e.image);
    const masks = entries.map((e) => join(root, e.maskFile!));

    // Two reader layers, built from the original masks (untimed).
    const labelsA = [], labelsB = [];
    let voxels = 0, changedA = 0, changedB = 0;
    for (const [n, e] of entries.entries()) {
      const o = toLabelBytes((await readMetaImage(join(root, e.maskFile!))).data, e.maskFile!);
      voxels += o.length;
      const nx = e.image!.geometry.size[0];
      const [big, second] = labelsByCount(o);
      if (n % 3 !== 2 && big !== undefined) {
        const a = o.slice();
        grow(o, a, nx, big);
        if (second !== undefined) {
          const at = o.indexOf(second);
          for (let p = at; p < Math.min(o.length, at + 24 * 24 * 24); p++) if (a[p] === second) a[p] = 0;
        }
        const l = layerOf(e.id, o, a);
        changedA += l.changed;
        labelsA.push(l);
      }
      if (n % 3 !== 0 && big !== undefined && second !== undefined) {
        const b = o.slice();
        let seen = 0;
        const total = o.filter((x) => x === second).length;
        for (let p = 0; p < o.length; p++) if (o[p] === second && seen++ < total / 2) b[p] = big;
        grow(o, b, nx, 100);
        const l = layerOf(e.id, o, b);
        changedB += l.changed;
        labelsB.push(l);
      }
    }
    const rnd = createRandom('agree-bench');
    const gradesA: ReaderGrade[] = [], gradesB: ReaderGrade[] = [];
    for (const p of index.patients) {
      for (const ivd of p.gradedLevels.filter((l) => l >= 1)) {
        for (const spec of GRADING_FIELDS) {
          const i = Math.floor(rnd() * spec.values.length);
          const j = Math.min(spec.values.length - 1, Math.max(0, i + (rnd() < 0.7 ? 0 : rnd() < 0.5 ? 1 : -1)));
          const g = (value: number): ReaderGrade => ({ patientId: p.id, ivdLabel: ivd, field: spec.field, value, firstValue: value, setAt: '2026-12-01T09:00:00.000Z' });
          gradesA.push(g(spec.values[i]!));
          gradesB.push(g(spec.values[j]!));
        }
      }
    }
    const storeFile = join(dir, 'store.sqlite');
    const w = openStore(storeFile);
    const importedBy = w.annotators.ensure('bench');
    const layer = { packageCreatedAt: '2026-12-01T10:00:00.000Z', appVersion: 'bench', datasetFingerprint: index.identity, importedBy };
    w.readers.importLayer({ ...layer, name: 'A', sha256: 'a'.repeat(64), labels: labelsA, grades: gradesA });
    w.readers.importLayer({ ...layer, name: 'B', sha256: 'b'.repeat(64), labels: labelsB, grades: gradesB });
    w.close();
    const buildMs = performance.now() - t0;
    console.log(`${entries.length} series, ${(voxels / 1e6).toFixed(0)} M voxels; reader A ${labelsA.length} series (${changedA} voxels), reader B ${labelsB.length} (${changedB}); built in ${(buildMs / 1000).toFixed(0)} s`);

    let differing = -1, skipped = -1, kappaPf: number | null = null, peakRss = 0;
    const samples = await interleave(
      {
        baseline: async () => {
          for (let pass = 0; pass < 2; pass++) await mapLimit(masks, CONCURRENCY, async (f) => void (await readMetaImage(f, { within: root })));
        },
        readOnce: async () => {
          await mapLimit(masks, CONCURRENCY, async (f) => void (await readMetaImage(f, { within: root })));
        },
        agree: async () => {
          const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
          try {
            const idx = await scanDataset(root);
            const store = openStore(storeFile, { readonly: true });
            try {
              const r = await runAgreement(readOnlySourceContext(idx, store), 'reader:A', 'reader:B', 'current');
              differing = r.summary.seriesDiffering;
              skipped = r.summary.seriesSkipped;
              kappaPf = r.gradings.find((f) => f.field === 'pfirrmann')!.kappa;
            } finally {
              store.close();
            }
          } finally {
            clearInterval(timer);
          }
        },
      },
      RUNS,
    );
    const load1 = os.loadavg()[0]!;
    const base = median(samples.baseline!);
    const agree = median(samples.agree!);
    const once = median(samples.readOnce!);
    const ratio = agree / base;
    const figures = [
      figure('agree-dataset', 'ms', agree, base, RUNS, { series: entries.length, voxels, seriesDiffering: differing, seriesSkipped: skipped, peakRssMiB: Math.round(peakRss / 2 ** 20) }),
      figure('agree-vs-one-read', 'ms', agree, once, RUNS, { series: entries.length }),
    ];
    const md = `## Agreement: \`spine-ws agree\` over two reader layers

Command: \`${COMMAND}\` — ${machineLine()}; load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after (shared machine); ${RUNS} interleaved rounds after one warm-up, medians.

${entries.length} series of the realistic sample (${patients} patients, ${(voxels / 1e6).toFixed(0)} M voxels, masks zlib-compressed), two reader layers imported: reader A edited ${labelsA.length} series (${changedA} voxels), reader B ${labelsB.length} (${changedB}); every level graded by both. **Baseline**: \`readMetaImage\` of every mask twice over, ${CONCURRENCY} in flight. **agree**: \`scanDataset\` + read-only store + \`runAgreement(reader:A, reader:B)\`: each original mask read once, the counts of both readers from its histogram and the two layer diffs (no reader volume built), ${2} series in flight; κ of every field.

| | wall (ms) | vs baseline |
|---|---:|---:|
| **baseline: read every mask twice** (\`readMetaImage\`) | ${base.toFixed(0)} | 1.00× |
| reference: read every mask once | ${once.toFixed(0)} | ${(once / base).toFixed(2)}× |
| **agree** (scan + store + Dice of ${entries.length} series + κ) | ${agree.toFixed(0)} | ${ratio.toFixed(2)}× |

Result: ${differing} series differing, ${skipped} skipped; Pfirrmann κw ${kappaPf === null ? '—' : (kappaPf as number).toFixed(2)}; peak RSS during agree ${(peakRss / 2 ** 20).toFixed(0)} MiB.

Goal (issue 16): agree over 447 series × 2 readers ≤ ${GOAL}× reading all masks twice: **${ratio <= GOAL ? 'met' : 'not met'}** at ${entries.length} series, ${ratio.toFixed(2)}×.
`;
    writeResults('agree', figures, md);
    console.log(md);
    console.log(`RATIO agree / read-all-masks-twice = ${ratio.toFixed(2)}× at ${entries.length} series (goal ≤ ${GOAL}×: ${ratio <= GOAL ? 'met' : 'not met'}); agree / read-once = ${(agree / once).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
