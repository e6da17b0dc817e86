// Migration 60: several readers (issue 16). An annotation package imported into this store becomes a read-only
// *reader layer*: `readers` (one row per imported reader: the package's SHA-256, when and by which app it was
// written, the dataset it belongs to, who imported it), `reader_labels` (per series, the reader's net label diff
// original mask → the reader's labels, 'rle-u8-v1') and `reader_grades` (per level and field, the reader's current
// value and the first value the reader entered). Layers never mix with the local journal.
// A layer's rows are never rewritten: UPDATE is refused, and a child row may only disappear together with its
// `readers` row (ON DELETE CASCADE), which only an import with replace does (delete + insert in one transaction).
// `adjudications` records every decision of an adjudicator (a label of a series or a level of a patient taken from a
// source, or decided by hand), append-only like the other journals; the latest row per item counts.
// Shipped migrations are immutable: the field list, legal values and encodings below are literal on purpose.
import type { Db } from '../db.js';

const FIELDS_SQL =
  "('modic', 'upEndplate', 'lowEndplate', 'spondylolisthesis', 'herniation', 'narrowing', 'bulging', 'pfirrmann')";
/** `col` holds a legal value of the row's `field` (or NULL). */
const LEGAL = (col: string): string =>
  `${col} IS NULL OR (CASE field WHEN 'modic' THEN ${col} IN (0, 1, 2, 3) ` +
  `WHEN 'pfirrmann' THEN ${col} IN (1, 2, 3, 4, 5) ELSE ${col} IN (0, 1) END)`;
/** A child row of a reader layer may only be deleted once its reader row is gone (the cascade of a replace). */
const ONLY_WITH_READER = (table: string): string => `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
    BEGIN SELECT RAISE(ABORT, '${table} rows are never rewritten (an import with replace swaps the whole layer)'); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
    WHEN EXISTS (SELECT 1 FROM readers WHERE id = OLD.reader_id)
    BEGIN SELECT RAISE(ABORT, '${table} rows are removed only with their reader (an import with replace)'); END;`;

export default function up(db: Db): void {
  db.exec(`
    CREATE TABLE readers (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
      package_created_at TEXT NOT NULL CHECK (length(package_created_at) BETWEEN 1 AND 40),
      app_version TEXT NOT NULL CHECK (length(app_version) BETWEEN 1 AND 100),
      dataset_fingerprint TEXT NOT NULL CHECK (length(dataset_fingerprint) BETWEEN 1 AND 200),
      imported_at TEXT NOT NULL,
      imported_by INTEGER NOT NULL REFERENCES annotators (id)
    ) STRICT;
    CREATE TRIGGER readers_no_update BEFORE UPDATE ON readers
    BEGIN SELECT RAISE(ABORT, 'readers rows are never rewritten (an import with replace swaps the whole layer)'); END;

    CREATE TABLE reader_labels (
      reader_id INTEGER NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
      series_id TEXT NOT NULL CHECK (length(series_id) BETWEEN 1 AND 200),
      voxel_count INTEGER NOT NULL CHECK (voxel_count >= 0),
      changed INTEGER NOT NULL CHECK (changed >= 0 AND changed <= voxel_count),
      encoding TEXT NOT NULL CHECK (encoding IN ('rle-u8-v1')),
      diff BLOB NOT NULL,
      revision INTEGER NOT NULL CHECK (revision >= 0),
      PRIMARY KEY (reader_id, series_id)
    ) STRICT;

    CREATE TABLE reader_grades (
      reader_id INTEGER NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
      patient_id INTEGER NOT NULL,
      ivd_label INTEGER NOT NULL CHECK (ivd_label >= 1),
      field TEXT NOT NULL CHECK (field IN ${FIELDS_SQL}),
      value INTEGER CHECK (${LEGAL('value')}),
      first_value INTEGER CHECK (${LEGAL('first_value')}),
      set_at TEXT,
      CHECK (value IS NOT NULL OR first_value IS NOT NULL),
      PRIMARY KEY (reader_id, patient_id, ivd_label, field)
    ) STRICT;
    ${ONLY_WITH_READER('reader_labels')}
    ${ONLY_WITH_READER('reader_grades')}

    CREATE TABLE adjudications (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('label', 'level')),
      series_id TEXT,
      label INTEGER CHECK (label IS NULL OR label BETWEEN 1 AND 255),
      patient_id INTEGER,
      ivd_label INTEGER CHECK (ivd_label IS NULL OR ivd_label >= 1),
      from_source TEXT CHECK (
        from_source IS NULL OR from_source IN ('original', 'local')
        OR (from_source GLOB 'reader:?*' AND length(from_source) <= 207)
      ),
      edit_seq INTEGER CHECK (edit_seq IS NULL OR edit_seq >= 1),
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL,
      CHECK (
        (kind = 'label' AND series_id IS NOT NULL AND label IS NOT NULL AND patient_id IS NULL AND ivd_label IS NULL)
        OR (kind = 'level' AND patient_id IS NOT NULL AND ivd_label IS NOT NULL AND series_id IS NULL
            AND label IS NULL AND edit_seq IS NULL)
      ),
      FOREIGN KEY (series_id, edit_seq) REFERENCES label_edits (series_id, seq)
    ) STRICT;
    CREATE INDEX adjudications_by_kind_series_id_label_patient_id_ivd_label_id ON adjudications (kind, series_id, label, patient_id, ivd_label, id);

    CREATE TRIGGER adjudications_no_delete BEFORE DELETE ON adjudications
    BEGIN SELECT RAISE(ABORT, 'adjudications is append-only'); END;
    CREATE TRIGGER adjudications_no_update BEFORE UPDATE ON adjudications
    BEGIN SELECT RAISE(ABORT, 'adjudications is append-only'); END;
  `);
}
