// Sole entry point of the annotation store: one SQLite file per dataset holding label-edit journals, checkpoints,
// series status, gradings and measurements (ARCHITECTURE.md §5). Plain Node: no electron import; callers pass `nativeBinding`.
import path from 'node:path';
import { AppError } from '../../../common/errors.js';
import { createContext, type StoreContext } from './context.js';
import {
  applyWritePragmas,
  displayName,
  openConnection,
  peekVersion,
  probeFile,
  toAppError,
  userVersion,
  type Db,
} from './db.js';
import { acquireLock, type StoreLock } from './lock.js';
import { fromFutureError, runMigrations, SCHEMA_VERSION } from './migrations/index.js';
import { createAnnotatorsRepo, type AnnotatorsRepo } from './repos/annotators.js';
import { createCheckpointsRepo, type CheckpointsRepo } from './repos/checkpoints.js';
import { createEditsRepo, type EditsRepo } from './repos/edits.js';
import { createGradingsRepo, type GradingsRepo } from './repos/gradings.js';
import { createMeasurementsRepo, type MeasurementsRepo } from './repos/measurements.js';
import { createMetaRepo, recordOpen, type MetaRepo } from './repos/meta.js';
import { createReadersRepo, type ReadersRepo } from './repos/readers.js';
import { createSeriesRepo, type SeriesRepo } from './repos/series.js';

export { SCHEMA_VERSION } from './migrations/index.js';
export type { Annotator, AnnotatorId, AnnotatorsRepo } from './repos/annotators.js';
export type { Checkpoint, CheckpointSummary, CheckpointsRepo, NewCheckpoint } from './repos/checkpoints.js';
export type {
  AppendResult,
  Edit,
  EditCounts,
  EditEvent,
  EditEventKind,
  EditState,
  EditSummary,
  EditsRepo,
  NewEdit,
} from './repos/edits.js';
export type {
  FirstValue,
  Grading,
  GradingEvent,
  GradingInput,
  GradingsRepo,
  LevelReview,
  ReviewInput,
} from './repos/gradings.js';
export type { Measurement, MeasurementKind, MeasurementsRepo, NewMeasurement } from './repos/measurements.js';
export type { DatasetIdentity, DatasetMatch, MetaRepo, StoreInfo } from './repos/meta.js';
export type {
  AdjudicationRecord,
  NewAdjudication,
  NewReaderLayer,
  ReaderGrade,
  ReaderLabelLayer,
  ReaderRecord,
  ReadersRepo,
} from './repos/readers.js';
export {
  SERIES_STATUSES,
  type SeriesRecord,
  type SeriesRepo,
  type SeriesStatus,
  type SetStatusInput,
} from './repos/series.js';

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** Open without the writer lock and without migrating; every write throws AppError('db'). Default false. */
  readonly?: boolean;
  /** Path to a better-sqlite3 addon built for this runtime's ABI (Electron passes its rebuilt copy). */
  nativeBinding?: string;
  /** Clock for every stored timestamp. Default `() => new Date()`. */
  now?: () => Date;
  /** Recorded in `meta` on every writable open. Default 'dev'. */
  appVersion?: string;
}

/** Connection settings as SQLite reports them. */
export interface StoreSettings {
  readonly journalMode: string;
  /** `PRAGMA synchronous`: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  readonly synchronous: number;
  readonly foreignKeys: boolean;
  readonly busyTimeoutMs: number;
  readonly userVersion: number;
}

/** An open annotation store. Methods are synchronous; every write has committed when it returns. */
export interface Store {
  /** Absolute path of the SQLite file. */
  readonly file: string;
  readonly readonly: boolean;
  /** Schema version of the file (equal to {@link SCHEMA_VERSION} once open). */
  readonly schemaVersion: number;
  readonly meta: MetaRepo;
  readonly annotators: AnnotatorsRepo;
  readonly series: SeriesRepo;
  readonly edits: EditsRepo;
  readonly checkpoints: CheckpointsRepo;
  readonly gradings: GradingsRepo;
  readonly measurements: MeasurementsRepo;
  /** Imported reader layers and adjudication decisions (issue 16). */
  readonly readers: ReadersRepo;
  /** The connection's effective settings, read back from SQLite (for diagnostics and tests). */
  settings(): StoreSettings;
  /**
   * Runs several repository writes atomically (they nest as savepoints). `body` must be synchronous; if it
   * throws, none of its writes are kept and the error is rethrown.
   */
  transaction<T>(body: () => T): T;
  /** Closes the connection (checkpointing the WAL) and releases the writer lock. Idempotent. */
  close(): void;
}

/**
 * Opens (creating and migrating if needed) the annotation store at `file`.
 *
 * A writable open takes the single-writer lock `<file>.lock` first. A file this build cannot use is refused
 * before anything is written, so it stays byte-identical with no `-wal`, `-shm` or lock file left behind.
 * @throws AppError('db_from_future') for a schema newer than {@link SCHEMA_VERSION}; AppError('db') for a file
 * that is not an SQLite database, or a read-only open of a store that needs migrating; AppError('db_locked')
 * when another process (or another open in this one) holds the writer lock; AppError('not_found') for a
 * read-only open of a missing file; AppError('io') when the folder is missing or not writable.
 */
export function openStore(file: string, opts: OpenStoreOptions = {}): Store {
  const abs = path.resolve(file);
  const clock = opts.now ?? (() => new Date());
  refuseUnusable(abs, opts.nativeBinding, opts.readonly === true);
  if (opts.readonly === true) return openReadonly(abs, opts.nativeBinding, clock);

  const lock = acquireLock(abs, clock);
  let db: Db | undefined;
  try {
    // Again under the lock: a newer workstation may have written the file since the first check.
    refuseUnusable(abs, opts.nativeBinding, false);
    db = openConnection(abs, { readonly: false, nativeBinding: opts.nativeBinding });
    const found = userVersion(db);
    if (found > SCHEMA_VERSION) throw fromFutureError(abs, found, SCHEMA_VERSION);
    applyWritePragmas(db, abs);
    runMigrations(db, abs);
    const ctx = createContext(db, abs, clock);
    recordOpen(ctx, opts.appVersion ?? 'dev');
    return assemble(ctx, lock);
  } catch (err) {
    db?.close();
    lock.release();
    throw toAppError(abs, err, 'open');
  }
}

/** Refuses a non-SQLite or future file without writing anything. */
function refuseUnusable(abs: string, nativeBinding: string | undefined, readonly: boolean): void {
  const probe = probeFile(abs);
  if (!probe.exists) {
    if (readonly) throw new AppError('not_found', `Annotation store ${displayName(abs)} does not exist`, { file: abs });
    return;
  }
  // With a non-empty -wal the header may predate the last commits; only then is SQLite asked (read-only).
  const version = probe.hasWal ? peekVersion(abs, nativeBinding) : probe.headerVersion;
  if (version > SCHEMA_VERSION) throw fromFutureError(abs, version, SCHEMA_VERSION);
}

function openReadonly(abs: string, nativeBinding: string | undefined, clock: () => Date): Store {
  const db = openConnection(abs, { readonly: true, nativeBinding });
  try {
    const found = userVersion(db);
    if (found > SCHEMA_VERSION) throw fromFutureError(abs, found, SCHEMA_VERSION);
    if (found < SCHEMA_VERSION) {
      throw new AppError(
        'db',
        `Annotation store ${displayName(abs)} has schema version ${found} and must be opened for writing once ` +
          `to be upgraded to ${SCHEMA_VERSION}`,
        { file: abs },
      );
    }
    return assemble(createContext(db, abs, clock), null);
  } catch (err) {
    db.close();
    throw toAppError(abs, err, 'open');
  }
}

function assemble(ctx: StoreContext, lock: StoreLock | null): Store {
  const { db } = ctx;
  let closed = false;
  const series = createSeriesRepo(ctx);
  return {
    file: ctx.file,
    readonly: db.readonly,
    schemaVersion: userVersion(db),
    meta: createMetaRepo(ctx),
    annotators: createAnnotatorsRepo(ctx),
    series,
    edits: createEditsRepo(ctx),
    checkpoints: createCheckpointsRepo(ctx),
    gradings: createGradingsRepo(ctx),
    measurements: createMeasurementsRepo(ctx, series),
    readers: createReadersRepo(ctx),
    settings: () => ({
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: Number(db.pragma('synchronous', { simple: true })),
      foreignKeys: Number(db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(db.pragma('busy_timeout', { simple: true })),
      userVersion: userVersion(db),
    }),
    transaction: (body) => ctx.write(body),
    close() {
      if (closed) return;
      closed = true;
      try {
        if (!db.readonly) db.pragma('optimize');
        db.close();
      } finally {
        lock?.release();
      }
    },
  };
}
