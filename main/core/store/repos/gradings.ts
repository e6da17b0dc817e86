// Repository of radiological gradings per patient and disc level: the current value of each grading field in
// `gradings`, the reviewed flag of each level in `level_reviews`, and one `grading_events` row per change of
// either, written together (ARCHITECTURE.md §6). An undo is an event of its own naming the event it undoes
// (`undoes_event_id`). The schema's CHECK constraints accept only the grading fields of common/gradings.ts and
// their legal values; anything else is refused with AppError('invalid_request').
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
  /** The id of the event this change undoes (it restores that event's level and field); absent for a change. */
  readonly undoesEventId?: number;
}

/** One change of a level's reviewed flag. */
export interface ReviewInput {
  readonly patientId: number;
  readonly ivdLabel: number;
  readonly reviewed: boolean;
  readonly annotatorId: AnnotatorId;
  /** The id of the review event this change undoes; absent for a change. */
  readonly undoesEventId?: number;
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

/** The reviewed flag of one level as last set in this store (a level with no row was never reviewed). */
export interface LevelReview {
  readonly patientId: number;
  readonly ivdLabel: number;
  readonly reviewed: boolean;
  readonly updatedAt: string;
  readonly updatedBy: AnnotatorId;
}

/**
 * One change of one grading or of a level's reviewed flag. `oldValue` is null when there was no stored value
 * before (never set, or blank).
 */
export interface GradingEvent {
  readonly id: number;
  readonly patientId: number;
  readonly ivdLabel: number;
  /** The grading field changed; null when the event changed the level's reviewed flag (values 0/1). */
  readonly field: string | null;
  readonly oldValue: number | null;
  readonly newValue: number | null;
  /** The event this one undoes (this one restores what stood before it); null for a change. */
  readonly undoesEventId: number | null;
  readonly annotatorId: AnnotatorId;
  readonly createdAt: string;
}

/**
 * The first value a person entered for one grading (migration 50): the earliest event that set a value and was
 * not an undo. Written with that event and never changed afterwards (later changes and undos leave it).
 */
export interface FirstValue {
  readonly patientId: number;
  readonly ivdLabel: number;
  readonly field: string;
  readonly value: number;
  /** The grading event that entered it. */
  readonly eventId: number;
  readonly annotatorId: AnnotatorId;
  readonly createdAt: string;
}

/** Access to `gradings`, `level_reviews`, `grading_events` and `grading_first_values`. */
export interface GradingsRepo {
  /**
   * Sets one grading and records the change, in one transaction. Returns the event, or null when the stored
   * value already equals `value` (nothing is written).
   */
  set(input: GradingInput): GradingEvent | null;
  /** Sets a level's reviewed flag and records the change, like {@link set}; null when it already was so. */
  setReviewed(input: ReviewInput): GradingEvent | null;
  get(patientId: number, ivdLabel: number, field: string): Grading | null;
  /** Current gradings of a patient by level then field. */
  forPatient(patientId: number): Grading[];
  /** Every current grading, by patient, level, field (for export). */
  all(): Grading[];
  /** Reviewed flags of a patient's levels as stored, by level. */
  reviews(patientId: number): LevelReview[];
  /** Every change (grading and review) for a patient, oldest first. */
  events(patientId: number): GradingEvent[];
  /** First values entered for a patient's gradings, by level then field. */
  firstValues(patientId: number): FirstValue[];
  /** Every first value, by patient, level, field (for export). */
  allFirstValues(): FirstValue[];
}

interface FirstValueRow {
  patient_id: number;
  ivd_label: number;
  field: string;
  value: number;
  event_id: number;
  annotator_id: number;
  created_at: string;
}

interface GradingRow {
  patient_id: number;
  ivd_label: number;
  field: string;
  value: number | null;
  updated_at: string;
  updated_by: number;
}

interface ReviewRow {
  patient_id: number;
  ivd_label: number;
  reviewed: number;
  updated_at: string;
  updated_by: number;
}

interface EventRow {
  id: number;
  patient_id: number;
  ivd_label: number;
  field: string | null;
  old_value: number | null;
  new_value: number | null;
  undoes_event_id: number | null;
  annotator_id: number;
  created_at: string;
}

type Key = { patientId: number; ivdLabel: number; field: string };
type LevelKey = { patientId: number; ivdLabel: number };

const G_COLUMNS = 'patient_id, ivd_label, field, value, updated_at, updated_by';
const R_COLUMNS = 'patient_id, ivd_label, reviewed, updated_at, updated_by';
const E_COLUMNS =
  'id, patient_id, ivd_label, field, old_value, new_value, undoes_event_id, annotator_id, created_at';

const F_COLUMNS = 'patient_id, ivd_label, field, value, event_id, annotator_id, created_at';

const toFirstValue = (r: FirstValueRow): FirstValue => ({
  patientId: r.patient_id,
  ivdLabel: r.ivd_label,
  field: r.field,
  value: r.value,
  eventId: r.event_id,
  annotatorId: r.annotator_id as AnnotatorId,
  createdAt: r.created_at,
});

const toGrading = (r: GradingRow): Grading => ({
  patientId: r.patient_id,
  ivdLabel: r.ivd_label,
  field: r.field,
  value: r.value,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by as AnnotatorId,
});

const toReview = (r: ReviewRow): LevelReview => ({
  patientId: r.patient_id,
  ivdLabel: r.ivd_label,
  reviewed: r.reviewed === 1,
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
  undoesEventId: r.undoes_event_id,
  annotatorId: r.annotator_id as AnnotatorId,
  createdAt: r.created_at,
});

function validateLevel(patientId: number, ivdLabel: number, undoes: number | undefined, what: string): void {
  const ok =
    Number.isInteger(patientId) &&
    Number.isInteger(ivdLabel) &&
    ivdLabel >= 1 &&
    (undoes === undefined || Number.isInteger(undoes));
  if (!ok) throw new AppError('invalid_request', `Invalid grading: patient ${patientId}, IVD ${ivdLabel}, ${what}`);
}

function validate(g: GradingInput): void {
  const what = `${g.field} = ${String(g.value)}`;
  validateLevel(g.patientId, g.ivdLabel, g.undoesEventId, what);
  if (g.field.length === 0 || !(g.value === null || Number.isInteger(g.value))) {
    throw new AppError('invalid_request', `Invalid grading: patient ${g.patientId}, IVD ${g.ivdLabel}, ${what}`);
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
  const review = db.prepare<LevelKey, ReviewRow>(
    `SELECT ${R_COLUMNS} FROM level_reviews WHERE patient_id = $patientId AND ivd_label = $ivdLabel`,
  );
  const reviewsOf = db.prepare<{ patientId: number }, ReviewRow>(
    `SELECT ${R_COLUMNS} FROM level_reviews WHERE patient_id = $patientId ORDER BY ivd_label`,
  );
  const upsertReview = db.prepare<LevelKey & { reviewed: number; now: string; annotatorId: number }>(
    `INSERT INTO level_reviews (patient_id, ivd_label, reviewed, updated_at, updated_by)
     VALUES ($patientId, $ivdLabel, $reviewed, $now, $annotatorId)
     ON CONFLICT (patient_id, ivd_label) DO UPDATE SET
       reviewed = excluded.reviewed, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  );
  const insertEvent = db.prepare<
    LevelKey & {
      field: string | null;
      oldValue: number | null;
      newValue: number | null;
      undoes: number | null;
      annotatorId: number;
      now: string;
    }
  >(
    `INSERT INTO grading_events
       (patient_id, ivd_label, field, old_value, new_value, undoes_event_id, annotator_id, created_at)
     VALUES ($patientId, $ivdLabel, $field, $oldValue, $newValue, $undoes, $annotatorId, $now)`,
  );
  const eventById = db.prepare<{ id: number }, EventRow>(`SELECT ${E_COLUMNS} FROM grading_events WHERE id = $id`);
  const eventsOf = db.prepare<{ patientId: number }, EventRow>(
    `SELECT ${E_COLUMNS} FROM grading_events WHERE patient_id = $patientId ORDER BY id`,
  );
  // Filled by the trigger grading_first_values_record on every event insert (migration 50).
  const firstOf = db.prepare<{ patientId: number }, FirstValueRow>(
    `SELECT ${F_COLUMNS} FROM grading_first_values WHERE patient_id = $patientId ORDER BY ivd_label, field`,
  );
  const everyFirst = db.prepare<[], FirstValueRow>(
    `SELECT ${F_COLUMNS} FROM grading_first_values ORDER BY patient_id, ivd_label, field`,
  );

  /** Appends one event and returns it as stored. */
  const record = (event: Parameters<typeof insertEvent.run>[0]): GradingEvent => {
    const { lastInsertRowid } = insertEvent.run(event);
    const row = eventById.get({ id: Number(lastInsertRowid) });
    if (!row) throw new AppError('db', 'Grading event vanished while being written');
    return toEvent(row);
  };

  return {
    set(input) {
      validate(input);
      return ctx.write(() => {
        const key = { patientId: input.patientId, ivdLabel: input.ivdLabel, field: input.field };
        const before = one.get(key);
        if (before && before.value === input.value) return null;
        const now = ctx.now();
        upsert.run({ ...key, value: input.value, now, annotatorId: input.annotatorId });
        return record({
          ...key,
          oldValue: before?.value ?? null,
          newValue: input.value,
          undoes: input.undoesEventId ?? null,
          annotatorId: input.annotatorId,
          now,
        });
      });
    },
    setReviewed(input) {
      validateLevel(input.patientId, input.ivdLabel, input.undoesEventId, `reviewed = ${String(input.reviewed)}`);
      return ctx.write(() => {
        const key = { patientId: input.patientId, ivdLabel: input.ivdLabel };
        const value = input.reviewed ? 1 : 0;
        const before = review.get(key);
        if (before && before.reviewed === value) return null;
        const now = ctx.now();
        upsertReview.run({ ...key, reviewed: value, now, annotatorId: input.annotatorId });
        return record({
          ...key,
          field: null,
          oldValue: before?.reviewed ?? null,
          newValue: value,
          undoes: input.undoesEventId ?? null,
          annotatorId: input.annotatorId,
          now,
        });
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
    reviews(patientId) {
      return reviewsOf.all({ patientId }).map(toReview);
    },
    events(patientId) {
      return eventsOf.all({ patientId }).map(toEvent);
    },
    firstValues(patientId) {
      return firstOf.all({ patientId }).map(toFirstValue);
    },
    allFirstValues() {
      return everyFirst.all().map(toFirstValue);
    },
  };
}
