// Bench: `spine-ws qa` over realistic-size series (issue 14) against reading and inflating every mask in the same
// run. Masks are the sample generator's spine phantom rasterised with real voxels onto the grids of the scan
// bench's mix (group A 15–24 × 320–896 × 320–896 identity/LPS, group B 640×512×120 t2_SPACE and 512×512×17 PIR,
// about 1 in 11 a SPACE series as in SPIDER), zlib-compressed as SPIDER's masks are. Each distinct grid is
// rasterised once and hard-linked for every series that uses it (image = mask file: the scan reads headers only).
// Baseline: readMetaImage of every mask (read + inflate), `concurrency` at a time (both cores: inflate runs on
// libuv's pool). QA: scanDataset + runQa (read, inflate, every per-series and dataset check). For reference (not
// the goal's baseline): readMetaImageChunks of every mask doing nothing with the pieces — read + inflate without
// allocating whole volumes, what the streamed QA does minus its voxel pass and checks.
// Run: node bin/run-ts.mjs bench/qa.bench.ts   (QA_BENCH_SERIES=447 for the full dataset size, default 40;
//      QA_BENCH_RUNS=n repetitions, default 3)
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { VolumeGeometry } from '../common/geometry.js';
import { mapLimit, scanDataset } from '../main/core/dataset/index.js';
import { readMetaImage, readMetaImageChunks, writeMetaImage } from '../main/core/mha/index.js';
import { checkSeries, defaultReadMask, runQa } from '../main/core/qa/index.js';
import { checkScan } from '../main/core/qa/checks.js';
import { fromRaw, RUNS_KEPT } from '../main/core/qa/scan.js';
import { ALONG_J_RATIO, RunScanner } from '../main/core/qa/scanRuns.mjs';
import { createAnatomy, rasterise } from '../main/core/sample/phantom.js';
import { seriesGeometry, type GridTemplate, type SeriesTemplate } from '../main/core/sample/plan.js';
import { figure, interleave, machineLine, median, writeResults } from './lib/report.js';

const SERIES = Math.max(4, Number(process.env.QA_BENCH_SERIES ?? 40));
const RUNS = Math.max(1, Number(process.env.QA_BENCH_RUNS ?? 3));
const CONCURRENCY = Math.max(2, os.availableParallelism());
const COMMAND = `QA_BENCH_SERIES=${SERIES} node bin/run-ts.mjs bench/qa.bench.ts`;

interface Grid {
  name: string;
  group: 'A' | 'B';
  grid: GridTemplate;
  seq: 't1' | 't2' | 't2_SPACE';
}
const A = (lr: [number, number], ap: [number, number], si: [number, number], seq: 't1' | 't2' = 't2'): Grid => ({ name: `A ${lr[0]}×${ap[0]}×${si[0]}`, group: 'A', grid: { lr, ap, si }, seq });
const GRIDS: Grid[] = [
  A([17, 3.3], [512, 0.586], [512, 0.586], 't1'),
  A([17, 3.321], [448, 0.625], [578, 0.5006]),
  A([15, 4.4], [896, 0.3125], [896, 0.3125], 't1'),
  A([17, 3.3], [512, 0.586], [512, 0.586]),
  { name: 'B 640×512×120 (t2_SPACE)', group: 'B', grid: { lr: [120, 0.9], ap: [640, 0.46875], si: [512, 0.46875] }, seq: 't2_SPACE' },
  A([15, 4.4], [320, 0.478], [384, 0.478], 't1'),
  A([17, 3.321], [448, 0.625], [578, 0.5006], 't1'),
  A([20, 3.321], [448, 0.625], [448, 0.5006]),
  { name: 'B 512×512×17', group: 'B', grid: { lr: [17, 3.3], ap: [512, 0.5859375], si: [512, 0.5859375] }, seq: 't2' },
  A([24, 3.321], [448, 0.625], [578, 0.5006], 't1'),
  A([19, 4.786], [320, 0.889], [384, 0.8125]),
];

interface GridTiming {
  name: string;
  /** Run axis of the voxel pass. */
  axis: 'i' | 'j';
  inflate: number[];
  check: number[];
  /** Streamed read + inflate + voxel pass + checks of the mask file, as runQa does by default. */
  streamed: number[];
}

async function build(dir: string): Promise<{ voxels: number; maskBytes: number; perGrid: GridTiming[] }> {
  mkdirSync(join(dir, 'images'));
  mkdirSync(join(dir, 'masks'));
  const anatomy = createAnatomy({ vertebrae: 7, pfirrmann: [3, 3, 2, 2, 2, 1, 1], seed: 'bench-qa' });
  const files: string[] = [];
  const perGrid: GridTiming[] = [];
  for (const [n, g] of GRIDS.entries()) {
    const t: SeriesTemplate = { suffix: g.seq, contrast: 't2', group: g.group, pixelType: 'int16', grid: g.grid, scanner: 'ingenia3' };
    const geometry: VolumeGeometry = seriesGeometry(anatomy, t);
    const { labels } = rasterise(anatomy, geometry, 't2', `bench-qa:${n}`, 0);
    const file = join(dir, `grid-${n}.mha`);
    await writeMetaImage(file, { geometry, pixelType: 'int16', data: labels }, { compress: true });
    files.push(file);
  }
  // Per grid, warm (one untimed pass first, then the median of 3): read + inflate vs the checks (voxel pass and
  // per-series checks) on this thread.
  for (let round = 0; round < 4; round++) {
    for (const [n, g] of GRIDS.entries()) {
      let t0 = performance.now();
      const m = await readMetaImage(files[n]!);
      const inflateMs = performance.now() - t0;
      t0 = performance.now();
      checkSeries({ seriesId: 'x', geometry: m.geometry, data: m.data });
      const checkMs = performance.now() - t0;
      t0 = performance.now();
      let sc: RunScanner | null = null;
      const h = await readMetaImageChunks(files[n]!, (hd) => {
        const s1 = (sc = new RunScanner(hd.geometry.size, 2));
        return (d) => s1.feed(d);
      });
      checkScan({ seriesId: 'x', geometry: h.geometry }, fromRaw(sc!.result([...RUNS_KEPT])));
      const streamedMs = performance.now() - t0;
      if (round === 0) continue;
      const [nx, ny] = m.geometry.size;
      const row = perGrid[n] ?? (perGrid[n] = { name: g.name, axis: nx <= ALONG_J_RATIO * ny ? 'j' : 'i', inflate: [], check: [], streamed: [] });
      row.inflate.push(inflateMs);
      row.check.push(checkMs);
      row.streamed.push(streamedMs);
    }
  }
  let voxels = 0;
  let maskBytes = 0;
  for (let s = 0; s < SERIES; s++) {
    const gi = s % GRIDS.length;
    const g = GRIDS[gi]!;
    // One patient per series (the sibling check then has nothing to compare; the per-series work is the cost).
    const id = `${s + 1}_${g.seq}`;
    linkSync(files[gi]!, join(dir, 'masks', `${id}.mha`));
    linkSync(files[gi]!, join(dir, 'images', `${id}.mha`));
    const [a, b, c] = g.group === 'A' ? [g.grid.lr[0], g.grid.ap[0], g.grid.si[0]] : [g.grid.ap[0], g.grid.si[0], g.grid.lr[0]];
    voxels += a * b * c;
    maskBytes += statSync(files[gi]!).size;
  }
  writeFileSync(join(dir, 'radiological_gradings.csv'), 'Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,Disc bulging,Pfirrman grade\n');
  return { voxels, maskBytes, perGrid };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'spine-bench-qa-'));
  const load0 = os.loadavg()[0]!;
  try {
    const t0 = performance.now();
    const built = await build(dir);
    const buildMs = performance.now() - t0;
    const index = await scanDataset(dir);
    const masks = index.series.map((s) => join(dir, s.maskFile!));
    let findings = -1;
    let byCode: Record<string, number> = {};
    const cpu: Record<string, number[]> = {};
    /** Wall time is what interleave() records; the process CPU time (all threads) is kept beside it. */
    const timed = (name: string, fn: () => Promise<void>) => async (): Promise<void> => {
      const c0 = process.cpuUsage();
      await fn();
      const c = process.cpuUsage(c0);
      (cpu[name] ??= []).push((c.user + c.system) / 1000);
    };
    const samples = await interleave(
      {
        baseline: timed('baseline', async () => {
          await mapLimit(masks, CONCURRENCY, async (f) => {
            await readMetaImage(f, { within: dir });
          });
        }),
        streamOnly: timed('streamOnly', async () => {
          await mapLimit(masks, CONCURRENCY, async (f) => {
            await readMetaImageChunks(f, () => () => undefined, { within: dir });
          });
        }),
        qa: timed('qa', async () => {
          const r = await runQa(await scanDataset(dir));
          findings = r.findings.length;
          byCode = {};
          for (const f of r.findings) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
        }),
        qaWhole: timed('qaWhole', async () => {
          await runQa(await scanDataset(dir), { readMask: defaultReadMask });
        }),
        qaWorkers: timed('qaWorkers', async () => {
          await runQa(await scanDataset(dir), { workers: CONCURRENCY });
        }),
      },
      RUNS,
    );
    const load1 = os.loadavg()[0]!;
    const base = median(samples.baseline!);
    // The warm-up round is not in `samples`; drop its CPU figure too.
    const cpuOf = (k: string): number => median(cpu[k]!.slice(1));
    const rows: [string, string, string][] = [
      ['baseline', '**baseline: read + inflate all masks** (`readMetaImage`)', `${CONCURRENCY} masks in flight`],
      ['streamOnly', 'reference: read + inflate in 1 MiB pieces, pieces unused (`readMetaImageChunks`)', `${CONCURRENCY} masks in flight`],
      ['qa', '**qa (defaults)**', `mask files streamed, each piece scanned on the main thread as it comes, ${CONCURRENCY} in flight`],
      ['qaWhole', 'qa, whole volumes (`readMask: defaultReadMask`)', `readMetaImage, voxel pass on the main thread, ${CONCURRENCY} in flight`],
      ['qaWorkers', `qa, \`workers: ${CONCURRENCY}\``, `readMetaImage, voxel pass on ${CONCURRENCY} worker threads (a new pool per run), ${CONCURRENCY + 1} in flight`],
    ];
    const ratio = median(samples.qa!) / base;
    const figures = [
      figure('qa-dataset', 'ms', median(samples.qa!), base, RUNS, { series: SERIES, voxels: built.voxels, findings, byCode, cpuMs: cpuOf('qa'), baselineCpuMs: cpuOf('baseline') }),
      figure('qa-dataset-whole-volumes', 'ms', median(samples.qaWhole!), base, RUNS, { series: SERIES, workers: 0, cpuMs: cpuOf('qaWhole') }),
      figure('read-inflate-streamed', 'ms', median(samples.streamOnly!), base, RUNS, { series: SERIES, cpuMs: cpuOf('streamOnly') }),
      figure('qa-dataset-workers', 'ms', median(samples.qaWorkers!), base, RUNS, { series: SERIES, workers: CONCURRENCY, cpuMs: cpuOf('qaWorkers') }),
    ];
    const table = rows
      .map(([k, label, how]) => {
        const t = median(samples[k]!), c = cpuOf(k);
        return `| ${label} | ${how} | ${t.toFixed(0)} | ${(t / base).toFixed(2)}× | ${c.toFixed(0)} | ${(c / cpuOf('baseline')).toFixed(2)}× |`;
      })
      .join('\n');
    const med = (xs: number[]): number => median(xs);
    const sum = (f: (g: GridTiming) => number[]): number => built.perGrid.reduce((a, g) => a + med(f(g)), 0);
    const sumInflate = sum((g) => g.inflate), sumCheck = sum((g) => g.check), sumStreamed = sum((g) => g.streamed);
    const gridRows = built.perGrid
      .map((g) => `| ${g.name} | ${g.axis} | ${med(g.inflate).toFixed(1)} | ${med(g.check).toFixed(1)} | ${(med(g.check) / med(g.inflate)).toFixed(2)} | ${med(g.streamed).toFixed(1)} | ${(med(g.streamed) / med(g.inflate)).toFixed(2)} |`)
      .join('\n');
    const md = `## Label QA: \`spine-ws qa\` over a dataset's masks

Command: \`${COMMAND}\` — ${machineLine()}; load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after (shared machine); ${RUNS} interleaved rounds after one warm-up, medians.

${SERIES} series of the scan bench's grid mix with real voxels: the sample generator's spine phantom rasterised onto ${GRIDS.length} realistic grids (group A 15–24 slices × 320–896², group B 640×512×120 t2_SPACE and 512×512×17 PIR), int16, zlib-compressed; ${(built.voxels / 1e6).toFixed(0)} M voxels, ${(built.maskBytes / 2 ** 20).toFixed(1)} MiB of compressed masks (build ${(buildMs / 1000).toFixed(0)} s, not timed). **Baseline**: \`readMetaImage\` of every mask (read + inflate on libuv's pool), ${CONCURRENCY} in flight. **QA**: \`scanDataset\` + \`runQa\` (read; inflate on libuv's pool in 1 MiB pieces, each scanned on the main thread as it comes while the pool inflates the next — the voxel pass: background skipped by 64-bit words, runs along i or along j, union-find over runs, contacts from run overlaps; per-series checks; dataset checks at the end). CPU: process CPU time of all threads for the same round (median).

| | how | wall (ms) | vs baseline | CPU (ms) | vs baseline |
|---|---|---:|---:|---:|---:|
${table}

Per grid, one mask at a time, warm (median of 3): \`readMetaImage\` (read + inflate) vs the checks of that volume on one thread (voxel pass + per-series checks), and the streamed QA of the mask file (read + inflate in pieces + voxel pass + checks); run axis of the voxel pass.

| grid | axis | read + inflate (ms) | checks (ms) | checks / inflate | streamed QA (ms) | streamed QA / inflate |
|---|---|---:|---:|---:|---:|---:|
${gridRows}
| all ${GRIDS.length} | | ${sumInflate.toFixed(1)} | ${sumCheck.toFixed(1)} | ${(sumCheck / sumInflate).toFixed(2)} | ${sumStreamed.toFixed(1)} | ${(sumStreamed / sumInflate).toFixed(2)} |

Goal (issue 14): qa ≤ 1.5× reading and inflating all masks: **${ratio <= 1.5 ? 'met' : 'not met'}** at ${SERIES} series, ${ratio.toFixed(2)}× wall, ${(cpuOf('qa') / cpuOf('baseline')).toFixed(2)}× CPU (${findings} findings: ${Object.entries(byCode).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} — volume outliers are expected here: the smallest grids, 320×384 at 0.48 mm, cut the 305 mm phantom, so their end vertebrae and canal are smaller than in the other series of that sequence).
`;
    writeResults('qa', figures, md);
    console.log(md);
    const ref = median(samples.streamOnly!);
    console.log(
      `RATIO qa / baseline = ${ratio.toFixed(2)}× wall, ${(cpuOf('qa') / cpuOf('baseline')).toFixed(2)}× CPU at ${SERIES} series (goal ≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'not met'}); ` +
        `qa / streamed read+inflate = ${(median(samples.qa!) / ref).toFixed(2)}× wall; load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
