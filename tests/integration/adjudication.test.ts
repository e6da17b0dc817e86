// Adjudication (issue 16) on a generated sample, a real SQLite store and real mask files: two reader layers are
// imported into the adjudicator's store (store.readers.importLayer, diffs built here from the original masks), then
// labels are taken from a reader through commitEdit (tool 'adjudicate', the diff computed here by the take-label
// rule) and levels through adjudicate. Checked: the live labels equal the reader's for that label and nothing else
// moved; the decision row names the adjudicator and the journal entry; wrong diffs, wrong tools and unknown readers
// are refused with nothing written; a failing decision row rolls the edit back; level decisions set exactly the
// differing fields with events by the adjudicator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../common/contract.js';
import type { SourceRef } from '../../common/contractReaders.js';
import { AppError } from '../../common/errors.js';
import { DIFF_ENCODING, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { generateSample } from '../../main/core/sample/index.js';
import type { ReaderGrade } from '../../main/core/store/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { originalLabels, sameBytes, workstationCases } from './journalHelpers.js';

let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-adjudication-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 2, seed: 'adjudication' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { open, fresh } = workstationCases(() => ({ root, pristine }));
const SERIES = '1_t2';

/** The diff from `a` to `b` (every voxel where they differ). */
function diffOf(a: Uint8Array, b: Uint8Array): VoxelDiff {
  const idx: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) idx.push(i);
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => a[i]!), after: Uint8Array.from(idx, (i) => b[i]!) };
}

/** "label L := source's L", written here from the rule's definition (not the app's code). */
function takeExpected(current: Uint8Array, source: Uint8Array, label: number): Uint8Array {
  const out = current.slice();
  for (let i = 0; i < out.length; i++) {
    if (source[i] === label) out[i] = label;
    else if (current[i] === label) out[i] = 0;
  }
  return out;
}

/** Labels present in a volume with their voxel counts, largest first. */
function labelsOf(v: Uint8Array): number[] {
  const h = new Map<number, number>();
  for (const x of v) if (x !== 0) h.set(x, (h.get(x) ?? 0) + 1);
  return [...h].sort((a, b) => b[1] - a[1]).map(([l]) => l);
}

interface Readers {
  ws: Workstation;
  original: Uint8Array;
  a: Uint8Array;
  b: Uint8Array;
  grow: number;
  shrink: number;
}

/** Imports one reader layer (series SERIES = `labels`, and `grades`) into the workstation's store. */
function importReader(ws: Workstation, name: string, original: Uint8Array, labels: Uint8Array, grades: ReaderGrade[]): void {
  const d = diffOf(original, labels);
  ws.store.readers.importLayer({
    name,
    sha256: (name === 'Reader A' ? 'a' : 'b').repeat(64),
    packageCreatedAt: '2026-12-01T10:00:00.000Z',
    appVersion: 'test',
    datasetFingerprint: ws.index.identity,
    importedBy: ws.store.annotators.ensure('Adj'),
    labels: [{ seriesId: SERIES, voxelCount: original.length, changed: d.indices.length, encoding: DIFF_ENCODING, diff: encodeDiff(d), revision: 3 }],
    grades,
  });
}

const grade = (patientId: number, ivdLabel: number, field: ReaderGrade['field'], value: number): ReaderGrade =>
  ({ patientId, ivdLabel, field, value, firstValue: value, setAt: '2026-12-01T09:00:00.000Z' });

/**
 * An adjudicator's workstation with two readers: A grows the series' largest label `grow` by a slab of background and
 * relabels one slice of label `shrink` as background; B removes half of label `grow`. Grades differ at patient 1
 * level 3 (Pfirrmann A 3 / B 4, Modic A 1 / B 1).
 */
async function setup(): Promise<Readers> {
  const paths = fresh();
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'Adj', log: () => undefined });
  open.push(ws);
  const original = await originalLabels(paths.dataset, SERIES);
  const [grow, shrink] = labelsOf(original) as [number, number];
  const a = original.slice();
  const b = original.slice();
  let seen = 0;
  const total = original.filter((x) => x === grow).length;
  for (let i = 0; i < original.length; i++) {
    if (original[i] === grow) {
      if (a[i - 1] === 0) a[i - 1] = grow; // grows by one voxel along i where background touches it
      if (seen++ < total / 2) b[i] = 0;
    }
  }
  const shrinkAt = original.indexOf(shrink);
  for (let i = shrinkAt; i < shrinkAt + 40 && i < a.length; i++) if (a[i] === shrink) a[i] = 0;
  importReader(ws, 'Reader A', original, a, [grade(1, 3, 'pfirrmann', 3), grade(1, 3, 'modic', 1)]);
  importReader(ws, 'Reader B', original, b, [grade(1, 3, 'pfirrmann', 4), grade(1, 3, 'modic', 1)]);
  return { ws, original, a, b, grow, shrink };
}

async function live(ws: Workstation): Promise<{ volume: Uint8Array; revision: number }> {
  const opened = await ws.service.openSeries({ seriesId: SERIES });
  return { volume: (await ws.volumeBytes(SERIES, 'mask')).slice(), revision: opened.revision };
}

function takeRequest(revision: number, label: number, d: VoxelDiff, from: SourceRef, tool = 'adjudicate'): Request<'commitEdit'> {
  return { seriesId: SERIES, baseRevision: revision, tool, label, description: `Adjudicate ${label}: ${from}`, diff: encodeDiff(d), adjudication: { from } };
}

async function refused(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).message).toMatch(text);
}

describe('adjudication of labels through commitEdit', () => {
  it("takes label L from reader B: the live L region equals B's, L voxels B lacks become 0, one entry + one decision", async () => {
    const { ws, b, grow } = await setup();
    const { volume, revision } = await live(ws);
    const expected = takeExpected(volume, b, grow);
    const res = await ws.service.commitEdit(takeRequest(revision, grow, diffOf(volume, expected), 'reader:Reader B'));
    const after = await live(ws);
    expect(sameBytes(after.volume, expected)).toBe(true);
    for (let i = 0; i < b.length; i++) if ((after.volume[i] === grow) !== (b[i] === grow)) throw new Error(`voxel ${i} differs from B`);
    const history = await ws.service.history({ seriesId: SERIES });
    expect(history.edits.map((e) => [e.tool, e.annotator, e.state])).toEqual([['adjudicate', 'Adj', 'active']]);
    const decisions = ws.store.readers.adjudications();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ kind: 'label', seriesId: SERIES, label: grow, from: 'reader:Reader B', editSeq: res.seq, annotator: 'Adj', patientId: null });
    // Undo is the normal journal undo: the labels go back, the decision row stays (the journal records the undo).
    await ws.service.undo({ seriesId: SERIES });
    expect(sameBytes((await live(ws)).volume, volume)).toBe(true);
  });

  it('takes a label the source does not have at all: every L voxel becomes 0 (the diff writes only 0)', async () => {
    const { ws, grow } = await setup();
    const { volume, revision } = await live(ws);
    // Reader C: label `grow` removed entirely.
    const c = volume.map((x) => (x === grow ? 0 : x));
    const d = diffOf(volume, c);
    ws.store.readers.importLayer({
      name: 'Reader C', sha256: 'c'.repeat(64), packageCreatedAt: '2026-12-01T10:00:00.000Z', appVersion: 'test', datasetFingerprint: ws.index.identity,
      importedBy: ws.store.annotators.ensure('Adj'), grades: [],
      labels: [{ seriesId: SERIES, voxelCount: c.length, changed: d.indices.length, encoding: DIFF_ENCODING, diff: encodeDiff(d), revision: 1 }],
    });
    await ws.service.commitEdit(takeRequest(revision, grow, d, 'reader:Reader C'));
    expect((await live(ws)).volume.includes(grow)).toBe(false);
  });

  it('refuses (nothing written) a diff that changes a voxel outside L ∪ source L, misses voxels, the wrong tool or an unknown reader', async () => {
    const { ws, b, grow, shrink } = await setup();
    const { volume, revision } = await live(ws);
    const good = diffOf(volume, takeExpected(volume, b, grow));
    // One extra voxel of another label set to 0.
    const extraAt = volume.indexOf(shrink);
    const extra = diffOf(volume, (() => { const v = takeExpected(volume, b, grow); v[extraAt] = 0; return v; })());
    await refused(ws.service.commitEdit(takeRequest(revision, grow, extra, 'reader:Reader B')), 'invalid_request', /writes 0 at voxel \d+, taking the label gives \d+/);
    // Half of the rule's voxels only.
    const half = Math.floor(good.indices.length / 2);
    const partial: VoxelDiff = { indices: good.indices.slice(0, half), before: good.before.slice(0, half), after: good.after.slice(0, half) };
    await refused(ws.service.commitEdit(takeRequest(revision, grow, partial, 'reader:Reader B')), 'invalid_request', new RegExp(`changes ${half} voxels, taking the label changes ${good.indices.length}`));
    await refused(ws.service.commitEdit(takeRequest(revision, grow, good, 'reader:Reader B', 'brush')), 'invalid_request', /must have tool 'adjudicate'/);
    await refused(ws.service.commitEdit({ ...takeRequest(revision, grow, good, 'reader:Reader B'), adjudication: undefined }), 'invalid_request', /needs the source it takes/);
    await refused(ws.service.commitEdit(takeRequest(revision, grow, good, 'reader:Nobody')), 'not_found', /No reader Nobody in this store \(imported: Reader A, Reader B\)/);
    await refused(ws.service.commitEdit(takeRequest(revision + 1, grow, good, 'reader:Reader B')), 'conflict', /revision/);
    expect((await ws.service.history({ seriesId: SERIES })).edits).toHaveLength(0);
    expect(ws.store.readers.adjudications()).toHaveLength(0);
    expect(sameBytes((await live(ws)).volume, volume)).toBe(true);
  });

  it('rolls the edit back when the decision row cannot be written (one transaction)', async () => {
    const { ws, b, grow } = await setup();
    const { volume, revision } = await live(ws);
    const repo = ws.store.readers;
    const add = repo.addAdjudication.bind(repo);
    repo.addAdjudication = () => { throw new AppError('db', 'disk full (simulated)'); };
    try {
      await refused(ws.service.commitEdit(takeRequest(revision, grow, diffOf(volume, takeExpected(volume, b, grow)), 'reader:Reader B')), 'db', /simulated/);
    } finally {
      repo.addAdjudication = add;
    }
    expect((await ws.service.history({ seriesId: SERIES })).edits).toHaveLength(0);
    const now = await live(ws);
    expect(now.revision).toBe(revision);
    expect(sameBytes(now.volume, volume)).toBe(true);
  });
});

describe('adjudicate (decisions that write no labels) and level decisions', () => {
  it('records a label equal to the source, refuses one that differs, records "edited by hand"', async () => {
    const { ws, grow, shrink } = await setup();
    // Reader B left `shrink` as released: equal to the local labels.
    const kept = await ws.service.adjudicate({ kind: 'label', seriesId: SERIES, label: shrink, from: 'reader:Reader B' });
    expect(kept.decision).toMatchObject({ kind: 'label', seriesId: SERIES, label: shrink, from: 'reader:Reader B', annotator: 'Adj', editSeq: null });
    expect(kept.level).toBeNull();
    await refused(ws.service.adjudicate({ kind: 'label', seriesId: SERIES, label: grow, from: 'reader:Reader A' }), 'conflict', /differs from reader:Reader A's .*take it with commitEdit/);
    const hand = await ws.service.adjudicate({ kind: 'label', seriesId: SERIES, label: grow, from: null });
    expect(hand.decision).toMatchObject({ from: null, label: grow, annotator: 'Adj' });
    await refused(ws.service.adjudicate({ kind: 'label', seriesId: 'nope_t2', label: grow, from: null }), 'not_found', /No series nope_t2/);
    expect(ws.store.readers.latestDecisions().map((d) => [d.label, d.from])).toEqual(expect.arrayContaining([[shrink, 'reader:Reader B'], [grow, null]]));
    expect(ws.store.readers.adjudications()).toHaveLength(2);
  });

  it('takes a level from a reader: differing fields set in one go by the adjudicator, equal ones not rewritten', async () => {
    const { ws } = await setup();
    const before = (await ws.service.getGradings({ patientId: 1 })).levels.find((l) => l.ivdLabel === 3)!;
    const eventsBefore = ws.store.gradings.events(1).length;
    const res = await ws.service.adjudicate({ kind: 'level', patientId: 1, ivdLabel: 3, from: 'reader:Reader B' });
    expect(res.level?.values.pfirrmann).toBe(4);
    expect(res.level?.values.modic).toBe(1);
    expect(res.decision).toMatchObject({ kind: 'level', patientId: 1, ivdLabel: 3, from: 'reader:Reader B', annotator: 'Adj', seriesId: null });
    const events = ws.store.gradings.events(1).slice(eventsBefore);
    const expectedFields = (['pfirrmann', 'modic'] as const).filter((f) => before.values[f] !== { pfirrmann: 4, modic: 1 }[f]);
    expect(events.map((e) => e.field).sort()).toEqual([...expectedFields].sort());
    expect(events.every((e) => ws.store.annotators.name(e.annotatorId) === 'Adj')).toBe(true);
    // Taking A afterwards changes Pfirrmann back to 3; Modic equal (1) is not rewritten.
    await ws.service.adjudicate({ kind: 'level', patientId: 1, ivdLabel: 3, from: 'reader:Reader A' });
    const more = ws.store.gradings.events(1).slice(eventsBefore + events.length);
    expect(more.map((e) => [e.field, e.newValue])).toEqual([['pfirrmann', 3]]);
    const hand = await ws.service.adjudicate({ kind: 'level', patientId: 1, ivdLabel: 3, from: null });
    expect(hand.decision.from).toBeNull();
    expect(ws.store.readers.latestDecisions().filter((d) => d.kind === 'level')).toHaveLength(1);
    await refused(ws.service.adjudicate({ kind: 'level', patientId: 999, ivdLabel: 3, from: null }), 'not_found', /patient 999/i);
  });

  it('counts progress: differing labels (A vs B) and levels, and those with a latest decision', async () => {
    const { ws, a, b, grow, shrink } = await setup();
    // Independently: labels whose regions differ between A and B on SERIES (the only series with layers).
    const differing = [...new Set([...a, ...b])].filter((l) => l !== 0 && a.some((x, i) => (x === l) !== (b[i] === l)));
    expect(differing.sort()).toEqual([grow, shrink].sort());
    const p0 = await ws.service.adjudicationProgress({ a: 'reader:Reader A', b: 'reader:Reader B' });
    expect(p0).toEqual({ a: 'reader:Reader A', b: 'reader:Reader B', labels: { total: 2, decided: 0 }, levels: { total: 1, decided: 0 } });
    await ws.service.adjudicate({ kind: 'label', seriesId: SERIES, label: grow, from: null });
    await ws.service.adjudicate({ kind: 'level', patientId: 1, ivdLabel: 3, from: 'reader:Reader A' });
    // A decision on an item where A and B agree does not count.
    await ws.service.adjudicate({ kind: 'level', patientId: 2, ivdLabel: 1, from: null });
    const p1 = await ws.service.adjudicationProgress({ a: 'reader:Reader A', b: 'reader:Reader B' });
    expect(p1).toMatchObject({ labels: { total: 2, decided: 1 }, levels: { total: 1, decided: 1 } });
    await refused(ws.service.adjudicationProgress({ a: 'reader:Reader A', b: 'reader:Nobody' }), 'not_found', /No reader Nobody/);
  });
});
