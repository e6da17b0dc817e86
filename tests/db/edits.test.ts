// The label-edit journal: append/undo/redo/discard semantics, history and events, and checkpoint invalidation.
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  openStore,
  type AnnotatorId,
  type NewCheckpoint,
  type NewEdit,
  type Store,
} from '../../main/core/store/index.js';
import { catchAppError, fakeClock, tempDir } from './helpers.js';

const SERIES = '12_t2';
let store: Store;
let ann: AnnotatorId;
let file: string;

beforeEach(() => {
  file = path.join(tempDir(), 'store.sqlite');
  store = openStore(file, { now: fakeClock() });
  ann = store.annotators.ensure('Dr. Edit');
  store.series.ensure(SERIES, 12);
  return () => store.close();
});

function stroke(n: number, overrides: Partial<NewEdit> = {}): NewEdit {
  return {
    seriesId: SERIES,
    annotatorId: ann,
    tool: 'brush',
    label: 204,
    voxelCount: n,
    description: `Brush L4/L5, ${n} voxels`,
    encoding: 'rle-u8-v1',
    diff: Uint8Array.from([n, 0, 255, n]),
    ...overrides,
  };
}

const states = (): string[] => store.edits.history(SERIES).map((e) => `${e.seq}:${e.state}`);

describe('label edit journal', () => {
  it('appends with increasing seq per series and returns after commit', () => {
    const a = store.edits.append(stroke(10));
    const b = store.edits.append(stroke(20));
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(a.createdAt < b.createdAt).toBe(true);
    store.series.ensure('13_t1', 13);
    expect(store.edits.append(stroke(5, { seriesId: '13_t1' })).seq).toBe(1);

    // Visible to an independent connection as soon as append returned.
    const other = new Database(file, { readonly: true });
    expect(other.prepare('SELECT count(*) AS n FROM label_edits').get()).toEqual({ n: 3 });
    other.close();

    const [first] = store.edits.active(SERIES);
    expect(first).toMatchObject({ seq: 1, annotatorId: ann, tool: 'brush', label: 204, voxelCount: 10 });
    expect(first?.state).toBe('active');
    expect(first?.description).toBe('Brush L4/L5, 10 voxels');
    expect(first?.encoding).toBe('rle-u8-v1');
    expect(Array.from(first?.diff ?? [])).toEqual([10, 0, 255, 10]);
  });

  it('undo takes the newest active edit, redo the oldest undone one', () => {
    for (const n of [1, 2, 3]) store.edits.append(stroke(n));
    expect(store.edits.peek(SERIES).undo?.seq).toBe(3);
    expect(store.edits.peek(SERIES).redo).toBeNull();

    const u1 = store.edits.undo(SERIES, ann);
    expect(u1).toMatchObject({ seq: 3, state: 'undone' });
    expect(Array.from(u1?.diff ?? [])).toEqual([3, 0, 255, 3]);
    expect(store.edits.undo(SERIES, ann)?.seq).toBe(2);
    expect(states()).toEqual(['1:active', '2:undone', '3:undone']);
    expect(store.edits.active(SERIES).map((e) => e.seq)).toEqual([1]);
    expect(store.edits.peek(SERIES)).toMatchObject({ undo: { seq: 1 }, redo: { seq: 2 } });

    expect(store.edits.redo(SERIES, ann)).toMatchObject({ seq: 2, state: 'active' });
    expect(states()).toEqual(['1:active', '2:active', '3:undone']);
    expect(store.edits.redo(SERIES, ann)?.seq).toBe(3);
    expect(store.edits.redo(SERIES, ann)).toBeNull();

    for (let i = 0; i < 3; i++) store.edits.undo(SERIES, ann);
    expect(store.edits.undo(SERIES, ann)).toBeNull();
    expect(store.edits.active(SERIES)).toEqual([]);
    expect(store.edits.count(SERIES)).toEqual({ active: 0, undone: 3, discarded: 0, total: 3 });
  });

  it('a new edit after undos discards the redo stack for good, keeping the rows', () => {
    for (const n of [1, 2, 3]) store.edits.append(stroke(n));
    store.edits.undo(SERIES, ann);
    store.edits.undo(SERIES, ann);
    const r = store.edits.append(stroke(4));
    expect(r).toMatchObject({ seq: 4, discarded: [2, 3] });
    expect(states()).toEqual(['1:active', '2:discarded', '3:discarded', '4:active']);
    expect(store.edits.redo(SERIES, ann)).toBeNull();
    expect(store.edits.active(SERIES).map((e) => e.seq)).toEqual([1, 4]);

    // Undo then redo skips the discarded edits in both directions.
    expect(store.edits.undo(SERIES, ann)?.seq).toBe(4);
    expect(store.edits.undo(SERIES, ann)?.seq).toBe(1);
    expect(store.edits.redo(SERIES, ann)?.seq).toBe(1);
    expect(store.edits.redo(SERIES, ann)?.seq).toBe(4);
    expect(store.edits.count(SERIES)).toEqual({ active: 2, undone: 0, discarded: 2, total: 4 });
    expect(store.edits.count(SERIES, 1)).toEqual({ active: 1, undone: 0, discarded: 2, total: 3 });

    const events = store.edits.events(SERIES).map((e) => `${e.kind}:${e.seq}`);
    expect(events).toEqual(['undo:3', 'undo:2', 'discard:2', 'discard:3', 'undo:4', 'undo:1', 'redo:1', 'redo:4']);
    for (const e of store.edits.events(SERIES)) {
      expect(e.annotatorId).toBe(ann);
      expect(e.createdAt).toMatch(/^2025-01-01T/);
    }
    expect(store.edits.generation(SERIES)).toBe(6); // undos and redos, not discards
  });

  it('history survives reopening', () => {
    store.edits.append(stroke(1));
    store.edits.append(stroke(2));
    store.edits.undo(SERIES, ann);
    store.close();
    store = openStore(file);
    expect(states()).toEqual(['1:active', '2:undone']);
    expect(store.edits.redo(SERIES, ann)?.seq).toBe(2);
  });

  it('refuses edits for an unregistered series or with invalid fields, writing nothing', () => {
    catchAppError(() => store.edits.append(stroke(1, { seriesId: '99_t1' })), 'not_found');
    catchAppError(() => store.edits.append(stroke(1, { label: 256 })), 'invalid_request');
    catchAppError(() => store.edits.append(stroke(-1)), 'invalid_request');
    catchAppError(() => store.edits.append(stroke(1, { annotatorId: 42 as AnnotatorId })), 'invalid_request');
    expect(store.edits.count(SERIES).total).toBe(0);
  });

  it('the journal is append-only even for raw SQL', () => {
    store.edits.append(stroke(1));
    store.edits.undo(SERIES, ann);
    store.edits.append(stroke(2)); // discards edit 1
    store.close();
    const db = new Database(file);
    expect(() => db.prepare('DELETE FROM label_edits').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE label_edits SET description = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE label_edits SET undone = 0, discarded = 0 WHERE seq = 1').run()).toThrow(
      /cannot be restored/,
    );
    expect(() => db.prepare('DELETE FROM label_edit_events').run()).toThrow(/append-only/);
    db.close();
    store = openStore(file);
  });
});

describe('checkpoints', () => {
  const volume = (tag: number): Uint8Array => Uint8Array.from({ length: 64 }, (_, i) => (i * tag) & 0xff);

  function checkpointAt(seq: number, tag = seq): void {
    const generation = store.edits.generation(SERIES);
    store.checkpoints.add({ seriesId: SERIES, seq, generation, encoding: 'u8-deflate-v1', data: volume(tag) });
  }

  it('stores and returns the latest checkpoint; replay continues after it', () => {
    for (const n of [1, 2, 3, 4, 5]) store.edits.append(stroke(n));
    checkpointAt(2);
    checkpointAt(4);
    const latest = store.checkpoints.latest(SERIES);
    expect(latest).toMatchObject({ seq: 4, encoding: 'u8-deflate-v1', byteLength: 64, generation: 0 });
    expect(Array.from(latest?.data ?? [])).toEqual(Array.from(volume(4)));
    expect(store.edits.active(SERIES, latest?.seq).map((e) => e.seq)).toEqual([5]);
    expect(store.checkpoints.list(SERIES).map((c) => c.seq)).toEqual([2, 4]);
    expect(store.checkpoints.prune(SERIES, 1)).toBe(1);
    expect(store.checkpoints.list(SERIES).map((c) => c.seq)).toEqual([4]);
    expect(store.checkpoints.latest('13_t1')).toBeNull();
  });

  it('undo or redo of edit k drops checkpoints at seq >= k, keeping older ones', () => {
    for (const n of [1, 2, 3, 4]) store.edits.append(stroke(n));
    checkpointAt(2);
    checkpointAt(4);
    store.edits.undo(SERIES, ann); // edit 4: the checkpoint at 4 included it
    expect(store.checkpoints.list(SERIES).map((c) => c.seq)).toEqual([2]);

    checkpointAt(4, 40); // now reflects edits 1..3 only (4 is undone)
    checkpointAt(3, 30);
    store.edits.redo(SERIES, ann); // edit 4 again: the checkpoint at 4 excluded it, the one at 3 is unaffected
    expect(store.checkpoints.list(SERIES).map((c) => c.seq)).toEqual([2, 3]);

    // A discard changes no active edit, so checkpoints survive it.
    store.edits.undo(SERIES, ann);
    checkpointAt(3, 31);
    store.edits.append(stroke(5)); // discards 4
    expect(store.checkpoints.latest(SERIES)).toMatchObject({ seq: 3 });
    expect(store.edits.active(SERIES, 3).map((e) => e.seq)).toEqual([5]);
  });

  it('refuses a checkpoint computed before an undo/redo that happened meanwhile', () => {
    for (const n of [1, 2, 3]) store.edits.append(stroke(n));
    const generation = store.edits.generation(SERIES);
    // ... the volume is being compressed elsewhere while the user undoes edit 3 ...
    store.edits.undo(SERIES, ann);
    const err = catchAppError(
      () => store.checkpoints.add({ seriesId: SERIES, seq: 3, generation, encoding: 'u8-deflate-v1', data: volume(3) }),
      'conflict',
    );
    expect(err.message).toContain('stale');
    expect(store.checkpoints.list(SERIES)).toEqual([]);
    // Appends do not change the generation: a checkpoint below new edits stays acceptable.
    const g = store.edits.generation(SERIES);
    store.edits.append(stroke(4));
    const at = (seq: number): NewCheckpoint => ({
      seriesId: SERIES,
      seq,
      generation: g,
      encoding: 'u8-deflate-v1',
      data: volume(seq),
    });
    store.checkpoints.add(at(2));
    catchAppError(() => store.checkpoints.add(at(99)), 'not_found');
  });
});
