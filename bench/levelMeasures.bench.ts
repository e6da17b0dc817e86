// Bench: level measurements (issue 15, item 5) for every disc level of a realistic patient: t1 and t2 at
// 17×512×512 (identity) and a t2_SPACE at 640×512×120 (PIR), from the labels and, for the two T2 series, the image
// (nucleus/CSF ratio), against reading the patient's three masks (readMetaImage: read + inflate), interleaved run by
// run in the same process. Then the honest cold path: the first levelMeasures call through the service on a fresh
// workstation (reads the three masks, measures, streams the two T2 images for the nucleus/CSF ratio), against the
// same mask reads in the same round (order alternating round by round). And the T2 part alone: sampling the two T2
// images while they stream (levelMeasuresSignal.ts) vs reading them whole with readMetaImage (the previous way).
// Run: node bin/run-ts.mjs bench/levelMeasures.bench.ts   (LEVEL_MEASURES_BENCH_RUNS to change repetitions)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { measureLevels, planLevelMeasures } from '../main/core/gradings/levelMeasures.js';
import { sampleFile } from '../main/core/gradings/levelMeasuresSignal.js';
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

    // The T2 part alone: the planned voxels sampled while each T2 image streams, vs the whole images read.
    const T2 = [1, 2] as const;
    const plans = T2.map((i) => planLevelMeasures(SERIES[i], labels[i]!.labels, labels[i]!.geometry).signal!);
    const streamT2 = (): Promise<unknown> =>
      Promise.all(T2.map((i, n) => sampleFile(plans[n]!, join(ds, 'images', `${SERIES[i]}.mha`), SERIES[i], labels[i]!.geometry, { within: ds })));
    const wholeT2 = (): Promise<unknown> => Promise.all(T2.map((i) => readMetaImage(join(ds, 'images', `${SERIES[i]}.mha`), { within: ds })));

    const read: number[] = [];
    const measure: number[] = [];
    const service: number[] = [];
    const readForService: number[] = [];
    const streamed: number[] = [];
    const whole: number[] = [];
    const time = async (into: number[], f: () => unknown): Promise<void> => {
      const t = performance.now();
      await f();
      into.push(performance.now() - t);
    };
    measureAll();
    await readMasks();
    await streamT2();
    for (let r = 0; r < RUNS; r++) {
      await time(read, readMasks);
      await time(measure, measureAll);
      // End to end, cold: a fresh workstation's first levelMeasures (reads the masks, measures, streams the T2
      // images), and the mask reads of the same round, in alternating order.
      const ws = await openWorkstation({ datasetRoot: ds, storeFile: join(dir, `s-${r}.sqlite`), annotator: 'bench', log: () => undefined });
      const cold = (): Promise<void> => time(service, () => ws.service.levelMeasures({ patientId: 1 }));
      const masks = (): Promise<void> => time(readForService, readMasks);
      for (const f of r % 2 === 0 ? [cold, masks] : [masks, cold]) await f();
      ws.close();
      for (const f of r % 2 === 0 ? [() => time(streamed, streamT2), () => time(whole, wholeT2)] : [() => time(whole, wholeT2), () => time(streamed, streamT2)]) await f();
    }
    const m = median(measure);
    const b = median(read);
    const s = median(service);
    const b2 = median(readForService);
    const st = median(streamed);
    const wh = median(whole);
    const figures = [
      figure('level-measures-all-levels-realistic', 'ms', m, b, RUNS, { levels, series: SERIES.join(', ') }),
      figure('level-measures-cold-end-to-end', 'ms', s, b2, RUNS, { series: SERIES.join(', '), path: 'fresh workstation: masks + journal, measure, T2 images streamed' }),
      figure('level-measures-t2-streamed-vs-whole', 'ms', st, wh, RUNS, { series: '1_t2, 1_t2_SPACE' }),
    ];
    const md = `## Level measurements per disc level (issue 15, item 5)

Command: \`${COMMAND}\` — ${machineLine()}. The machine is shared with other engineers' builds and tests: medians of ${RUNS} interleaved runs, noisy.

**Measuring every level of a realistic patient** (${levels} disc levels over ${SERIES.join(', ')}: 17×512×512, 17×512×512, 640×512×120 PIR; DHI, slip, canal, and the nucleus/CSF ratio from the two T2 images), labels and images in memory: **${ms(m)} ms** vs reading the patient's three masks (read + inflate) **${ms(b)} ms** in the same runs: **${(m / b).toFixed(2)}×** (target ≤ 1.2×).

**Cold end to end** — the first levelMeasures through the service on a fresh workstation (reads the three masks through the label journal, measures, and streams the two T2 images for the nucleus/CSF ratio: only the planned voxels and slice minima are kept, never a whole image): **${ms(s)} ms** vs reading the three masks **${ms(b2)} ms** in the same rounds (order alternating): **${(s / b2).toFixed(2)}×** — target ≤ 1.2× ${s / b2 <= 1.2 ? '**met**' : '**not met**'}. Later calls are answered from the cache until a series' labels change; with the series open the loaded image is used.

**The T2 part alone**: the two T2 images sampled while they stream **${ms(st)} ms** vs read whole with readMetaImage (the previous way) **${ms(wh)} ms**: **${(st / wh).toFixed(2)}×**.
`;
    writeResults('levelMeasures', figures, md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
