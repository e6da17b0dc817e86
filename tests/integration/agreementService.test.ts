// The agreement contract methods (issue 16) on a generated sample, a real SQLite store and real mask files: two
// scripted readers' layers are imported into the adjudicator's store (store.readers.importLayer, the readers' volumes
// built here from the mask files by scripted edits), then `agreement`, `seriesAgreement` and `readerLabels` are
// checked against counts and κ computed here independently (plain loops over the volumes built in the test, κ with
// disagreement weights from its definition). Also: the cache recomputes a series whose local labels changed, a mask
// that cannot be read is skipped with the reason, readerLabels refuses a moved revision.
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgreementReport } from '../../common/contractReaders.js';
import { AppError } from '../../common/errors.js';
import { indexToWorld, type VolumeGeometry } from '../../common/geometry.js';
import { GRADING_FIELDS, type GradingField } from '../../common/gradings.js';
import { applyDiff, base64ToBytes, decodeDiff, DIFF_ENCODING, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { runAgreement } from '../../main/core/readers/agreeRun.js';
import { readOnlySourceContext } from '../../main/core/readers/sources.js';
import { generateSample } from '../../main/core/sample/index.js';
import type { ReaderGrade } from '../../main/core/store/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { brushDiff, originalLabels, prng, sameBytes, workstationCases } from './journalHelpers.js';

let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-agreement-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 3, seed: 'agreement' });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { open, fresh } = workstationCases(() => ({ root, pristine }));

function diffOf(a: Uint8Array, b: Uint8Array): VoxelDiff {
  const idx: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) idx.push(i);
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => a[i]!), after: Uint8Array.from(idx, (i) => b[i]!) };
}

/** Labels of a volume, most voxels first. */
function labelsOf(v: Uint8Array): number[] {
  const h = new Map<number, number>();
  for (const x of v) if (x !== 0) h.set(x, (h.get(x) ?? 0) + 1);
  return [...h].sort((a, b) => b[1] - a[1]).map(([l]) => l);
}

/** Reader A's scripted edit: label L grows by one voxel along i into background (within each row). */
function grow(v: Uint8Array, nx: number, label: number): Uint8Array {
  const out = v.slice();
  for (let p = 1; p < v.length; p++) if (v[p] === label && p % nx !== 0 && v[p - 1] === 0) out[p - 1] = label;
  return out;
}
/** Reader B's scripted edit: the first half of label L's voxels become `to`. */
function cut(v: Uint8Array, label: number, to: number): Uint8Array {
  const out = v.slice();
  const total = v.filter((x) => x === label).length;
  let seen = 0;
  for (let p = 0; p < v.length; p++) if (v[p] === label && seen++ < total / 2) out[p] = to;
  return out;
}

/** Per label > 0 present in a or b: |A|, |B|, |A∩B| by a plain loop. */
function naiveCounts(a: Uint8Array, b: Uint8Array): Map<number, { a: number; b: number; both: number }> {
  const m = new Map<number, { a: number; b: number; both: number }>();
  const at = (l: number) => m.get(l) ?? (m.set(l, { a: 0, b: 0, both: 0 }), m.get(l)!);
  for (let p = 0; p < a.length; p++) {
    if (a[p] !== 0) at(a[p]!).a++;
    if (b[p] !== 0) at(b[p]!).b++;
    if (a[p] !== 0 && a[p] === b[p]) at(a[p]!).both++;
  }
  return m;
}

/** κ from its definition with disagreement weights: 1 − Σ v·observed / Σ v·expected, v = (i−j)² or 0/1. */
function referenceKappa(pairs: [number, number][], cats: readonly number[], quadratic: boolean): number | null {
  const k = cats.length, n = pairs.length;
  if (n === 0) return null;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [a, b] of pairs) o[cats.indexOf(a)]![cats.indexOf(b)]! += 1;
  const row = o.map((r) => r.reduce((s, x) => s + x, 0));
  const col = cats.map((_, j) => o.reduce((s, r) => s + r[j]!, 0));
  let num = 0, den = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    const v = quadratic ? (i - j) ** 2 : i === j ? 0 : 1;
    num += v * o[i]![j]!;
    den += (v * row[i]! * col[j]!) / n;
  }
  return den === 0 ? null : 1 - num / den;
}

const PATIENTS = [1, 2, 3];
const LEVELS = [1, 2, 3, 4, 5];
/** The scripted readers' grades: B differs from A in known places, leaves patient 3 level 5 ungraded. */
function gradesOf(reader: 'A' | 'B'): ReaderGrade[] {
  const out: ReaderGrade[] = [];
  const g = (patientId: number, ivdLabel: number, field: GradingField, value: number, firstValue = value): void => {
    out.push({ patientId, ivdLabel, field, value, firstValue, setAt: '2026-12-01T09:00:00.000Z' });
  };
  for (const p of PATIENTS) {
    for (const l of LEVELS) {
      const pf = 1 + ((p * 3 + l) % 5);
      if (reader === 'A') {
        g(p, l, 'pfirrmann', pf, l === 1 ? Math.min(5, pf + 2) : pf);
        g(p, l, 'modic', (p + l) % 4);
        g(p, l, 'herniation', l % 2);
      } else if (!(p === 3 && l === 5)) {
        g(p, l, 'pfirrmann', (p + l) % 3 === 0 ? Math.min(5, pf + 1) : pf);
        g(p, l, 'modic', l === 2 ? 0 : (p + l) % 4);
        g(p, l, 'herniation', (l + p) % 2);
      }
    }
  }
  return out;
}

interface Setup {
  ws: Workstation;
  ids: string[];
  original: Map<string, Uint8Array>;
  /** Reader volumes per series (the original where the reader left it). */
  volA: Map<string, Uint8Array>;
  volB: Map<string, Uint8Array>;
  broken: string;
}

function importReader(ws: Workstation, name: string, original: Map<string, Uint8Array>, vols: Map<string, Uint8Array>): void {
  const labels = [...vols].filter(([id, v]) => !sameBytes(v, original.get(id)!)).map(([id, v]) => {
    const d = diffOf(original.get(id)!, v);
    return { seriesId: id, voxelCount: v.length, changed: d.indices.length, encoding: DIFF_ENCODING, diff: encodeDiff(d), revision: 2 };
  });
  ws.store.readers.importLayer({
    name, sha256: (name === 'Reader A' ? 'a' : 'b').repeat(64), packageCreatedAt: '2026-12-01T10:00:00.000Z', appVersion: 'test',
    datasetFingerprint: ws.index.identity, importedBy: ws.store.annotators.ensure('Adj'), labels, grades: gradesOf(name === 'Reader A' ? 'A' : 'B'),
  });
}

/** Reader A edits series 0 and 1, reader B series 1 and 2; the last series' mask is truncated (unreadable). */
async function setup(): Promise<Setup> {
  const paths = fresh();
  const probe = await openWorkstation({ datasetRoot: paths.dataset, storeFile: join(paths.dataset, '..', 'probe.sqlite'), annotator: 'Adj', log: () => undefined });
  const ids = probe.index.series.filter((s) => s.maskFile).map((s) => s.id);
  probe.close();
  const broken = ids[ids.length - 1]!;
  const maskFile = join(paths.dataset, 'masks', `${broken}.mha`);
  truncateSync(maskFile, statSync(maskFile).size - 64);
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'Adj', log: () => undefined });
  open.push(ws);
  const original = new Map<string, Uint8Array>();
  for (const id of ids.slice(0, -1)) original.set(id, await originalLabels(paths.dataset, id));
  const nx = (id: string): number => ws.index.series.find((s) => s.id === id)!.image!.geometry.size[0];
  const volA = new Map(original), volB = new Map(original);
  const [s0, s1, s2] = ids as [string, string, string];
  volA.set(s0, grow(original.get(s0)!, nx(s0), labelsOf(original.get(s0)!)[0]!));
  volA.set(s1, grow(original.get(s1)!, nx(s1), labelsOf(original.get(s1)!)[1]!));
  const [big1, second1] = labelsOf(original.get(s1)!) as [number, number];
  volB.set(s1, cut(original.get(s1)!, second1, big1)); // half of one label relabelled as another: cross-label confusion
  volB.set(s2, cut(original.get(s2)!, labelsOf(original.get(s2)!)[0]!, 0));
  importReader(ws, 'Reader A', original, volA);
  importReader(ws, 'Reader B', original, volB);
  return { ws, ids, original, volA, volB, broken };
}

function geometryOf(ws: Workstation, id: string): VolumeGeometry {
  return ws.index.series.find((s) => s.id === id)!.image!.geometry;
}

/** Every compared series of the report equals the independent counts of `va`/`vb`. */
function expectCounts(ws: Workstation, report: AgreementReport, va: Map<string, Uint8Array>, vb: Map<string, Uint8Array>): void {
  for (const [id, a] of va) {
    const s = report.series.find((x) => x.seriesId === id)!;
    expect(s.skipped, id).toBeNull();
    const want = naiveCounts(a, vb.get(id)!);
    const g = geometryOf(ws, id);
    const mm3 = g.spacing[0] * g.spacing[1] * g.spacing[2];
    expect(s.labels.map((l) => l.value), id).toEqual([...want.keys()].sort((x, y) => x - y));
    for (const l of s.labels) {
      const w = want.get(l.value)!;
      expect([l.voxelsA, l.voxelsB, l.intersection], `${id} label ${l.value}`).toEqual([w.a, w.b, w.both]);
      expect(l.dice).toBeCloseTo((2 * w.both) / (w.a + w.b), 12);
      expect(l.volumeAMm3).toBeCloseTo(w.a * mm3, 6);
      expect(l.volumeDiffMm3).toBeCloseTo((w.b - w.a) * mm3, 6);
    }
    expect(s.differing).toBe([...want.values()].some((w) => w.both * 2 !== w.a + w.b));
  }
}

/** Field pairs (A, B) over the levels both scripted readers graded, on basis current or first. */
function pairsOf(field: GradingField, basis: 'current' | 'first', ivd?: number): [number, number][] {
  const key = (g: ReaderGrade) => `${g.patientId}:${g.ivdLabel}`;
  const val = (g: ReaderGrade) => (basis === 'first' ? g.firstValue! : g.value!);
  const b = new Map(gradesOf('B').filter((g) => g.field === field).map((g) => [key(g), val(g)]));
  return gradesOf('A')
    .filter((g) => g.field === field && b.has(key(g)) && (ivd === undefined || g.ivdLabel === ivd))
    .map((g) => [val(g), b.get(key(g))!]);
}

async function refused(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).message).toMatch(text);
}

describe('agreement between two readers', () => {
  it('gives Dice per series and label and κ per field equal to independent computations; an unreadable mask is skipped', async () => {
    const { ws, ids, volA, volB, broken } = await setup();
    const report = await ws.service.agreement({ a: 'reader:Reader A', b: 'reader:Reader B' });
    expect(report.series.map((s) => s.seriesId)).toEqual(ws.index.series.map((s) => s.id));
    expectCounts(ws, report, volA, volB);
    const skipped = report.series.find((s) => s.seriesId === broken)!;
    expect(skipped.skipped).toMatch(new RegExp(`masks/${broken}\\.mha`));
    expect(skipped.labels).toEqual([]);
    expect(report.summary).toMatchObject({ series: ws.index.series.length, seriesSkipped: 1, seriesDiffering: 3 });
    expect(ids.slice(0, 3).every((id) => report.series.find((s) => s.seriesId === id)!.differing)).toBe(true);
    for (const spec of GRADING_FIELDS) {
      const f = report.gradings.find((x) => x.field === spec.field)!;
      const pairs = pairsOf(spec.field, 'current');
      expect(f.n, spec.field).toBe(pairs.length);
      const want = referenceKappa(pairs, spec.values, spec.field === 'pfirrmann');
      if (want === null) expect(f.kappa).toBeNull();
      else expect(f.kappa, spec.field).toBeCloseTo(want, 10);
    }
    const pf = report.gradings.find((x) => x.field === 'pfirrmann')!;
    expect(pf.n).toBe(14);
    for (const l of pf.perLevel) {
      const want = referenceKappa(pairsOf('pfirrmann', 'current', l.ivdLabel), [1, 2, 3, 4, 5], true);
      if (want === null) expect(l.kappa).toBeNull();
      else expect(l.kappa).toBeCloseTo(want, 10);
    }
    // Basis 'first': reader A's first Pfirrmann values differ at level 1.
    const first = await ws.service.agreement({ a: 'reader:Reader A', b: 'reader:Reader B', basis: 'first' });
    expect(first.gradings.find((x) => x.field === 'pfirrmann')!.kappa).toBeCloseTo(referenceKappa(pairsOf('pfirrmann', 'first'), [1, 2, 3, 4, 5], true)!, 10);
    expect(first.gradings.find((x) => x.field === 'pfirrmann')!.kappa).not.toBeCloseTo(pf.kappa!, 6);
  });

  it('recomputes a series whose local labels changed (cache keyed by revision) and equals the live volume', async () => {
    const { ws, ids, original, volA } = await setup();
    const before = await ws.service.agreement({ a: 'local', b: 'reader:Reader A' });
    expectCounts(ws, before, original, volA);
    const id = ids[2]!;
    const opened = await ws.service.openSeries({ seriesId: id });
    const live = (await ws.volumeBytes(id, 'mask')).slice();
    const { diff, label } = brushDiff(live, geometryOf(ws, id).size, prng(5), 8);
    await ws.service.commitEdit({ seriesId: id, baseRevision: opened.revision, tool: 'brush', label, description: 'test stroke', diff: encodeDiff(diff) });
    const after = await ws.service.agreement({ a: 'local', b: 'reader:Reader A' });
    const local = new Map(original);
    local.set(id, (await ws.volumeBytes(id, 'mask')).slice());
    expect(sameBytes(local.get(id)!, live)).toBe(false);
    expectCounts(ws, after, local, volA);
    // Untouched series are the same figures as before.
    expect(after.series.filter((s) => s.seriesId !== id)).toEqual(before.series.filter((s) => s.seriesId !== id));
    await refused(ws.service.agreement({ a: 'reader:Nobody', b: 'local' }), 'not_found', /No reader Nobody.*Reader A, Reader B/);
  });
});

describe('runAgreement on a read-only context', () => {
  it('equals the service report, reports progress per series and stops when aborted', async () => {
    const { ws } = await setup();
    const viaService = await ws.service.agreement({ a: 'reader:Reader A', b: 'reader:Reader B' });
    const progress: number[] = [];
    const ctx = readOnlySourceContext(ws.index, ws.store);
    const direct = await runAgreement(ctx, 'reader:Reader A', 'reader:Reader B', 'current', { onProgress: (done, total) => progress.push(done / total) });
    expect(direct).toEqual(viaService);
    expect(progress).toHaveLength(ws.index.series.length);
    expect(progress.at(-1)).toBe(1);
    const abort = new AbortController();
    const stopped = runAgreement(ctx, 'reader:Reader A', 'reader:Reader B', 'current', { signal: abort.signal, onProgress: (done) => done === 1 && abort.abort(new Error('stop here')) });
    await expect(stopped).rejects.toThrow('stop here');
  });
});

describe('the open series', () => {
  it('lists per label only-A / only-B voxels with a focus on a disagreeing voxel, the level differences and decisions', async () => {
    const { ws, ids, volA, volB } = await setup();
    const id = ids[1]!;
    const patientId = ws.index.series.find((s) => s.id === id)!.patientId;
    const adj = ws.store.readers.addAdjudication({ kind: 'level', seriesId: null, label: null, patientId, ivdLabel: 2, from: 'reader:Reader B', editSeq: null, annotatorId: ws.store.annotators.ensure('Adj') });
    const r = await ws.service.seriesAgreement({ seriesId: id, a: 'reader:Reader A', b: 'reader:Reader B' });
    const a = volA.get(id)!, b = volB.get(id)!;
    const g = geometryOf(ws, id);
    const [nx, ny] = g.size;
    expect(r.labels.filter((l) => l.dice < 1).length).toBeGreaterThan(1);
    for (const l of r.labels) {
      let onlyA = 0, onlyB = 0;
      for (let p = 0; p < a.length; p++) {
        if (a[p] === l.value && b[p] !== l.value) onlyA++;
        if (b[p] === l.value && a[p] !== l.value) onlyB++;
      }
      expect([l.onlyA, l.onlyB], `label ${l.value}`).toEqual([onlyA, onlyB]);
      if (onlyA + onlyB === 0) {
        expect(l.focus).toBeNull();
        continue;
      }
      const [i, j, k] = l.focus!.ijk;
      const p = i + nx * (j + ny * k);
      expect((a[p] === l.value) !== (b[p] === l.value), `focus of ${l.value} on a disagreeing voxel`).toBe(true);
      indexToWorld(g, l.focus!.ijk).forEach((w, ax) => expect(l.focus!.world[ax]).toBeCloseTo(w, 9));
    }
    // Levels of this patient where a field both graded differs, from the scripted grades.
    const want = LEVELS.map((ivd) => ({
      ivdLabel: ivd,
      fields: GRADING_FIELDS.flatMap(({ field }) => {
        const va = gradesOf('A').find((x) => x.patientId === patientId && x.ivdLabel === ivd && x.field === field)?.value;
        const vb = gradesOf('B').find((x) => x.patientId === patientId && x.ivdLabel === ivd && x.field === field)?.value;
        return va != null && vb != null && va !== vb ? [{ field, a: va, b: vb }] : [];
      }),
    })).filter((l) => l.fields.length > 0);
    expect(want.length).toBeGreaterThan(0);
    expect(r.levels).toEqual(want);
    expect(r.decisions).toEqual([expect.objectContaining({ kind: 'level', patientId, ivdLabel: 2, from: 'reader:Reader B', annotator: 'Adj', createdAt: adj.createdAt })]);
    // The local labels (no edits) against the original: every label agrees, nothing to focus on.
    const same = await ws.service.seriesAgreement({ seriesId: id, a: 'local', b: 'original' });
    expect(same.revision).toBe(0);
    expect(same.labels.length).toBeGreaterThan(3);
    expect(same.labels.every((l) => l.dice === 1 && l.focus === null && l.onlyA === 0 && l.onlyB === 0)).toBe(true);
  });
});

describe('readerLabels', () => {
  it("gives the diff that turns the live labels into the source's, and refuses a moved revision", async () => {
    const { ws, ids, original, volB } = await setup();
    const id = ids[2]!;
    const opened = await ws.service.openSeries({ seriesId: id });
    const live = (await ws.volumeBytes(id, 'mask')).slice();
    const apply = (diff: string): Uint8Array => {
      const v = live.slice();
      applyDiff(v, decodeDiff(base64ToBytes(diff), v.length), 'forward');
      return v;
    };
    const fromB = await ws.service.readerLabels({ seriesId: id, source: 'reader:Reader B', revision: opened.revision });
    expect(sameBytes(apply(fromB.diff), volB.get(id)!)).toBe(true);
    const local = await ws.service.readerLabels({ seriesId: id, source: 'local', revision: opened.revision });
    expect(decodeDiff(base64ToBytes(local.diff), live.length).indices.length).toBe(0);
    const { diff, label } = brushDiff(live, geometryOf(ws, id).size, prng(9), 6);
    await ws.service.commitEdit({ seriesId: id, baseRevision: opened.revision, tool: 'brush', label, description: 'test stroke', diff: encodeDiff(diff) });
    await refused(ws.service.readerLabels({ seriesId: id, source: 'reader:Reader B', revision: opened.revision }), 'conflict', new RegExp(`${id} are at revision ${opened.revision + 1}`));
    const fromOriginal = await ws.service.readerLabels({ seriesId: id, source: 'original', revision: opened.revision + 1 });
    const now = (await ws.volumeBytes(id, 'mask')).slice();
    applyDiff(now, decodeDiff(base64ToBytes(fromOriginal.diff), now.length), 'forward');
    expect(sameBytes(now, original.get(id)!)).toBe(true);
  });
});
