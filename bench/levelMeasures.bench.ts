// Bench: level measurements (issue 15, item 5) for every disc level of a realistic patient: t1 and t2 at
// 17×512×512 (identity) and a t2_SPACE at 640×512×120 (PIR), from the labels and, for the two T2 series, the image
// (nucleus/CSF ratio), against reading the patient's three masks (readMetaImage: read + inflate), interleaved run by
// run in the same process. Also the first levelMeasures call through the service on a fresh workstation (reads the
// masks and the two T2 images, then measures), against the same mask reads.
// Run: node bin/run-ts.mjs bench/levelMeasures.bench.ts   (LEVEL_MEASURES_BENCH_RUNS to change repetitions)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { measureLevels } from '../main/core/gradings/levelMeasures.js';
import { labelBytesOf } from '../main/core/export/index.js';
import { readMetaImage, type MetaImage } from '../main/core/mha/index.js';
import { generateSample } from '../main/core/sample/index.js';
import { openWorkstation } from '../main/core/workstation.js';
import { figure, machineLine, median, writeResults } from './lib/report.js';

const COMMAND = 'node bin/run-ts.mjs bench/levelMeasures.bench.ts';
const RUNS = Math.max(5, Number(process.env.LEVEL_MEASURES_BENCH_RUNS ?? 9));
const SERIES = ['1_t1', '1_t2', '1_t2_SPACE'] as const;
const ms = (x: number): string => x.toFixed(x < 10 ? 2 : 1);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'spine-bench-level-measures-'));
  try {
    const ds = join(dir, 'real');
    await generateSample({ out: ds, patients: 1, profile: 'realistic', seed: 'bench-level-measures' });
    const readMasks = async (): Promise<MetaImage[]> => Promise.all(SERIES.map((id) => readMetaImage(join(ds, 'masks', `${id}.mha`), { within: ds })));
    // In memory for the measuring runs: one-byte labels and the T2 images.
    const labels = (await readMasks()).map((m) => {
      const r = labelBytesOf(m.data);
      if (!r.labels) throw new Error('bad label value');
      return { geometry: m.geometry, labels: r.labels };
    });
    const images = await Promise.all(SERIES.map(async (id) => (id === '1_t1' ? null : (await readMetaImage(join(ds, 'images', `${id}.mha`), { within: ds })).data)));
    let levels = 0;
    const measureAll = (): void => {
      levels = 0;
      for (const [i, id] of SERIES.entries()) levels += measureLevels(id, labels[i]!.labels, labels[i]!.geometry, images[i]).levels.length;
    };

    const read: number[] = [];
    const measure: number[] = [];
    const service: number[] = [];
    const readForService: number[] = [];
    measureAll();
    await readMasks();
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      await readMasks();
      read.push(performance.now() - t);
      t = performance.now();
      measureAll();
      measure.push(performance.now() - t);
      // End to end: a fresh workstation's first levelMeasures (reads masks + T2 images, measures).
      const ws = await openWorkstation({ datasetRoot: ds, storeFile: join(dir, `s-${r}.sqlite`), annotator: 'bench', log: () => undefined });
      t = performance.now();
      await ws.service.levelMeasures({ patientId: 1 });
      service.push(performance.now() - t);
      ws.close();
      t = performance.now();
      await readMasks();
      readForService.push(performance.now() - t);
    }
    const m = median(measure);
    const b = median(read);
    const s = median(service);
    const b2 = median(readForService);
    const figures = [
      figure('level-measures-all-levels-realistic', 'ms', m, b, RUNS, { levels, series: SERIES.join(', ') }),
      figure('level-measures-first-service-call', 'ms', s, b2, RUNS, { series: SERIES.join(', ') }),
    ];
    const md = `## Level measurements per disc level (issue 15, item 5)

Command: \`${COMMAND}\` — ${machineLine()}. The machine is shared with other engineers' builds and tests: medians of ${RUNS} interleaved runs, noisy.

**Measuring every level of a realistic patient** (${levels} disc levels over ${SERIES.join(', ')}: 17×512×512, 17×512×512, 640×512×120 PIR; DHI, slip, canal, and the nucleus/CSF ratio from the two T2 images), labels and images in memory: **${ms(m)} ms** vs reading the patient's three masks (read + inflate) **${ms(b)} ms** in the same runs: **${(m / b).toFixed(2)}×** (target ≤ 1.2×).

**First levelMeasures through the service** on a fresh workstation (reads the three masks and the two T2 images, then measures; later calls are answered from the cache until a series' labels change): **${ms(s)} ms** vs the mask reads ${ms(b2)} ms (${(s / b2).toFixed(2)}×): the T2 images are read too, which the dock avoids when the series is open (the loaded image is used).
`;
    writeResults('levelMeasures', figures, md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
