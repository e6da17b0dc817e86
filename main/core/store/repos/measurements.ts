// Repository of measurements (issue 13, item 4): rulers and angles placed in a series, in world coordinates (LPS,
// mm), with their value, annotator and time. Deletion is soft: `deleted_at`/`deleted_by` are set, the row stays, and
// `restore` clears them again. The schema (migration 30) refuses malformed rows too; this repository checks first
// so that a bad input is an AppError('invalid_request') naming what is wrong.
import {
  MAX_MEASUREMENT_COORD_MM as MAX_COORD_MM,
  MEASUREMENT_KINDS,
  MEASUREMENT_POINTS as POINT_COUNT,
  type MeasurementKind,
} from '../../../../common/contract.js';
import { AppError } from '../../../../common/errors.js';
import type { Vec3 } from '../../../../common/geometry.js';
import type { StoreContext } from '../context.js';
import type { AnnotatorId } from './annotators.js';
import type { SeriesRepo } from './series.js';

export type { MeasurementKind };

/** Longest note the schema takes, characters. */
export const MAX_NOTE_LENGTH = 200;

/** A measurement to store. `value` is computed by the caller (mm for a ruler, degrees for an angle). */
export interface NewMeasurement {
  readonly seriesId: string;
  /** The series' patient, to register the series in `series` when it is not yet known. */
  readonly patientId: number;
  readonly kind: MeasurementKind;
  readonly points: readonly Vec3[];
  readonly value: number;
  readonly note: string | null;
  readonly annotatorId: AnnotatorId;
}

/** A measurement as stored. */
export interface Measurement {
  readonly id: number;
  readonly seriesId: string;
  readonly kind: MeasurementKind;
  readonly points: Vec3[];
  readonly value: number;
  readonly note: string | null;
  readonly annotatorId: AnnotatorId;
  readonly createdAt: string;
  /** When and by whom it was deleted; both null while it stands. */
  readonly deletedAt: string | null;
  readonly deletedBy: AnnotatorId | null;
}

/** Access to the `measurements` table. */
export interface MeasurementsRepo {
  /** Stores a measurement (registering its series first) and returns it as stored. */
  add(m: NewMeasurement): Measurement;
  get(id: number): Measurement | null;
  /** The measurements of a series, oldest first; deleted ones only with `includeDeleted`. */
  forSeries(seriesId: string, opts?: { includeDeleted?: boolean }): Measurement[];
  /** Every standing (not deleted) measurement, by series then id (for export). */
  all(): Measurement[];
  /**
   * Marks a measurement deleted and returns it. Deleting a deleted one changes nothing (it keeps its first deletion).
   * @throws AppError('not_found') for an unknown id.
   */
  delete(id: number, annotatorId: AnnotatorId): Measurement;
  /** Takes a deletion back (nothing changes for a standing one). @throws AppError('not_found') for an unknown id. */
  restore(id: number): Measurement;
}

interface MeasurementRow {
  id: number;
  series_id: string;
  kind: string;
  points: string;
  value: number;
  note: string | null;
  annotator_id: number;
  created_at: string;
  deleted_at: string | null;
  deleted_by: number | null;
}

const COLUMNS = 'id, series_id, kind, points, value, note, annotator_id, created_at, deleted_at, deleted_by';

const isKind = (k: string): k is MeasurementKind => (MEASUREMENT_KINDS as readonly string[]).includes(k);

/** A finite coordinate the schema accepts. */
const isCoord = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= MAX_COORD_MM;

function isPoint(p: unknown): p is Vec3 {
  return Array.isArray(p) && p.length === 3 && p.every(isCoord);
}

/** The stored JSON points as points; a row that does not hold them is a damaged store. */
function parsePoints(text: string, id: number): Vec3[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || !parsed.every(isPoint)) throw new AppError('db', `Measurement ${id} holds malformed points`);
  return parsed.map((p) => [p[0], p[1], p[2]]);
}

function toMeasurement(r: MeasurementRow): Measurement {
  if (!isKind(r.kind)) throw new AppError('db', `Measurement ${r.id} has an unknown kind ${r.kind}`);
  return {
    id: r.id,
    seriesId: r.series_id,
    kind: r.kind,
    points: parsePoints(r.points, r.id),
    value: r.value,
    note: r.note,
    annotatorId: r.annotator_id as AnnotatorId,
    createdAt: r.created_at,
    deletedAt: r.deleted_at,
    deletedBy: r.deleted_by === null ? null : (r.deleted_by as AnnotatorId),
  };
}

/** Why `m` cannot be stored, or null. */
export function measurementProblem(m: Pick<NewMeasurement, 'kind' | 'points' | 'value' | 'note'>): string | null {
  if (!isKind(m.kind)) return `unknown kind ${String(m.kind)} (ruler or angle)`;
  const want = POINT_COUNT[m.kind];
  if (!Array.isArray(m.points) || m.points.length !== want) {
    return `a ${m.kind} has ${want} points, got ${Array.isArray(m.points) ? m.points.length : 'none'}`;
  }
  const bad = m.points.findIndex((p) => !isPoint(p));
  if (bad >= 0) return `point ${bad + 1} is not three finite coordinates within ±${MAX_COORD_MM} mm`;
  if (!Number.isFinite(m.value) || m.value < 0 || (m.kind === 'angle' && m.value > 180)) {
    return `value ${m.value} is out of range for a ${m.kind}`;
  }
  if (m.kind === 'ruler' && m.value === 0) return 'a ruler must have a length (its two points coincide)';
  if (m.note !== null && (m.note.length === 0 || m.note.length > MAX_NOTE_LENGTH)) {
    return `a note has 1 to ${MAX_NOTE_LENGTH} characters`;
  }
  return null;
}

/**
 * Creates the measurements repository; statements are prepared once here. `series` registers a measured series
 * (a measurement references `series` as a label edit does).
 */
export function createMeasurementsRepo(ctx: StoreContext, series: Pick<SeriesRepo, 'ensure'>): MeasurementsRepo {
  const { db } = ctx;
  const byId = db.prepare<{ id: number }, MeasurementRow>(`SELECT ${COLUMNS} FROM measurements WHERE id = $id`);
  const ofSeries = db.prepare<{ seriesId: string }, MeasurementRow>(
    `SELECT ${COLUMNS} FROM measurements WHERE series_id = $seriesId AND deleted_at IS NULL ORDER BY id`,
  );
  const ofSeriesAll = db.prepare<{ seriesId: string }, MeasurementRow>(
    `SELECT ${COLUMNS} FROM measurements WHERE series_id = $seriesId ORDER BY id`,
  );
  const standing = db.prepare<[], MeasurementRow>(
    `SELECT ${COLUMNS} FROM measurements WHERE deleted_at IS NULL ORDER BY series_id, id`,
  );
  const insert = db.prepare<{
    seriesId: string;
    kind: string;
    points: string;
    value: number;
    note: string | null;
    annotatorId: number;
    now: string;
  }>(
    `INSERT INTO measurements (series_id, kind, points, value, note, annotator_id, created_at)
     VALUES ($seriesId, $kind, $points, $value, $note, $annotatorId, $now)`,
  );
  const markDeleted = db.prepare<{ id: number; now: string; annotatorId: number }>(
    'UPDATE measurements SET deleted_at = $now, deleted_by = $annotatorId WHERE id = $id AND deleted_at IS NULL',
  );
  const unmarkDeleted = db.prepare<{ id: number }>(
    'UPDATE measurements SET deleted_at = NULL, deleted_by = NULL WHERE id = $id AND deleted_at IS NOT NULL',
  );

  const read = (id: number): Measurement => {
    const row = byId.get({ id });
    if (!row) throw new AppError('not_found', `No measurement ${id}`);
    return toMeasurement(row);
  };

  return {
    add(m) {
      const problem = measurementProblem(m);
      if (problem !== null) throw new AppError('invalid_request', `Invalid measurement in ${m.seriesId}: ${problem}`);
      return ctx.write(() => {
        // Registered as the label journal does it, in this transaction (conflict for another patient id).
        series.ensure(m.seriesId, m.patientId);
        const now = ctx.now();
        const { lastInsertRowid } = insert.run({
          seriesId: m.seriesId,
          kind: m.kind,
          points: JSON.stringify(m.points.map((p) => [p[0], p[1], p[2]])),
          value: m.value,
          note: m.note,
          annotatorId: m.annotatorId,
          now,
        });
        return read(Number(lastInsertRowid));
      });
    },
    get(id) {
      const row = byId.get({ id });
      return row ? toMeasurement(row) : null;
    },
    forSeries(seriesId, opts) {
      return (opts?.includeDeleted === true ? ofSeriesAll : ofSeries).all({ seriesId }).map(toMeasurement);
    },
    all() {
      return standing.all().map(toMeasurement);
    },
    delete(id, annotatorId) {
      return ctx.write(() => {
        read(id);
        markDeleted.run({ id, now: ctx.now(), annotatorId });
        return read(id);
      });
    },
    restore(id) {
      return ctx.write(() => {
        read(id);
        unmarkDeleted.run({ id });
        return read(id);
      });
    },
  };
}
