// Runs the label checks over a whole dataset: reads each series' mask, checks it, keeps only a small summary per
// series, then runs the dataset-level checks on the summaries. By default each mask file is read in pieces
// (readMetaImageChunks: zlib inflates on libuv's thread pool) and every piece is scanned on this thread as it
// arrives, while it is still in cache; `concurrency` masks in flight keep both cores busy, and no mask volume is
// ever allocated whole. With a `readMask` (e.g. the live labels of the app's QA service) the volumes are scanned
// whole, on this thread or on worker threads.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { mapLimit, type DatasetIndex, type SeriesEntry } from '../dataset/index.js';
import { bytesPerVoxel, readMetaImage, readMetaImageChunks, type MetaImage } from '../mha/index.js';
import { checkScan, checkSeries, type SeriesResult } from './checks.js';
import { gradingsVsDiscs, siblingLevels, volumeOutliers } from './dataset.js';
import { fromRaw, RUNS_KEPT } from './scan.js';
import { RunScanner } from './scanRuns.mjs';
import type { QaFinding, QaReport, QaSeverity, SeriesQaSummary } from './types.js';
import { createScanPool, type ScanPool } from './workers.js';

export interface QaOptions {
  /**
   * A series' labels when they are not (only) its mask file, e.g. the app's live labels; null: the mask file
   * (default for every series: the mask file, confined to the dataset folder, streamed — see above).
   */
  readMask?: (series: SeriesEntry, root: string) => Promise<MetaImage | null>;
  /** Masks in flight at once (default: one more than the workers, at least the number of cores). */
  concurrency?: number;
  /**
   * Worker threads for the voxel pass of whole volumes (default 0: none). With workers, mask files are read
   * whole (readMetaImage) and every volume is scanned on the workers; without, mask files are streamed and a
   * `readMask`'s volumes are scanned on the calling thread. Measured on two cores (bench/qa.bench.ts,
   * BENCHMARKS.md "Label QA"): streaming on the calling thread beats workers on whole volumes.
   */
  workers?: number;
  /** Called after each series is checked. */
  onProgress?: (done: number, total: number) => void;
}

export const defaultReadMask = (s: SeriesEntry, root: string): Promise<MetaImage> => readMetaImage(join(root, s.maskFile!), { within: root });

const SEVERITY_ORDER: Record<QaSeverity, number> = { error: 0, warning: 1, info: 2 };

export async function runQa(index: DatasetIndex, opts: QaOptions = {}): Promise<QaReport> {
  const withMask = index.series.filter((s) => s.maskFile !== null);
  const workers = Math.max(0, Math.floor(opts.workers ?? 0));
  const concurrency = opts.concurrency ?? Math.max(2, availableParallelism(), workers + 1);
  const pool: ScanPool | null = workers > 0 && withMask.length > 1 ? createScanPool(Math.min(workers, withMask.length)) : null;
  const check = checkOne(opts.readMask, pool);
  try {
    return await run(index, opts, check, concurrency, withMask);
  } finally {
    await pool?.terminate();
  }
}

type CheckOne = (s: SeriesEntry, root: string) => Promise<SeriesResult>;

const inputOf = (s: SeriesEntry, geometry: MetaImage['geometry']): { seriesId: string; patientId: number; sequence: string; geometry: MetaImage['geometry'] } => ({
  seriesId: s.id,
  patientId: s.patientId,
  sequence: s.sequence,
  geometry,
});

/** Inflated bytes per piece of a streamed mask: small enough to stay in cache while it is scanned. */
const CHUNK_BYTES = 2 ** 20;

/** Streams the mask file and scans each inflated piece as it comes (the whole volume is never allocated). */
const checkMaskFile: CheckOne = async (s, root) => {
  let scanner: RunScanner | null = null;
  const header = await readMetaImageChunks(
    join(root, s.maskFile!),
    (h) => {
      const sc = (scanner = new RunScanner(h.geometry.size, bytesPerVoxel(h.pixelType)));
      return (data) => sc.feed(data);
    },
    { within: root, chunkBytes: CHUNK_BYTES },
  );
  return checkScan(inputOf(s, header.geometry), fromRaw(scanner!.result([...RUNS_KEPT])));
};

/**
 * The labels `readMask` gives, scanned whole on this thread or on a worker; the mask file (readMask's null, or
 * no readMask) streamed — or, with workers, read whole and scanned there.
 */
const checkOne =
  (readMask: QaOptions['readMask'], pool: ScanPool | null): CheckOne =>
  async (s, root) => {
    const given = readMask ? await readMask(s, root) : null;
    if (given === null && !pool) return checkMaskFile(s, root);
    const mask = given ?? (await defaultReadMask(s, root));
    const input = { ...inputOf(s, mask.geometry), data: mask.data };
    // Masks this run read itself are its own: their buffers move to the worker instead of being copied.
    const owned = given === null || readMask === defaultReadMask;
    return pool ? checkScan(input, fromRaw(await pool.scan(mask, RUNS_KEPT, owned))) : checkSeries(input);
  };

async function run(index: DatasetIndex, opts: QaOptions, check: CheckOne, concurrency: number, withMask: SeriesEntry[]): Promise<QaReport> {
  const findings: QaFinding[] = [];
  const summaries: (SeriesQaSummary | null)[] = [];
  let done = 0;
  await mapLimit(withMask, concurrency, async (s, n) => {
    let r: SeriesResult;
    try {
      r = await check(s, index.root);
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
