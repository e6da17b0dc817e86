// Migration 30: measurements (issue 13, item 4 "Measure"). A ruler (two points, its length in mm) or an angle (three
// points, the angle at the middle one in degrees) placed in a series, with who placed it and when. Points are world
// coordinates (LPS, mm), stored as JSON text: [[x, y, z], [x, y, z]] or three such points. A series is identified as
// label_edits does: `series_id` referencing `series`, which the writer registers first.
// Deletion is soft (`deleted_at`, `deleted_by`): nothing an annotator measured is lost, and a deletion can be taken
// back by clearing both again. A trigger forbids DELETE and any UPDATE except those two columns.
// Shipped migrations are immutable: the kinds, point counts and bounds below are literal on purpose.
import type { Db } from '../db.js';

/** Largest |coordinate| a point may have, mm: far outside any scanner, so only garbage (or Infinity) is refused. */
const MAX_COORD_MM = 1e6;

/** Point `p` of the `points` column is an array of three finite numbers within ±MAX_COORD_MM. */
const pointSql = (p: number): string =>
  [
    `json_type(points, '$[${p}]') = 'array'`,
    `json_array_length(points, '$[${p}]') = 3`,
    ...[0, 1, 2].map(
      (c) =>
        `json_type(points, '$[${p}][${c}]') IN ('integer', 'real') ` +
        `AND abs(json_extract(points, '$[${p}][${c}]')) <= ${MAX_COORD_MM}`,
    ),
  ].join(' AND ');

export default function up(db: Db): void {
  db.exec(`
    CREATE TABLE measurements (
      id INTEGER PRIMARY KEY,
      series_id TEXT NOT NULL REFERENCES series (series_id),
      kind TEXT NOT NULL CHECK (kind IN ('ruler', 'angle')),
      -- ruler: 2 points, angle: 3 points (the vertex in the middle); JSON arrays of [x, y, z] in mm.
      points TEXT NOT NULL CHECK (
        length(points) BETWEEN 2 AND 1000
        AND json_valid(points)
        AND json_type(points) = 'array'
        AND json_array_length(points) = CASE kind WHEN 'ruler' THEN 2 ELSE 3 END
        AND ${pointSql(0)}
        AND ${pointSql(1)}
        AND (kind = 'ruler' OR (${pointSql(2)}))
      ),
      -- ruler: length in mm (> 0); angle: degrees in [0, 180].
      value REAL NOT NULL CHECK (
        CASE kind WHEN 'ruler' THEN value > 0 AND value <= ${4 * MAX_COORD_MM} ELSE value >= 0 AND value <= 180 END
      ),
      note TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 200),
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL,
      deleted_at TEXT,
      deleted_by INTEGER REFERENCES annotators (id),
      CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
    ) STRICT;
    CREATE INDEX measurements_by_series_id_id ON measurements (series_id, id);

    CREATE TRIGGER measurements_no_delete BEFORE DELETE ON measurements
    BEGIN SELECT RAISE(ABORT, 'measurements are deleted by setting deleted_at, never removed'); END;
    CREATE TRIGGER measurements_no_rewrite
    BEFORE UPDATE OF id, series_id, kind, points, value, note, annotator_id, created_at ON measurements
    BEGIN SELECT RAISE(ABORT, 'a measurement is never rewritten (only deleted_at and deleted_by change)'); END;
  `);
}
