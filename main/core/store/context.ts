// What every repository of the annotation store receives: the connection, the clock and the one write-transaction
// helper, so transactions are IMMEDIATE, synchronous and translated to AppErrors the same way everywhere.
import { AppError } from '../../../common/errors.js';
import { displayName, isSqliteError, toAppError, type Db } from './db.js';

/** Shared plumbing passed explicitly to each `createXRepo` (no hidden globals). */
export interface StoreContext {
  readonly db: Db;
  /** The store file, for error messages. */
  readonly file: string;
  /** Current time as an ISO-8601 UTC string (`2025-01-31T12:00:00.000Z`); injectable for tests. */
  now(): string;
  /**
   * Runs `body` in one IMMEDIATE transaction (a savepoint when nested) and returns its result after COMMIT.
   * `body` must be synchronous: never await inside (WiseLibs/better-sqlite3#319). If it throws, nothing it
   * wrote is kept; SQLite errors are rethrown as AppErrors naming the file, other errors unchanged.
   */
  write<T>(body: () => T): T;
}

/** Builds the context for one open connection. */
export function createContext(db: Db, file: string, clock: () => Date): StoreContext {
  // One transaction function for the connection; the body is its argument, so it is compiled once.
  const txn = db.transaction((body: () => unknown): unknown => body());
  return {
    db,
    file,
    now: () => clock().toISOString(),
    write<T>(body: () => T): T {
      if (db.readonly) {
        throw new AppError('db', `Annotation store ${displayName(file)} is open read-only`, { file });
      }
      try {
        // The transaction returns exactly what body returned; the wrapper only erases the type parameter.
        return txn.immediate(body) as T;
      } catch (err) {
        // SQLite failures become AppErrors naming the file; anything the body threw itself passes through as is.
        throw isSqliteError(err) ? toAppError(file, err, 'write') : err;
      }
    },
  };
}
