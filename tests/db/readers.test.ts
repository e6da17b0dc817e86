// The readers repository (migration 60, issue 16) on a real SQLite file: importing a reader layer is idempotent,
// another package of the same reader is a conflict unless replaced (atomically, keeping the id), layer rows cannot
// be rewritten or deleted behind the repo's back, adjudications are append-only and the latest per item counts.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, type NewReaderLayer, type Store } from '../../main/core/store/index.js';
import { catchAppError, fakeClock, tempDir } from './helpers.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

function open(): { store: Store; file: string } {
  const file = path.join(tempDir(), 'annotations.sqlite');
  return { store: openStore(file, { now: fakeClock() }), file };
}

function layer(store: Store, over: Partial<NewReaderLayer> = {}): NewReaderLayer {
  return {
    name: 'Reader A',
    sha256: SHA_A,
    packageCreatedAt: '2025-02-01T10:00:00.000Z',
    appVersion: '1.2.3',
    datasetFingerprint: 'f'.repeat(64),
    importedBy: store.annotators.ensure('Adj'),
    labels: [
      { seriesId: '1_t1', voxelCount: 1000, changed: 2, encoding: 'rle-u8-v1', diff: Uint8Array.of(0xd1, 2, 5, 2, 0, 3), revision: 4 },
      { seriesId: '1_t2', voxelCount: 500, changed: 1, encoding: 'rle-u8-v1', diff: Uint8Array.of(0xd1, 1, 7, 1, 3, 0), revision: 1 },
    ],
    grades: [
      { patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: 3, firstValue: 4, setAt: '2025-02-01T09:00:00.000Z' },
      { patientId: 1, ivdLabel: 2, field: 'modic', value: null, firstValue: 1, setAt: null },
    ],
    ...over,
  };
}

const counts = (file: string): Record<string, number> => {
  const db = new Database(file, { readonly: true });
  try {
    const n = (t: string): number => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { readers: n('readers'), labels: n('reader_labels'), grades: n('reader_grades'), adj: n('adjudications') };
  } finally {
    db.close();
  }
};

describe('readers repo', () => {
  it('imports a layer and reads it back exactly', () => {
    const { store } = open();
    const { reader, alreadyImported } = store.readers.importLayer(layer(store));
    expect(alreadyImported).toBe(false);
    expect(reader).toMatchObject({ name: 'Reader A', sha256: SHA_A, importedBy: 'Adj', appVersion: '1.2.3' });
    expect(store.readers.list().map((r) => r.name)).toEqual(['Reader A']);
    expect(store.readers.labelSeries(reader.id)).toEqual([
      { seriesId: '1_t1', changed: 2, voxelCount: 1000 },
      { seriesId: '1_t2', changed: 1, voxelCount: 500 },
    ]);
    const l = store.readers.labelLayer(reader.id, '1_t1')!;
    expect([...l.diff]).toEqual([0xd1, 2, 5, 2, 0, 3]);
    expect(l.revision).toBe(4);
    expect(store.readers.labelLayer(reader.id, '9_t1')).toBeNull();
    expect(store.readers.grades(reader.id)).toEqual([
      { patientId: 1, ivdLabel: 2, field: 'modic', value: null, firstValue: 1, setAt: null },
      { patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: 3, firstValue: 4, setAt: '2025-02-01T09:00:00.000Z' },
    ]);
    store.close();
  });

  it('importing the same package again writes nothing', () => {
    const { store, file } = open();
    const first = store.readers.importLayer(layer(store)).reader;
    const before = counts(file);
    const again = store.readers.importLayer(layer(store));
    expect(again.alreadyImported).toBe(true);
    expect(again.reader).toEqual(first);
    expect(counts(file)).toEqual(before);
    store.close();
  });

  it('another package of the same reader is a conflict naming both dates; replace swaps it keeping the id', () => {
    const { store, file } = open();
    const first = store.readers.importLayer(layer(store)).reader;
    const other = layer(store, {
      sha256: SHA_B,
      packageCreatedAt: '2025-03-05T08:00:00.000Z',
      labels: [{ seriesId: '2_t1', voxelCount: 10, changed: 1, encoding: 'rle-u8-v1', diff: Uint8Array.of(0xd1, 1, 0, 1, 0, 1), revision: 2 }],
      grades: [],
    });
    const before = counts(file);
    const err = catchAppError(() => store.readers.importLayer(other), 'conflict');
    expect(err.message).toContain('Reader A');
    expect(err.message).toContain('2025-02-01T10:00:00.000Z');
    expect(err.message).toContain('2025-03-05T08:00:00.000Z');
    expect(counts(file)).toEqual(before);

    const swapped = store.readers.importLayer(other, { replace: true });
    expect(swapped.alreadyImported).toBe(false);
    expect(swapped.reader.id).toBe(first.id);
    expect(swapped.reader.sha256).toBe(SHA_B);
    expect(store.readers.labelSeries(first.id).map((s) => s.seriesId)).toEqual(['2_t1']);
    expect(store.readers.grades(first.id)).toEqual([]);
    store.close();
  });

  it('a failing import leaves nothing behind (one transaction)', () => {
    const { store, file } = open();
    const bad = layer(store, {
      grades: [{ patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: 9, firstValue: null, setAt: null }],
    });
    expect(() => store.readers.importLayer(bad)).toThrow();
    expect(counts(file)).toEqual({ readers: 0, labels: 0, grades: 0, adj: 0 });
    store.close();
  });

  it('layer rows cannot be rewritten or deleted outside an import with replace', () => {
    const { store, file } = open();
    store.readers.importLayer(layer(store));
    store.close();
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    expect(() => db.exec("UPDATE reader_grades SET value = 1 WHERE field = 'pfirrmann'")).toThrow(/never rewritten/);
    expect(() => db.exec('DELETE FROM reader_labels')).toThrow(/only with their reader/);
    expect(() => db.exec('DELETE FROM reader_grades')).toThrow(/only with their reader/);
    expect(() => db.exec("UPDATE readers SET name = 'X'")).toThrow(/never rewritten/);
    expect(() => db.exec("INSERT INTO reader_grades VALUES (1, 1, 0, 'modic', 1, NULL, NULL)")).toThrow(/CHECK/);
    expect(() => db.exec("INSERT INTO reader_grades VALUES (1, 1, 1, 'modic', 7, NULL, NULL)")).toThrow(/CHECK/);
    expect(() => db.exec("INSERT INTO reader_grades VALUES (1, 1, 1, 'modic', NULL, NULL, NULL)")).toThrow(/CHECK/);
    db.close();
  });

  it('adjudications are append-only and the latest decision per item counts', () => {
    const { store, file } = open();
    const adj = store.annotators.ensure('Adj');
    const other = store.annotators.ensure('Other');
    const l1 = store.readers.addAdjudication({ kind: 'label', seriesId: '1_t1', label: 3, patientId: null, ivdLabel: null, from: 'reader:Reader A', editSeq: null, annotatorId: adj });
    expect(l1).toMatchObject({ kind: 'label', seriesId: '1_t1', label: 3, from: 'reader:Reader A', annotator: 'Adj', editSeq: null });
    expect(l1.createdAt).toMatch(/^2025-01-01T/);
    const lv = store.readers.addAdjudication({ kind: 'level', seriesId: null, label: null, patientId: 1, ivdLabel: 2, from: null, editSeq: null, annotatorId: adj });
    const l2 = store.readers.addAdjudication({ kind: 'label', seriesId: '1_t1', label: 3, patientId: null, ivdLabel: null, from: 'reader:Reader B', editSeq: null, annotatorId: other });
    const l3 = store.readers.addAdjudication({ kind: 'label', seriesId: '1_t1', label: 4, patientId: null, ivdLabel: null, from: null, editSeq: null, annotatorId: adj });
    expect(store.readers.adjudications().map((a) => a.id)).toEqual([l1.id, lv.id, l2.id, l3.id]);
    expect(store.readers.latestDecisions().map((a) => a.id)).toEqual([lv.id, l2.id, l3.id]);
    expect(store.readers.latestDecisions().find((a) => a.label === 3)).toMatchObject({ from: 'reader:Reader B', annotator: 'Other' });

    // Malformed decisions are refused before SQL; an edit_seq must name a real journal entry.
    catchAppError(() => store.readers.addAdjudication({ kind: 'label', seriesId: null, label: 3, patientId: null, ivdLabel: null, from: null, editSeq: null, annotatorId: adj }), 'invalid_request');
    catchAppError(() => store.readers.addAdjudication({ kind: 'level', seriesId: null, label: null, patientId: 1, ivdLabel: 2, from: null, editSeq: 3, annotatorId: adj }), 'invalid_request');
    expect(() => store.readers.addAdjudication({ kind: 'label', seriesId: '1_t1', label: 3, patientId: null, ivdLabel: null, from: 'reader:A', editSeq: 99, annotatorId: adj })).toThrow();
    expect(() => store.readers.addAdjudication({ kind: 'label', seriesId: '1_t1', label: 3, patientId: null, ivdLabel: null, from: 'somebody', editSeq: null, annotatorId: adj })).toThrow();

    // Nested in a store transaction: rolled back with it.
    expect(() => store.transaction(() => {
      store.readers.addAdjudication({ kind: 'level', seriesId: null, label: null, patientId: 2, ivdLabel: 1, from: null, editSeq: null, annotatorId: adj });
      throw new Error('abort');
    })).toThrow('abort');
    expect(store.readers.adjudications()).toHaveLength(4);
    store.close();

    const db = new Database(file);
    expect(() => db.exec('DELETE FROM adjudications')).toThrow(/append-only/);
    expect(() => db.exec('UPDATE adjudications SET label = 5')).toThrow(/append-only/);
    db.close();
    expect(counts(file).adj).toBe(4);
  });

  it('a store opened read-only reads layers and refuses writes', () => {
    const { store, file } = open();
    const { reader } = store.readers.importLayer(layer(store));
    store.close();
    const ro = openStore(file, { readonly: true });
    expect(ro.readers.byName('Reader A')?.id).toBe(reader.id);
    expect(ro.readers.byName('Nobody')).toBeNull();
    catchAppError(() => ro.readers.importLayer(layer(ro, { importedBy: reader.id as never, sha256: SHA_B }), { replace: true }), 'db');
    ro.close();
  });
});
