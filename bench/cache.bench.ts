// Bench: the series cache under a burst of volume requests (issue 11, item 1).
//   Burst = 14 concurrent volumeBytes(image) for the 7 series of a realistic sample, twice each, through a
//   workstation whose cache holds 2 series (the default), then openSeries of a series that was not in the burst.
//   Baseline = reading the same 7 images once each, one after the other, with the bare MetaImage reader.
//   A cache that shares loads and never evicts a series its requests wait for reads each image once, so the burst
//   costs about the baseline; the old cache evicted and reloaded in a loop (thrash or livelock).
// Also: loads started, series held at the end, peak RSS above the start.
// Run: node bin/run-ts.mjs bench/cache.bench.ts   (CACHE_BENCH_RUNS to change repetitions)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { readMetaImage } from '../main/core/mha/index.js';
import { generateSample } from '../main/core/sample/index.js';
import { openWorkstation } from '../main/core/workstation.js';
import { figure, machineLine, median, writeResults } from './lib/report.js';

const COMMAND = 'node bin/run-ts.mjs bench/cache.bench.ts';
const RUNS = Math.max(3, Number(process.env.CACHE_BENCH_RUNS ?? 5));
const ms = (x: number): string => x.toFixed(x < 10 ? 2 : 0);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'spine-bench-cache-'));
  try {
    await generateSample({ out: join(dir, 'ds'), patients: 4, profile: 'realistic', seed: 'bench-cache' });
    const burst: number[] = [];
    const sequential: number[] = [];
    const openAfter: number[] = [];
    const loads: number[] = [];
    const held: number[] = [];
    const rss: number[] = [];
    let series: string[] = [];
    for (let r = 0; r <= RUNS; r++) {
      const ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, `store-${r}.sqlite`), annotator: 'bench', log: () => undefined });
      series = ws.index.series.filter((s) => s.image).map((s) => s.id);
      const files = ws.index.series.filter((s) => s.image).map((s) => join(ws.index.root, s.imageFile));
      const burstIds = series.slice(0, 7);
      const last = series[7]!;
      // Baseline: each image read once, sequentially.
      let t = performance.now();
      for (const f of files.slice(0, 7)) await readMetaImage(f);
      const base = performance.now() - t;
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      t = performance.now();
      await Promise.all([...burstIds, ...burstIds].map((id) => ws.volumeBytes(id, 'image')));
      const b = performance.now() - t;
      t = performance.now();
      await ws.service.openSeries({ seriesId: last });
      const o = performance.now() - t;
      clearInterval(sampler);
      if (r > 0) {
        // run 0 warms the page cache and the JIT
        sequential.push(base);
        burst.push(b);
        openAfter.push(o);
        loads.push(ws.cacheInfo().loads);
        held.push(ws.cacheInfo().cached.length);
        rss.push((peak - rss0) / 2 ** 20);
      }
      ws.close();
    }
    const distinct = 7;
    const figures = [
      figure('cache-burst-14-requests', 'ms', median(burst), median(sequential), RUNS, { series: distinct, loads: median(loads), held: Math.max(...held) }),
      figure('open-after-burst', 'ms', median(openAfter), median(sequential) / 7, RUNS),
    ];
    const md = `## Series cache: a burst of volume requests

Command: \`${COMMAND}\` — ${machineLine()}; ${RUNS} repetitions after one warm-up, medians, fresh workstation each.

Realistic sample (4 patients, ${series.length} series up to 640×512×120). **Burst**: 14 concurrent \`volumeBytes(image)\` — ${distinct} series requested twice each (the request pattern that used to livelock the web server) — through a workstation whose cache holds 2 series, then \`openSeries\` of a series outside the burst. **Baseline**: the same ${distinct} images read once each, one after the other, with the bare MetaImage reader, in the same run.

| | time (ms) | vs baseline |
|---|---:|---:|
| baseline: ${distinct} image reads, sequential | ${ms(median(sequential))} | 1.00× |
| burst of 14 requests | ${ms(median(burst))} | **${(median(burst) / median(sequential)).toFixed(2)}×** |
| openSeries right after the burst (vs one baseline read) | ${ms(median(openAfter))} | ${(median(openAfter) / (median(sequential) / 7)).toFixed(2)}× |

Loads started for the burst and the open: **${median(loads)}** (one per series: requests share a load, and no load is evicted under a waiting request); series held afterwards: ${Math.max(...held)} (the cache's capacity); peak RSS above the start during the burst: ${median(rss).toFixed(0)} MiB. Series beyond the capacity wait for a slot instead of evicting each other, so the burst reads each image once (the two cores overlap inflating one image with converting another).
`;
    writeResults('cache', figures, md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
