// Repository of radiological gradings per patient and disc level: the current value in `gradings` plus one
// `grading_events` row per change, written together (ARCHITECTURE.md §4 "Grading"). Field names and legal values
// are checked by the caller against common/gradings.ts; the store keeps whatever integer it is given.
import { AppError } from '../../../../common/errors.js';
import type { StoreContext } from '../context.js';
import type { AnnotatorId } from './annotators.js';

/** One grading change. `value: null` records an explicit blank, which overrides the dataset's original value. */
export interface GradingInput {
  readonly patientId: number;
  /** IVD label k as in radiological_gradings.csv (the disc with mask value 200 + k). */
  readonly ivdLabel: number;
  /** Grading field id, e.g. 'pfirrmann'. */
  readonly field: string;
  readonly value: number | null;
  readonly annotatorId: AnnotatorId;
}

/**
 * The current value of one grading in this store. A (patient, level, field) with no row has never been graded
 * here, so the dataset's original value stands.
 */
export interface Grading {
  readonly patientId: number;
  readonly ivdLabel: number;
  readonly field: string;
  readonly value: number | null;
  readonly updatedAt: string;
  readonly updatedBy: AnnotatorId;
}

/** One change of one grading. `oldValue` is null when there was no value before (never set, or blank). */
export interface GradingEvent {
  readonly id: number;
  readonly patientId: number;
  readonly ivdLabel: number;
  readonly field: string;
  readonly oldValue: number | null;
  readonly newValue: number | null;
  readonly annotatorId: AnnotatorId;
  readonly createdAt: string;
}

/** Access to `gradings` and `grading_events`. */
export interface GradingsRepo {
  /**
   * Sets one grading and records the change, in one transaction. Returns the event, or null when the stored
   * value already equals `value` (nothing is written).
   */
  set(input: GradingInput): GradingEvent | null;
  get(patientId: number, ivdLabel: number, field: string): Grading | null;
  /** Current gradings of a patient by level then field. */
  forPatient(patientId: number): Grading[];
  /** Every current grading, by patient, level, field (for export). */
  all(): Grading[];
  /** Every change for a patient, oldest first. */
  events(patientId: number): GradingEvent[];
}

interface GradingRow {
  patient_id: number;
  ivd_label: number;
  field: string;
  value: number | null;
  updated_at: string;
  updated_by: number;
}

interface EventRow {
  id: number;
  patient_id: number;
  ivd_label: number;
  field: string;
  old_value: number | null;
  new_value: number | null;
  annotator_id: number;
  created_at: string;
}

type Key = { patientId: number; ivdLabel: number; field: string };

const G_COLUMNS = 'patient_id, ivd_label, field, value, updated_at, updated_by';
const E_COLUMNS = 'id, patient_id, ivd_label, field, old_value, new_value, annotator_id, created_at';

const toGrading = (r: GradingRow): Grading => ({
  patientId: r.patient_id,
  ivdLabel: r.ivd_label,
  field: r.field,
  value: r.value,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by as AnnotatorId,
});

const toEvent = (r: EventRow): GradingEvent => ({
  id: r.id,
  patientId: r.patient_id,
  ivdLabel: r.ivd_label,
  field: r.field,
  oldValue: r.old_value,
  newValue: r.new_value,
  annotatorId: r.annotator_id as AnnotatorId,
  createdAt: r.created_at,
});

function validate(g: GradingInput): void {
  const ok =
    Number.isInteger(g.patientId) &&
    Number.isInteger(g.ivdLabel) &&
    g.ivdLabel >= 1 &&
    g.field.length > 0 &&
    (g.value === null || Number.isInteger(g.value));
  if (!ok) {
    throw new AppError(
      'invalid_request',
      `Invalid grading: patient ${g.patientId}, IVD ${g.ivdLabel}, ${g.field} = ${String(g.value)}`,
    );
  }
}

/** Creates the gradings repository; statements are prepared once here. */
export function createGradingsRepo(ctx: StoreContext): GradingsRepo {
  const { db } = ctx;
  const one = db.prepare<Key, GradingRow>(
    `SELECT ${G_COLUMNS} FROM gradings WHERE patient_id = $patientId AND ivd_label = $ivdLabel AND field = $field`,
  );
  const ofPatient = db.prepare<{ patientId: number }, GradingRow>(
    `SELECT ${G_COLUMNS} FROM gradings WHERE patient_id = $patientId ORDER BY ivd_label, field`,
  );
  const every = db.prepare<[], GradingRow>(`SELECT ${G_COLUMNS} FROM gradings ORDER BY patient_id, ivd_label, field`);
  const upsert = db.prepare<Key & { value: number | null; now: string; annotatorId: number }>(
    `INSERT INTO gradings (patient_id, ivd_label, field, value, updated_at, updated_by)
     VALUES ($patientId, $ivdLabel, $field, $value, $now, $annotatorId)
     ON CONFLICT (patient_id, ivd_label, field) DO UPDATE SET
       value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  );
  const insertEvent = db.prepare<
    Key & { oldValue: number | null; newValue: number | null; annotatorId: number; now: string }
  >(
    `INSERT INTO grading_events (patient_id, ivd_label, field, old_value, new_value, annotator_id, created_at)
     VALUES ($patientId, $ivdLabel, $field, $oldValue, $newValue, $annotatorId, $now)`,
  );
  const eventById = db.prepare<{ id: number }, EventRow>(`SELECT ${E_COLUMNS} FROM grading_events WHERE id = $id`);
  const eventsOf = db.prepare<{ patientId: number }, EventRow>(
    `SELECT ${E_COLUMNS} FROM grading_events WHERE patient_id = $patientId ORDER BY id`,
  );

  return {
    set(input) {
      validate(input);
      return ctx.write(() => {
        const key = { patientId: input.patientId, ivdLabel: input.ivdLabel, field: input.field };
        const before = one.get(key);
        if (before && before.value === input.value) return null;
        const now = ctx.now();
        upsert.run({ ...key, value: input.value, now, annotatorId: input.annotatorId });
        const { lastInsertRowid } = insertEvent.run({
          ...key,
          oldValue: before?.value ?? null,
          newValue: input.value,
          annotatorId: input.annotatorId,
          now,
        });
        const event = eventById.get({ id: Number(lastInsertRowid) });
        if (!event) throw new AppError('db', 'Grading event vanished while being written');
        return toEvent(event);
      });
    },
    get(patientId, ivdLabel, field) {
      const row = one.get({ patientId, ivdLabel, field });
      return row ? toGrading(row) : null;
    },
    forPatient(patientId) {
      return ofPatient.all({ patientId }).map(toGrading);
    },
    all() {
      return every.all().map(toGrading);
    },
    events(patientId) {
      return eventsOf.all({ patientId }).map(toEvent);
    },
  };
}
