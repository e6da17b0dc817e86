// Radiological grading service (issue 5) on a generated sample and a real SQLite file: levels as the union of
// masks and radiological_gradings.csv (including an IVD label 0 row and a graded-but-not-segmented level), every
// field and range, clearing (refused over a CSV value, allowed on a new level), baseline vs edited, undo, history,
// reviewed, worklist progress, restarts, and the mask hints
// (disc heights against the phantom's masks, the narrowing flag after a thinning label edit).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSchemas, type GradingLevel } from '../../common/contract.js';
import { AppError } from '../../common/errors.js';
import { GRADING_FIELDS, type GradingField } from '../../common/gradings.js';
import { measureSeries } from '../../main/core/gradings/measure.js';
import { WARNINGS } from '../../main/core/gradings/service.js';
import { fileAnnotatorMemory } from '../../main/core/identity.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { diffBytes, originalLabels, workstationCases } from './journalHelpers.js';

let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-gradings-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 2, seed: 'gradings' });
  // The CSV's odd rows: patient 1 gets an IVD label 0 row and a level 9 no mask holds (7 discs); patient 2 loses
  // its level 1 row (segmented but not graded). CRLF line endings are kept, as released.
  const file = join(pristine, 'radiological_gradings.csv');
  const text = readFileSync(file, 'utf8');
  expect(text.includes('\r\n')).toBe(true);
  const lines = text.split('\r\n').filter((l) => l !== '' && !l.startsWith('2,1,'));
  lines.splice(1, 0, '1,0,0,0,0,0,0,0,0,2');
  lines.push('1,9,1,1,0,0,0,1,1,4');
  writeFileSync(file, lines.join('\r\n') + '\r\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh copy of the sample and a fresh store per test; workstations in `open` are closed after each. */
const { open, fresh } = workstationCases(() => ({ root, pristine }));

async function start(paths: { dataset: string; storeFile: string }, annotator = 'alice'): Promise<Workstation> {
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator, log: () => undefined });
  open.push(ws);
  return ws;
}

function stop(ws: Workstation): void {
  open.splice(open.indexOf(ws), 1);
  ws.close();
}

async function level(ws: Workstation, patientId: number, ivdLabel: number): Promise<GradingLevel> {
  const l = (await ws.service.getGradings({ patientId })).levels.find((x) => x.ivdLabel === ivdLabel);
  if (!l) throw new Error(`no level ${ivdLabel}`);
  return l;
}

async function rejects(p: Promise<unknown>, code: string, ...parts: string[]): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  for (const part of parts) expect((err as AppError).message).toContain(part);
}

const csvRow = (ws: Workstation, patient: number, ivd: number) => ws.index.gradings!.rows.find((r) => r.patient === patient && r.ivdLabel === ivd)!;

describe('levels', () => {
  it('are the union of mask discs and CSV rows, with warnings, never dropping odd rows', async () => {
    const ws = await start(fresh());
    const res = await ws.service.getGradings({ patientId: 1 });
    expect(res.patientId).toBe(1);
    expect(res.levels.map((l) => l.ivdLabel)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 9]);
    const byK = new Map(res.levels.map((l) => [l.ivdLabel, l]));
    expect(byK.get(1)).toMatchObject({ name: 'L5/S1', maskValue: 201, inMask: true, inCsv: true, warnings: [], edited: [], reviewed: false });
    expect(byK.get(2)!.name).toBe('L4/L5');
    const zero = byK.get(0)!;
    expect(zero).toMatchObject({ maskValue: 200, inMask: false, inCsv: true, hint: null });
    expect(zero.warnings).toContain(WARNINGS.ivdZero);
    expect(zero.values.pfirrmann).toBe(2);
    const nine = byK.get(9)!;
    expect(nine).toMatchObject({ inMask: false, inCsv: true, hint: null });
    expect(nine.warnings).toContain(WARNINGS.notSegmented);
    expect(nine.values).toMatchObject({ modic: 1, upEndplate: 1, herniation: 0, narrowing: 1, bulging: 1, pfirrmann: 4 });
    for (let k = 1; k <= 7; k++) {
      const l = byK.get(k)!;
      const row = csvRow(ws, 1, k);
      for (const f of GRADING_FIELDS) {
        expect(l.baseline[f.field]).toBe(row[f.field]);
        expect(l.values[f.field]).toBe(row[f.field]);
      }
      expect(l.hint?.seriesId).toBe('1_t1');
      expect(l.hint?.heightMm).toBeGreaterThan(3);
    }
    // Patient 2's level 1 lost its CSV row: segmented but not graded, empty values.
    const p2 = await level(ws, 2, 1);
    expect(p2).toMatchObject({ inMask: true, inCsv: false });
    expect(p2.warnings).toEqual([WARNINGS.notGraded]);
    expect(Object.values(p2.values).every((v) => v === null)).toBe(true);
    await rejects(ws.service.getGradings({ patientId: 99 }), 'not_found', '99');
  });
});

describe('setGrading', () => {
  it('accepts every legal value of every field and refuses everything else with nothing stored', async () => {
    const ws = await start(fresh());
    for (const spec of GRADING_FIELDS) {
      for (const value of spec.values) {
        const l = await ws.service.setGrading({ patientId: 1, ivdLabel: 3, field: spec.field, value });
        expect(l.values[spec.field]).toBe(value);
        // Stored at once; a value equal to the current one (the CSV baseline at first) writes nothing.
        const stored = ws.store.gradings.get(1, 3, spec.field);
        expect(stored ? stored.value : l.baseline[spec.field]).toBe(value);
      }
      // A level the CSV lacks (patient 2, level 1) takes every value and "empty" too.
      for (const value of [...spec.values, null]) {
        expect((await ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: spec.field, value })).values[spec.field]).toBe(value);
      }
      const events = ws.store.gradings.events(1).length;
      const before = ws.store.gradings.get(1, 3, spec.field);
      const max = Math.max(...spec.values);
      for (const bad of [Math.min(...spec.values) - 1, max + 1, 1.5, 7, Number.NaN]) {
        await rejects(
          ws.service.setGrading({ patientId: 1, ivdLabel: 3, field: spec.field, value: bad }),
          'invalid_request',
          spec.field,
          spec.values.join(', '),
        );
      }
      expect(ws.store.gradings.events(1).length).toBe(events);
      expect(ws.store.gradings.get(1, 3, spec.field)).toEqual(before);
    }
    // Unknown patient, unknown level, the IVD 0 row, unknown field: typed errors, nothing stored.
    const events = ws.store.gradings.events(1).length;
    await rejects(ws.service.setGrading({ patientId: 42, ivdLabel: 1, field: 'modic', value: 1 }), 'not_found', '42');
    await rejects(ws.service.setGrading({ patientId: 1, ivdLabel: 12, field: 'modic', value: 1 }), 'not_found', '12');
    await rejects(ws.service.setGrading({ patientId: 1, ivdLabel: 0, field: 'modic', value: 1 }), 'invalid_request', 'IVD label 0');
    await rejects(ws.service.setGrading({ patientId: 1, ivdLabel: 1, field: 'grade' as GradingField, value: 1 }), 'invalid_request', 'grade');
    expect(ws.store.gradings.events(1).length).toBe(events);
    // The transports' schema refuses unknown fields and non-numbers before the service.
    expect(requestSchemas.setGrading.safeParse({ patientId: 1, ivdLabel: 1, field: 'grade', value: 1 }).success).toBe(false);
    expect(requestSchemas.setGrading.safeParse({ patientId: 1, ivdLabel: 1, field: 'modic', value: '1' }).success).toBe(false);
    expect(requestSchemas.setGrading.safeParse({ patientId: 1, ivdLabel: 1, field: 'modic', value: null }).success).toBe(true);
  });

  it('marks edited fields against the CSV baseline; the IVD label 9 row can be edited', async () => {
    const ws = await start(fresh());
    const row = csvRow(ws, 1, 2);
    const other = row.pfirrmann === 5 ? 4 : 5;
    let l = await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: other });
    expect(l).toMatchObject({ edited: ['pfirrmann'], values: { pfirrmann: other }, baseline: { pfirrmann: row.pfirrmann } });
    l = await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: row.pfirrmann });
    expect(l.edited).toEqual([]);
    // Setting the current value again writes nothing.
    const n = ws.store.gradings.events(1).length;
    await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: row.pfirrmann });
    expect(ws.store.gradings.events(1).length).toBe(n);
    const nine = await ws.service.setGrading({ patientId: 1, ivdLabel: 9, field: 'modic', value: 3 });
    expect(nine).toMatchObject({ edited: ['modic'], values: { modic: 3 }, baseline: { modic: 1 } });
  });
});

describe('clearing a value', () => {
  it('is refused where the CSV has a value (typed error naming level and field, nothing stored); undo restores the CSV value', async () => {
    const ws = await start(fresh());
    const row = csvRow(ws, 1, 2);
    const events = ws.store.gradings.events(1).length;
    for (const spec of GRADING_FIELDS) {
      await rejects(
        ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: spec.field, value: null }),
        'invalid_request',
        'Patient 1 L4/L5 (IVD label 2)',
        `${spec.title} (${spec.field})`,
        `CSV value ${row[spec.field]}`,
        'cannot be cleared',
      );
    }
    // The IVD label 9 row (graded, not segmented) is a CSV level too.
    await rejects(ws.service.setGrading({ patientId: 1, ivdLabel: 9, field: 'modic', value: null }), 'invalid_request', 'IVD label 9', 'Modic');
    expect(ws.store.gradings.events(1).length).toBe(events);
    expect((await level(ws, 1, 2)).values).toEqual(Object.fromEntries(GRADING_FIELDS.map((f) => [f.field, row[f.field]])));

    // A changed CSV value still cannot be cleared; undo brings the CSV value back.
    const other = row.pfirrmann === 5 ? 4 : 5;
    await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: other });
    await rejects(ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: null }), 'invalid_request', 'Pfirrmann');
    expect((await ws.service.undoGrading({ patientId: 1 })).level).toMatchObject({ values: { pfirrmann: row.pfirrmann }, edited: [] });
  });

  it('stays possible for a value set on a level the CSV lacks, and is undone like any change', async () => {
    const ws = await start(fresh());
    expect((await level(ws, 2, 1)).inCsv).toBe(false);
    await ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'modic', value: 2 });
    const cleared = await ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'modic', value: null });
    expect(cleared.values.modic).toBeNull();
    expect(ws.store.gradings.get(2, 1, 'modic')?.value).toBeNull();
    expect((await ws.service.undoGrading({ patientId: 2 })).level?.values.modic).toBe(2);
  });
});

describe('undo, history, reviewed, progress', () => {
  it('undoes the last change append-only and lists each level’s history with annotator and time', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const row = csvRow(ws, 1, 4);
    const modic = row.modic === 3 ? 2 : 3;
    const modic2 = [0, 1, 2, 3].find((v) => v !== modic && v !== row.modic)!;
    await ws.service.setGrading({ patientId: 1, ivdLabel: 4, field: 'modic', value: modic });
    await ws.service.setGrading({ patientId: 1, ivdLabel: 4, field: 'modic', value: modic2 });
    await ws.service.setGrading({ patientId: 1, ivdLabel: 5, field: 'bulging', value: 1 - row.bulging! });
    await ws.service.setLevelReviewed({ patientId: 1, ivdLabel: 4, reviewed: true });
    expect((await level(ws, 1, 4)).reviewed).toBe(true);

    let u = await ws.service.undoGrading({ patientId: 1 });
    expect(u.level).toMatchObject({ ivdLabel: 4, reviewed: false });
    u = await ws.service.undoGrading({ patientId: 1 });
    expect(u.level?.ivdLabel).toBe(5);
    expect(u.level?.values.bulging).toBe(csvRow(ws, 1, 5).bulging);
    expect(u.level?.edited).toEqual([]);
    u = await ws.service.undoGrading({ patientId: 1 });
    expect(u.level?.values.modic).toBe(modic); // the second change undone
    u = await ws.service.undoGrading({ patientId: 1 });
    expect(u.level).toMatchObject({ values: { modic: row.modic }, edited: [] }); // back to the CSV baseline
    expect((await ws.service.undoGrading({ patientId: 1 })).level).toBeNull();
    expect((await ws.service.undoGrading({ patientId: 2 })).level).toBeNull();

    const h = await ws.service.gradingHistory({ patientId: 1, ivdLabel: 4 });
    // A field's first change is shown from the CSV baseline (reviewed: from 0), not from "no stored value".
    expect(h.events.map((e) => [e.field, e.oldValue, e.newValue, e.kind, e.undone])).toEqual([
      ['modic', row.modic, modic, 'change', true],
      ['modic', modic, modic2, 'change', true],
      ['reviewed', 0, 1, 'change', true],
      ['reviewed', 1, 0, 'undo', false],
      ['modic', modic2, modic, 'undo', false],
      ['modic', modic, row.modic, 'undo', false],
    ]);
    for (const e of h.events) {
      expect(e.annotator).toBe('alice');
      expect(Number.isNaN(Date.parse(e.createdAt))).toBe(false);
    }
    // Stored as real structures: an undo names the event it undoes, a review change has no grading field and the
    // reviewed flag is a row of its own; no pseudo-field is left among the grading values.
    const stored = ws.store.gradings.events(1).filter((e) => e.ivdLabel === 4);
    expect(stored.map((e) => [e.id, e.field])).toEqual(h.events.map((e) => [e.id, e.field === 'reviewed' ? null : e.field]));
    const undoes = stored.flatMap((e) => (e.undoesEventId === null ? [] : [e.undoesEventId]));
    expect(undoes.sort()).toEqual(h.events.filter((e) => e.undone).map((e) => e.id).sort());
    expect(ws.store.gradings.reviews(1).map((r) => [r.ivdLabel, r.reviewed])).toEqual([[4, false]]);
    expect(ws.store.gradings.all().map((g) => g.field).filter((f) => !GRADING_FIELDS.some((s) => s.field === f))).toEqual([]);
    expect((await ws.service.gradingHistory({ patientId: 1, ivdLabel: 5 })).events).toHaveLength(2);
    await rejects(ws.service.gradingHistory({ patientId: 7, ivdLabel: 1 }), 'not_found');

    // Another annotator after a restart: its name is on its events; undo continues where it was.
    await ws.service.setGrading({ patientId: 1, ivdLabel: 6, field: 'herniation', value: 1 - csvRow(ws, 1, 6).herniation! });
    stop(ws);
    const ws2 = await start(paths, 'bob');
    await ws2.service.setGrading({ patientId: 1, ivdLabel: 6, field: 'spondylolisthesis', value: 1 - csvRow(ws2, 1, 6).spondylolisthesis! });
    const h6 = await ws2.service.gradingHistory({ patientId: 1, ivdLabel: 6 });
    expect(h6.events.map((e) => e.annotator)).toEqual(['alice', 'bob']);
    expect((await ws2.service.undoGrading({ patientId: 1 })).level?.edited).toEqual(['herniation']);
    expect((await ws2.service.undoGrading({ patientId: 1 })).level?.edited).toEqual([]);
    expect((await ws2.service.undoGrading({ patientId: 1 })).level).toBeNull();
  });

  it('counts fully graded and reviewed levels per patient, and keeps everything across a restart', async () => {
    const paths = fresh();
    const ws = await start(paths);
    // Before any mask is measured, progress reads no volume: the CSV's levels only (patient 2 lacks level 1).
    const csvLevels2 = ws.index.gradings!.rows.filter((r) => r.patient === 2).length;
    expect(await ws.service.gradingProgress({})).toEqual([
      { patientId: 1, masksMeasured: false, levels: 8, fullyGraded: 8, reviewed: 0, personReviewed: 0, csvOnly: 8 },
      { patientId: 2, masksMeasured: false, levels: csvLevels2, fullyGraded: csvLevels2, reviewed: 0, personReviewed: 0, csvOnly: csvLevels2 },
    ]);
    // Patient 1: IVD 1–7 and 9 (its IVD 0 row is no level), all graded in the CSV. Patient 2: its level 1 has no CSV row.
    await ws.service.getGradings({ patientId: 1 });
    const p2levels = (await ws.service.getGradings({ patientId: 2 })).levels.length;
    expect(p2levels).toBe(csvLevels2 + 1);
    expect(await ws.service.gradingProgress({})).toEqual([
      { patientId: 1, masksMeasured: true, levels: 8, fullyGraded: 8, reviewed: 0, personReviewed: 0, csvOnly: 8 },
      { patientId: 2, masksMeasured: true, levels: p2levels, fullyGraded: p2levels - 1, reviewed: 0, personReviewed: 0, csvOnly: p2levels - 1 },
    ]);
    // Patient 1 level 2 changed (still fully graded); patient 2 level 1 graded completely, then one field cleared
    // (not counted), then set again.
    await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'herniation', value: 1 - csvRow(ws, 1, 2).herniation! });
    for (const f of GRADING_FIELDS) await ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: f.field, value: f.values[0]! });
    await ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'herniation', value: null });
    expect((await ws.service.gradingProgress({}))[1]).toMatchObject({ fullyGraded: p2levels - 1 });
    await ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'herniation', value: 0 });
    await ws.service.setLevelReviewed({ patientId: 2, ivdLabel: 1, reviewed: true });
    const expected = [
      // Looked at by a person: patient 1 level 2 (changed), patient 2 level 1 (graded and marked reviewed).
      { patientId: 1, masksMeasured: true, levels: 8, fullyGraded: 8, reviewed: 0, personReviewed: 1, csvOnly: 7 },
      { patientId: 2, masksMeasured: true, levels: p2levels, fullyGraded: p2levels, reviewed: 1, personReviewed: 1, csvOnly: p2levels - 1 },
    ];
    expect(await ws.service.gradingProgress({})).toEqual(expected);
    const before1 = await ws.service.getGradings({ patientId: 1 });
    const before2 = await ws.service.getGradings({ patientId: 2 });
    stop(ws);

    // After a restart: patient 2's level 1 is graded in the store, so it counts before any mask is measured.
    const ws2 = await start(paths);
    expect(await ws2.service.gradingProgress({})).toEqual(expected.map((p) => ({ ...p, masksMeasured: false })));
    expect(await ws2.service.getGradings({ patientId: 1 })).toEqual(before1);
    const after2 = await ws2.service.getGradings({ patientId: 2 });
    expect(after2).toEqual(before2);
    expect(after2.levels.find((l) => l.ivdLabel === 1)).toMatchObject({ reviewed: true, inCsv: false, edited: GRADING_FIELDS.map((f) => f.field) });
    await rejects(ws2.service.setLevelReviewed({ patientId: 1, ivdLabel: 0, reviewed: true }), 'invalid_request');
  });
});

describe('mask hints', () => {
  it('measures disc heights in mm within a voxel of the mask’s own S–I extent (group A)', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const e = ws.index.series.find((s) => s.id === '1_t1')!;
    const g = e.image!.geometry;
    expect(g.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const mask = await originalLabels(paths.dataset, '1_t1');
    const [nx, ny, nz] = g.size;
    const levels = (await ws.service.getGradings({ patientId: 1 })).levels;
    for (let k = 1; k <= 7; k++) {
      // Independent reading: the disc's centroid column, its voxels counted along k (S–I) times the spacing.
      let n = 0, si = 0, sj = 0;
      for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
        if (mask[x + nx * (y + ny * z)] === 200 + k) { n++; si += x; sj += y; }
      }
      const ci = Math.round(si / n);
      const cj = Math.round(sj / n);
      let slices = 0;
      for (let z = 0; z < nz; z++) if (mask[ci + nx * (cj + ny * z)] === 200 + k) slices++;
      const expected = slices * g.spacing[2];
      const hint = levels.find((l) => l.ivdLabel === k)!.hint!;
      expect(Math.abs(hint.heightMm! - expected), `disc ${k}: ${hint.heightMm} vs ${expected}`).toBeLessThanOrEqual(g.spacing[2] + 0.25);
      expect(hint.neighbourRatio).not.toBeNull();
      const around = [k - 1, k + 1].map((x) => levels.find((l) => l.ivdLabel === x)?.hint?.heightMm).filter((x): x is number => typeof x === 'number');
      expect(hint.neighbourRatio!).toBeCloseTo(hint.heightMm! / (around.reduce((a, b) => a + b, 0) / around.length), 2);
      expect(hint.narrowingSuspect).toBe(levels.find((l) => l.ivdLabel === k)!.values.narrowing === 0 && hint.neighbourRatio! < 0.7);
    }
  });

  it('measures the same heights in world mm on a PIR grid (group B) as on the LPS grid', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const measure = async (id: string) => {
      const e = ws.index.series.find((s) => s.id === id)!;
      return measureSeries(id, await originalLabels(paths.dataset, id), e.image!.geometry);
    };
    const lps = await measure('1_t1');
    const pir = await measure('1_t2_SPACE');
    expect(ws.index.series.find((s) => s.id === '1_t2_SPACE')!.orientation).toBe('PIR');
    expect([...pir.discs.keys()]).toEqual([...lps.discs.keys()]);
    for (const [k, d] of lps.discs) {
      const other = pir.discs.get(k)!;
      expect(Math.abs(other.heightMm! - d.heightMm!), `disc ${k}`).toBeLessThanOrEqual(2.2);
      expect(Math.hypot(...other.centre.map((c, i) => c - d.centre[i]!))).toBeLessThan(2.5);
    }
  });

  it('flags Disc narrowing = 0 on a disc thinned by a committed label edit, also after a restart', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const k = 4;
    await ws.service.setGrading({ patientId: 1, ivdLabel: k, field: 'narrowing', value: 0 });
    const before = (await level(ws, 1, k)).hint!;
    expect(before.neighbourRatio!).toBeGreaterThan(0.7);
    expect(before.narrowingSuspect).toBe(false);

    // Erase disc 204 everywhere but its central S–I slice.
    const opened = await ws.service.openSeries({ seriesId: '1_t1' });
    const mask = await ws.volumeBytes('1_t1', 'mask');
    const [nx, ny] = opened.image.geometry.size;
    const label = 200 + k;
    let sk = 0, n = 0;
    mask.forEach((v, i) => { if (v === label) { sk += Math.floor(i / (nx * ny)); n++; } });
    const mid = Math.round(sk / n);
    const indices: number[] = [];
    mask.forEach((v, i) => { if (v === label && Math.floor(i / (nx * ny)) !== mid) indices.push(i); });
    const diff = { indices: Uint32Array.from(indices), before: new Uint8Array(indices.length).fill(label), after: new Uint8Array(indices.length) };
    await ws.service.commitEdit({ seriesId: '1_t1', baseRevision: opened.revision, tool: 'eraser', label: 0, description: 'thin disc', diff: diffBytes(diff) });

    const thin = await level(ws, 1, k);
    expect(thin.hint!.heightMm!).toBeLessThan(opened.image.geometry.spacing[2] * 1.5 + 0.5);
    expect(thin.hint!.neighbourRatio!).toBeLessThan(0.7);
    expect(thin.hint!.narrowingSuspect).toBe(true);
    // Disc narrowing = 1: no longer suspect.
    expect((await ws.service.setGrading({ patientId: 1, ivdLabel: k, field: 'narrowing', value: 1 })).hint!.narrowingSuspect).toBe(false);
    await ws.service.setGrading({ patientId: 1, ivdLabel: k, field: 'narrowing', value: 0 });
    stop(ws);

    // Not loaded after the restart: the original mask + journal is measured on demand.
    const ws2 = await start(paths);
    expect((await level(ws2, 1, k)).hint).toEqual(thin.hint);
    await ws2.service.undo({ seriesId: '1_t1' });
    expect((await level(ws2, 1, k)).hint).toEqual(before);
  });
});

describe('annotator identity', () => {
  it('is asked once: writes are refused until a name is set, which is remembered and carried by every row', async () => {
    const paths = fresh();
    const memoryFile = join(root, `settings-${Date.now()}.json`);
    const memory = fileAnnotatorMemory(memoryFile);
    const first = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotatorMemory: memory, log: () => undefined });
    open.push(first);
    expect(await first.service.getSession({})).toEqual({ annotator: null, annotators: [] });
    await rejects(first.service.setGrading({ patientId: 1, ivdLabel: 1, field: 'modic', value: 2 }), 'invalid_request', 'No annotator');
    await rejects(first.service.setSeriesStatus({ seriesId: '1_t1', status: 'done' }), 'invalid_request', 'No annotator');
    const opened = await first.service.openSeries({ seriesId: '1_t1' });
    const diff = { indices: Uint32Array.of(0), before: Uint8Array.of(0), after: Uint8Array.of(100) };
    const edit = { seriesId: '1_t1', baseRevision: opened.revision, tool: 'brush', label: 100, description: 'one voxel', diff: diffBytes(diff) };
    await rejects(first.service.commitEdit(edit), 'invalid_request', 'No annotator');
    expect((await first.service.history({ seriesId: '1_t1' })).edits).toEqual([]);
    // Names are validated by the request schema before the service sees them.
    expect(requestSchemas.setAnnotator.safeParse({ name: '   ' }).success).toBe(false);
    expect(requestSchemas.setAnnotator.safeParse({ name: 'a\u0007b' }).success).toBe(false);

    expect(await first.service.setAnnotator({ name: '  Dr. Özil ' })).toEqual({ annotator: 'Dr. Özil', annotators: ['Dr. Özil'] });
    expect(JSON.parse(readFileSync(memoryFile, 'utf8'))).toEqual({ annotator: 'Dr. Özil' });
    await first.service.commitEdit(edit);
    await first.service.setGrading({ patientId: 1, ivdLabel: 1, field: 'modic', value: 2 });
    stop(first);

    // Next launch: remembered, not asked again; both rows carry the name.
    const second = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotatorMemory: memory, log: () => undefined });
    open.push(second);
    expect((await second.service.getSession({})).annotator).toBe('Dr. Özil');
    expect((await second.service.history({ seriesId: '1_t1' })).edits.map((e) => e.annotator)).toEqual(['Dr. Özil']);
    expect((await second.service.gradingHistory({ patientId: 1, ivdLabel: 1 })).events.map((e) => e.annotator)).toEqual(['Dr. Özil']);
    // Switching annotator: later rows carry the new name; the list is most recent first.
    expect((await second.service.setAnnotator({ name: 'Bob' })).annotators).toEqual(['Bob', 'Dr. Özil']);
    await second.service.setGrading({ patientId: 1, ivdLabel: 1, field: 'modic', value: 3 });
    expect((await second.service.gradingHistory({ patientId: 1, ivdLabel: 1 })).events.map((e) => e.annotator)).toEqual(['Dr. Özil', 'Bob']);
    // An explicit --annotator wins over the remembered name without overwriting it.
    stop(second);
    const third = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'cli', annotatorMemory: memory, log: () => undefined });
    open.push(third);
    expect((await third.service.getSession({})).annotator).toBe('cli');
    expect(fileAnnotatorMemory(memoryFile).load()).toBe('Bob');
  });
});
