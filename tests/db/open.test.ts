// Opening the annotation store: migration from empty, pragmas, reopening, and refusing files it must not touch.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, SCHEMA_VERSION, type AnnotatorId } from '../../main/core/store/index.js';
import { catchAppError, fakeClock, sha256, snapshotDir, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);

/** A WAL database at `userVersion` written directly with better-sqlite3, closed cleanly. */
function makeForeignDb(file: string, userVersion: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE future_things (id INTEGER PRIMARY KEY, note TEXT) STRICT');
  db.prepare('INSERT INTO future_things (note) VALUES (?)').run('from a newer workstation');
  db.pragma(`user_version = ${userVersion}`);
  db.close();
}

describe('openStore', () => {
  it('creates and migrates an empty store with WAL, foreign keys, FULL sync and a busy timeout', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const store = openStore(file, { now: () => new Date('2025-01-01T00:00:00.000Z'), appVersion: '0.1.0' });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    expect(store.readonly).toBe(false);
    expect(store.settings()).toEqual({
      journalMode: 'wal',
      synchronous: 2,
      foreignKeys: true,
      busyTimeoutMs: 5000,
      userVersion: SCHEMA_VERSION,
    });
    expect(store.meta.info()).toEqual({
      createdAt: '2025-01-01T00:00:00.000Z',
      createdAppVersion: '0.1.0',
      lastAppVersion: '0.1.0',
      dataset: null,
    });
    store.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db
      .prepare<[], string>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck();
    expect(tables.all()).toEqual([
      'adjudications',
      'annotators',
      'grading_events',
      'grading_first_values',
      'gradings',
      'label_checkpoints',
      'label_edit_events',
      'label_edits',
      'level_reviews',
      'measurements',
      'meta',
      'reader_grades',
      'reader_labels',
      'readers',
      'series',
      'series_status_events',
    ]);
    db.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('enforces foreign keys', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const store = openStore(file);
    const err = catchAppError(
      () =>
        store.gradings.set({ patientId: 1, ivdLabel: 1, field: 'modic', value: 1, annotatorId: 999 as AnnotatorId }),
      'invalid_request',
    );
    expect(err.message).toContain('FOREIGNKEY');
    store.close();
  });

  it('reopening preserves data and does not migrate again', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const clock = fakeClock();
    let store = openStore(file, { now: clock, appVersion: '0.1.0' });
    const ann = store.annotators.ensure('Dr. A');
    store.series.setStatus({ seriesId: '1_t1', patientId: 1, status: 'in_progress', annotatorId: ann });
    store.meta.bindDataset({ root: '/data/spider', fingerprint: 'fp-1' });
    store.close();

    store = openStore(file, { now: clock, appVersion: '0.2.0' });
    expect(store.annotators.ensure('Dr. A')).toBe(ann);
    expect(store.series.getStatus('1_t1')).toBe('in_progress');
    expect(store.meta.info()).toMatchObject({ createdAppVersion: '0.1.0', lastAppVersion: '0.2.0' });
    expect(store.meta.checkDataset({ root: '/data/spider', fingerprint: 'fp-1' })).toBe('match');
    expect(store.meta.checkDataset({ root: '/mnt/spider', fingerprint: 'fp-1' })).toBe('moved');
    expect(store.meta.checkDataset({ root: '/data/spider', fingerprint: 'fp-2' })).toBe('mismatch');
    expect(catchAppError(() => store.meta.bindDataset({ root: '/x', fingerprint: 'fp-2' }), 'conflict')).toBeTruthy();
    expect(store.meta.bindDataset({ root: '/mnt/spider', fingerprint: 'fp-1' }).root).toBe('/mnt/spider');
    store.close();
  });

  it('refuses a store from a newer version and leaves the folder byte-identical', () => {
    const dir = tempDir();
    const file = path.join(dir, 'future.sqlite');
    makeForeignDb(file, SCHEMA_VERSION + 990);
    const before = snapshotDir(dir);
    expect(Object.keys(before)).toEqual(['future.sqlite']);

    for (const readonly of [false, true]) {
      const err = catchAppError(() => openStore(file, { readonly }), 'db_from_future');
      expect(err.message).toContain('future.sqlite');
      expect(err.message).toContain(String(SCHEMA_VERSION + 990));
      expect(err.message).toContain(String(SCHEMA_VERSION));
      expect(err.message).not.toContain(dir); // no absolute paths in messages
      expect(snapshotDir(dir)).toEqual(before);
    }
  });

  it('refuses a newer store whose version is only in a leftover -wal, without writing the main file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'crashed.sqlite');
    makeForeignDb(file, 1);
    // Simulate a crash of a newer workstation: the version bump is committed to the WAL only.
    fs.copyFileSync(file, `${file}.orig`);
    const writer = new Database(file);
    writer.pragma('wal_autocheckpoint = 0');
    writer.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    fs.copyFileSync(`${file}-wal`, `${file}.wal-copy`);
    writer.close(); // checkpoints; restore the crashed state from the copies
    fs.copyFileSync(`${file}.orig`, file);
    fs.copyFileSync(`${file}.wal-copy`, `${file}-wal`);
    fs.rmSync(`${file}-shm`, { force: true });
    const mainHash = sha256(file);
    const walHash = sha256(`${file}-wal`);

    const err = catchAppError(() => openStore(file), 'db_from_future');
    expect(err.message).toContain(String(SCHEMA_VERSION + 5));
    expect(sha256(file)).toBe(mainHash);
    expect(sha256(`${file}-wal`)).toBe(walHash);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('refuses a file that is not an SQLite database and leaves it untouched', () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.sqlite');
    fs.writeFileSync(file, 'These are not the pages you are looking for.\n'.repeat(10));
    const short = path.join(dir, 'short.sqlite');
    fs.writeFileSync(short, 'SQLite format 3\0');
    const before = snapshotDir(dir);
    for (const target of [file, short]) {
      for (const readonly of [false, true]) {
        const err = catchAppError(() => openStore(target, { readonly }), 'db');
        expect(err.message).toContain(path.basename(target));
        expect(err.file).toBe(target);
      }
    }
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('opens read-only: no lock, no writes, data visible', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const writer = openStore(file);
    writer.series.ensure('3_t1', 3);
    writer.close();

    const reader = openStore(file, { readonly: true });
    expect(reader.readonly).toBe(true);
    expect(reader.series.list().map((s) => s.seriesId)).toEqual(['3_t1']);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    const err = catchAppError(() => reader.annotators.ensure('someone'), 'db');
    expect(err.message).toContain('read-only');
    reader.close();
  });

  it('refuses read-only opens of a missing file or of a store that still needs migrating', () => {
    const dir = tempDir();
    catchAppError(() => openStore(path.join(dir, 'missing.sqlite'), { readonly: true }), 'not_found');
    expect(fs.readdirSync(dir)).toEqual([]);
    const old = path.join(dir, 'old.sqlite');
    makeForeignDb(old, 0);
    expect(catchAppError(() => openStore(old, { readonly: true }), 'db').message).toContain('upgraded');
  });

  it('reports a missing folder as an io error', () => {
    const file = path.join(tempDir(), 'no', 'such', 'dir', 'store.sqlite');
    catchAppError(() => openStore(file), 'io');
  });

  it('passes nativeBinding to better-sqlite3', () => {
    const dir = tempDir();
    const packageDir = path.dirname(require.resolve('better-sqlite3/package.json'));
    const addon = path.join(packageDir, 'build', 'Release', 'better_sqlite3.node');
    const store = openStore(path.join(dir, 'a.sqlite'), { nativeBinding: addon });
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    store.close();
    const broken = { nativeBinding: path.join(dir, 'nope.node') };
    const err = catchAppError(() => openStore(path.join(dir, 'b.sqlite'), broken), 'db');
    expect(err.message).toContain('b.sqlite');
    expect(fs.existsSync(path.join(dir, 'b.sqlite.lock'))).toBe(false);
  });
});
