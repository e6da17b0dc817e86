// Repository of per-series review status (todo → in progress → done / needs second look) with who set it, when,
// and whether it was set automatically, plus the append-only history of status changes (migration 40). A series
// must be registered here before label edits can be journaled for it.
import { AppError } from '../../../../common/errors.js';
import type { StoreContext } from '../context.js';
import type { AnnotatorId } from './annotators.js';

/** Review status of a series, as shown in the worklist. */
export type SeriesStatus = 'todo' | 'in_progress' | 'done' | 'second_look';
export const SERIES_STATUSES: readonly SeriesStatus[] = ['todo', 'in_progress', 'done', 'second_look'];

/** A registered series. */
export interface SeriesRecord {
  /** SPIDER series name, e.g. `7_t2`. */
  readonly seriesId: string;
  readonly patientId: number;
  readonly status: SeriesStatus;
  /** When the status was set (the registration time while `updatedBy` is null). */
  readonly updatedAt: string;
  /** Who set the status; null while it was only registered. */
  readonly updatedBy: AnnotatorId | null;
  /** The status was set automatically (by the first edit, or by undoing every edit), not chosen by a person. */
  readonly automatic: boolean;
}

/** A status change by an annotator. */
export interface SetStatusInput {
  readonly seriesId: string;
  readonly patientId: number;
  readonly status: SeriesStatus;
  readonly annotatorId: AnnotatorId;
  /** Set by the workstation, not chosen by the person (default false). */
  readonly automatic?: boolean;
}

/** One status change of the history. */
export interface SeriesStatusEvent {
  readonly id: number;
  readonly seriesId: string;
  /** null only for statuses carried over from a store older than migration 40. */
  readonly oldStatus: SeriesStatus | null;
  readonly newStatus: SeriesStatus;
  readonly automatic: boolean;
  readonly annotatorId: AnnotatorId;
  readonly createdAt: string;
}

/** Access to the `series` and `series_status_events` tables. */
export interface SeriesRepo {
  /** Registers a series (status 'todo') if it is not yet known. @throws AppError('conflict') on another patient id. */
  ensure(seriesId: string, patientId: number): SeriesRecord;
  get(seriesId: string): SeriesRecord | null;
  /** Status of a series; 'todo' for one never registered (every series starts as todo). */
  getStatus(seriesId: string): SeriesStatus;
  /** Sets the status, registering the series first if needed, and records the change in the history. */
  setStatus(input: SetStatusInput): SeriesRecord;
  /**
   * The automatic start: a 'todo' series becomes 'in_progress' (automatic). Any other status is left as it is.
   * Returns whether it changed.
   */
  startAutomatically(seriesId: string, patientId: number, annotatorId: AnnotatorId): boolean;
  /**
   * The automatic return: an 'in_progress' series whose status was set automatically goes back to 'todo'
   * (automatic). A status a person set is never changed. Returns whether it changed.
   */
  revertAutomatic(seriesId: string, annotatorId: AnnotatorId): boolean;
  /** Registered series by patient id then series id, optionally only those with `status`. */
  list(filter?: { status?: SeriesStatus }): SeriesRecord[];
  /** Status changes of a series, oldest first. */
  history(seriesId: string): SeriesStatusEvent[];
}

interface SeriesRow {
  series_id: string;
  patient_id: number;
  status: string;
  updated_at: string;
  updated_by: number | null;
  status_auto: number;
}

interface EventRow {
  id: number;
  series_id: string;
  old_status: string | null;
  new_status: string;
  automatic: number;
  annotator_id: number;
  created_at: string;
}

const COLUMNS = 'series_id, patient_id, status, updated_at, updated_by, status_auto';

function statusOf(s: string): SeriesStatus {
  const status = SERIES_STATUSES.find((x) => x === s);
  if (status === undefined) throw new AppError('db', `Unknown series status ${s}`);
  return status;
}

function toRecord(r: SeriesRow): SeriesRecord {
  return {
    seriesId: r.series_id,
    patientId: r.patient_id,
    status: statusOf(r.status),
    updatedAt: r.updated_at,
    updatedBy: r.updated_by === null ? null : (r.updated_by as AnnotatorId),
    automatic: r.status_auto === 1,
  };
}

function toEvent(r: EventRow): SeriesStatusEvent {
  return {
    id: r.id,
    seriesId: r.series_id,
    oldStatus: r.old_status === null ? null : statusOf(r.old_status),
    newStatus: statusOf(r.new_status),
    automatic: r.automatic === 1,
    annotatorId: r.annotator_id as AnnotatorId,
    createdAt: r.created_at,
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
    `INSERT INTO series (series_id, patient_id, status, updated_at, updated_by, status_auto)
     VALUES ($seriesId, $patientId, 'todo', $now, NULL, 0)`,
  );
  const updateStatus = db.prepare<{ seriesId: string; status: string; now: string; annotatorId: number; auto: number }>(
    `UPDATE series SET status = $status, updated_at = $now, updated_by = $annotatorId, status_auto = $auto
     WHERE series_id = $seriesId`,
  );
  const insertEvent = db.prepare<{ seriesId: string; old: string; status: string; auto: number; annotatorId: number; now: string }>(
    `INSERT INTO series_status_events (series_id, old_status, new_status, automatic, annotator_id, created_at)
     VALUES ($seriesId, $old, $status, $auto, $annotatorId, $now)`,
  );
  const events = db.prepare<{ seriesId: string }, EventRow>(
    `SELECT id, series_id, old_status, new_status, automatic, annotator_id, created_at
     FROM series_status_events WHERE series_id = $seriesId ORDER BY id`,
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

  /** Writes the status and its history row; inside a write transaction. */
  function change(before: SeriesRow, status: SeriesStatus, annotatorId: AnnotatorId, automatic: boolean): SeriesRow {
    const now = ctx.now();
    const auto = automatic ? 1 : 0;
    updateStatus.run({ seriesId: before.series_id, status, now, annotatorId, auto });
    insertEvent.run({ seriesId: before.series_id, old: before.status, status, auto, annotatorId, now });
    const row = byId.get({ seriesId: before.series_id });
    if (!row) throw new AppError('db', `Series ${before.series_id} vanished while its status was set`);
    return row;
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
    setStatus({ seriesId, patientId, status, annotatorId, automatic = false }) {
      if (!SERIES_STATUSES.includes(status)) throw new AppError('invalid_request', `Unknown series status ${String(status)}`);
      return toRecord(ctx.write(() => change(ensureInTx(seriesId, patientId), status, annotatorId, automatic)));
    },
    startAutomatically(seriesId, patientId, annotatorId) {
      return ctx.write(() => {
        const row = ensureInTx(seriesId, patientId);
        if (row.status !== 'todo') return false;
        change(row, 'in_progress', annotatorId, true);
        return true;
      });
    },
    revertAutomatic(seriesId, annotatorId) {
      return ctx.write(() => {
        const row = byId.get({ seriesId });
        if (!row || row.status !== 'in_progress' || row.status_auto !== 1) return false;
        change(row, 'todo', annotatorId, true);
        return true;
      });
    },
    list(filter) {
      const rows = filter?.status === undefined ? all.all() : withStatus.all({ status: filter.status });
      return rows.map(toRecord);
    },
    history(seriesId) {
      return events.all({ seriesId }).map(toEvent);
    },
  };
}
