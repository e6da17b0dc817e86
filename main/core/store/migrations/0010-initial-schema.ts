// Migration 10: the initial annotation-store schema (ARCHITECTURE.md §5). Shipped migrations are immutable:
// change the schema with a new numbered file, never by editing this one.
import type { Db } from '../db.js';

/**
 * Creates every table of the first release. All tables are STRICT. The journals (`label_edits`,
 * `label_edit_events`, `grading_events`) are append-only, enforced by triggers: of a journal row only the
 * `undone`/`discarded` flags of `label_edits` may ever change, and a discarded edit stays discarded.
 */
export default function up(db: Db): void {
  db.exec(`
    CREATE TABLE meta (
      key TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE annotators (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE series (
      series_id TEXT PRIMARY KEY NOT NULL CHECK (length(series_id) > 0),
      patient_id INTEGER NOT NULL,
      status TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done', 'reviewed')),
      updated_at TEXT NOT NULL,
      updated_by INTEGER REFERENCES annotators (id)
    ) STRICT;
    CREATE INDEX series_by_patient_id ON series (patient_id);
    CREATE INDEX series_by_status ON series (status);

    CREATE TABLE label_edits (
      series_id TEXT NOT NULL REFERENCES series (series_id),
      seq INTEGER NOT NULL CHECK (seq >= 1),
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL,
      tool TEXT NOT NULL,
      label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 255),
      voxel_count INTEGER NOT NULL CHECK (voxel_count >= 0),
      description TEXT NOT NULL,
      encoding TEXT NOT NULL,
      diff BLOB NOT NULL,
      undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
      discarded INTEGER NOT NULL DEFAULT 0 CHECK (discarded IN (0, 1)),
      CHECK (discarded = 0 OR undone = 1),
      PRIMARY KEY (series_id, seq)
    ) STRICT;
    -- The redo stack only (partial): undo scans the primary key backwards, replay scans it forwards.
    CREATE INDEX label_edits_by_series_id_seq_redoable ON label_edits (series_id, seq)
    WHERE undone = 1 AND discarded = 0;

    CREATE TRIGGER label_edits_no_delete BEFORE DELETE ON label_edits
    BEGIN SELECT RAISE(ABORT, 'label_edits is append-only'); END;
    CREATE TRIGGER label_edits_no_rewrite
    BEFORE UPDATE OF series_id, seq, annotator_id, created_at, tool, label, voxel_count, description, encoding, diff
    ON label_edits
    BEGIN SELECT RAISE(ABORT, 'label_edits is append-only'); END;
    CREATE TRIGGER label_edits_discard_is_final BEFORE UPDATE OF undone, discarded ON label_edits
    WHEN OLD.discarded = 1 AND (NEW.discarded = 0 OR NEW.undone = 0)
    BEGIN SELECT RAISE(ABORT, 'a discarded edit cannot be restored'); END;

    CREATE TABLE label_edit_events (
      id INTEGER PRIMARY KEY,
      series_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('undo', 'redo', 'discard')),
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL,
      FOREIGN KEY (series_id, seq) REFERENCES label_edits (series_id, seq)
    ) STRICT;
    CREATE INDEX label_edit_events_by_series_id_kind ON label_edit_events (series_id, kind);

    CREATE TRIGGER label_edit_events_no_delete BEFORE DELETE ON label_edit_events
    BEGIN SELECT RAISE(ABORT, 'label_edit_events is append-only'); END;
    CREATE TRIGGER label_edit_events_no_update BEFORE UPDATE ON label_edit_events
    BEGIN SELECT RAISE(ABORT, 'label_edit_events is append-only'); END;

    CREATE TABLE label_checkpoints (
      series_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      generation INTEGER NOT NULL CHECK (generation >= 0),
      encoding TEXT NOT NULL,
      data BLOB NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (series_id, seq),
      FOREIGN KEY (series_id, seq) REFERENCES label_edits (series_id, seq)
    ) STRICT;

    CREATE TABLE gradings (
      patient_id INTEGER NOT NULL,
      ivd_label INTEGER NOT NULL CHECK (ivd_label >= 1),
      field TEXT NOT NULL CHECK (length(field) > 0),
      value INTEGER,
      updated_at TEXT NOT NULL,
      updated_by INTEGER NOT NULL REFERENCES annotators (id),
      PRIMARY KEY (patient_id, ivd_label, field)
    ) STRICT;

    CREATE TABLE grading_events (
      id INTEGER PRIMARY KEY,
      patient_id INTEGER NOT NULL,
      ivd_label INTEGER NOT NULL CHECK (ivd_label >= 1),
      field TEXT NOT NULL CHECK (length(field) > 0),
      old_value INTEGER,
      new_value INTEGER,
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX grading_events_by_patient_id_ivd_label ON grading_events (patient_id, ivd_label);

    CREATE TRIGGER grading_events_no_delete BEFORE DELETE ON grading_events
    BEGIN SELECT RAISE(ABORT, 'grading_events is append-only'); END;
    CREATE TRIGGER grading_events_no_update BEFORE UPDATE ON grading_events
    BEGIN SELECT RAISE(ABORT, 'grading_events is append-only'); END;
  `);
}
