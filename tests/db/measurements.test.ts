// Measurements in the annotation store (migration 30, store.measurements) on real SQLite files: add, list, soft delete
// and restore, everything still there after the store is closed and opened again, the CHECK constraints and triggers
// refusing malformed rows in SQL (a second line of defence behind the repository's own checks), and a version-20
// store (the schema before measurements) upgraded in place with its rows kept.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import { openStore, SCHEMA_VERSION, type AnnotatorId, type NewMeasurement, type Store } from '../../main/core/store/index.js';
import { MIGRATIONS, runMigrations } from '../../main/core/store/migrations/index.js';
import { catchAppError, fakeClock, tempDir } from './helpers.js';

const RULER: Vec3[] = [[0, 0, 0], [3, 4, 0]];
const ANGLE: Vec3[] = [[10, 0, 0], [0, 0, 0], [0, -10.5, 2]];

function ruler(annotatorId: AnnotatorId, over: Partial<NewMeasurement> = {}): NewMeasurement {
  return { seriesId: '1_t1', patientId: 1, kind: 'ruler', points: RULER, value: 5, note: null, annotatorId, ...over };
}

function withStore<T>(file: string, body: (store: Store) => T): T {
  const store = openStore(file, { now: fakeClock() });
  try {
    return body(store);
  } finally {
    store.close();
  }
}

describe('measurements repository', () => {
  it('adds, lists, deletes softly and restores; all of it survives a reopen', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const ids = withStore(file, (store) => {
      const alice = store.annotators.ensure('alice');
      const bob = store.annotators.ensure('bob');
      const a = store.measurements.add(ruler(alice, { note: 'L4 height' }));
      const b = store.measurements.add(ruler(bob, { kind: 'angle', points: ANGLE, value: 87.5 }));
      const c = store.measurements.add(ruler(alice, { seriesId: '2_t1', patientId: 2 }));
      expect(a).toMatchObject({ seriesId: '1_t1', kind: 'ruler', points: RULER, value: 5, note: 'L4 height', annotatorId: alice, deletedAt: null, deletedBy: null });
      expect(a.createdAt).toMatch(/^2025-01-01T00:00:\d\d\.000Z$/);
      expect(b).toMatchObject({ kind: 'angle', points: ANGLE, value: 87.5, annotatorId: bob });
      // The measured series are registered (as a label edit registers its series).
      expect(store.series.get('1_t1')).toMatchObject({ patientId: 1, status: 'todo' });
      expect(store.series.get('2_t1')).toMatchObject({ patientId: 2 });
      expect(store.measurements.forSeries('1_t1').map((m) => m.id)).toEqual([a.id, b.id]);

      const deleted = store.measurements.delete(a.id, bob);
      expect(deleted).toMatchObject({ id: a.id, deletedBy: bob });
      expect(deleted.deletedAt).not.toBeNull();
      // Deleting again keeps the first deletion.
      expect(store.measurements.delete(a.id, alice)).toEqual(deleted);
      expect(store.measurements.forSeries('1_t1').map((m) => m.id)).toEqual([b.id]);
      expect(store.measurements.forSeries('1_t1', { includeDeleted: true }).map((m) => m.id)).toEqual([a.id, b.id]);
      expect(store.measurements.all().map((m) => m.id)).toEqual([b.id, c.id]);
      return { a: a.id, b: b.id, c: c.id, deleted };
    });

    withStore(file, (store) => {
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      expect(store.measurements.get(ids.a)).toEqual(ids.deleted);
      expect(store.measurements.forSeries('1_t1').map((m) => m.id)).toEqual([ids.b]);
      expect(store.measurements.get(ids.b)).toMatchObject({ kind: 'angle', points: ANGLE, value: 87.5 });
      expect(store.annotators.name(store.measurements.get(ids.b)!.annotatorId)).toBe('bob');
      const restored = store.measurements.restore(ids.a);
      expect(restored).toMatchObject({ deletedAt: null, deletedBy: null, note: 'L4 height' });
      expect(store.measurements.restore(ids.a)).toEqual(restored); // restoring a standing one changes nothing
    });

    withStore(file, (store) => {
      expect(store.measurements.forSeries('1_t1').map((m) => m.id)).toEqual([ids.a, ids.b]);
      expect(store.measurements.forSeries('3_t1')).toEqual([]);
    });
  });

  it('refuses malformed measurements before SQL, unknown ids and a series of another patient', () => {
    withStore(path.join(tempDir(), 'store.sqlite'), (store) => {
      const who = store.annotators.ensure('alice');
      const bad: Partial<NewMeasurement>[] = [
        { points: [[0, 0, 0]] },
        { points: ANGLE },
        { kind: 'angle', points: RULER, value: 90 },
        { points: [[0, 0, 0], [Number.NaN, 0, 0]] },
        { points: [[0, 0, 0], [Infinity, 0, 0]] },
        { points: [[0, 0, 0], [1, 2] as unknown as Vec3] },
        { points: [[0, 0, 0], [2e6, 0, 0]] },
        { value: Number.NaN },
        { value: 0 },
        { value: -1 },
        { kind: 'angle', points: ANGLE, value: 181 },
        { kind: 'circle' as unknown as 'ruler' },
        { note: '' },
        { note: 'x'.repeat(201) },
      ];
      for (const over of bad) catchAppError(() => store.measurements.add(ruler(who, over)), 'invalid_request');
      expect(store.measurements.all()).toEqual([]);
      catchAppError(() => store.measurements.delete(999, who), 'not_found');
      catchAppError(() => store.measurements.restore(999), 'not_found');
      store.measurements.add(ruler(who));
      catchAppError(() => store.measurements.add(ruler(who, { patientId: 7 })), 'conflict');
      expect(store.measurements.all()).toHaveLength(1);
    });
  });

  it('the schema refuses malformed rows, removal and rewrites, and allows only the deletion columns to change', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    withStore(file, (store) => {
      const who = store.annotators.ensure('alice');
      store.measurements.add(ruler(who));
    });
    const db = new Database(file);
    try {
      db.pragma('foreign_keys = ON');
      const insert = (row: Record<string, unknown>): void => {
        const full = { series_id: '1_t1', kind: 'ruler', points: '[[0,0,0],[3,4,0]]', value: 5, note: null, annotator_id: 1, created_at: 'now', deleted_at: null, deleted_by: null, ...row };
        db.prepare(
          `INSERT INTO measurements (series_id, kind, points, value, note, annotator_id, created_at, deleted_at, deleted_by)
           VALUES ($series_id, $kind, $points, $value, $note, $annotator_id, $created_at, $deleted_at, $deleted_by)`,
        ).run(full);
      };
      insert({}); // the reference row is accepted
      insert({ kind: 'angle', points: '[[1,0,0],[0,0,0],[0,1,0]]', value: 90 });
      const refused: Record<string, unknown>[] = [
        { kind: 'circle' },
        { points: 'not json' },
        { points: '{"a":1}' },
        { points: '[[0,0,0]]' }, // a ruler with one point
        { points: '[[0,0,0],[1,1,1],[2,2,2]]' }, // a ruler with three
        { kind: 'angle', points: '[[0,0,0],[1,1,1]]', value: 10 }, // an angle with two
        { points: '[[0,0,0],[3,4]]' }, // a point with two coordinates
        { points: '[[0,0,0],[3,4,0,1]]' },
        { points: '[[0,0,0],[3,null,0]]' }, // NaN as JSON.stringify writes it
        { points: '[[0,0,0],[3,"4",0]]' },
        { points: '[[0,0,0],[1e999,0,0]]' }, // Infinity
        { points: '[[0,0,0],[2000000,0,0]]' },
        { points: `[[0,0,0],[${'1'.repeat(1000)},0,0]]` },
        { value: 0 },
        { value: null },
        { value: 'five' },
        { kind: 'angle', points: '[[1,0,0],[0,0,0],[0,1,0]]', value: 180.5 },
        { note: '' },
        { series_id: 'nowhere_t1' }, // no such series
        { annotator_id: 99 }, // no such annotator
        { deleted_at: 'then' }, // deleted without who
        { deleted_by: 1 },
      ];
      for (const row of refused) expect(() => insert(row), JSON.stringify(row)).toThrow(/constraint|CHECK|FOREIGN KEY|cannot store/i);
      expect(db.prepare('SELECT count(*) FROM measurements').pluck().get()).toBe(3);

      expect(() => db.prepare('DELETE FROM measurements WHERE id = 1').run()).toThrow(/never removed/);
      for (const set of ["points = '[[0,0,0],[1,0,0]]'", 'value = 6', "note = 'x'", 'annotator_id = 1', "created_at = 'x'", "series_id = '1_t1'"]) {
        expect(() => db.prepare(`UPDATE measurements SET ${set} WHERE id = 1`).run(), set).toThrow(/never rewritten/);
      }
      db.prepare("UPDATE measurements SET deleted_at = 'then', deleted_by = 1 WHERE id = 1").run();
      db.prepare('UPDATE measurements SET deleted_at = NULL, deleted_by = NULL WHERE id = 1').run();
    } finally {
      db.close();
    }
  });
});

describe('migration 30 (measurements)', () => {
  it('upgrades a version-20 store in place, keeping its rows', () => {
    const file = path.join(tempDir(), 'v20.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    runMigrations(db, file, MIGRATIONS.filter((m) => m.version <= 20));
    expect(db.pragma('user_version', { simple: true })).toBe(20);
    db.exec(`
      INSERT INTO annotators (id, name, created_at) VALUES (1, 'alice', '2024-12-31T00:00:00.000Z');
      INSERT INTO series (series_id, patient_id, status, updated_at, updated_by) VALUES ('1_t1', 1, 'in_progress', '2024-12-31T00:00:01.000Z', 1);
      INSERT INTO gradings (patient_id, ivd_label, field, value, updated_at, updated_by) VALUES (1, 2, 'pfirrmann', 3, '2024-12-31T00:00:02.000Z', 1);
      INSERT INTO grading_events (id, patient_id, ivd_label, field, old_value, new_value, annotator_id, created_at)
      VALUES (1, 1, 2, 'pfirrmann', NULL, 3, 1, '2024-12-31T00:00:02.000Z');
    `);
    expect(() => db.prepare('SELECT 1 FROM measurements').get()).toThrow(/no such table/);
    db.close();

    withStore(file, (store) => {
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      expect(store.settings().userVersion).toBe(SCHEMA_VERSION);
      expect(store.annotators.list().map((a) => a.name)).toEqual(['alice']);
      expect(store.series.get('1_t1')).toMatchObject({ patientId: 1, status: 'in_progress' });
      expect(store.gradings.get(1, 2, 'pfirrmann')).toMatchObject({ value: 3 });
      expect(store.gradings.events(1)).toHaveLength(1);
      expect(store.measurements.all()).toEqual([]);
      const alice = store.annotators.ensure('alice');
      const m = store.measurements.add(ruler(alice));
      expect(store.measurements.forSeries('1_t1')).toEqual([m]);
      expect(store.series.get('1_t1')).toMatchObject({ status: 'in_progress' }); // registering keeps the status
    });
  });

  it('leaves a version-20 store untouched when opened read-only (it must be upgraded by a writable open)', () => {
    const file = path.join(tempDir(), 'v20.sqlite');
    const db = new Database(file);
    runMigrations(db, file, MIGRATIONS.filter((m) => m.version <= 20));
    db.close();
    catchAppError(() => openStore(file, { readonly: true }), 'db');
    const again = new Database(file, { readonly: true });
    expect(again.pragma('user_version', { simple: true })).toBe(20);
    again.close();
  });
});
