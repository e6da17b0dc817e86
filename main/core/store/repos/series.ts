// Repository of per-series work status (todo → in progress → done → reviewed). A series must be registered here
// before label edits can be journaled for it.
import { AppError } from '../../../../common/errors.js';
import type { StoreContext } from '../context.js';
import type { AnnotatorId } from './annotators.js';

/** Work status of a series, as shown in the worklist. */
export type SeriesStatus = 'todo' | 'in_progress' | 'done' | 'reviewed';
export const SERIES_STATUSES: readonly SeriesStatus[] = ['todo', 'in_progress', 'done', 'reviewed'];

/** A registered series. */
export interface SeriesRecord {
  /** SPIDER series name, e.g. `7_t2`. */
  readonly seriesId: string;
  readonly patientId: number;
  readonly status: SeriesStatus;
  readonly updatedAt: string;
  /** Who last changed the status; null while it was only registered. */
  readonly updatedBy: AnnotatorId | null;
}

/** A status change by an annotator. */
export interface SetStatusInput {
  readonly seriesId: string;
  readonly patientId: number;
  readonly status: SeriesStatus;
  readonly annotatorId: AnnotatorId;
}

/** Access to the `series` table. */
export interface SeriesRepo {
  /** Registers a series (status 'todo') if it is not yet known. @throws AppError('conflict') on another patient id. */
  ensure(seriesId: string, patientId: number): SeriesRecord;
  get(seriesId: string): SeriesRecord | null;
  /** Status of a series; 'todo' for one never registered (every series starts as todo). */
  getStatus(seriesId: string): SeriesStatus;
  /** Sets the status, registering the series first if needed. */
  setStatus(input: SetStatusInput): SeriesRecord;
  /** Registered series by patient id then series id, optionally only those with `status`. */
  list(filter?: { status?: SeriesStatus }): SeriesRecord[];
}

interface SeriesRow {
  series_id: string;
  patient_id: number;
  status: string;
  updated_at: string;
  updated_by: number | null;
}

const COLUMNS = 'series_id, patient_id, status, updated_at, updated_by';

function toRecord(r: SeriesRow): SeriesRecord {
  const status = SERIES_STATUSES.find((s) => s === r.status);
  if (status === undefined) throw new AppError('db', `Unknown series status ${r.status}`);
  return {
    seriesId: r.series_id,
    patientId: r.patient_id,
    status,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by === null ? null : (r.updated_by as AnnotatorId),
  };
}

/** Creates the series repository; statements are prepared once here. */
export function createSeriesRepo(ctx: StoreContext): SeriesRepo {
  const { db } = ctx;
  const byId = db.prepare<{ seriesId: string }, SeriesRow>(`SELECT ${COLUMNS} FROM series WHERE series_id = $seriesId`);
  const all = db.prepare<[], SeriesRow>(`SELECT ${COLUMNS} FROM series ORDER BY patient_id, series_id`);
  const withStatus = db.prepare<{ status: string }, SeriesRow>(
    `SELECT ${COLUMNS} FROM series WHERE status = $status ORDER BY patient_id, series_id`,
  );
  const insert = db.prepare<{ seriesId: string; patientId: number; now: string }>(
    `INSERT INTO series (series_id, patient_id, status, updated_at, updated_by)
     VALUES ($seriesId, $patientId, 'todo', $now, NULL)`,
  );
  const updateStatus = db.prepare<{ seriesId: string; status: string; now: string; annotatorId: number }>(
    'UPDATE series SET status = $status, updated_at = $now, updated_by = $annotatorId WHERE series_id = $seriesId',
  );

  function ensureInTx(seriesId: string, patientId: number): SeriesRow {
    const existing = byId.get({ seriesId });
    if (existing) {
      if (existing.patient_id !== patientId) {
        throw new AppError(
          'conflict',
          `Series ${seriesId} is registered for patient ${existing.patient_id}, not ${patientId}`,
        );
      }
      return existing;
    }
    insert.run({ seriesId, patientId, now: ctx.now() });
    const created = byId.get({ seriesId });
    if (!created) throw new AppError('db', `Series ${seriesId} vanished while being registered`);
    return created;
  }

  return {
    ensure(seriesId, patientId) {
      const existing = byId.get({ seriesId });
      if (existing && existing.patient_id === patientId) return toRecord(existing);
      return toRecord(ctx.write(() => ensureInTx(seriesId, patientId)));
    },
    get(seriesId) {
      const row = byId.get({ seriesId });
      return row ? toRecord(row) : null;
    },
    getStatus(seriesId) {
      const row = byId.get({ seriesId });
      return row ? toRecord(row).status : 'todo';
    },
    setStatus({ seriesId, patientId, status, annotatorId }) {
      if (!SERIES_STATUSES.includes(status)) throw new AppError('invalid_request', `Unknown series status ${status}`);
      return toRecord(
        ctx.write(() => {
          ensureInTx(seriesId, patientId);
          updateStatus.run({ seriesId, status, now: ctx.now(), annotatorId });
          const row = byId.get({ seriesId });
          if (!row) throw new AppError('db', `Series ${seriesId} vanished while its status was set`);
          return row;
        }),
      );
    },
    list(filter) {
      const rows = filter?.status === undefined ? all.all() : withStatus.all({ status: filter.status });
      return rows.map(toRecord);
    },
  };
}
