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
import { ExportCancelledError, type ExportDeps, type ExportProgress, type ExportRequest } from './types.js';
import { transferable, type WorkerPool } from './workerPool.js';

export interface ExportContext {
  deps: ExportDeps;
  req: ExportRequest;
  root: string;
  dir: string;
  pool: WorkerPool;
  level: number;
  signal: AbortSignal | undefined;
  files: FileRecord[];
  written: Set<string>;
  warnings: string[];
  progress: ExportProgress;
  report(): void;
  /** Copies (images, unchanged masks) run in their own lane beside the mask work; awaited before the CSVs. */
  copyLane: <T>(fn: () => Promise<T>) => Promise<T>;
  copies: Promise<unknown>[];
}

/** Runs the functions given to it one after the other (a lane of the work; the pool runs the tasks). */
export function createLane(): <T>(fn: () => Promise<T>) => Promise<T> {
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
  await mkdir(join(ctx.dir, rel), { recursive: true });
}

export async function copyInto(ctx: ExportContext, rel: string, outRel = rel): Promise<void> {
  check(ctx);
  if (ctx.written.has(outRel)) return;
  ctx.written.add(outRel);
  const r = await ctx.pool.run({ kind: 'copy', src: join(ctx.root, rel), dst: join(ctx.dir, outRel) });
  ctx.files.push({ path: outRel, bytes: r.bytes, sha256: r.sha256, how: 'copied', source: rel });
  ctx.progress.filesDone++;
  ctx.progress.bytesDone += r.bytes;
  ctx.report();
}

export async function writeInto(ctx: ExportContext, rel: string, parts: Uint8Array[], how: FileRecord['how'], source?: string): Promise<void> {
  check(ctx);
  ctx.written.add(rel);
  const r = await writeParts(join(ctx.dir, rel), parts);
  const rec: FileRecord = { path: rel, bytes: r.bytes, sha256: r.sha256, how };
  if (source !== undefined) rec.source = source;
  ctx.files.push(rec);
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
