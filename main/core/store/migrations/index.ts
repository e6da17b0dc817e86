// The ordered list of annotation-store migrations and the runner that applies them:
// monotonic versions, all pending migrations in one transaction, progress recorded in `PRAGMA user_version`.
import { AppError } from '../../../../common/errors.js';
import { displayName, userVersion, type Db } from '../db.js';
import up0010 from './0010-initial-schema.js';
import up0020 from './0020-real-reviews-and-undo.js';
import up0030 from './0030-measurements.js';
import up0040 from './0040-series-review.js';
import up0050 from './0050-grading-first-values.js';
import up0060 from './0060-reader-layers.js';

/** One schema step. `up` is pure SQL against the connection: no clock, no I/O, no reads of app state. */
export interface Migration {
  /** The `user_version` the database has after this step; steps of 10, as in the file names. */
  readonly version: number;
  readonly name: string;
  readonly up: (db: Db) => void;
}

/** Every migration, oldest first. Append only; never edit or reorder a shipped entry. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 10, name: 'initial-schema', up: up0010 },
  { version: 20, name: 'real-reviews-and-undo', up: up0020 },
  { version: 30, name: 'measurements', up: up0030 },
  { version: 40, name: 'series-review', up: up0040 },
  { version: 50, name: 'grading-first-values', up: up0050 },
  { version: 60, name: 'reader-layers', up: up0060 },
];

/** The schema version this build writes: the last migration's version. */
export const SCHEMA_VERSION: number = latestVersion(MIGRATIONS);

/** Result of {@link runMigrations}. */
export interface MigrationReport {
  readonly from: number;
  readonly to: number;
  /** Names of the migrations applied, in order (empty when the database was current). */
  readonly applied: readonly string[];
}

/** Throws unless versions are positive integers in strictly increasing order. */
export function assertMonotonic(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new AppError('internal', `Migration ${m.version} (${m.name}) does not follow version ${previous}`);
    }
    previous = m.version;
  }
}

function latestVersion(migrations: readonly Migration[]): number {
  assertMonotonic(migrations);
  return migrations.at(-1)?.version ?? 0;
}

/** The error for a database written by a newer workstation; it names the file and both versions. */
export function fromFutureError(file: string, found: number, known: number): AppError {
  return new AppError(
    'db_from_future',
    `Annotation store ${displayName(file)} has schema version ${found}, but this workstation only knows ` +
      `versions up to ${known}; it was left untouched. Open it with a newer version of the workstation.`,
    { file },
  );
}

/**
 * Brings `db` to the newest version in `migrations`: every pending step runs inside one IMMEDIATE transaction
 * together with the `user_version` update, so a failure in any step leaves the database exactly as it was.
 * The version is read again inside the transaction, so two openers cannot both migrate.
 * @throws AppError('db_from_future') when the database is newer than the newest migration (nothing is written).
 */
export function runMigrations(db: Db, file: string, migrations: readonly Migration[] = MIGRATIONS): MigrationReport {
  const known = latestVersion(migrations);
  const before = userVersion(db);
  if (before > known) throw fromFutureError(file, before, known);
  if (before === known) return { from: before, to: before, applied: [] };

  const migrate = db.transaction((): MigrationReport => {
    const from = userVersion(db);
    if (from > known) throw fromFutureError(file, from, known);
    const pending = migrations.filter((m) => m.version > from);
    for (const m of pending) {
      m.up(db);
      // The version is a trusted integer from the list above, not input; PRAGMA cannot take bound parameters.
      db.pragma(`user_version = ${m.version}`);
    }
    return { from, to: known, applied: pending.map((m) => m.name) };
  });
  const report = migrate.immediate();
  if (report.applied.length > 0) db.pragma('optimize');
  return report;
}
