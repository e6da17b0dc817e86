// Bench: export of a revised dataset (issue 6 item 6) on the realistic sample (3 patients, 7 series, both
// orientation conventions, 640×512×120 SPACE included), every mask edited so every mask is rebuilt:
//   - export throughput with 2 worker threads (and with 1) against plain zlib deflate (level 2, the export's) of
//     the same int16 mask bytes on one core, interleaved in the same run, medians;
//   - peak memory during the export (RSS and heap + array buffers, sampled every 10 ms; worker threads share RSS).
// Throughput = int16 mask bytes rebuilt / wall time. The export's wall time covers everything: reading and
// inflating the original masks, replaying the journal, comparing, converting, deflating, hashing, writing, copying
// the images byte for byte (FICLONE where the filesystem clones, plain copies on this ext4) and the manifest.
// Run: node bin/run-ts.mjs bench/export.bench.ts   (EXPORT_BENCH_RUNS to change the repetitions, default 5)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import type { Request } from '../common/contract.js';
import { voxelCount } from '../common/geometry.js';
import { encodeDiff } from '../common/labelDiff.js';
import { runExport } from '../main/core/export/index.js';
import { createWorkerPool } from '../main/core/export/workerPool.js';
import { DEFAULT_LEVEL, readMetaImage } from '../main/core/mha/index.js';
import { generateSample } from '../main/core/sample/index.js';
import { createRandom } from '../main/core/sample/random.js';
import { openWorkstation } from '../main/core/workstation.js';
import { figure, machineLine, median, writeResults } from './lib/report.js';

const COMMAND = 'node bin/run-ts.mjs bench/export.bench.ts';
const RUNS = Math.max(3, Number(process.env.EXPORT_BENCH_RUNS ?? 5));
const GOAL = 1.5;

const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
const ms = (x: number): string => x.toFixed(0);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'spine-export-bench-'));
  try {
    console.log('generating the realistic sample (3 patients)…');
    const datasetRoot = join(dir, 'ds');
    await generateSample({ out: datasetRoot, patients: 3, profile: 'realistic', seed: 'export-bench' });
    const ws = await openWorkstation({ datasetRoot, storeFile: join(dir, 'store.sqlite'), annotator: 'bench', log: (l) => console.error(l) });
    // One stroke per series (a 40×40 square of label 1 in the middle of the volume): every mask is rebuilt.
    const rnd = createRandom('export-bench');
    const masks: Int16Array[] = [];
    let voxels = 0;
    for (const e of ws.index.series) {
      const opened = await ws.service.openSeries({ seriesId: e.id });
      const vol = await ws.volumeBytes(e.id, 'mask');
      const [nx, ny, nz] = opened.image.geometry.size;
      const k = Math.floor(nz / 2);
      const indices: number[] = [];
      const ci = Math.floor(nx / 2 + (rnd() - 0.5) * 10);
      const cj = Math.floor(ny / 2);
      for (let j = Math.max(0, cj - 20); j < Math.min(ny, cj + 20); j++) {
        for (let i = Math.max(0, ci - 20); i < Math.min(nx, ci + 20); i++) {
          const v = i + nx * (j + ny * k);
          if (vol[v] !== 1) indices.push(v);
        }
      }
      const diff = { indices: Uint32Array.from(indices), before: Uint8Array.from(indices, (v) => vol[v]!), after: new Uint8Array(indices.length).fill(1) };
      const req: Request<'commitEdit'> = { seriesId: e.id, baseRevision: opened.revision, tool: 'brush', label: 1, description: 'bench', diff: encodeDiff(diff) };
      await ws.service.commitEdit(req);
      const mask = (await readMetaImage(join(datasetRoot, e.maskFile!))).data as Int16Array;
      masks.push(mask);
      voxels += voxelCount(opened.image.geometry);
    }
    await ws.idle();
    const maskBytes = voxels * 2;
    const imageBytes = ws.index.series.reduce((s, e) => s + voxelCount(e.image!.geometry) * ({ int16: 2, uint16: 2, float32: 4 } as Record<string, number>)[e.image!.pixelType]!, 0);
    console.log(`${ws.index.series.length} series, ${mib(maskBytes)} MiB of int16 mask voxels, ${mib(imageBytes)} MiB of image voxels`);

    let n = 0;
    const exportOnce = async (workers: number): Promise<{ ms: number; peakRss: number; peakHeap: number; baseRss: number; baseHeap: number }> => {
      const out = join(dir, `out-${++n}`);
      global.gc?.();
      const base = process.memoryUsage();
      let peakRss = base.rss;
      let peakHeap = base.heapUsed + base.arrayBuffers;
      const timer = setInterval(() => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
      }, 10);
      const t0 = performance.now();
      const res = await runExport({ index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers }, { outDir: out, format: 'mha', changedOnly: false, force: false });
      const t = performance.now() - t0;
      clearInterval(timer);
      if (res.seriesChanged !== ws.index.series.length) throw new Error(`expected every series changed, got ${res.seriesChanged}`);
      rmSync(out, { recursive: true, force: true });
      return { ms: t, peakRss, peakHeap, baseRss: base.rss, baseHeap: base.heapUsed + base.arrayBuffers };
    };
    const deflateOnce = (): number => {
      const t0 = performance.now();
      let out = 0;
      for (const m of masks) out += zlib.deflateSync(new Uint8Array(m.buffer, m.byteOffset, m.byteLength), { level: DEFAULT_LEVEL }).length;
      if (out === 0) throw new Error('nothing deflated');
      return performance.now() - t0;
    };

    // The compression stage alone: the same deflate (gzip framing: + CRC-32) of the same bytes on the export's pool
    // of 2 worker threads, the buffers moved to the workers (as the export moves its own; the copies made for that
    // are not timed).
    const pool = createWorkerPool(2);
    const poolOnce = async (): Promise<number> => {
      const copies = masks.map((m) => new Uint8Array(m.buffer.slice(m.byteOffset, m.byteOffset + m.byteLength)));
      const t0 = performance.now();
      const outs = await Promise.all(copies.map((c) => pool.run({ kind: 'gzip', parts: [c], level: DEFAULT_LEVEL }, [c.buffer as ArrayBuffer])));
      if (outs.some((o) => o.data.length === 0)) throw new Error('nothing deflated');
      return performance.now() - t0;
    };
    const samples = { deflate: [] as number[], two: [] as number[], one: [] as number[], pool: [] as number[] };
    const mem = { two: [] as { rss: number; heap: number }[], one: [] as { rss: number; heap: number }[] };
    // One warm-up round (page cache, JIT, zlib tables), then interleaved repetitions.
    deflateOnce();
    await poolOnce();
    await exportOnce(2);
    await exportOnce(1);
    for (let r = 0; r < RUNS; r++) {
      console.log(`round ${r + 1}/${RUNS}`);
      samples.deflate.push(deflateOnce());
      samples.pool.push(await poolOnce());
      const a = await exportOnce(2);
      samples.two.push(a.ms);
      mem.two.push({ rss: a.peakRss - a.baseRss, heap: a.peakHeap - a.baseHeap });
      const b = await exportOnce(1);
      samples.one.push(b.ms);
      mem.one.push({ rss: b.peakRss - b.baseRss, heap: b.peakHeap - b.baseHeap });
    }
    ws.close();
    await pool.terminate();

    const tPool = median(samples.pool);
    const tDeflate = median(samples.deflate);
    const tTwo = median(samples.two);
    const tOne = median(samples.one);
    const thr = (t: number): number => maskBytes / 2 ** 20 / (t / 1000);
    const ratioTwo = thr(tTwo) / thr(tDeflate);
    const ratioOne = thr(tOne) / thr(tDeflate);
    const memTwo = { rss: median(mem.two.map((m) => m.rss)), heap: median(mem.two.map((m) => m.heap)) };
    const memOne = { rss: median(mem.one.map((m) => m.rss)), heap: median(mem.one.map((m) => m.heap)) };
    const biggest = Math.max(...ws.index.series.map((e) => voxelCount(e.image!.geometry)));
    const figures = [
      figure('export-throughput-2-workers', 'MiB/s', thr(tTwo), thr(tDeflate), RUNS, { exportMs: tTwo, deflateMs: tDeflate, maskMiB: maskBytes / 2 ** 20, imageMiB: imageBytes / 2 ** 20, series: ws.index.series.length, goalRatio: GOAL }),
      figure('export-compression-stage-2-workers', 'MiB/s', thr(tPool), thr(tDeflate), RUNS, { poolMs: tPool, deflateMs: tDeflate, goalRatio: GOAL }),
      figure('export-throughput-1-worker', 'MiB/s', thr(tOne), thr(tDeflate), RUNS, { exportMs: tOne, deflateMs: tDeflate }),
      figure('export-peak-rss-2-workers', 'MiB', memTwo.rss / 2 ** 20, biggest / 2 ** 20, RUNS, { note: 'peak RSS above the RSS before the export; baseline = one uint8 label volume of the largest series', heapPlusArrayBuffersMiB: memTwo.heap / 2 ** 20 }),
      figure('export-peak-rss-1-worker', 'MiB', memOne.rss / 2 ** 20, biggest / 2 ** 20, RUNS, { heapPlusArrayBuffersMiB: memOne.heap / 2 ** 20 }),
    ];
    const met = ratioTwo >= GOAL ? '**met**' : '**not met**';
    const md = `## Export: throughput and memory

Command: \`${COMMAND}\` — ${machineLine()}; ${RUNS} interleaved repetitions after one warm-up round, medians.

Realistic sample, 3 patients, ${ws.index.series.length} series (both orientation conventions; int16, uint16 and float32 images; the largest 640×512×120), one brush stroke committed in every series so that **every mask is rebuilt**: ${mib(maskBytes)} MiB of int16 mask voxels, ${mib(imageBytes)} MiB of image voxels copied. Export = \`runExport\` of the whole SPIDER-layout dataset (read + inflate the original masks, replay the journal, compare, convert to int16, deflate at level ${DEFAULT_LEVEL}, SHA-256, write; copy every image byte for byte — plain copies on this ext4, clones where the filesystem supports them — CSVs, CHANGES.md, manifest). Baseline = \`zlib.deflateSync\` of the same int16 mask bytes at the same level on the main thread (one core), nothing else. Throughput = mask MiB / wall time.

| | wall time (ms) | mask throughput (MiB/s) | vs plain deflate on one core | peak RSS above start (MiB) | peak heap + array buffers above start (MiB) |
|---|---:|---:|---:|---:|---:|
| plain deflate, 1 core | ${ms(tDeflate)} | ${thr(tDeflate).toFixed(1)} | 1.00× | | |
| export, 2 workers | ${ms(tTwo)} | ${thr(tTwo).toFixed(1)} | **${ratioTwo.toFixed(2)}×** | ${mib(memTwo.rss)} | ${mib(memTwo.heap)} |
| export, 1 worker | ${ms(tOne)} | ${thr(tOne).toFixed(1)} | ${ratioOne.toFixed(2)}× | ${mib(memOne.rss)} | ${mib(memOne.heap)} |
| compression stage only: same deflate on the export's 2 worker threads | ${ms(tPool)} | ${thr(tPool).toFixed(1)} | **${(thr(tPool) / thr(tDeflate)).toFixed(2)}×** | | |

Goal: export with 2 workers at least ${GOAL}× the throughput of plain deflate on one core: whole export ${ratioTwo.toFixed(2)}× — ${met}; the compression stage alone on the 2 workers ${(thr(tPool) / thr(tDeflate)).toFixed(2)}× — ${thr(tPool) / thr(tDeflate) >= GOAL ? '**met**' : '**not met**'}. The compression stage is capped by the largest series: its mask is ${(100 * biggest * 2 / maskBytes).toFixed(0)} % of the bytes and one zlib stream (MetaImage allows one), so 2 workers can at best reach ${(maskBytes / (biggest * 2)).toFixed(2)}× even with zero overhead. Why the whole export cannot reach the goal here: SPIDER-like masks are ~94 % background, so deflate at level ${DEFAULT_LEVEL} runs at ~${thr(tDeflate).toFixed(0)} MiB/s and is a small part of the export's work. The export also inflates every original mask, converts it to one byte per voxel, replays the journal, compares original and exported volumes voxel by voxel for the manifest's Dice and added/removed counts, hashes every file (SHA-256) and copies ${mib(imageBytes)} MiB of images (plain copies on ext4: no clone). Measured with \`process.cpuUsage\` during development, the export uses ~1.6 s of CPU for ~0.9 s of wall time on this 2-core machine: both cores are busy, so only less work, not more parallelism, would make it faster. Memory is bounded by the series in flight (one per worker): the largest series has ${mib(biggest)} MiB of uint8 labels (original + current + int16 copy + compressed output per series in flight).
`;
    writeResults('export', figures, md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
