// Series review status on real SQLite files: migration 40 upgrades a version-30 store written as the version-30
// build wrote it (statuses kept, 'reviewed' → 'done', who and when kept, a history row each), the new CHECK
// constraints, and the repository's automatic start / return that never overrides a person's status.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, SCHEMA_VERSION, type AnnotatorId } from '../../main/core/store/index.js';
import { MIGRATIONS, runMigrations } from '../../main/core/store/migrations/index.js';
import { catchAppError, fakeClock, tempDir } from './helpers.js';

/** A store at schema version 30 with series rows as the version-30 build wrote them. */
function version30Store(file: string): void {
  const db = new Database(file);
  runMigrations(db, file, MIGRATIONS.filter((m) => m.version <= 30));
  expect(db.pragma('user_version', { simple: true })).toBe(30);
  db.prepare("INSERT INTO annotators (id, name, created_at) VALUES (1, 'alice', '2025-01-01T00:00:00.000Z'), (2, 'bob', '2025-01-01T00:00:01.000Z')").run();
  const row = db.prepare('INSERT INTO series (series_id, patient_id, status, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)');
  row.run('1_t1', 1, 'todo', '2025-01-02T00:00:00.000Z', null); // only registered
  row.run('1_t2', 1, 'in_progress', '2025-01-02T00:00:01.000Z', 1);
  row.run('2_t1', 2, 'done', '2025-01-02T00:00:02.000Z', 2);
  row.run('2_t2', 2, 'reviewed', '2025-01-02T00:00:03.000Z', 1);
  row.run('3_t1', 3, 'todo', '2025-01-02T00:00:04.000Z', 2); // set back to todo by a person
  // A label edit referencing a series: the column-by-column change must keep the reference intact.
  db.prepare(
    `INSERT INTO label_edits (series_id, seq, annotator_id, created_at, tool, label, voxel_count, description, encoding, diff)
     VALUES ('1_t2', 1, 1, '2025-01-02T00:00:01.000Z', 'brush', 3, 1, 'Brush L3, 1 voxel', 'rle-u8-v1', x'00')`,
  ).run();
  db.close();
}

describe('migration 40 (series review status)', () => {
  it('upgrades a version-30 store: every status kept, reviewed becomes done, who and when kept', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    version30Store(file);
    const store = openStore(file, { now: fakeClock() });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const byId = Object.fromEntries(store.series.list().map((s) => [s.seriesId, s]));
    expect(Object.fromEntries(Object.entries(byId).map(([k, s]) => [k, s.status]))).toEqual({
      '1_t1': 'todo',
      '1_t2': 'in_progress',
      '2_t1': 'done',
      '2_t2': 'done',
      '3_t1': 'todo',
    });
    expect(byId['2_t2']).toMatchObject({ updatedBy: 1, updatedAt: '2025-01-02T00:00:03.000Z', automatic: false, patientId: 2 });
    expect(byId['1_t1']).toMatchObject({ updatedBy: null, updatedAt: '2025-01-02T00:00:00.000Z' });
    // Older statuses count as set by a person: never taken back automatically.
    expect(Object.values(byId).every((s) => !s.automatic)).toBe(true);
    expect(store.series.revertAutomatic('1_t2', 1 as AnnotatorId)).toBe(false);
    expect(store.series.getStatus('1_t2')).toBe('in_progress');
    // One history row per status somebody set, the status before unknown.
    expect(store.series.history('2_t2')).toEqual([
      { id: expect.any(Number) as number, seriesId: '2_t2', oldStatus: null, newStatus: 'done', automatic: false, annotatorId: 1, createdAt: '2025-01-02T00:00:03.000Z' },
    ]);
    expect(store.series.history('1_t1')).toEqual([]);
    expect(store.series.history('3_t1').map((e) => e.newStatus)).toEqual(['todo']);
    // The label edit still belongs to its series.
    expect(store.edits.count('1_t2').active).toBe(1);
    store.close();

    // Reopening does not migrate again and reads the same.
    const again = openStore(file);
    expect(again.series.list().map((s) => s.status)).toEqual(['todo', 'in_progress', 'done', 'done', 'todo']);
    again.close();
  });

  it('refuses the old status and any unknown one in SQL, and keeps the history append-only', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const store = openStore(file, { now: fakeClock() });
    const ann = store.annotators.ensure('alice');
    store.series.setStatus({ seriesId: '1_t1', patientId: 1, status: 'second_look', annotatorId: ann });
    store.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE series SET status = 'reviewed'").run()).toThrow(/CHECK/);
    expect(() => db.prepare("UPDATE series SET status_auto = 2").run()).toThrow(/CHECK/);
    expect(() => db.prepare('DELETE FROM series_status_events').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE series_status_events SET new_status = 'done'").run()).toThrow(/append-only/);
    expect(() =>
      db.prepare("INSERT INTO series_status_events (series_id, old_status, new_status, automatic, annotator_id, created_at) VALUES ('1_t1', 'todo', 'reviewed', 0, 1, 'x')").run(),
    ).toThrow(/CHECK/);
    db.close();
  });

  it('leaves a version-30 store untouched when the migration fails', () => {
    const dir = tempDir();
    const file = path.join(dir, 'store.sqlite');
    version30Store(file);
    // A row no version-30 build could write (status outside its CHECK) cannot exist, so break the step itself:
    // a table the migration creates already exists.
    const db = new Database(file);
    db.exec('CREATE TABLE series_status_events (x INTEGER) STRICT');
    db.close();
    const before = fs.readFileSync(file);
    catchAppError(() => openStore(file), 'db');
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(30);
    expect(after.prepare('SELECT status FROM series ORDER BY series_id').pluck().all()).toEqual(['todo', 'in_progress', 'done', 'reviewed', 'todo']);
    after.close();
    expect(fs.readFileSync(file).length).toBe(before.length);
  });
});

describe('series repository: review status', () => {
  it('starts automatically, returns automatically, and never overrides a person', () => {
    const store = openStore(path.join(tempDir(), 'store.sqlite'), { now: fakeClock() });
    const alice = store.annotators.ensure('alice');
    const bob = store.annotators.ensure('bob');

    expect(store.series.startAutomatically('1_t1', 1, alice)).toBe(true);
    expect(store.series.get('1_t1')).toMatchObject({ status: 'in_progress', automatic: true, updatedBy: alice });
    expect(store.series.startAutomatically('1_t1', 1, bob)).toBe(false); // already in progress
    expect(store.series.revertAutomatic('1_t1', bob)).toBe(true);
    expect(store.series.get('1_t1')).toMatchObject({ status: 'todo', automatic: true, updatedBy: bob });

    // A person's in_progress stays.
    store.series.setStatus({ seriesId: '1_t1', patientId: 1, status: 'in_progress', annotatorId: alice });
    expect(store.series.get('1_t1')).toMatchObject({ status: 'in_progress', automatic: false });
    expect(store.series.revertAutomatic('1_t1', bob)).toBe(false);
    expect(store.series.getStatus('1_t1')).toBe('in_progress');

    // done and second_look never start or return automatically.
    for (const status of ['done', 'second_look'] as const) {
      store.series.setStatus({ seriesId: '2_t1', patientId: 2, status, annotatorId: bob });
      expect(store.series.startAutomatically('2_t1', 2, alice)).toBe(false);
      expect(store.series.revertAutomatic('2_t1', alice)).toBe(false);
      expect(store.series.getStatus('2_t1')).toBe(status);
    }
    expect(store.series.revertAutomatic('9_t1', alice)).toBe(false); // never registered
    expect(store.series.get('9_t1')).toBeNull();

    expect(store.series.history('1_t1').map((e) => [e.oldStatus, e.newStatus, e.automatic, e.annotatorId])).toEqual([
      ['todo', 'in_progress', true, alice],
      ['in_progress', 'todo', true, bob],
      ['todo', 'in_progress', false, alice],
    ]);
    expect(store.series.list({ status: 'second_look' }).map((s) => s.seriesId)).toEqual(['2_t1']);
    catchAppError(() => store.series.setStatus({ seriesId: '1_t1', patientId: 1, status: 'reviewed' as never, annotatorId: alice }), 'invalid_request');
    store.close();
  });
});
