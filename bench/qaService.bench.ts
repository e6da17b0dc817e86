// Bench: the workstation's QA service (issue 14 items 2–3) on realistic SPIDER-sized series.
//
//   node bin/run-ts.mjs bench/qaService.bench.ts [--rounds N]
//
// 1. Dataset run: the service's background report (`datasetReport()` on a fresh workstation: runQa with the reader of
//    the current labels) against `runQa` on the same files (what `spine-ws qa` runs), interleaved. During each run a
//    10 ms timer measures how long the event loop is held (what a web-mode request waits behind): the service's
//    default (checks on the main thread) and with one scan worker thread.
// 2. Re-check after an edit: `qaSeries` right after a committed edit of the open series (what the Problems panel
//    waits for after Fix) against `checkSeries` alone on the same label volume.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDiff } from '../common/labelDiff.js';
import { scanDataset } from '../main/core/dataset/index.js';
import { checkSeries, createQaService, runQa } from '../main/core/qa/index.js';
import { generateSample } from '../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../main/core/workstation.js';
import { figure, machineLine, median, writeResults } from './lib/report.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const dir = mkdtempSync(join(tmpdir(), 'spine-bench-qa-service-'));
const ds = join(dir, 'ds');
let opened = 0;

/** Max and 99th-percentile delay (ms) of a 10 ms interval timer while `work` runs. */
async function lag<T>(work: () => Promise<T>): Promise<{ ms: number; maxLag: number; p99Lag: number; value: T }> {
  const delays: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    delays.push(Math.max(0, now - last - 10));
    last = now;
  }, 10);
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  clearInterval(timer);
  delays.sort((a, b) => a - b);
  return { ms, maxLag: delays.at(-1) ?? 0, p99Lag: delays[Math.floor(delays.length * 0.99)] ?? 0, value };
}

const open = (): Promise<Workstation> => openWorkstation({ datasetRoot: ds, storeFile: join(dir, `store-${opened++}.sqlite`), annotator: 'bench' });

try {
  console.log('generating a realistic dataset …');
  await generateSample({ out: ds, patients: 3, profile: 'realistic', seed: 'bench-qa-service' });
  const index = await scanDataset(ds);
  const voxels = index.series.reduce((n, s) => n + (s.image ? s.image.geometry.size.reduce((a, b) => a * b, 1) : 0), 0);

  const files: number[] = [], service: number[] = [], worker: number[] = [];
  const lags = { files: [] as number[], service: [] as number[], worker: [] as number[] };
  for (let r = 0; r < rounds + 1; r++) {
    const f = await lag(() => runQa(index));
    const ws = await open();
    const s = await lag(() => ws.qa.datasetReport());
    ws.close();
    const ws2 = await open();
    const w1 = createQaService({
      index: ws2.index, labels: () => Promise.resolve(null), revision: (id) => ws2.labels.storedRevision(id),
      activeEdits: (id) => ws2.store.edits.count(id).active, run: { workers: 1 }, log: () => undefined,
    });
    const w = await lag(() => w1.datasetReport());
    w1.close();
    ws2.close();
    if (JSON.stringify(s.value.findings) !== JSON.stringify(f.value.findings)) throw new Error('the service reports other findings than runQa');
    console.log(`round ${r}: runQa ${f.ms.toFixed(0)} ms (lag ${f.maxLag.toFixed(0)}), service ${s.ms.toFixed(0)} ms (lag ${s.maxLag.toFixed(0)}), service+1 worker ${w.ms.toFixed(0)} ms (lag ${w.maxLag.toFixed(0)})`);
    if (r === 0) continue; // warm-up
    files.push(f.ms); service.push(s.ms); worker.push(w.ms);
    lags.files.push(f.maxLag); lags.service.push(s.maxLag); lags.worker.push(w.maxLag);
  }

  // Re-check after an edit, on the largest series (the t2_SPACE grid).
  const ws = await open();
  const big = [...ws.index.series].sort((a, b) => b.image!.geometry.size.reduce((x, y) => x * y, 1) - a.image!.geometry.size.reduce((x, y) => x * y, 1))[0]!;
  await ws.service.openSeries({ seriesId: big.id });
  const recheck: number[] = [], bare: number[] = [];
  const i = new Uint8Array(await ws.volumeBytes(big.id, 'mask')).findIndex((v) => v === 0); // a background voxel, toggled
  for (let r = 0; r < rounds + 1; r++) {
    const labels = new Uint8Array(await ws.volumeBytes(big.id, 'mask'));
    const { revision } = await ws.service.history({ seriesId: big.id });
    const to = labels[i] === 0 ? 100 : 0;
    await ws.service.commitEdit({
      seriesId: big.id, baseRevision: revision, tool: to ? 'brush' : 'eraser', label: to, description: 'bench',
      diff: encodeDiff({ indices: Uint32Array.of(i), before: Uint8Array.of(labels[i]!), after: Uint8Array.of(to) }),
    });
    // The order alternates between rounds (the second of two back-to-back passes over the volume runs warmer).
    const after = new Uint8Array(await ws.volumeBytes(big.id, 'mask'));
    const bareCheck = (): number => {
      const t = performance.now();
      checkSeries({ seriesId: big.id, patientId: big.patientId, sequence: big.sequence, geometry: big.image!.geometry, data: after });
      return performance.now() - t;
    };
    const cFirst = r % 2 === 1 ? bareCheck() : null;
    const t0 = performance.now();
    const q = await ws.service.qaSeries({ seriesId: big.id });
    const qMs = performance.now() - t0;
    const cMs = cFirst ?? bareCheck();
    console.log(`recheck ${r}: qaSeries ${qMs.toFixed(0)} ms (revision ${q.revision}), checkSeries ${cMs.toFixed(0)} ms`);
    if (r === 0) continue;
    recheck.push(qMs);
    bare.push(cMs);
  }
  ws.close();

  const size = big.image!.geometry.size.join('×');
  const figures = [
    figure('qa-service-dataset-run', 'ms', median(service), median(files), files.length, {
      series: index.series.length, voxels, maxLagServiceMs: median(lags.service), maxLagRunQaMs: median(lags.files),
      withWorkerMs: median(worker), maxLagWorkerMs: median(lags.worker),
    }),
    figure('qa-service-recheck-after-edit', 'ms', median(recheck), median(bare), recheck.length, { series: big.id, size }),
  ];
  const md = `## Label QA service: background dataset run and re-check after an edit

Command: \`node bin/run-ts.mjs bench/qaService.bench.ts --rounds ${rounds}\` — ${machineLine()}, load average at start
${'{LOAD}'}. Realistic sample (\`spine-ws sample --profile realistic --patients 3\`: ${index.series.length} series, ${(voxels / 1e6).toFixed(0)} M voxels).
Medians of ${rounds} rounds after one warm-up round, each round interleaved (the re-check pair in alternating order). *max lag*: the longest a 10 ms timer was held
back during the run (what a web-mode request waits behind).

| Dataset run | ms | ratio | max lag (ms) |
|---|---:|---:|---:|
| \`runQa\` on the files (baseline, what \`spine-ws qa\` runs) | ${median(files).toFixed(0)} | 1.00 | ${median(lags.files).toFixed(0)} |
| service \`datasetReport()\` (default: checks on the main thread) | ${median(service).toFixed(0)} | ${(median(service) / median(files)).toFixed(2)} | ${median(lags.service).toFixed(0)} |
| service with one scan worker thread | ${median(worker).toFixed(0)} | ${(median(worker) / median(files)).toFixed(2)} | ${median(lags.worker).toFixed(0)} |

| Re-check of ${big.id} (${size}) after a committed edit | ms | ratio |
|---|---:|---:|
| \`checkSeries\` alone on the label volume (baseline) | ${median(bare).toFixed(0)} | 1.00 |
| \`qaSeries\` (what the Problems panel waits for after Fix) | ${median(recheck).toFixed(0)} | ${(median(recheck) / median(bare)).toFixed(2)} |

The service runs the checks on the main thread (\`runQa\`'s default, no worker thread): on this shared machine one
scan worker made the dataset run ${(median(worker) / median(service)).toFixed(1)}× slower and still held the event loop (max lag ${median(lags.worker).toFixed(0)} vs ${median(lags.service).toFixed(0)} ms; its reads and
inflates stay on the main thread). A series without edits is read from its mask file, exactly as \`spine-ws qa\` does,
so the background run costs what the CLI costs; the report is the same (checked every round).
`;
  const { loadavg } = await import('node:os');
  writeResults('qaService', figures, md.replace('{LOAD}', loadavg().map((x) => x.toFixed(2)).join(' ')));
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
