// Migration 20: reviews and undo relations become real structures instead of pseudo-fields (issue 12). Up to
// version 10 the grading service stored two "service fields" beside the grading fields in `gradings` and
// `grading_events`: 'reviewed' (0/1 per level) and '_undo' (a marker event whose value is the id of the undone
// event; the patient's event right before the marker is the restoring event). Now:
// - `level_reviews` holds the reviewed flag of a level;
// - a review change is a `grading_events` row with `field` NULL (its values 0/1);
// - a restoring event names the event it undoes in `undoes_event_id` (a foreign key; each event is undone at most
//   once, and only by an event of the same patient, level and field that is not itself an undo);
// - CHECK constraints allow only the grading fields of DATASET.md §3.2 and their legal values.
// Existing rows move inside the migration transaction; event ids are kept, '_undo' markers become the relation.
// Shipped migrations are immutable: the field list and legal values below are literal on purpose.
import { AppError } from '../../../../common/errors.js';
import { displayName, type Db } from '../db.js';

/** `v` is a legal value of the grading field in column `field` (a NULL field: a reviewed flag, 0/1). */
const legal = (v: string, field = 'field'): string =>
  `CASE ${field} WHEN 'modic' THEN ${v} IN (0, 1, 2, 3) WHEN 'pfirrmann' THEN ${v} IN (1, 2, 3, 4, 5) ELSE ${v} IN (0, 1) END`;

const FIELDS_SQL =
  "('modic', 'upEndplate', 'lowEndplate', 'spondylolisthesis', 'herniation', 'narrowing', 'bulging', 'pfirrmann')";

/** Each '_undo' marker with the patient's event right before it (the restoring event) and the undone event. */
const MARKERS_SQL = `
  WITH ordered AS (
    SELECT id, field, new_value, lag(id) OVER (PARTITION BY patient_id ORDER BY id) AS prev_id FROM grading_events_v10
  )
  SELECT id AS marker_id, prev_id AS restoration_id, new_value AS undone_id FROM ordered WHERE field = '_undo'`;

/** Legacy rows this schema cannot hold, with a reason each (empty for every store the v10 service wrote). */
function unmovableRows(db: Db): string[] {
  type Row = { id: number | null; patient_id: number; ivd_label: number; field: string; value: number | null };
  const problems: string[] = [];
  const describe = (what: string, r: Row): string =>
    `${what} ${r.id === null ? '' : `${r.id} `}(patient ${r.patient_id}, IVD label ${r.ivd_label}, ${r.field} = ${String(r.value)})`;
  const badValues = db
    .prepare<[], Row>(
      `SELECT NULL AS id, patient_id, ivd_label, field, value FROM gradings_v10
       WHERE NOT (
         (field IN ${FIELDS_SQL} AND (value IS NULL OR ${legal('value')}))
         OR (field = 'reviewed' AND value IN (0, 1))
         OR field = '_undo')`,
    )
    .all();
  for (const r of badValues) problems.push(describe('grading', r));
  const badEvents = db
    .prepare<[], Row>(
      `SELECT id, patient_id, ivd_label, field, new_value AS value FROM grading_events_v10
       WHERE NOT (
         (field IN ${FIELDS_SQL} AND (old_value IS NULL OR ${legal('old_value')}) AND (new_value IS NULL OR ${legal('new_value')}))
         OR (field = 'reviewed' AND (old_value IS NULL OR old_value IN (0, 1)) AND new_value IN (0, 1))
         OR field = '_undo')`,
    )
    .all();
  for (const r of badEvents) problems.push(describe('grading event', r));
  // A marker must follow a restoring event (not another marker) of the undone event's level and field.
  const badMarkers = db
    .prepare<[], Row>(
      `WITH markers AS (${MARKERS_SQL})
       SELECT m.id, m.patient_id, m.ivd_label, m.field, m.new_value AS value
       FROM markers
       JOIN grading_events_v10 AS m ON m.id = markers.marker_id
       LEFT JOIN grading_events_v10 AS r ON r.id = markers.restoration_id
       LEFT JOIN grading_events_v10 AS t ON t.id = markers.undone_id
       WHERE (
         r.id IS NULL OR r.field = '_undo' OR t.id IS NULL OR t.field = '_undo' OR t.id >= r.id
         OR t.patient_id <> r.patient_id OR t.ivd_label <> r.ivd_label OR t.field <> r.field)`,
    )
    .all();
  for (const r of badMarkers) problems.push(describe('undo marker', r));
  const twice = db
    .prepare<[], Row>(
      `SELECT max(id) AS id, patient_id, ivd_label, field, new_value AS value FROM grading_events_v10
       WHERE field = '_undo' GROUP BY new_value HAVING count(*) > 1`,
    )
    .all();
  for (const r of twice) problems.push(describe('second undo marker', r));
  return problems;
}

export default function up(db: Db): void {
  db.exec(`
    DROP TRIGGER grading_events_no_delete;
    DROP TRIGGER grading_events_no_update;
    ALTER TABLE gradings RENAME TO gradings_v10;
    ALTER TABLE grading_events RENAME TO grading_events_v10;
  `);
  const problems = unmovableRows(db);
  if (problems.length > 0) {
    // Thrown inside the migration transaction: the store is left exactly as it was.
    throw new AppError(
      'db',
      `Annotation store ${displayName(db.name)} holds ${problems.length} grading row(s) this version cannot keep ` +
        `(${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}); it was left untouched`,
      { file: db.name },
    );
  }
  db.exec(`
    CREATE TABLE gradings (
      patient_id INTEGER NOT NULL,
      ivd_label INTEGER NOT NULL CHECK (ivd_label >= 1),
      field TEXT NOT NULL CHECK (field IN ${FIELDS_SQL}),
      value INTEGER CHECK (value IS NULL OR ${legal('value')}),
      updated_at TEXT NOT NULL,
      updated_by INTEGER NOT NULL REFERENCES annotators (id),
      PRIMARY KEY (patient_id, ivd_label, field)
    ) STRICT;

    CREATE TABLE level_reviews (
      patient_id INTEGER NOT NULL,
      ivd_label INTEGER NOT NULL CHECK (ivd_label >= 1),
      reviewed INTEGER NOT NULL CHECK (reviewed IN (0, 1)),
      updated_at TEXT NOT NULL,
      updated_by INTEGER NOT NULL REFERENCES annotators (id),
      PRIMARY KEY (patient_id, ivd_label)
    ) STRICT;

    -- field NULL: the event changed the level's reviewed flag (level_reviews), its values are 0/1.
    CREATE TABLE grading_events (
      id INTEGER PRIMARY KEY,
      patient_id INTEGER NOT NULL,
      ivd_label INTEGER NOT NULL CHECK (ivd_label >= 1),
      field TEXT CHECK (field IS NULL OR field IN ${FIELDS_SQL}),
      old_value INTEGER CHECK (old_value IS NULL OR ${legal('old_value')}),
      new_value INTEGER CHECK (new_value IS NULL OR ${legal('new_value')}),
      undoes_event_id INTEGER UNIQUE REFERENCES grading_events (id),
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL,
      CHECK (field IS NOT NULL OR new_value IS NOT NULL)
    ) STRICT;

    -- An undo restores the undone event's own level and field, and an undo is never undone itself.
    CREATE TRIGGER grading_events_undo_matches BEFORE INSERT ON grading_events
    WHEN NEW.undoes_event_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM grading_events AS u
      WHERE u.id = NEW.undoes_event_id AND u.patient_id = NEW.patient_id AND u.ivd_label = NEW.ivd_label
        AND u.field IS NEW.field AND u.undoes_event_id IS NULL)
    BEGIN SELECT RAISE(ABORT, 'an undo must restore the undone event''s level and field'); END;

    INSERT INTO gradings (patient_id, ivd_label, field, value, updated_at, updated_by)
    SELECT patient_id, ivd_label, field, value, updated_at, updated_by FROM gradings_v10
    WHERE field NOT IN ('reviewed', '_undo');

    INSERT INTO level_reviews (patient_id, ivd_label, reviewed, updated_at, updated_by)
    SELECT patient_id, ivd_label, value, updated_at, updated_by FROM gradings_v10 WHERE field = 'reviewed';

    -- Oldest first, so each undone event is in place before the event undoing it. A restoring event is the
    -- patient's event right before an '_undo' marker; the marker's value is the undone event's id.
    WITH markers AS (${MARKERS_SQL})
    INSERT INTO grading_events
      (id, patient_id, ivd_label, field, old_value, new_value, undoes_event_id, annotator_id, created_at)
    SELECT e.id, e.patient_id, e.ivd_label, nullif(e.field, 'reviewed'), e.old_value, e.new_value, markers.undone_id,
      e.annotator_id, e.created_at
    FROM grading_events_v10 AS e
    LEFT JOIN markers ON markers.restoration_id = e.id
    WHERE e.field <> '_undo'
    ORDER BY e.id;

    DROP TABLE gradings_v10;
    DROP TABLE grading_events_v10;
    CREATE INDEX grading_events_by_patient_id_ivd_label ON grading_events (patient_id, ivd_label);

    CREATE TRIGGER grading_events_no_delete BEFORE DELETE ON grading_events
    BEGIN SELECT RAISE(ABORT, 'grading_events is append-only'); END;
    CREATE TRIGGER grading_events_no_update BEFORE UPDATE ON grading_events
    BEGIN SELECT RAISE(ABORT, 'grading_events is append-only'); END;
  `);
}
