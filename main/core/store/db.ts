// Low-level access to one annotation-store SQLite file: probing a file without touching it, opening it with the
// project's pragmas, and the one place SQLite failures become AppErrors. Plain Node (ARCHITECTURE.md §2, §5).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../common/errors.js';

/** A better-sqlite3 connection to an annotation store. */
export type Db = Database.Database;

/** What a store file looks like from the outside, read without opening it through SQLite. */
export type FileProbe =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** `PRAGMA user_version` as recorded in the main file's header (0 for an empty file). */
      readonly headerVersion: number;
      /** True when a non-empty `-wal` file sits next to it, so the header may be older than the database. */
      readonly hasWal: boolean;
    };

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;
/** Offset of the 4-byte big-endian user version in the database header (sqlite.org/fileformat.html §1.3). */
const USER_VERSION_OFFSET = 60;

/** The file's name for messages: never an absolute path. */
export function displayName(file: string): string {
  return path.basename(file);
}

/**
 * Reads the first 100 bytes of `file` to decide whether it is an SQLite database and which schema version it
 * has, without any write: SQLite itself leaves `-wal`/`-shm` files behind even on a read-only open of a WAL
 * database, so only a plain read guarantees a refused file stays byte-identical.
 * @throws AppError('db') when the file exists but is not an SQLite database; AppError('io') when it cannot be read.
 */
export function probeFile(file: string): FileProbe {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { exists: false };
    throw new AppError('io', `Cannot read annotation store ${displayName(file)}`, { file, cause: err });
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw notADatabase(file);
    if (stat.size === 0) return { exists: true, headerVersion: 0, hasWal: walHasContent(file) };
    const header = Buffer.alloc(HEADER_BYTES);
    const read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    if (read < HEADER_BYTES || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
      throw notADatabase(file);
    }
    return { exists: true, headerVersion: header.readInt32BE(USER_VERSION_OFFSET), hasWal: walHasContent(file) };
  } finally {
    fs.closeSync(fd);
  }
}

function walHasContent(file: string): boolean {
  try {
    return fs.statSync(`${file}-wal`).size > 0;
  } catch {
    return false;
  }
}

function notADatabase(file: string): AppError {
  return new AppError('db', `${displayName(file)} is not an annotation store (not an SQLite database)`, { file });
}

/** Options for {@link openConnection}. */
export interface ConnectionOptions {
  readonly readonly: boolean;
  /** Path to a better-sqlite3 native addon built for the current runtime's ABI (Electron vs Node). */
  readonly nativeBinding?: string | undefined;
}

/** Milliseconds a statement waits for another connection's lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a connection and applies the per-connection pragmas. Persistent pragmas (`journal_mode`) are left to
 * {@link applyWritePragmas}, which must only run once the schema version has been checked.
 */
export function openConnection(file: string, opts: ConnectionOptions): Db {
  let db: Db;
  try {
    db = new Database(file, {
      readonly: opts.readonly,
      fileMustExist: opts.readonly,
      timeout: BUSY_TIMEOUT_MS,
      ...(opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding }),
    });
  } catch (err) {
    throw toAppError(file, err, 'open');
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw toAppError(file, err, 'open');
  }
  return db;
}

/**
 * Durability settings for a writable connection.
 *
 * WAL lets read-only viewers (a second window, the web mode) read while the one writer appends.
 * `synchronous = FULL` rather than the usual NORMAL: in WAL mode NORMAL already survives a *process* crash (a
 * commit is in the OS page cache before `run()` returns) but can lose the last commits on power loss or an OS
 * crash, and "nothing an annotator does may ever be lost". FULL fsyncs the WAL on every commit; commits here are
 * human-paced (one per brush stroke, grading or status change), so the cost of one fsync each is negligible.
 */
export function applyWritePragmas(db: Db, file: string): void {
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}`);
    db.pragma('synchronous = FULL');
  } catch (err) {
    throw toAppError(file, err, 'configure');
  }
}

/**
 * The schema version a database really has, for a file whose `-wal` may hold a newer page 1 than the main file.
 * Uses a read-only connection: the main file is not written (SQLite may create or update `-shm`, which already
 * exists next to a leftover `-wal`).
 */
export function peekVersion(file: string, nativeBinding: string | undefined): number {
  const db = openConnection(file, { readonly: true, nativeBinding });
  try {
    return userVersion(db);
  } catch (err) {
    throw toAppError(file, err, 'read');
  } finally {
    db.close();
  }
}

/** `PRAGMA user_version` of an open connection. */
export function userVersion(db: Db): number {
  const v = db.pragma('user_version', { simple: true });
  return typeof v === 'number' ? v : Number(v);
}

/**
 * Turns anything thrown by better-sqlite3 into an AppError naming the store file; AppErrors pass through.
 * Busy/locked → 'db_locked', constraint violations → 'invalid_request', anything else → 'db'.
 */
export function toAppError(file: string, err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  const name = displayName(file);
  const options = { file, cause: err };
  const code = err instanceof Database.SqliteError ? err.code : undefined;
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
    return new AppError('db_locked', `Annotation store ${name} is busy in another process (${action})`, options);
  }
  if (code?.startsWith('SQLITE_CONSTRAINT')) {
    return new AppError('invalid_request', `Annotation store ${name} refused the change (${code})`, options);
  }
  if (code === 'SQLITE_NOTADB') {
    return new AppError('db', `${name} is not an annotation store (not an SQLite database)`, options);
  }
  if (code?.startsWith('SQLITE_READONLY')) {
    return new AppError('db', `Annotation store ${name} is open read-only (${action})`, options);
  }
  const detail = code ?? (err instanceof Error && 'code' in err ? String(err.code) : 'error');
  return new AppError('db', `Annotation store ${name} failed to ${action} (${detail})`, options);
}

/** True for errors raised by SQLite itself (as opposed to errors thrown by our own code inside a transaction). */
export function isSqliteError(err: unknown): boolean {
  return err instanceof Database.SqliteError;
}

/** True when `err` is a Node system error with the given errno code. */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && 'code' in err && err.code === code;
}
