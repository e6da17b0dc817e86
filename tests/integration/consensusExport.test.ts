// The export's source (issue 16) on a generated sample, a real SQLite store and real files: 'reader:B' writes the
// original masks plus B's layer (read back by itk-wasm, voxel for voxel) and the CSV with B's grades; 'original'
// reproduces the source dataset byte for byte even when the store holds edits; 'local' after adjudication records
// where each label and grade came from (decided source, adjudicator, time; hand edits with their editors; decisions
// undone since marked as no longer holding); the manifest carries the readers' agreement; an unknown reader is
// refused with nothing written; `spine-ws export --source` does the same.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImageNode } from '@itk-wasm/image-io';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Request } from '../../common/contract.js';
import type { SourceRef } from '../../common/contractReaders.js';
import { AppError } from '../../common/errors.js';
import { DIFF_ENCODING, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { runExportCommand, workstationVersion } from '../../main/cli/export.js';
import { parseGradingsCsv } from '../../main/core/dataset/index.js';
import { runExport, spiderToNnunet, type ExportRequest } from '../../main/core/export/index.js';
import { generateSample } from '../../main/core/sample/index.js';
import type { ReaderGrade } from '../../main/core/store/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { expectManifestHashes, readManifest } from './exportHelpers.js';
import { hashTree, originalLabels, sameBytes, workstationCases } from './journalHelpers.js';

let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-consensus-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 2, seed: 'consensus' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { open, fresh } = workstationCases(() => ({ root, pristine }));
const SERIES = '1_t2';

function diffOf(a: Uint8Array, b: Uint8Array): VoxelDiff {
  const idx: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) idx.push(i);
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => a[i]!), after: Uint8Array.from(idx, (i) => b[i]!) };
}

function takeExpected(current: Uint8Array, source: Uint8Array, label: number): Uint8Array {
  const out = current.slice();
  for (let i = 0; i < out.length; i++) {
    if (source[i] === label) out[i] = label;
    else if (current[i] === label) out[i] = 0;
  }
  return out;
}

/** Labels of a volume by voxel count, largest first. */
function labelsOf(v: Uint8Array): number[] {
  const h = new Map<number, number>();
  for (const x of v) if (x !== 0) h.set(x, (h.get(x) ?? 0) + 1);
  return [...h].sort((a, b) => b[1] - a[1]).map(([l]) => l);
}

interface Setup {
  ws: Workstation;
  paths: { dataset: string; storeFile: string };
  original: Uint8Array;
  a: Uint8Array;
  b: Uint8Array;
  labels: number[];
}

const grade = (patientId: number, ivdLabel: number, field: ReaderGrade['field'], value: number): ReaderGrade =>
  ({ patientId, ivdLabel, field, value, firstValue: value, setAt: '2026-12-01T09:00:00.000Z' });

/**
 * Readers A and B imported into an adjudicator's store: on SERIES, A drops the first 60 voxels of the 2nd largest
 * label, B relabels half of the largest label as background and grows the 3rd largest by one voxel along i.
 * Grades at patient 1 level 2: A Pfirrmann 2, B Pfirrmann 5 and Modic 3.
 */
async function setup(): Promise<Setup> {
  const paths = fresh();
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'Adj', log: () => undefined });
  open.push(ws);
  const original = await originalLabels(paths.dataset, SERIES);
  const labels = labelsOf(original);
  const [l0, l1, l2] = labels as [number, number, number];
  const a = original.slice();
  const b = original.slice();
  let dropped = 0;
  for (let i = 0; i < a.length && dropped < 60; i++) if (a[i] === l1) { a[i] = 0; dropped++; }
  const total = original.filter((x) => x === l0).length;
  let seen = 0;
  for (let i = 1; i < b.length; i++) {
    if (original[i] === l0 && seen++ < total / 2) b[i] = 0;
    if (original[i] === l2 && original[i - 1] === 0) b[i - 1] = l2;
  }
  const importOne = (name: string, labelsOfReader: Uint8Array, grades: ReaderGrade[]): void => {
    const d = diffOf(original, labelsOfReader);
    ws.store.readers.importLayer({
      name, sha256: (name.endsWith('A') ? 'a' : 'b').repeat(64), packageCreatedAt: '2026-12-01T10:00:00.000Z', appVersion: 'test',
      datasetFingerprint: ws.index.identity, importedBy: ws.store.annotators.ensure('Adj'), grades,
      labels: [{ seriesId: SERIES, voxelCount: original.length, changed: d.indices.length, encoding: DIFF_ENCODING, diff: encodeDiff(d), revision: 7 }],
    });
  };
  importOne('Reader A', a, [grade(1, 2, 'pfirrmann', 2)]);
  importOne('Reader B', b, [grade(1, 2, 'pfirrmann', 5), grade(1, 2, 'modic', 3)]);
  return { ws, paths, original, a, b, labels };
}

function exportOf(ws: Workstation, req: Partial<ExportRequest> & { outDir: string }) {
  return runExport(
    { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 2, appVersion: workstationVersion() },
    { format: 'mha', changedOnly: false, force: false, ...req },
  );
}

async function exportedMask(dir: string, seriesId: string): Promise<Uint8Array> {
  const img = await readImageNode(join(dir, 'masks', `${seriesId}.mha`));
  return Uint8Array.from(img.data as Int16Array);
}

/** The CSV cell of a level and field in an export (null: no row). */
function csvValue(dir: string, patientId: number, ivdLabel: number, field: 'pfirrmann' | 'modic'): number | null {
  const t = parseGradingsCsv(readFileSync(join(dir, 'radiological_gradings.csv')), 'radiological_gradings.csv');
  return t.rows.find((r) => r.patient === patientId && r.ivdLabel === ivdLabel)?.[field] ?? null;
}

async function live(ws: Workstation): Promise<{ volume: Uint8Array; revision: number }> {
  const opened = await ws.service.openSeries({ seriesId: SERIES });
  return { volume: (await ws.volumeBytes(SERIES, 'mask')).slice(), revision: opened.revision };
}

function takeRequest(revision: number, label: number, d: VoxelDiff, from: SourceRef): Request<'commitEdit'> {
  return { seriesId: SERIES, baseRevision: revision, tool: 'adjudicate', label, description: `Adjudicate ${label}`, diff: encodeDiff(d), adjudication: { from } };
}

describe('export source', () => {
  it("'reader:Reader B' writes B's labels voxel for voxel and B's grades, with provenance and agreement", async () => {
    const { ws, paths, original, b, labels } = await setup();
    const before = hashTree(paths.dataset);
    const out = join(root, 'reader-b');
    const res = await exportOf(ws, { outDir: out, source: 'reader:Reader B' });
    expect(res.seriesChanged).toBe(1);
    expect(sameBytes(await exportedMask(out, SERIES), b)).toBe(true);
    const tree = hashTree(out);
    for (const [file, hash] of Object.entries(before)) if (file !== `masks/${SERIES}.mha` && file !== 'radiological_gradings.csv') expect(tree[file], file).toBe(hash);
    expect(csvValue(out, 1, 2, 'pfirrmann')).toBe(5);
    expect(csvValue(out, 1, 2, 'modic')).toBe(3);
    expectManifestHashes(out);
    const m = readManifest(out);
    expect(m.annotationSource).toBe('reader:Reader B');
    expect(m.series.find((s) => s.seriesId === SERIES)).toMatchObject({ labels: 'changed', revision: 7, activeEdits: 0 });
    const changed = labels.filter((l) => original.some((x, i) => (x === l) !== (b[i] === l)));
    expect(m.provenance!.labels.map((l) => [l.seriesId, l.value, l.from])).toEqual(changed.sort((x, y) => x - y).map((l) => [SERIES, l, 'reader:Reader B']));
    expect(m.provenance!.grades.map((g) => [g.field, g.value, g.from, g.annotator])).toEqual(
      expect.arrayContaining([['pfirrmann', 5, 'reader:Reader B', 'Reader B'], ['modic', 3, 'reader:Reader B', 'Reader B']]));
    // Agreement: A vs B and B vs original; B vs original differs in exactly one series.
    expect(m.agreement!.map((x) => [x.a, x.b])).toEqual([['reader:Reader A', 'reader:Reader B'], ['reader:Reader B', 'original']]);
    expect(m.agreement![1]!.seriesDiffering).toBe(1);
    const pf = m.agreement![0]!.kappa.find((k) => k.field === 'pfirrmann')!;
    expect(pf.n).toBe(1);
    expect(readFileSync(join(out, 'CHANGES.md'), 'utf8')).toContain('## Sources (exported: reader:Reader B)');
    expect(hashTree(paths.dataset)).toEqual(before);
  });

  it("'reader:Reader B' as nnU-Net: labelsTr holds B's labels remapped; progress names the agreement pass", async () => {
    const { ws, b } = await setup();
    const out = join(root, 'reader-b-nifti');
    const currents: string[] = [];
    await runExport(
      { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 2, appVersion: 'test' },
      { outDir: out, format: 'nifti', changedOnly: false, force: false, source: 'reader:Reader B' },
      { onProgress: (p) => { if (p.current) currents.push(p.current); } },
    );
    const img = await readImageNode(join(out, 'labelsTr', `${SERIES}.nii.gz`));
    expect(sameBytes(Uint8Array.from(img.data as ArrayLike<number>), Uint8Array.from(b, (v) => spiderToNnunet(v)!))).toBe(true);
    expect(readManifest(out).series.find((s) => s.seriesId === SERIES)?.labels).toBe('changed');
    for (const pair of ['reader:Reader A vs reader:Reader B', 'reader:Reader B vs original']) {
      expect(currents.filter((c) => c.startsWith(`agreement ${pair} (`)).at(-1), pair).toMatch(/\((\d+)\/\1 series\)$/);
    }
  });

  it("'original' reproduces the source byte for byte although the store holds edits and gradings", async () => {
    const { ws, paths, b, labels } = await setup();
    const { volume, revision } = await live(ws);
    await ws.service.commitEdit(takeRequest(revision, labels[0]!, diffOf(volume, takeExpected(volume, b, labels[0]!)), 'reader:Reader B'));
    await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: 1 });
    const before = hashTree(paths.dataset);
    const out = join(root, 'original');
    const res = await exportOf(ws, { outDir: out, source: 'original' });
    expect(res).toMatchObject({ seriesChanged: 0, gradingChanges: 0 });
    const tree = hashTree(out);
    delete tree['CHANGES.md'];
    delete tree['export-manifest.json'];
    expect(tree).toEqual(before);
    const m = readManifest(out);
    expect(m.annotationSource).toBe('original');
    expect(m.provenance).toEqual({ labels: [], grades: [] });
    expect(m.notes[0]).toMatch(/as released/);
  });

  it("'local' after adjudication: decided labels and levels name source and adjudicator; hand edits name their editors", async () => {
    const { ws, original, a, b, labels } = await setup();
    const [l0, l1, l2] = labels as [number, number, number];
    // l0 from B (an edit), l1 from A then undone (the decision no longer holds), l2 edited by hand, level from B.
    let { volume, revision } = await live(ws);
    const takeB = await ws.service.commitEdit(takeRequest(revision, l0, diffOf(volume, takeExpected(volume, b, l0)), 'reader:Reader B'));
    ({ volume, revision } = await live(ws));
    await ws.service.commitEdit(takeRequest(revision, l1, diffOf(volume, takeExpected(volume, a, l1)), 'reader:Reader A'));
    await ws.service.undo({ seriesId: SERIES });
    ({ volume, revision } = await live(ws));
    const at = volume.indexOf(0);
    const hand: VoxelDiff = { indices: Uint32Array.of(at), before: Uint8Array.of(0), after: Uint8Array.of(l2) };
    await ws.service.commitEdit({ seriesId: SERIES, baseRevision: revision, tool: 'brush', label: l2, description: 'Brush', diff: encodeDiff(hand) });
    await ws.service.adjudicate({ kind: 'label', seriesId: SERIES, label: l2, from: null });
    await ws.service.adjudicate({ kind: 'level', patientId: 1, ivdLabel: 2, from: 'reader:Reader B' });
    const expected = takeExpected(original, b, l0);
    expected[at] = l2;

    const out = join(root, 'local');
    await exportOf(ws, { outDir: out });
    expect(sameBytes(await exportedMask(out, SERIES), expected)).toBe(true);
    expect(csvValue(out, 1, 2, 'pfirrmann')).toBe(5);
    const m = readManifest(out);
    expect(m.annotationSource).toBe('local');
    const byLabel = new Map(m.provenance!.labels.map((l) => [l.value, l]));
    expect(byLabel.get(l0)).toMatchObject({ from: 'reader:Reader B', decision: { from: 'reader:Reader B', adjudicator: 'Adj', editSeq: takeB.seq, holds: true } });
    expect(byLabel.get(l1)).toMatchObject({ from: 'original', decision: { from: 'reader:Reader A', adjudicator: 'Adj', holds: false } });
    expect(byLabel.get(l2)).toMatchObject({ from: 'edited', editors: ['Adj'], decision: { from: null, adjudicator: 'Adj', holds: true } });
    const pf = m.provenance!.grades.find((g) => g.patientId === 1 && g.ivdLabel === 2 && g.field === 'pfirrmann')!;
    expect(pf).toMatchObject({ value: 5, from: 'reader:Reader B', annotator: 'Adj', decision: { from: 'reader:Reader B', adjudicator: 'Adj', holds: true } });
    expect(m.agreement!.map((x) => [x.a, x.b])).toEqual([['reader:Reader A', 'reader:Reader B']]);
  });

  it('refuses an unknown reader with nothing written; runs as a service job and through `spine-ws export --source`', async () => {
    const { ws, paths, b } = await setup();
    const out = join(root, 'nobody');
    const err = await exportOf(ws, { outDir: out, source: 'reader:Nobody' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/No reader Nobody in this store \(imported: Reader A, Reader B\)/);
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
    await expect(ws.service.startExport({ outDir: out, format: 'mha', changedOnly: false, force: false, source: 'reader:Nobody' })).rejects.toThrow(/No reader Nobody/);
    // The same job with a known reader runs to the end (the app's Export dialog passes `source` this way).
    const jobOut = join(root, 'job-b');
    const { jobId } = await ws.service.startExport({ outDir: jobOut, format: 'mha', changedOnly: true, force: false, source: 'reader:Reader B' });
    let status = await ws.service.exportStatus({ jobId });
    for (let i = 0; i < 600 && status.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = await ws.service.exportStatus({ jobId });
    }
    expect(status.state).toBe('done');
    expect(sameBytes(await exportedMask(jobOut, SERIES), b)).toBe(true);
    // The job takes the agreement from the workstation's cached figures: the same as the agreement method's.
    const jobAgreement = readManifest(jobOut).agreement!;
    expect(jobAgreement.map((p) => [p.a, p.b])).toEqual([['reader:Reader A', 'reader:Reader B'], ['reader:Reader B', 'original']]);
    const ab = await ws.service.agreement({ a: 'reader:Reader A', b: 'reader:Reader B' });
    expect(jobAgreement[0]).toMatchObject({ meanDice: ab.summary.meanDice, seriesDiffering: ab.summary.seriesDiffering, series: ab.summary.series });
    expect(readManifest(jobOut).series.map((x) => x.seriesId)).toEqual(['1_t1', '1_t2', '1_t2_SPACE'].filter((id) => ws.index.series.some((e) => e.id === id)));
    // The CLI (store opened read-only while the workstation holds it).
    const cliOut = join(root, 'cli-b');
    await expect(runExportCommand([paths.dataset, '--out', cliOut, '--store', paths.storeFile, '--source', 'bogus'])).rejects.toThrow(/--source must be local, original or reader:NAME/);
    const quiet = [vi.spyOn(process.stdout, 'write').mockImplementation(() => true), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
    let code: number;
    let said: string;
    try {
      code = await runExportCommand([paths.dataset, '--out', cliOut, '--store', paths.storeFile, '--source', 'reader:Reader B', '--workers', '1']);
      said = quiet[0]!.mock.calls.map((c) => String(c[0])).join('');
    } finally {
      for (const q of quiet) q.mockRestore();
    }
    expect(code).toBe(0);
    expect(said).toMatch(/from reader:Reader B to /);
    expect(sameBytes(await exportedMask(cliOut, SERIES), b)).toBe(true);
    expect(readManifest(cliOut).annotationSource).toBe('reader:Reader B');
  });
});
