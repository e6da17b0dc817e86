// Migration 20 on a real file: a store of the version-10 schema, written row for row as the version-10 grading
// service wrote it ('reviewed' and '_undo' pseudo-fields in gradings and grading_events), is opened by this build.
// Every level value, reviewed flag and the whole history (ids, times, annotators, values, kinds, undone flags) must
// be what the version-10 service reported from those rows; the same sequence through today's service on a fresh
// store must give the same answers too. Also: the CHECK constraints refuse illegal fields and values in SQL.
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { GradingEventInfo, GradingLevel } from '../../common/contract.js';
import { GRADING_FIELDS, type GradingField } from '../../common/gradings.js';
import type { DatasetIndex, GradingRow } from '../../main/core/dataset/index.js';
import { createGradingService, type GradingMethods } from '../../main/core/gradings/service.js';
import { openStore, SCHEMA_VERSION, type AnnotatorId, type Store } from '../../main/core/store/index.js';
import { MIGRATIONS, runMigrations } from '../../main/core/store/migrations/index.js';
import { catchAppError, fakeClock, tempDir } from './helpers.js';

const FIELDS = GRADING_FIELDS.map((f) => f.field);
type Values = Record<GradingField, number | null>;
const csvValues = (v: Partial<Values>): Values => ({ ...(Object.fromEntries(FIELDS.map((f) => [f, 0])) as Values), ...v });

/** The dataset's radiological_gradings.csv rows: patient 1 levels 1–3, patient 2 levels 1–2 (no series at all). */
type CsvRow = Omit<GradingRow, 'line' | 'recordIndex' | 'flags'> & { flags?: GradingRow['flags'] };
const CSV: GradingRow[] = (<CsvRow[]>[
  { patient: 1, ivdLabel: 1, ...csvValues({ pfirrmann: 3, modic: 1 }) },
  { patient: 1, ivdLabel: 2, ...csvValues({ pfirrmann: 2 }) },
  { patient: 1, ivdLabel: 3, ...csvValues({ pfirrmann: 4, herniation: 0 }) },
  { patient: 2, ivdLabel: 1, ...csvValues({ pfirrmann: 1 }) },
  { patient: 2, ivdLabel: 2, ...csvValues({ pfirrmann: 2, bulging: null }), flags: ['invalid_value'] }, // an illegal cell
]).map((r, i) => ({ flags: [], ...r, line: i + 2, recordIndex: i }));

const INDEX = {
  root: '/nonexistent-dataset',
  patients: [1, 2].map((id) => ({ id, seriesIds: [], sex: null, age: null, subset: null, ivdLabels: [] })),
  series: [],
  overview: null,
  gradings: { file: 'radiological_gradings.csv', header: [], records: [], rows: CSV, problems: [] },
  problems: [],
  identity: 'test',
} as unknown as DatasetIndex;

const baselineRow = (p: number, k: number): GradingRow | undefined => CSV.find((r) => r.patient === p && r.ivdLabel === k);

/** One annotator action, as the grading panel sends it. */
type Step =
  | { op: 'set'; who: string; p: number; k: number; field: GradingField; value: number | null }
  | { op: 'review'; who: string; p: number; k: number; reviewed: boolean }
  | { op: 'undo'; who: string; p: number };

const STEPS: Step[] = [
  { op: 'set', who: 'alice', p: 1, k: 1, field: 'pfirrmann', value: 4 },
  { op: 'set', who: 'alice', p: 1, k: 2, field: 'modic', value: 2 },
  { op: 'review', who: 'alice', p: 1, k: 1, reviewed: true },
  { op: 'set', who: 'bob', p: 1, k: 1, field: 'pfirrmann', value: 5 },
  { op: 'undo', who: 'bob', p: 1 }, // pfirrmann 5 → 4 (a stored value before)
  { op: 'review', who: 'bob', p: 1, k: 2, reviewed: true },
  { op: 'review', who: 'alice', p: 1, k: 2, reviewed: false },
  { op: 'undo', who: 'alice', p: 1 }, // unreviewed → reviewed again
  { op: 'undo', who: 'alice', p: 1 }, // the first review of level 2: back to not reviewed
  { op: 'set', who: 'alice', p: 1, k: 3, field: 'herniation', value: 1 },
  { op: 'set', who: 'bob', p: 2, k: 1, field: 'modic', value: 3 },
  { op: 'set', who: 'bob', p: 2, k: 2, field: 'bulging', value: 1 }, // no CSV value: clearable
  { op: 'set', who: 'bob', p: 2, k: 2, field: 'bulging', value: null },
  { op: 'undo', who: 'bob', p: 2 }, // bulging null → 1
  { op: 'review', who: 'bob', p: 2, k: 2, reviewed: true },
  { op: 'undo', who: 'alice', p: 1 }, // herniation: its first change, the CSV value 0 stands again
  { op: 'undo', who: 'bob', p: 2 }, // the review of 2/2
  { op: 'undo', who: 'alice', p: 1 }, // the review of 1/1 (set before an already undone change)
  { op: 'set', who: 'alice', p: 1, k: 1, field: 'pfirrmann', value: 2 },
  { op: 'review', who: 'bob', p: 1, k: 3, reviewed: true },
  { op: 'set', who: 'bob', p: 1, k: 3, field: 'narrowing', value: 1 },
];

const LEVELS: [patientId: number, ivdLabel: number][] = [[1, 1], [1, 2], [1, 3], [2, 1], [2, 2]];

interface LegacyEvent {
  id: number;
  patient_id: number;
  ivd_label: number;
  field: string;
  old_value: number | null;
  new_value: number | null;
  annotator: string;
  created_at: string;
}

/**
 * Writes `steps` into a version-10 database exactly as the version-10 service and repository did: a value row
 * per (patient, level, field) including 'reviewed', one event per change, and an undo as the restoring event
 * followed by an '_undo' marker event (value: the undone event's id), with an '_undo' value row per level.
 */
function writeLegacy(db: Database.Database, steps: Step[], clock: () => Date): void {
  const ids = new Map<string, number>();
  const annotator = (name: string): number => {
    const known = ids.get(name);
    if (known !== undefined) return known;
    const id = Number(db.prepare('INSERT INTO annotators (name, created_at) VALUES (?, ?)').run(name, clock().toISOString()).lastInsertRowid);
    ids.set(name, id);
    return id;
  };
  const stored = db.prepare<[number, number, string], { value: number | null }>(
    'SELECT value FROM gradings WHERE patient_id = ? AND ivd_label = ? AND field = ?',
  );
  const set = (p: number, k: number, field: string, value: number | null, who: string): void => {
    const before = stored.get(p, k, field);
    if (before && before.value === value) throw new Error(`step writes nothing: ${p}/${k} ${field} = ${value}`);
    const now = clock().toISOString();
    const by = annotator(who);
    db.prepare(
      `INSERT INTO gradings (patient_id, ivd_label, field, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (patient_id, ivd_label, field) DO UPDATE SET
         value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(p, k, field, value, now, by);
    db.prepare(
      `INSERT INTO grading_events (patient_id, ivd_label, field, old_value, new_value, annotator_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(p, k, field, before?.value ?? null, value, by, now);
  };
  for (const s of steps) {
    db.transaction(() => {
      if (s.op === 'set') set(s.p, s.k, s.field, s.value, s.who);
      else if (s.op === 'review') set(s.p, s.k, 'reviewed', s.reviewed ? 1 : 0, s.who);
      else {
        const { events, undone, restorations } = legacyUndoState(legacyEvents(db, s.p));
        const target = events.findLast((e) => e.field !== '_undo' && !undone.has(e.id) && !restorations.has(e.id));
        if (!target) throw new Error('nothing to undo');
        const hadValue = events.some((e) => e.id < target.id && e.ivd_label === target.ivd_label && e.field === target.field);
        const restore = hadValue
          ? target.old_value
          : target.field === 'reviewed'
            ? 0
            : (baselineRow(s.p, target.ivd_label)?.[target.field as GradingField] ?? null);
        set(s.p, target.ivd_label, target.field, restore, s.who);
        set(s.p, target.ivd_label, '_undo', target.id, s.who);
      }
    })();
  }
}

function legacyEvents(db: Database.Database, patientId: number): LegacyEvent[] {
  return db
    .prepare<[number], LegacyEvent>(
      `SELECT e.id, patient_id, ivd_label, field, old_value, new_value, a.name AS annotator, e.created_at
       FROM grading_events AS e JOIN annotators AS a ON a.id = e.annotator_id WHERE patient_id = ? ORDER BY e.id`,
    )
    .all(patientId);
}

/** The version-10 reading of the append-only list: marker values are undone, the event before a marker restored. */
function legacyUndoState(events: LegacyEvent[]) {
  const undone = new Set<number>();
  const restorations = new Set<number>();
  events.forEach((e, i) => {
    if (e.field !== '_undo') return;
    if (e.new_value !== null) undone.add(e.new_value);
    const prev = events[i - 1];
    if (prev && prev.field !== '_undo') restorations.add(prev.id);
  });
  return { events, undone, restorations };
}

interface Answers {
  values: Values;
  reviewed: boolean;
  history: GradingEventInfo[];
}

/** What the version-10 service reported for one level, computed from the version-10 rows. */
function legacyAnswers(db: Database.Database, p: number, k: number): Answers {
  const row = baselineRow(p, k);
  const values = Object.fromEntries(FIELDS.map((f) => [f, row ? row[f] : null])) as Values;
  let reviewed = false;
  const rows = db
    .prepare<[number, number], { field: string; value: number | null }>(
      'SELECT field, value FROM gradings WHERE patient_id = ? AND ivd_label = ?',
    )
    .all(p, k);
  for (const g of rows) {
    if (g.field === 'reviewed') reviewed = g.value === 1;
    else if ((FIELDS as string[]).includes(g.field)) values[g.field as GradingField] = g.value;
  }
  const { events, undone, restorations } = legacyUndoState(legacyEvents(db, p));
  const seen = new Set<string>();
  const history = events
    .filter((e) => e.ivd_label === k && e.field !== '_undo')
    .map((e): GradingEventInfo => {
      const first = !seen.has(e.field);
      seen.add(e.field);
      const baseline = e.field === 'reviewed' ? 0 : (row?.[e.field as GradingField] ?? null);
      return {
        id: e.id,
        createdAt: e.created_at,
        annotator: e.annotator,
        field: e.field as GradingField | 'reviewed',
        oldValue: first ? baseline : e.old_value,
        newValue: e.new_value,
        kind: restorations.has(e.id) ? 'undo' : 'change',
        undone: undone.has(e.id),
      };
    });
  return { values, reviewed, history };
}

function service(store: Store, who: { current: AnnotatorId }): GradingMethods {
  return createGradingService({
    index: INDEX,
    store,
    annotator: () => who.current,
    revision: () => 0,
    labels: () => Promise.resolve(null),
  });
}

async function answers(svc: GradingMethods, p: number, k: number): Promise<Answers & { level: GradingLevel }> {
  const level = (await svc.getGradings({ patientId: p })).levels.find((l) => l.ivdLabel === k);
  if (!level) throw new Error(`no level ${p}/${k}`);
  const { events } = await svc.gradingHistory({ patientId: p, ivdLabel: k });
  return { values: level.values, reviewed: level.reviewed, history: events, level };
}

/** A version-10 store file holding STEPS as the version-10 service wrote them; returns the old answers per level. */
function legacyStore(file: string): Map<string, Answers> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  runMigrations(db, file, MIGRATIONS.filter((m) => m.version <= 10));
  expect(db.pragma('user_version', { simple: true })).toBe(10);
  writeLegacy(db, STEPS, fakeClock());
  const expected = new Map(LEVELS.map(([p, k]) => [`${p}/${k}`, legacyAnswers(db, p, k)]));
  db.close();
  return expected;
}

describe('migration 20 (reviews and undo as real structures)', () => {
  it('keeps every value, reviewed flag and history entry of a version-10 store', async () => {
    const file = path.join(tempDir(), 'v10.sqlite');
    const expected = legacyStore(file);
    // The seeded file really uses the pseudo-fields, and really covers undone changes and undone reviews.
    const raw = new Database(file, { readonly: true });
    const count = (sql: string): number => Number(raw.prepare(sql).pluck().get());
    expect(count("SELECT count(*) FROM grading_events WHERE field = '_undo'")).toBe(STEPS.filter((s) => s.op === 'undo').length);
    expect(count("SELECT count(*) FROM gradings WHERE field = 'reviewed'")).toBe(4);
    const totalEvents = count("SELECT count(*) FROM grading_events WHERE field <> '_undo'");
    raw.close();
    const all = [...expected.values()];
    expect(all.flatMap((a) => a.history).filter((e) => e.kind === 'undo' && e.field === 'reviewed')).toHaveLength(4);
    expect(all.flatMap((a) => a.history).filter((e) => e.undone)).toHaveLength(STEPS.filter((s) => s.op === 'undo').length);
    expect(all.filter((a) => a.reviewed)).toHaveLength(1);

    const store = openStore(file, { now: fakeClock() });
    try {
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      const svc = service(store, { current: store.annotators.ensure('carol') });
      for (const [p, k] of LEVELS) {
        const got = await answers(svc, p, k);
        const want = expected.get(`${p}/${k}`)!;
        expect({ values: got.values, reviewed: got.reviewed }, `${p}/${k}`).toEqual({ values: want.values, reviewed: want.reviewed });
        expect(got.history, `${p}/${k}`).toEqual(want.history);
      }
      expect([1, 2].flatMap((p) => store.gradings.events(p))).toHaveLength(totalEvents);
      // The pseudo-fields are gone: reviews are rows of level_reviews, an undo names the event it undoes.
      expect(store.gradings.all().some((g) => !(FIELDS as string[]).includes(g.field))).toBe(false);
      expect(store.gradings.reviews(1).map((r) => [r.ivdLabel, r.reviewed])).toEqual([[1, false], [2, false], [3, true]]);
      expect(store.gradings.reviews(2).map((r) => [r.ivdLabel, r.reviewed])).toEqual([[2, false]]);
      const undoes = [1, 2].flatMap((p) => store.gradings.events(p)).filter((e) => e.undoesEventId !== null);
      expect(undoes).toHaveLength(STEPS.filter((s) => s.op === 'undo').length);

      // The migrated store keeps working: undo continues from the migrated relations (narrowing, then review 1/3).
      await svc.undoGrading({ patientId: 1 });
      await svc.undoGrading({ patientId: 1 });
      const level3 = await answers(svc, 1, 3);
      expect(level3.reviewed).toBe(false);
      expect(level3.history.filter((e) => e.kind === 'undo').map((e) => e.field)).toEqual(['herniation', 'narrowing', 'reviewed']);
    } finally {
      store.close();
    }
  });

  it('gives the same answers as the same actions through this build on a fresh store (ids aside)', async () => {
    const migratedFile = path.join(tempDir(), 'v10.sqlite');
    legacyStore(migratedFile);
    const migrated = openStore(migratedFile, { now: fakeClock() });
    const fresh = openStore(path.join(tempDir(), 'fresh.sqlite'), { now: fakeClock() });
    try {
      const who = { current: 0 as AnnotatorId };
      const svc = service(fresh, who);
      for (const s of STEPS) {
        who.current = fresh.annotators.ensure(s.who);
        if (s.op === 'set') await svc.setGrading({ patientId: s.p, ivdLabel: s.k, field: s.field, value: s.value });
        else if (s.op === 'review') await svc.setLevelReviewed({ patientId: s.p, ivdLabel: s.k, reviewed: s.reviewed });
        else expect((await svc.undoGrading({ patientId: s.p })).level).not.toBeNull();
      }
      const old = service(migrated, { current: migrated.annotators.ensure('carol') });
      const shape = (h: GradingEventInfo[]) => h.map(({ id: _id, createdAt: _at, ...rest }) => rest);
      // First values (migration 50): backfilled vs recorded live; equal but for the two stores' clocks.
      const timeless = (l: GradingLevel) => ({
        ...l,
        firstValues: Object.fromEntries(Object.entries(l.firstValues).map(([f, v]) => [f, { ...v, at: '' }])),
      });
      for (const [p, k] of LEVELS) {
        const a = await answers(old, p, k);
        const b = await answers(svc, p, k);
        expect(timeless(a.level), `${p}/${k}`).toEqual(timeless(b.level));
        expect(shape(a.history), `${p}/${k}`).toEqual(shape(b.history));
      }
    } finally {
      migrated.close();
      fresh.close();
    }
  });

  it.each([
    ['an illegal value', "INSERT INTO gradings VALUES (1, 1, 'modic', 7, 'then', 1)", /grading \(patient 1, IVD label 1, modic = 7\)/],
    ['an unknown field', "INSERT INTO grading_events VALUES (1, 1, 2, 'Modic', NULL, 1, 1, 'then')", /grading event 1 .*Modic = 1/],
    ['an undo marker without its restoring event', "INSERT INTO grading_events VALUES (1, 1, 2, '_undo', NULL, 1, 1, 'then')", /undo marker 1 /],
  ])('refuses a version-10 store holding %s and leaves it as it was', (_what, insert, message) => {
    const file = path.join(tempDir(), 'bad.sqlite');
    const db = new Database(file);
    runMigrations(db, file, MIGRATIONS.filter((m) => m.version <= 10));
    db.prepare("INSERT INTO annotators (name, created_at) VALUES ('alice', 'then')").run();
    db.prepare(insert).run();
    const rows = (d: Database.Database) => ({
      gradings: d.prepare('SELECT * FROM gradings').all(),
      events: d.prepare('SELECT * FROM grading_events').all(),
    });
    const before = rows(db);
    db.close();
    const err = catchAppError(() => openStore(file), 'db');
    expect(err.message).toMatch(message);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(10);
    expect(rows(after)).toEqual(before);
    expect(after.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'level_reviews'").pluck().get()).toBe(0);
    after.close();
  });
});

describe('CHECK constraints of the grading tables', () => {
  const open = () => {
    const file = path.join(tempDir(), 'checks.sqlite');
    openStore(file).close();
    const db = new Database(file);
    db.prepare("INSERT INTO annotators (id, name, created_at) VALUES (1, 'alice', 'now')").run();
    return db;
  };
  /** SQLite refuses the statement with a constraint error (CHECK, UNIQUE, FOREIGN KEY or a trigger's RAISE). */
  const refused = (run: () => unknown): void => {
    let code: unknown = 'nothing thrown';
    try {
      run();
    } catch (err) {
      code = err instanceof Database.SqliteError ? err.code : err;
    }
    expect(String(code)).toMatch(/^SQLITE_CONSTRAINT/);
  };

  it('accept exactly the grading fields and their legal values (and null), in gradings and grading_events', () => {
    const db = open();
    const insertValue = db.prepare(
      "INSERT INTO gradings (patient_id, ivd_label, field, value, updated_at, updated_by) VALUES (1, 1, ?, ?, 'now', 1)",
    );
    const insertEvent = db.prepare(
      "INSERT INTO grading_events (patient_id, ivd_label, field, old_value, new_value, annotator_id, created_at) VALUES (1, 1, ?, ?, ?, 1, 'now')",
    );
    const clear = db.prepare('DELETE FROM gradings');
    for (const spec of GRADING_FIELDS) {
      for (let v = -2; v <= 7; v++) {
        const legal = spec.values.includes(v);
        const tryValue = () => insertValue.run(spec.field, v);
        if (legal) tryValue();
        else refused(tryValue);
        clear.run();
        if (legal) insertEvent.run(spec.field, null, v);
        else {
          refused(() => insertEvent.run(spec.field, null, v));
          refused(() => insertEvent.run(spec.field, v, null));
        }
      }
      insertValue.run(spec.field, null);
      clear.run();
    }
    for (const field of ['reviewed', '_undo', 'Pfirrman grade', 'PFIRRMANN', '']) {
      refused(() => insertValue.run(field, 1));
      refused(() => insertEvent.run(field, null, 1));
    }
    db.close();
  });

  it('keep reviews 0/1 and undo relations to an earlier event of the same level and field', () => {
    const db = open();
    const review = db.prepare(
      "INSERT INTO level_reviews (patient_id, ivd_label, reviewed, updated_at, updated_by) VALUES (1, 1, ?, 'now', 1)",
    );
    refused(() => review.run(2));
    refused(() => review.run(-1));
    review.run(1);
    const event = db.prepare(
      `INSERT INTO grading_events (patient_id, ivd_label, field, old_value, new_value, undoes_event_id, annotator_id, created_at)
       VALUES (1, ?, ?, ?, ?, ?, 1, 'now')`,
    );
    refused(() => event.run(1, null, null, 2, null)); // a review event holds 0 or 1
    refused(() => event.run(1, null, 0, null, null)); // and never nothing
    const change = Number(event.run(1, 'modic', null, 2, null).lastInsertRowid);
    const review1 = Number(event.run(1, null, null, 1, null).lastInsertRowid);
    refused(() => event.run(1, 'modic', 2, 0, 999)); // no such event
    refused(() => event.run(1, 'pfirrmann', null, 1, change)); // another field
    refused(() => event.run(2, 'modic', null, 1, change)); // another level
    refused(() => event.run(1, 'modic', 1, 0, review1)); // a review is undone by a review event only
    const undo = Number(event.run(1, 'modic', 2, null, change).lastInsertRowid);
    refused(() => event.run(1, 'modic', null, 2, change)); // an event is undone once
    refused(() => event.run(1, 'modic', null, 2, undo)); // an undo is never undone
    event.run(1, null, 1, 0, review1);
    refused(() => db.prepare('UPDATE grading_events SET undoes_event_id = NULL').run());
    refused(() => db.prepare('DELETE FROM grading_events').run());
    db.close();
  });

  it('reach the repository as invalid_request and keep nothing of the refused write', () => {
    const store = openStore(path.join(tempDir(), 'repo.sqlite'));
    try {
      const alice = store.annotators.ensure('alice');
      for (const [field, value] of [['reviewed', 1], ['_undo', 3], ['pfirrmann', 0], ['modic', 4]] as const) {
        catchAppError(() => store.gradings.set({ patientId: 1, ivdLabel: 1, field, value, annotatorId: alice }), 'invalid_request');
      }
      expect(store.gradings.all()).toEqual([]);
      expect(store.gradings.events(1)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
