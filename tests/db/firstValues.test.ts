// Migration 50 (issue 15, item 6) on real SQLite files: the first value a person entered for each grading.
// - a version-40 store whose grading_events hold changes, clears, reviews and undos is migrated and backfilled
//   with exactly the earliest non-undo value-setting event per level/field;
// - later changes and undos through the real grading service never overwrite a first value; a new field's first
//   value is recorded with its event; the table refuses UPDATE and DELETE;
// - a store from a newer version is refused (db_from_future) and left byte-identical;
// - a process killed (SIGKILL) in the middle of migration 50 leaves the version-40 store as it was and usable (a
//   version-40 writer goes on; the next open migrates and backfills that write too).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { DatasetIndex } from '../../main/core/dataset/index.js';
import { createGradingService } from '../../main/core/gradings/service.js';
import { openStore, SCHEMA_VERSION, type AnnotatorId, type FirstValue } from '../../main/core/store/index.js';
import { MIGRATIONS, runMigrations } from '../../main/core/store/migrations/index.js';
import { catchAppError, fakeClock, sha256, tempDir } from './helpers.js';

const T = (s: number): string => new Date(Date.parse('2024-06-01T10:00:00.000Z') + s * 1000).toISOString();

/** One event row as the version-40 grading service wrote it. */
type Ev = [id: number, p: number, k: number, field: string | null, old: number | null, nu: number | null, undoes: number | null, who: number];
const EVENTS: Ev[] = [
  [1, 1, 1, 'pfirrmann', null, 4, null, 1], // first value of (1,1,pfirrmann): 4 by alice
  [2, 1, 1, 'pfirrmann', 4, 5, null, 2], // bob changes it
  [3, 1, 1, 'pfirrmann', 5, 4, 2, 2], // bob undoes his change
  [4, 1, 2, 'bulging', null, null, null, 1], // a clear enters nothing
  [5, 1, 2, null, null, 1, null, 1], // a review is no grading
  [6, 1, 2, 'bulging', null, 1, null, 2], // first value of (1,2,bulging): 1 by bob
  [7, 2, 1, 'modic', null, 3, null, 1], // first value of (2,1,modic): 3 by alice …
  [8, 2, 1, 'modic', 3, 1, 7, 1], // … undone back to the CSV baseline 1: the first value stays 3
  [9, 2, 1, 'modic', null, 2, null, 2], // entered again later by bob: still not the first
];
const EXPECTED: FirstValue[] = [
  { patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: 4, eventId: 1, annotatorId: 1 as AnnotatorId, createdAt: T(1) },
  { patientId: 1, ivdLabel: 2, field: 'bulging', value: 1, eventId: 6, annotatorId: 2 as AnnotatorId, createdAt: T(6) },
  { patientId: 2, ivdLabel: 1, field: 'modic', value: 3, eventId: 7, annotatorId: 1 as AnnotatorId, createdAt: T(7) },
];

/** A store file at schema version 40 holding EVENTS (and the current values they leave). */
function version40Store(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  runMigrations(db, file, MIGRATIONS.filter((m) => m.version <= 40));
  expect(db.pragma('user_version', { simple: true })).toBe(40);
  db.prepare("INSERT INTO annotators (id, name, created_at) VALUES (1, 'alice', ?), (2, 'bob', ?)").run(T(0), T(0));
  const ins = db.prepare(
    `INSERT INTO grading_events (id, patient_id, ivd_label, field, old_value, new_value, undoes_event_id, annotator_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const [id, p, k, field, old, nu, undoes, who] of EVENTS) ins.run(id, p, k, field, old, nu, undoes, who, T(id));
  const cur = db.prepare('INSERT INTO gradings (patient_id, ivd_label, field, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)');
  cur.run(1, 1, 'pfirrmann', 4, T(3), 2);
  cur.run(1, 2, 'bulging', 1, T(6), 2);
  cur.run(2, 1, 'modic', 2, T(9), 2);
  db.prepare('INSERT INTO level_reviews VALUES (1, 2, 1, ?, 1)').run(T(5));
  db.close();
}

const INDEX = {
  root: '/nonexistent-dataset',
  patients: [1, 2].map((id) => ({ id, seriesIds: [], sex: null, age: null, subset: null, ivdLabels: [] })),
  series: [],
  overview: null,
  gradings: null,
  problems: [],
  identity: 'test',
} as unknown as DatasetIndex;

describe('migration 50: first values', () => {
  it('migrates a version-40 store and backfills exactly the earliest non-undo value per level/field', async () => {
    const file = path.join(tempDir(), 'a.sqlite');
    version40Store(file);
    const store = openStore(file, { now: fakeClock() });
    try {
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(50);
      expect(store.gradings.allFirstValues()).toEqual(EXPECTED);
      expect(store.gradings.firstValues(2)).toEqual([EXPECTED[2]]);

      // Later changes and undos through the real service never overwrite them; a new field gets its own.
      let who: AnnotatorId = store.annotators.ensure('carol');
      const service = createGradingService({ index: INDEX, store, annotator: () => who, revision: () => 0, labels: async () => null });
      await service.setGrading({ patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: 2 });
      await service.undoGrading({ patientId: 1 });
      await service.undoGrading({ patientId: 1 });
      await service.setGrading({ patientId: 2, ivdLabel: 1, field: 'modic', value: 0 });
      const level = await service.setGrading({ patientId: 1, ivdLabel: 1, field: 'herniation', value: 1 });
      expect(level.firstValues).toEqual({
        pfirrmann: { value: 4, annotator: 'alice', at: T(1) },
        herniation: { value: 1, annotator: 'carol', at: expect.any(String) as string },
      });
      who = store.annotators.ensure('dave');
      await service.setGrading({ patientId: 1, ivdLabel: 1, field: 'herniation', value: 0 });
      await service.undoGrading({ patientId: 1 });
      await service.undoGrading({ patientId: 1 }); // back to no stored value: the first value stays
      const after = store.gradings.allFirstValues();
      expect(after.filter((f) => f.field !== 'herniation')).toEqual(EXPECTED);
      expect(after.find((f) => f.field === 'herniation')).toMatchObject({ patientId: 1, ivdLabel: 1, value: 1 });
      expect(store.annotators.name(after.find((f) => f.field === 'herniation')!.annotatorId)).toBe('carol');
    } finally {
      store.close();
    }
    const db = new Database(file);
    try {
      expect(() => db.prepare('UPDATE grading_first_values SET value = 5').run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM grading_first_values').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('refuses a store from a newer version and leaves it byte-identical', () => {
    const dir = tempDir();
    const file = path.join(dir, 'future.sqlite');
    const db = new Database(file);
    runMigrations(db, file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 10}`);
    db.close();
    const before = sha256(file);
    const err = catchAppError(() => openStore(file), 'db_from_future');
    expect(err.message).toContain(String(SCHEMA_VERSION + 10));
    expect(err.message).toContain('future.sqlite');
    expect(sha256(file)).toBe(before);
  });

  it('a process killed in the middle of migration 50 leaves the version-40 store usable', async () => {
    const file = path.join(tempDir(), 'killed.sqlite');
    version40Store(file);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'firstValuesChild.ts'), file], {
      cwd: path.resolve(import.meta.dirname, '..', '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<string | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString('utf8')));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
      void exited.then((how) => reject(new Error(`child exited (${String(how)}) before migrating: ${stderr}`)));
    });
    expect(JSON.parse(line)).toMatchObject({ migrating: true });
    // The child is inside the migration transaction with the table created and backfilled: kill it there.
    const peek = new Database(file, { readonly: true });
    expect(peek.pragma('user_version', { simple: true })).toBe(40);
    peek.close();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const old = new Database(file, { readonly: true });
    try {
      expect(old.pragma('user_version', { simple: true })).toBe(40);
      const tables = old.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'grading_first%'").all();
      expect(tables).toEqual([]);
      expect(old.prepare<[], { n: number }>('SELECT count(*) AS n FROM grading_events').get()!.n).toBe(EVENTS.length);
    } finally {
      old.close();
    }
    // A version-40 workstation keeps working on it: nothing to migrate, and it writes another grading event.
    const v40 = new Database(file);
    try {
      expect(runMigrations(v40, file, MIGRATIONS.filter((m) => m.version <= 40))).toEqual({ from: 40, to: 40, applied: [] });
      v40.prepare(
        `INSERT INTO grading_events (id, patient_id, ivd_label, field, old_value, new_value, undoes_event_id, annotator_id, created_at)
         VALUES (10, 1, 3, 'narrowing', NULL, 1, NULL, 2, ?)`,
      ).run(T(10));
    } finally {
      v40.close();
    }
    const store = openStore(file);
    try {
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      expect(store.gradings.allFirstValues()).toEqual([
        EXPECTED[0],
        EXPECTED[1],
        { patientId: 1, ivdLabel: 3, field: 'narrowing', value: 1, eventId: 10, annotatorId: 2, createdAt: T(10) },
        EXPECTED[2],
      ]);
      expect(store.gradings.get(2, 1, 'modic')?.value).toBe(2);
    } finally {
      store.close();
    }
    expect(fs.existsSync(file)).toBe(true);
  });
});
