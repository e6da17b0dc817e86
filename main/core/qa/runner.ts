// Runs the label checks over a whole dataset: reads each series' mask (inflate runs on libuv's thread pool, the
// voxel pass and checks on this thread, `concurrency` masks in flight so that both overlap on two cores), checks
// it, keeps only a small summary per series, then runs the dataset-level checks on the summaries.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { mapLimit, type DatasetIndex, type SeriesEntry } from '../dataset/index.js';
import { readMetaImage, type MetaImage } from '../mha/index.js';
import { checkScan, checkSeries } from './checks.js';
import { gradingsVsDiscs, siblingLevels, volumeOutliers } from './dataset.js';
import { fromRaw, RUNS_KEPT } from './scan.js';
import type { QaFinding, QaReport, QaSeverity, SeriesQaSummary } from './types.js';
import { createScanPool, type ScanPool } from './workers.js';

export interface QaOptions {
  /** Reads a series' mask (default: readMetaImage of its mask file, confined to the dataset folder). */
  readMask?: (series: SeriesEntry, root: string) => Promise<MetaImage>;
  /** Masks in flight at once (default: one more than the workers, at least the number of cores). */
  concurrency?: number;
  /**
   * Worker threads for the voxel pass; 0: on the calling thread while libuv's pool inflates the next masks.
   * Default: one per core when runQa reads the masks itself (no `readMask`) and at least WORKERS_FROM_MASKS series
   * have one, else 0. Measured on the shared 2-core machine (bench/qa.bench.ts, BENCHMARKS.md "Label QA"): over
   * 447 series 2 workers beat the calling thread (less CPU and wall time), over 40 the calling thread wins — a
   * new pool runs its first masks on cold (unoptimised) code, which only a long run pays back.
   */
  workers?: number;
  /** Called after each series is checked. */
  onProgress?: (done: number, total: number) => void;
}

/** Fewest series with a mask for runQa to start worker threads by default (see QaOptions.workers). */
export const WORKERS_FROM_MASKS = 200;

export const defaultReadMask = (s: SeriesEntry, root: string): Promise<MetaImage> => readMetaImage(join(root, s.maskFile!), { within: root });

const SEVERITY_ORDER: Record<QaSeverity, number> = { error: 0, warning: 1, info: 2 };

export async function runQa(index: DatasetIndex, opts: QaOptions = {}): Promise<QaReport> {
  const readMask = opts.readMask ?? defaultReadMask;
  const withMask = index.series.filter((s) => s.maskFile !== null);
  const cores = availableParallelism();
  const autoWorkers = opts.readMask === undefined && cores > 1 && withMask.length >= WORKERS_FROM_MASKS ? cores : 0;
  const workers = Math.max(0, Math.floor(opts.workers ?? autoWorkers));
  const concurrency = opts.concurrency ?? Math.max(2, cores, workers + 1);
  const pool: ScanPool | null = workers > 0 && withMask.length > 1 ? createScanPool(Math.min(workers, withMask.length)) : null;
  try {
    return await run(index, opts, readMask, concurrency, withMask, pool);
  } finally {
    await pool?.terminate();
  }
}

async function run(
  index: DatasetIndex,
  opts: QaOptions,
  readMask: NonNullable<QaOptions['readMask']>,
  concurrency: number,
  withMask: SeriesEntry[],
  pool: ScanPool | null,
): Promise<QaReport> {
  const findings: QaFinding[] = [];
  const summaries: (SeriesQaSummary | null)[] = [];
  let done = 0;
  await mapLimit(withMask, concurrency, async (s, n) => {
    let mask: MetaImage;
    try {
      mask = await readMask(s, index.root);
    } catch (err) {
      findings.push({
        code: 'mask_unreadable',
        severity: 'error',
        seriesId: s.id,
        patientId: s.patientId,
        labels: [],
        message: `${err instanceof Error ? err.message : String(err)}`,
      });
      summaries[n] = null;
      opts.onProgress?.(++done, withMask.length);
      return;
    }
    const input = { seriesId: s.id, patientId: s.patientId, sequence: s.sequence, geometry: mask.geometry, data: mask.data };
    // The default reader's masks are this run's own: their buffers move to the worker instead of being copied.
    const r = pool ? checkScan(input, fromRaw(await pool.scan(mask, RUNS_KEPT, readMask === defaultReadMask))) : checkSeries(input);
    findings.push(...r.findings);
    summaries[n] = r.summary;
    opts.onProgress?.(++done, withMask.length);
  });
  const ok = summaries.filter((s): s is SeriesQaSummary => s !== null);
  const graded = new Map<number, number[]>();
  for (const row of index.gradings?.rows ?? []) {
    const list = graded.get(row.patient) ?? [];
    list.push(row.ivdLabel);
    graded.set(row.patient, list);
  }
  findings.push(...volumeOutliers(ok), ...siblingLevels(ok));
  if (index.gradings) findings.push(...gradingsVsDiscs(ok, graded));
  const order = new Map(index.series.map((s, n) => [s.id, n]));
  findings.sort(
    (a, b) =>
      (order.get(a.seriesId) ?? 0) - (order.get(b.seriesId) ?? 0) ||
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.code.localeCompare(b.code) ||
      (a.labels[0] ?? 0) - (b.labels[0] ?? 0),
  );
  const counts: Record<QaSeverity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    root: index.root,
    seriesChecked: ok.length,
    seriesWithoutMask: index.series.filter((s) => s.maskFile === null).map((s) => s.id),
    findings,
    counts,
    summaries: ok,
  };
}
