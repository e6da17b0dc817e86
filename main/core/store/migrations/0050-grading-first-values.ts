// Migration 50: the first value a person entered for each grading (issue 15, item 6), so that a later reader
// comparison (inter-reader agreement) has it even after the value was changed or undone.
// `grading_first_values` holds one row per (patient, IVD label, field): the value, who entered it and when, and the
// `grading_events` row that set it. "Entered by a person" is a grading event that is not an undo (an undo restores
// what stood before, it is nobody's reading) and that set a value (clearing a field enters nothing). CSV baseline
// values are never events, so they never appear here.
// The table is append-only and filled by a trigger on `grading_events`: every writer of an event records the first
// value in the same statement, and `INSERT OR IGNORE` keeps an existing row, so later changes and undos never
// overwrite it. Existing stores are backfilled from their events (the earliest qualifying event per level/field).
// Shipped migrations are immutable: the field list and legal values below are literal on purpose.
import type { Db } from '../db.js';

const FIELDS_SQL =
  "('modic', 'upEndplate', 'lowEndplate', 'spondylolisthesis', 'herniation', 'narrowing', 'bulging', 'pfirrmann')";
const LEGAL_VALUE =
  "CASE field WHEN 'modic' THEN value IN (0, 1, 2, 3) WHEN 'pfirrmann' THEN value IN (1, 2, 3, 4, 5) ELSE value IN (0, 1) END";
/** The events that enter a value: a grading field (not a review), not an undo, a value (not a clear). */
const ENTERS_VALUE = (e: string): string =>
  `${e}.field IS NOT NULL AND ${e}.undoes_event_id IS NULL AND ${e}.new_value IS NOT NULL`;

export default function up(db: Db): void {
  db.exec(`
    CREATE TABLE grading_first_values (
      patient_id INTEGER NOT NULL,
      ivd_label INTEGER NOT NULL CHECK (ivd_label >= 1),
      field TEXT NOT NULL CHECK (field IN ${FIELDS_SQL}),
      value INTEGER NOT NULL CHECK (${LEGAL_VALUE}),
      event_id INTEGER NOT NULL UNIQUE REFERENCES grading_events (id),
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL,
      PRIMARY KEY (patient_id, ivd_label, field)
    ) STRICT;

    INSERT INTO grading_first_values (patient_id, ivd_label, field, value, event_id, annotator_id, created_at)
    SELECT e.patient_id, e.ivd_label, e.field, e.new_value, e.id, e.annotator_id, e.created_at
    FROM grading_events AS e
    WHERE ${ENTERS_VALUE('e')} AND e.id = (
      SELECT min(f.id) FROM grading_events AS f
      WHERE f.patient_id = e.patient_id AND f.ivd_label = e.ivd_label AND f.field = e.field AND ${ENTERS_VALUE('f')})
    ORDER BY e.id;

    CREATE TRIGGER grading_first_values_record AFTER INSERT ON grading_events
    WHEN ${ENTERS_VALUE('NEW')}
    BEGIN
      INSERT OR IGNORE INTO grading_first_values
        (patient_id, ivd_label, field, value, event_id, annotator_id, created_at)
      VALUES (NEW.patient_id, NEW.ivd_label, NEW.field, NEW.new_value, NEW.id, NEW.annotator_id, NEW.created_at);
    END;
    CREATE TRIGGER grading_first_values_no_delete BEFORE DELETE ON grading_first_values
    BEGIN SELECT RAISE(ABORT, 'grading_first_values is append-only'); END;
    CREATE TRIGGER grading_first_values_no_update BEFORE UPDATE ON grading_first_values
    BEGIN SELECT RAISE(ABORT, 'grading_first_values is append-only'); END;
  `);
}
