// Where an export writes and how it appears: DIR.partial first, renamed to DIR when complete. The source dataset
// is never written: DIR (and DIR.partial, and the name an old DIR is moved to) may not be, contain or lie inside
// the source folder or the annotation store. A DIR.partial left by an export that died (SIGKILL, power loss) is
// removed by the next export; one whose writer is still alive is refused.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../../common/errors.js';

/** Marker in DIR.partial naming the process that writes it (removed just before the final rename). */
export const OWNER_FILE = '.spine-ws-export-owner';
/** Written last into every export; with --force only a folder holding it (or an empty one) is replaced. */
export const MANIFEST_FILE = 'export-manifest.json';
export const CHANGES_FILE = 'CHANGES.md';

export interface ExportTarget {
  /** Final folder. */
  out: string;
  /** Working folder, renamed to `out` when complete. */
  partial: string;
  /** True when `out` exists (empty, or a previous export with force) and is replaced at the end. */
  replaces: boolean;
  /** What happened to a stale DIR.partial found on start. */
  removedStale: boolean;
}

/** Real path of `p`, following symlinks of the part that exists (the rest appended as written). */
export function realish(p: string): string {
  const abs = resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.push(basename(head));
      head = parent;
    }
  }
}

/** True when `inner` is `outer` or lies inside it. */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

function refuse(message: string): AppError {
  return new AppError('invalid_request', message);
}

/** The checks on an output folder that need no writing (also used to validate a request before starting). */
export function checkOutDir(outDir: string, sourceRoot: string, storeFile: string | null): { out: string; partial: string } {
  if (!isAbsolute(outDir)) throw refuse(`Output folder must be an absolute path (got "${outDir}")`);
  const out = realish(outDir);
  if (dirname(out) === out) throw refuse('Output folder cannot be the root of the file system');
  const src = realish(sourceRoot);
  const partial = `${out}.partial`;
  for (const p of [out, partial]) {
    if (isWithin(p, src)) throw refuse(`Output folder ${basename(out)} lies inside the source dataset ${basename(src)}; the source is never written`);
    if (isWithin(src, p)) throw refuse(`Output folder ${basename(out)} contains the source dataset ${basename(src)}; choose a folder beside it`);
    if (storeFile && isWithin(realish(storeFile), p)) throw refuse(`Output folder ${basename(out)} contains the annotation store`);
  }
  return { out, partial };
}

function isEmptyDir(p: string): boolean {
  return readdirSync(p).length === 0;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writers in this process, by partial folder (two exports to one folder in one process). */
const active = new Set<string>();

/**
 * Validates `outDir` against the source and prepares DIR.partial (removing a stale one). Refuses an existing
 * non-empty DIR unless `force`, and even with `force` a folder that is not a previous export (no
 * export-manifest.json): --force replaces exports, never arbitrary folders.
 */
export async function prepareTarget(outDir: string, sourceRoot: string, storeFile: string | null, force: boolean): Promise<ExportTarget> {
  const { out, partial, replaces } = preflight(outDir, sourceRoot, storeFile, force);
  let removedStale = false;
  if (existsSync(partial)) {
    const owner = readOwner(partial);
    if (owner && owner.host === hostname() && owner.pid !== process.pid && pidAlive(owner.pid)) {
      throw new AppError('conflict', `Another export (process ${owner.pid}) is writing ${basename(partial)}`);
    }
    await rm(partial, { recursive: true, force: true });
    removedStale = true;
  }
  active.add(partial);
  try {
    await mkdir(partial);
    await writeFile(join(partial, OWNER_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
  } catch (err) {
    active.delete(partial);
    throw new AppError('io', `Cannot create ${basename(partial)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  return { out, partial, replaces, removedStale };
}

/** Every check of {@link prepareTarget} that writes nothing (so a request can be refused before a job starts). */
export function preflight(outDir: string, sourceRoot: string, storeFile: string | null, force: boolean): { out: string; partial: string; replaces: boolean } {
  const { out, partial } = checkOutDir(outDir, sourceRoot, storeFile);
  let replaces = false;
  if (existsSync(out)) {
    const st = lstatSync(out);
    if (!st.isDirectory()) throw refuse(`Output ${basename(out)} exists and is not a folder`);
    if (!isEmptyDir(out)) {
      if (!force) throw new AppError('conflict', `Output folder ${basename(out)} exists and is not empty; use --force to replace a previous export`);
      if (!existsSync(join(out, MANIFEST_FILE))) {
        throw new AppError('conflict', `Output folder ${basename(out)} is not a previous export (it has no ${MANIFEST_FILE}); --force only replaces exports`);
      }
    }
    replaces = true;
  }
  if (!existsSync(dirname(out))) throw new AppError('not_found', `The folder ${basename(dirname(out))} that should hold ${basename(out)} does not exist`);
  if (active.has(partial)) throw new AppError('conflict', `An export into ${basename(out)} is already running`);
  return { out, partial, replaces };
}

function readOwner(partial: string): { pid: number; host: string } | null {
  try {
    const o = JSON.parse(readFileSync(join(partial, OWNER_FILE), 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof o.pid === 'number' && typeof o.host === 'string' ? { pid: o.pid, host: o.host } : null;
  } catch {
    return null;
  }
}

/** Moves the complete DIR.partial into place (replacing a previous export only now). */
export async function commitTarget(t: ExportTarget): Promise<void> {
  try {
    await rm(join(t.partial, OWNER_FILE), { force: true });
    if (t.replaces && existsSync(t.out)) {
      const old = `${t.partial}.old-${process.pid}`;
      await rm(old, { recursive: true, force: true });
      await rename(t.out, old);
      try {
        await rename(t.partial, t.out);
      } catch (err) {
        await rename(old, t.out).catch(() => undefined);
        throw err;
      }
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(t.partial, t.out);
    }
  } catch (err) {
    throw new AppError('io', `Cannot move the finished export into ${basename(t.out)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  } finally {
    active.delete(t.partial);
  }
}

/** Removes DIR.partial after a failure or a cancel; DIR itself is never touched. */
export async function abandonTarget(t: ExportTarget): Promise<void> {
  try {
    await rm(t.partial, { recursive: true, force: true, maxRetries: 3 });
  } finally {
    active.delete(t.partial);
  }
}
