// A small pool of worker threads for the export's CPU work (compare, convert, zlib, SHA-256, copy-and-hash).
// The worker is plain JavaScript (compressWorker.mjs), so it loads without a TypeScript loader under tsx, vitest
// and a bundled app alike. One task per worker at a time; the engine keeps at most one series per worker in
// flight, which bounds memory.
import { AppError } from '../../../common/errors.js';
import type { RawScan } from '../qa/scanRuns.mjs';
import { createThreadPool } from '../threadPool.js';

export interface MaskTask {
  kind: 'mask';
  /** Original labels, one byte per voxel; null for a series without a mask file (all background). */
  original: Uint8Array | null;
  current: Uint8Array;
  pixelType: string;
  compress: boolean;
  level: number;
  /** Also run the label QA's voxel pass over both volumes of this grid when they differ (export/qa.ts). */
  scan?: { size: [number, number, number]; runsFor: number[] };
}
export interface MaskResult {
  stats: LabelCounts;
  /** The voxel passes asked for by `scan` (absent when nothing changed): original (null without a mask) and current. */
  scans?: { before: RawScan | null; after: RawScan };
  /** The voxel payload to write (compressed when asked); absent when nothing changed. */
  data?: Uint8Array;
  /** A value that does not fit the mask's pixel type (int8/uint8 masks). */
  overflow?: number;
}
export interface LabelCounts {
  changed: number;
  origCount: number[];
  added: number[];
  removed: number[];
}
export interface RemapTask {
  kind: 'remap';
  current: Uint8Array;
  /** remap[v] = new label, -1 for a value that has none. */
  remap: Int16Array;
  header: Uint8Array;
  level: number;
}
export interface RemapResult {
  data?: Uint8Array;
  sha256?: string;
  counts?: number[];
  unknown?: number;
  index?: number;
}
export interface GzipTask {
  kind: 'gzip';
  parts: Uint8Array[];
  level: number;
}
export interface GzipResult {
  data: Uint8Array;
  sha256: string;
}
export interface CopyTask {
  kind: 'copy';
  src: string;
  dst: string;
}
export interface CopyResult {
  sha256: string;
  bytes: number;
}

export interface LabelsTask {
  kind: 'labels';
  /** The original mask's voxels, little-endian bytes of `pixelType`. */
  bytes: Uint8Array;
  pixelType: string;
}
export interface LabelsResult {
  /** One byte per voxel, twice: the original (kept for the statistics) and a copy the journal replays onto. */
  original?: Uint8Array;
  copy?: Uint8Array;
  /** A value outside 0–255, and where. */
  bad?: number;
  index?: number;
}

type Task = MaskTask | RemapTask | GzipTask | CopyTask | LabelsTask;
type ResultOf<T extends Task> = T extends MaskTask
  ? MaskResult
  : T extends RemapTask
    ? RemapResult
    : T extends GzipTask
      ? GzipResult
      : T extends LabelsTask
        ? LabelsResult
        : CopyResult;

export interface WorkerPool {
  readonly size: number;
  /** Runs one task on an idle worker (queued when all are busy). `transfer` buffers are moved, not copied. */
  run<T extends Task>(task: T, transfer?: ArrayBuffer[]): Promise<ResultOf<T>>;
  /** Stops every worker; tasks still running reject. */
  terminate(): Promise<void>;
}

const WORKER_URL = new URL('./compressWorker.mjs', import.meta.url);

/** The buffer of `u8` when it can be transferred as a whole (it owns all of it), else null (copy instead). */
export function transferable(u8: Uint8Array): ArrayBuffer | null {
  const buf = u8.buffer;
  if (!(buf instanceof ArrayBuffer)) return null;
  return u8.byteOffset === 0 && u8.byteLength === buf.byteLength ? buf : null;
}

export function createWorkerPool(size: number): WorkerPool {
  const pool = createThreadPool<{ ok: boolean; result?: unknown; error?: { message: string; code?: string } }>(size, {
    url: WORKER_URL,
    settle: (msg) => {
      if (msg.ok) return { ok: true, value: msg.result };
      const code = msg.error?.code;
      const appCode = code === 'ENOENT' ? 'not_found' : code && /^E[A-Z]+$/.test(code) ? 'io' : 'internal';
      return { ok: false, error: new AppError(appCode, `Export worker: ${msg.error?.message ?? 'failed'}`) };
    },
    stopped: () => new AppError('internal', 'Export stopped'),
    exited: (code, stopping) => new AppError('internal', stopping ? 'Export stopped' : `Export worker exited (${code})`),
  });
  return {
    size: pool.size,
    run: <T extends Task>(task: T, transfer: ArrayBuffer[] = []) => pool.run({ task }, transfer) as Promise<ResultOf<T>>,
    terminate: () => pool.terminate(),
  };
}
