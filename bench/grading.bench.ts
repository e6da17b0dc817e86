// Bench: radiological grading (issue #5).
//   - setGrading latency through the service (validation, the level recomputed from CSV + store + cached disc
//     measurements, one SQLite transaction with synchronous=FULL for value + event, the level returned) against a
//     bare store.gradings.set on another store file (same pragmas), interleaved, on a 218-patient dataset (SPIDER's
//     patient count, tiny volumes);
//   - gradingProgress over all 218 patients (the worklist's count, which reads no volume) against listSeries;
//   - the first getGradings of a realistic patient (measures the discs of its three masks: reads and inflates
//     them) against openSeries of its largest series + the mask bytes.
// Run: node bin/run-ts.mjs bench/grading.bench.ts   (GRADING_BENCH_RUNS to change repetitions)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { GRADING_FIELDS } from '../common/gradings.js';
import { generateSample } from '../main/core/sample/index.js';
import { openStore, type AnnotatorId } from '../main/core/store/index.js';
import { openWorkstation } from '../main/core/workstation.js';
import { figure, interleave, machineLine, median, writeResults } from './lib/report.js';

const COMMAND = 'node bin/run-ts.mjs bench/grading.bench.ts';
const RUNS = Math.max(5, Number(process.env.GRADING_BENCH_RUNS ?? 9));
const PATIENTS = 218;
const CHANGES = 400;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const ms = (x: number): string => x.toFixed(x < 10 ? 2 : 1);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'spine-bench-grading-'));
  try {
    const t0 = performance.now();
    await generateSample({ out: join(dir, 'many'), patients: PATIENTS, profile: 'tiny', seed: 'bench-grading' });
    await generateSample({ out: join(dir, 'real'), patients: 1, profile: 'realistic', seed: 'bench-grading' });
    console.log(`samples generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // 1. setGrading vs a bare store write, interleaved change by change.
    const ws = await openWorkstation({ datasetRoot: join(dir, 'many'), storeFile: join(dir, 'many.sqlite'), annotator: 'bench', log: () => undefined });
    const bare = openStore(join(dir, 'bare.sqlite'));
    const bareAnnotator: AnnotatorId = bare.annotators.ensure('bench');
    const service: number[] = [];
    const baseline: number[] = [];
    // Warm: the patients' disc measurements are made by their first getGradings (measured separately below).
    for (let p = 1; p <= 20; p++) await ws.service.getGradings({ patientId: p });
    for (let i = 0; i < CHANGES; i++) {
      const patientId = 1 + (i % 20);
      const ivdLabel = 1 + (Math.floor(i / 20) % 5);
      const spec = GRADING_FIELDS[i % GRADING_FIELDS.length]!;
      const value = spec.values[Math.floor(i / 7) % spec.values.length]!;
      let t = performance.now();
      await ws.service.setGrading({ patientId, ivdLabel, field: spec.field, value });
      service.push(performance.now() - t);
      t = performance.now();
      bare.gradings.set({ patientId, ivdLabel, field: spec.field, value: i, annotatorId: bareAnnotator });
      baseline.push(performance.now() - t);
    }
    bare.close();

    // 2. gradingProgress over every patient vs listSeries (the worklist's other call).
    const progress = await interleave({ progress: () => ws.service.gradingProgress({}), listSeries: () => ws.service.listSeries({}) }, RUNS);
    const progressLen = (await ws.service.gradingProgress({})).length;
    ws.close();

    // 3. First getGradings of a realistic patient (fresh workstation each run) vs openSeries + mask bytes.
    const first: number[] = [];
    const open: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      for (const kind of ['grade', 'open'] as const) {
        const w = await openWorkstation({ datasetRoot: join(dir, 'real'), storeFile: join(dir, `real-${kind}-${r}.sqlite`), annotator: 'bench', log: () => undefined });
        const t = performance.now();
        if (kind === 'grade') await w.service.getGradings({ patientId: 1 });
        else {
          await w.service.openSeries({ seriesId: '1_t2_SPACE' });
          await w.volumeBytes('1_t2_SPACE', 'mask');
        }
        (kind === 'grade' ? first : open).push(performance.now() - t);
        w.close();
      }
    }

    const p50 = median(service);
    const p95 = percentile(service, 95);
    const b50 = median(baseline);
    const b95 = percentile(baseline, 95);
    const figures = [
      figure('set-grading-p95', 'ms', p95, b95, CHANGES, { p50, baselineP50: b50, patients: PATIENTS }),
      figure('grading-progress-218-patients', 'ms', median(progress.progress!), median(progress.listSeries!), RUNS, { patients: progressLen }),
      figure('first-get-gradings-realistic', 'ms', median(first), median(open), RUNS, { series: '1_t1, 1_t2, 1_t2_SPACE' }),
    ];
    const md = `## Grading: change latency, worklist progress, first hints

Command: \`${COMMAND}\` — ${machineLine()}.

**setGrading** through the service on a ${PATIENTS}-patient tiny sample (${CHANGES} changes over 20 patients × 5 levels × every field; each validates, recomputes the level from CSV + store + cached disc measurements, writes value + event in one SQLite transaction with \`synchronous=FULL\`, and returns the level) against a **bare \`store.gradings.set\`** on another store file, interleaved change by change: p50 **${ms(p50)} ms** vs ${ms(b50)} ms (${(p50 / b50).toFixed(1)}×), p95 **${ms(p95)} ms** vs ${ms(b95)} ms (${(p95 / b95).toFixed(1)}×). A key press is stored and acknowledged well within a frame or two.

**gradingProgress** over all ${progressLen} patients (the worklist's graded counts; reads no volume): **${ms(median(progress.progress!))} ms** median of ${RUNS} vs listSeries ${ms(median(progress.listSeries!))} ms in the same run (${(median(progress.progress!) / median(progress.listSeries!)).toFixed(1)}×). The renderer asks for it after every grading change.

**First getGradings of a realistic patient** (measures the discs of its three masks 512×512×17, 640×512×120, 896×896×15: reads, inflates and scans each once; later calls use the cached measurements until the labels change): **${ms(median(first))} ms** vs openSeries + mask bytes of its largest series ${ms(median(open))} ms (${(median(first) / median(open)).toFixed(2)}×), medians of ${RUNS}, fresh workstation each run.
`;
    writeResults('grading', figures, md);
    console.log(md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
