// Who is annotating (issue 5, item 6): asked once in the UI, remembered in a small JSON file in the app's data
// folder (web mode and CLI) or the Electron user-data folder, and carried by every journal and grading row.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { AppError } from '../../common/errors.js';

/** Where the chosen annotator name is remembered between launches. */
export interface AnnotatorMemory {
  load(): string | null;
  /** @throws AppError('io') when the name cannot be stored; the previous file is then left as it was. */
  save(name: string): void;
}

/**
 * Replaces `file` with `text` atomically: written to a temporary file beside it, flushed, then renamed over it,
 * so a reader (or a crash, or a full disk) never sees a half-written file. The temporary file is removed on
 * failure. @throws AppError('io') naming the file and the system's error code.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let created = false;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(tmp, 'wx', 0o644);
    created = true;
    try {
      const bytes = Buffer.from(text, 'utf8');
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    if (created) rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
    throw new AppError('io', `Cannot save ${basename(file)}: the system refused the write (${code})`, { file, cause: err });
  }
}

/**
 * Remembers the annotator in `file` (JSON: {"annotator": "..."}), other keys of the file kept. A missing or
 * unreadable file means "not chosen yet": the UI asks again rather than the app failing to start. Saving is
 * atomic (see writeFileAtomic) and fails with AppError('io').
 */
export function fileAnnotatorMemory(file: string): AnnotatorMemory {
  const read = (): Record<string, unknown> => {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  return {
    load() {
      const v = read().annotator;
      return typeof v === 'string' && v.trim().length > 0 ? v.trim() : null;
    },
    save(name) {
      writeFileAtomic(file, `${JSON.stringify({ ...read(), annotator: name }, null, 2)}\n`);
    },
  };
}
