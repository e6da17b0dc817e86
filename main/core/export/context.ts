// The state one export run shares between its parts (planning, the MHA and NIfTI series writers, the
// orchestrator) and the few operations on it: cancel checks, writing and copying files into DIR.partial with a
// manifest record and progress for each, and reading the source safely (volumeFiles: never outside the dataset).
import { statSync } from 'node:fs';
import { mkdir, open, readdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { AppError } from '../../../common/errors.js';
import { readMetaImageHeader } from '../mha/index.js';
import type { FileRecord } from './manifest.js';
import { OWNER_FILE } from './target.js';
import { ExportCancelledError, type ExportDeps, type ExportProgress, type ExportRequest } from './types.js';
import { transferable, type WorkerPool } from './workerPool.js';

/** DIR.partial and what has been written into it (the manifest's file list). */
export interface ExportOutput {
  readonly dir: string;
  /** One record per file written, in the order they finished. */
  readonly files: FileRecord[];
  /** Paths written or being written (relative to `dir`), so that no file is written twice. */
  readonly written: Set<string>;
}

/**
 * Copies (images, unchanged masks) run one after the other in their own lane beside the mask work (the pool
 * runs them on whichever worker is free); the run awaits them all before the CSVs.
 */
export interface CopyQueue {
  queue(fn: () => Promise<void>): void;
  /** Waits until every queued copy has settled (also after a failure elsewhere). */
  settled(): Promise<PromiseSettledResult<void>[]>;
}

/** The state of one export run its parts share. */
export interface ExportContext {
  readonly deps: ExportDeps;
  readonly req: ExportRequest;
  /** The dataset folder (deps.index.root). */
  readonly root: string;
  readonly pool: WorkerPool;
  /** zlib level of rebuilt masks and .nii.gz files. */
  readonly level: number;
  readonly signal: AbortSignal | undefined;
  readonly out: ExportOutput;
  readonly copies: CopyQueue;
  /** Warnings for the result, CHANGES.md and the manifest. */
  readonly warnings: string[];
  readonly progress: ExportProgress;
  /** Reports a copy of `progress` to the caller. */
  report: () => void;
}

export interface ContextSpec {
  deps: ExportDeps;
  req: ExportRequest;
  /** DIR.partial. */
  dir: string;
  pool: WorkerPool;
  level: number;
  signal: AbortSignal | undefined;
  progress: ExportProgress;
  report: () => void;
}

/** A fresh context: nothing written yet except the owner file prepareTarget put into DIR.partial. */
export function createContext(spec: ContextSpec): ExportContext {
  const { deps, req, dir, pool, level, signal, progress, report } = spec;
  return {
    deps, req, root: deps.index.root, pool, level, signal, progress, report,
    out: { dir, files: [], written: new Set([OWNER_FILE]) },
    copies: createCopyQueue(),
    warnings: [],
  };
}

function createCopyQueue(): CopyQueue {
  const lane = createLane();
  const copies: Promise<void>[] = [];
  return {
    queue: (fn) => void copies.push(lane(fn)),
    settled: () => Promise.allSettled(copies),
  };
}

/** Runs the functions given to it one after the other (a lane of the work; the pool runs the tasks). */
function createLane(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn);
    tail = p.catch(() => undefined);
    return p;
  };
}

export function check(ctx: ExportContext): void {
  if (ctx.signal?.aborted) throw new ExportCancelledError();
}

export async function ensureDir(ctx: ExportContext, rel: string): Promise<void> {
  await mkdir(join(ctx.out.dir, rel), { recursive: true });
}

export async function copyInto(ctx: ExportContext, rel: string, outRel = rel): Promise<void> {
  check(ctx);
  if (ctx.out.written.has(outRel)) return;
  ctx.out.written.add(outRel);
  const r = await ctx.pool.run({ kind: 'copy', src: join(ctx.root, rel), dst: join(ctx.out.dir, outRel) });
  ctx.out.files.push({ path: outRel, bytes: r.bytes, sha256: r.sha256, how: 'copied', source: rel });
  ctx.progress.filesDone++;
  ctx.progress.bytesDone += r.bytes;
  ctx.report();
}

export async function writeInto(ctx: ExportContext, rel: string, parts: Uint8Array[], how: FileRecord['how'], source?: string): Promise<void> {
  check(ctx);
  ctx.out.written.add(rel);
  const r = await writeParts(join(ctx.out.dir, rel), parts);
  const rec: FileRecord = { path: rel, bytes: r.bytes, sha256: r.sha256, how };
  if (source !== undefined) rec.source = source;
  ctx.out.files.push(rec);
  ctx.progress.filesDone++;
  ctx.report();
}

export async function writeParts(file: string, parts: Uint8Array[]): Promise<{ bytes: number; sha256: string }> {
  const fh = await open(file, 'wx');
  try {
    let pos = 0;
    for (const p of parts) {
      let off = 0;
      while (off < p.length) {
        const { bytesWritten } = await fh.write(p, off, p.length - off, pos);
        off += bytesWritten;
        pos += bytesWritten;
      }
    }
  } finally {
    await fh.close();
  }
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return { bytes: parts.reduce((s, p) => s + p.length, 0), sha256: h.digest('hex') };
}

export function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The files of a volume relative to the root: the .mha, or the .mhd and its data file. */
export async function volumeFiles(root: string, rel: string): Promise<string[]> {
  let files = [rel];
  if (/\.mhd$/i.test(rel)) {
    const h = await readMetaImageHeader(join(root, rel), { within: root });
    const folder = rel.slice(0, rel.lastIndexOf('/') + 1);
    if (h.elementDataFile !== 'LOCAL' && !/[\\/]/.test(h.elementDataFile)) files = [rel, folder + h.elementDataFile];
  }
  // Every byte copied comes from inside the dataset: a symlink to a file elsewhere is refused, never followed.
  const realRoot = await realpath(root);
  for (const f of files) {
    let real: string;
    try {
      real = await realpath(join(root, f));
    } catch (err) {
      throw new AppError('io', `${f}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be resolved'}`, { file: f, cause: err });
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep)) {
      throw new AppError('invalid_dataset', `${f} resolves outside the dataset folder; it is not copied`, { file: f });
    }
  }
  return files;
}

export function transferList(...arrays: (Uint8Array | null)[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    const b = a ? transferable(a) : null;
    if (b && !out.includes(b)) out.push(b);
  }
  return out;
}

/** Regular, non-hidden files of a folder (relative names); [] when it does not exist. */
export async function listFiles(abs: string): Promise<string[]> {
  try {
    return (await readdir(abs, { withFileTypes: true }))
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
