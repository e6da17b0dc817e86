// Gradings with their change history, series status, annotators, and atomicity of multi-step writes.
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { openStore, SCHEMA_VERSION, type AnnotatorId, type Store } from '../../main/core/store/index.js';
import { MIGRATIONS, runMigrations, type Migration } from '../../main/core/store/migrations/index.js';
import { catchAppError, fakeClock, tempDir } from './helpers.js';

let store: Store;
let file: string;
let alice: AnnotatorId;
let bob: AnnotatorId;

beforeEach(() => {
  file = path.join(tempDir(), 'store.sqlite');
  store = openStore(file, { now: fakeClock() });
  alice = store.annotators.ensure('Alice');
  bob = store.annotators.ensure('  Bob ');
  return () => store.close();
});

describe('annotators', () => {
  it('ensure is idempotent, trims names and refuses empty ones', () => {
    expect(store.annotators.ensure('Alice')).toBe(alice);
    expect(store.annotators.ensure('Bob')).toBe(bob);
    expect(store.annotators.list().map((a) => a.name)).toEqual(['Alice', 'Bob']);
    expect(store.annotators.get(bob)?.createdAt).toMatch(/^2025-01-01T/);
    catchAppError(() => store.annotators.ensure('   '), 'invalid_request');
  });
});

describe('gradings', () => {
  it('writes the current value and one event per change, with annotator and time on every row', () => {
    const e1 = store.gradings.set({ patientId: 7, ivdLabel: 3, field: 'pfirrmann', value: 3, annotatorId: alice });
    expect(e1).toMatchObject({ patientId: 7, ivdLabel: 3, field: 'pfirrmann', oldValue: null, newValue: 3 });
    expect(e1?.annotatorId).toBe(alice);
    const e2 = store.gradings.set({ patientId: 7, ivdLabel: 3, field: 'pfirrmann', value: 4, annotatorId: bob });
    expect(e2).toMatchObject({ oldValue: 3, newValue: 4, annotatorId: bob });
    expect(e1 && e2 && e1.createdAt < e2.createdAt).toBe(true);
    // Unchanged value: nothing written.
    const same = store.gradings.set({ patientId: 7, ivdLabel: 3, field: 'pfirrmann', value: 4, annotatorId: alice });
    expect(same).toBeNull();
    // Explicit blank is a value of its own.
    const e3 = store.gradings.set({ patientId: 7, ivdLabel: 3, field: 'pfirrmann', value: null, annotatorId: alice });
    expect(e3).toMatchObject({ oldValue: 4, newValue: null });
    store.gradings.set({ patientId: 7, ivdLabel: 1, field: 'modic', value: 2, annotatorId: bob });
    store.gradings.set({ patientId: 8, ivdLabel: 1, field: 'modic', value: 0, annotatorId: bob });

    expect(store.gradings.get(7, 3, 'pfirrmann')).toMatchObject({ value: null, updatedBy: alice });
    expect(store.gradings.get(7, 3, 'herniation')).toBeNull();
    const current = store.gradings.forPatient(7);
    expect(current.map((g) => [g.ivdLabel, g.field, g.value])).toEqual([
      [1, 'modic', 2],
      [3, 'pfirrmann', null],
    ]);
    for (const g of current) expect(g.updatedAt).toMatch(/^2025-01-01T/);
    expect(store.gradings.all()).toHaveLength(3);

    const events = store.gradings.events(7);
    expect(events.map((e) => [e.field, e.oldValue, e.newValue, e.annotatorId])).toEqual([
      ['pfirrmann', null, 3, alice],
      ['pfirrmann', 3, 4, bob],
      ['pfirrmann', 4, null, alice],
      ['modic', null, 2, bob],
    ]);
    for (const e of events) expect(e.createdAt).toMatch(/^2025-01-01T/);
  });

  it('keeps a level\'s reviewed flag apart from its values, and undo relations on the events', () => {
    const change = store.gradings.set({ patientId: 7, ivdLabel: 2, field: 'modic', value: 1, annotatorId: alice })!;
    const r1 = store.gradings.setReviewed({ patientId: 7, ivdLabel: 2, reviewed: true, annotatorId: bob });
    expect(r1).toMatchObject({ field: null, oldValue: null, newValue: 1, undoesEventId: null, annotatorId: bob });
    expect(store.gradings.setReviewed({ patientId: 7, ivdLabel: 2, reviewed: true, annotatorId: alice })).toBeNull();
    expect(store.gradings.reviews(7)).toMatchObject([{ ivdLabel: 2, reviewed: true, updatedBy: bob }]);
    expect(store.gradings.forPatient(7).map((g) => g.field)).toEqual(['modic']);
    const undo = store.gradings.setReviewed({ patientId: 7, ivdLabel: 2, reviewed: false, annotatorId: alice, undoesEventId: r1!.id });
    expect(undo).toMatchObject({ field: null, oldValue: 1, newValue: 0, undoesEventId: r1!.id });
    expect(store.gradings.reviews(7)).toMatchObject([{ ivdLabel: 2, reviewed: false, updatedBy: alice }]);
    // An undo must restore the undone event's own level and field, once.
    const wrong = { patientId: 7, ivdLabel: 2, field: 'pfirrmann', value: 2, annotatorId: alice, undoesEventId: change.id };
    catchAppError(() => store.gradings.set(wrong), 'invalid_request');
    const restore = store.gradings.set({ ...wrong, field: 'modic', value: null });
    expect(restore).toMatchObject({ oldValue: 1, newValue: null, undoesEventId: change.id });
    catchAppError(() => store.gradings.set({ ...wrong, field: 'modic', value: 3 }), 'invalid_request');
    expect(store.gradings.get(7, 2, 'modic')?.value).toBeNull();
    expect(store.gradings.events(7).map((e) => [e.field, e.undoesEventId])).toEqual([
      ['modic', null],
      [null, null],
      [null, r1!.id],
      ['modic', change.id],
    ]);
  });

  it('refuses malformed gradings', () => {
    const set = (ivdLabel: number, field: string, value: number): unknown =>
      store.gradings.set({ patientId: 7, ivdLabel, field, value, annotatorId: alice });
    catchAppError(() => set(0, 'modic', 1), 'invalid_request');
    catchAppError(() => set(1, '', 1), 'invalid_request');
    catchAppError(() => set(1, 'modic', 1.5), 'invalid_request');
    // Refused by the schema's CHECK constraints: no such field, an illegal value, a pseudo-field of version 10.
    catchAppError(() => set(1, 'Modic', 1), 'invalid_request');
    catchAppError(() => set(1, 'modic', 4), 'invalid_request');
    catchAppError(() => set(1, 'reviewed', 1), 'invalid_request');
    catchAppError(() => set(1, '_undo', 1), 'invalid_request');
    expect(store.gradings.events(7)).toEqual([]);
  });
});

describe('series status', () => {
  it('defaults to todo, upserts on setStatus and lists by patient', () => {
    expect(store.series.getStatus('2_t1')).toBe('todo');
    store.series.ensure('10_t1', 10);
    const rec = store.series.setStatus({ seriesId: '2_t1', patientId: 2, status: 'done', annotatorId: bob });
    expect(rec).toMatchObject({ seriesId: '2_t1', patientId: 2, status: 'done', updatedBy: bob });
    expect(store.series.list().map((s) => s.seriesId)).toEqual(['2_t1', '10_t1']);
    expect(store.series.list({ status: 'todo' }).map((s) => s.seriesId)).toEqual(['10_t1']);
    expect(store.series.get('10_t1')?.updatedBy).toBeNull();
    catchAppError(() => store.series.ensure('2_t1', 3), 'conflict');
    catchAppError(
      () => store.series.setStatus({ seriesId: '2_t1', patientId: 2, status: 'finished' as never, annotatorId: bob }),
      'invalid_request',
    );
  });
});

describe('transactions', () => {
  it('keeps no partial rows when a transaction throws midway', () => {
    store.series.ensure('5_t2', 5);
    const boom = new Error('renderer went away');
    expect(() =>
      store.transaction(() => {
        store.edits.append({
          seriesId: '5_t2', annotatorId: alice, tool: 'brush', label: 1, voxelCount: 1,
          description: 'Brush L5, 1 voxel', encoding: 'rle-u8-v1', diff: Uint8Array.of(1),
        });
        store.gradings.set({ patientId: 5, ivdLabel: 1, field: 'modic', value: 1, annotatorId: alice });
        store.series.setStatus({ seriesId: '5_t2', patientId: 5, status: 'in_progress', annotatorId: alice });
        throw boom;
      }),
    ).toThrow(boom);
    expect(store.edits.count('5_t2').total).toBe(0);
    expect(store.gradings.events(5)).toEqual([]);
    expect(store.gradings.forPatient(5)).toEqual([]);
    expect(store.series.getStatus('5_t2')).toBe('todo');
    // The store is still usable afterwards.
    const after = store.gradings.set({ patientId: 5, ivdLabel: 1, field: 'modic', value: 1, annotatorId: alice });
    expect(after).not.toBeNull();
  });

  it('a failing constraint inside one repository call rolls back that call entirely', () => {
    store.gradings.set({ patientId: 5, ivdLabel: 1, field: 'modic', value: 1, annotatorId: alice });
    catchAppError(
      () =>
        store.gradings.set({ patientId: 5, ivdLabel: 1, field: 'modic', value: 2, annotatorId: 777 as AnnotatorId }),
      'invalid_request',
    );
    expect(store.gradings.get(5, 1, 'modic')?.value).toBe(1);
    expect(store.gradings.events(5)).toHaveLength(1);
  });
});

describe('migration runner', () => {
  it('applies all pending migrations in one transaction: a failing step leaves the database as it was', () => {
    const db = new Database(path.join(tempDir(), 'm.sqlite'));
    const failing: Migration = {
      version: SCHEMA_VERSION + 10,
      name: 'broken',
      up: (d) => d.exec('CREATE TABLE half (x INTEGER) STRICT; SELECT nope FROM missing'),
    };
    expect(() => runMigrations(db, 'm.sqlite', [...MIGRATIONS, failing])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({ n: 0 });

    expect(runMigrations(db, 'm.sqlite')).toEqual({
      from: 0,
      to: SCHEMA_VERSION,
      applied: ['initial-schema', 'real-reviews-and-undo', 'measurements', 'series-review', 'grading-first-values', 'reader-layers'],
    });
    expect(runMigrations(db, 'm.sqlite')).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    db.close();
  });

  it('refuses non-monotonic migration lists and databases from the future', () => {
    const db = new Database(path.join(tempDir(), 'm.sqlite'));
    const noop = (): void => undefined;
    const backwards: Migration[] = [
      { version: 20, name: 'b', up: noop },
      { version: 10, name: 'a', up: noop },
    ];
    expect(() => runMigrations(db, 'm.sqlite', backwards)).toThrow(/does not follow/);
    db.pragma(`user_version = ${SCHEMA_VERSION + 10}`);
    catchAppError(() => runMigrations(db, 'm.sqlite'), 'db_from_future');
    db.close();
  });
});
