// Keeping reads inside one folder (ReadOptions.within): the header file and its ElementDataFile are resolved
// to real paths (symlinks followed, `..` and absolute names included) and checked against the folder's real
// path, so a dataset cannot make the reader serve /etc/passwd or another user's files. The real path that was
// checked is the one the reader opens (with O_NOFOLLOW), so a symlink planted after the check is not followed.
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MetaImageError, fsError, quote } from './errors.js';
import type { ParsedHeader } from './header.js';

/** True when `target` lies strictly inside `root` (both absolute, real paths). */
export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function missing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The real path of `abs`: symlinks of the part that exists followed, the rest appended as written (a data file
 * that does not exist yet is still judged by where it would be). Other errors (EACCES, ELOOP) are thrown.
 */
function realish(abs: string, real: (p: string) => string): string {
  const tail: string[] = [];
  let head = abs;
  for (;;) {
    try {
      return join(real(head), ...tail.reverse());
    } catch (err) {
      const parent = dirname(head);
      if (!missing(err) || parent === head) throw err;
      tail.push(basename(head));
      head = parent;
    }
  }
}

async function realishAsync(abs: string): Promise<string> {
  const tail: string[] = [];
  let head = abs;
  for (;;) {
    try {
      return join(await realpath(head), ...tail.reverse());
    } catch (err) {
      const parent = dirname(head);
      if (!missing(err) || parent === head) throw err;
      tail.push(basename(head));
      head = parent;
    }
  }
}

/** Where `h`'s separate data file is, as written: relative to the header's folder, or absolute. */
export function dataPathOf(h: ParsedHeader): string {
  return resolve(dirname(h.file), h.elementDataFile);
}

function outsideHeader(file: string): MetaImageError {
  return new MetaImageError('outside_root', file, 'the file leads outside the dataset folder (through a symbolic link); not read');
}

function outsideData(h: ParsedHeader): MetaImageError {
  const name = h.elementDataFile;
  // A plain relative name can only get out through a symlink; say so, since the name itself looks harmless.
  const how = isAbsolute(name) ? ' (an absolute path)' : name.split(/[\\/]/).includes('..') ? '' : ' (through a symbolic link)';
  return new MetaImageError('outside_root', h.file, `ElementDataFile ${quote(name, 200)} leads outside the dataset folder${how}; not read`);
}

/** Checks file paths against one root; the returned real paths are what the reader opens. */
export interface Containment<P> {
  /** The real path of the header file `file`; refuses one outside the root. */
  header(file: string): P;
  /** The real path of `h`'s separate data file; refuses one outside the root. */
  data(h: ParsedHeader): P;
}

/** Sync checker for `within` (realpathSync); errors name `file`, the header file asked for. */
export function containmentSync(within: string, file: string): Containment<string> {
  let root: string;
  try {
    root = realpathSync(resolve(within));
  } catch (err) {
    throw fsError(err, file, 'the dataset folder');
  }
  const real = (abs: string, what: string): string => {
    try {
      return realish(abs, realpathSync);
    } catch (err) {
      throw fsError(err, file, what);
    }
  };
  return {
    header(f) {
      const r = real(resolve(f), 'the file');
      if (!isInside(root, r)) throw outsideHeader(f);
      return r;
    },
    data(h) {
      const r = real(dataPathOf(h), `the data file ${basename(h.elementDataFile)}`);
      if (!isInside(root, r)) throw outsideData(h);
      return r;
    },
  };
}

/** Async checker for `within` (fs.promises.realpath); errors name `file`, the header file asked for. */
export async function containmentAsync(within: string, file: string): Promise<Containment<Promise<string>>> {
  let root: string;
  try {
    root = await realpath(resolve(within));
  } catch (err) {
    throw fsError(err, file, 'the dataset folder');
  }
  const real = async (abs: string, what: string): Promise<string> => {
    try {
      return await realishAsync(abs);
    } catch (err) {
      throw fsError(err, file, what);
    }
  };
  return {
    async header(f) {
      const r = await real(resolve(f), 'the file');
      if (!isInside(root, r)) throw outsideHeader(f);
      return r;
    },
    async data(h) {
      const r = await real(dataPathOf(h), `the data file ${basename(h.elementDataFile)}`);
      if (!isInside(root, r)) throw outsideData(h);
      return r;
    },
  };
}
