// Migration 40: review status per series (issue 14, item 4). The statuses become todo / in_progress / done /
// second_look ("needs second look"); the version-10 status 'reviewed' is mapped to 'done' (the new set has no
// separate "reviewed": a series somebody finished is done, and one that needs another reader is second_look).
// `series.status_auto` records whether the status was set automatically (todo → in_progress by the first edit,
// back to todo when every edit is undone) or by a person, whose status is never overridden automatically.
// `updated_by` / `updated_at` keep meaning "who set the status, when" (null `updated_by`: only registered).
// `series_status_events` is the append-only history of status changes (several readers may review a series).
// Statuses of older stores count as set by a person (status_auto 0): those stores did not record whether
// 'in_progress' was automatic, and a person's status must never be overridden. Each one gets a history row
// (old_status NULL: not known) with the time and annotator the store had, if it had an annotator.
// The series table is changed column by column (no table rebuild: label_edits and measurements reference it).
// Shipped migrations are immutable: the status values below are literal on purpose.
import type { Db } from '../db.js';

const STATUSES = "('todo', 'in_progress', 'done', 'second_look')";

export default function up(db: Db): void {
  db.exec(`
    DROP INDEX series_by_status;
    ALTER TABLE series ADD COLUMN review_status TEXT NOT NULL DEFAULT 'todo' CHECK (review_status IN ${STATUSES});
    -- 'reviewed' (version 10) → 'done'; the other three keep their meaning.
    UPDATE series SET review_status = CASE status WHEN 'reviewed' THEN 'done' ELSE status END;
    ALTER TABLE series DROP COLUMN status;
    ALTER TABLE series RENAME COLUMN review_status TO status;
    ALTER TABLE series ADD COLUMN status_auto INTEGER NOT NULL DEFAULT 0 CHECK (status_auto IN (0, 1));
    CREATE INDEX series_by_status ON series (status);

    CREATE TABLE series_status_events (
      id INTEGER PRIMARY KEY,
      series_id TEXT NOT NULL REFERENCES series (series_id),
      -- NULL only for the rows this migration writes (the status before was not recorded).
      old_status TEXT CHECK (old_status IS NULL OR old_status IN ${STATUSES}),
      new_status TEXT NOT NULL CHECK (new_status IN ${STATUSES}),
      automatic INTEGER NOT NULL CHECK (automatic IN (0, 1)),
      annotator_id INTEGER NOT NULL REFERENCES annotators (id),
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX series_status_events_by_series_id_id ON series_status_events (series_id, id);
    CREATE TRIGGER series_status_events_no_delete BEFORE DELETE ON series_status_events
    BEGIN SELECT RAISE(ABORT, 'series_status_events is append-only'); END;
    CREATE TRIGGER series_status_events_no_update BEFORE UPDATE ON series_status_events
    BEGIN SELECT RAISE(ABORT, 'series_status_events is append-only'); END;

    INSERT INTO series_status_events (series_id, old_status, new_status, automatic, annotator_id, created_at)
    SELECT series_id, NULL, status, 0, updated_by, updated_at FROM series
    WHERE updated_by IS NOT NULL
    ORDER BY updated_at, series_id;
  `);
}
