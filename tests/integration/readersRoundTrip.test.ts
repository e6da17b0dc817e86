// Several readers end to end (issue 16): two scripted readers each work in their own workstation and store on the same
// sample dataset (real commitEdit diffs, real gradings), pack their work (exportAnnotations), and an adjudicator
// imports both packages into a third store, takes labels from A and from B (commitEdit with `adjudication`, the
// diff computed here from the live volume and the reader volumes built here), one level from each, and exports.
// Checked independently of the app: every exported mask voxel for voxel (itk-wasm reads the files; the expected
// volumes are the original masks with the scripted diffs and the take-label rule applied here), the gradings CSV
// cells, the manifest's provenance (source, adjudicator) and its agreement Dice (computed here from the volumes);
// and an export with source 'reader:Reader B' equals B's labels voxel for voxel.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImageNode } from '@itk-wasm/image-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradingField } from '../../common/gradings.js';
import { applyDiff, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { workstationVersion } from '../../main/cli/export.js';
import { parseGradingsCsv } from '../../main/core/dataset/index.js';
import { runExport, type ExportManifest } from '../../main/core/export/index.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { expectManifestHashes, readManifest } from './exportHelpers.js';
import { brushDiff, hashTree, prng, sameBytes } from './journalHelpers.js';

let root: string;
let dataset: string;
const opened: Workstation[] = [];
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-readers-'));
  await generateSample({ out: join(root, 'pristine'), patients: 3, seed: 'readers-round-trip' });
  dataset = join(root, 'ds');
  cpSync(join(root, 'pristine'), dataset, { recursive: true });
});
afterAll(() => {
  for (const ws of opened) ws.close();
  rmSync(root, { recursive: true, force: true });
});

async function start(annotator: string, store: string): Promise<Workstation> {
  const ws = await openWorkstation({ datasetRoot: dataset, storeFile: join(root, store), annotator, log: () => undefined, appVersion: 'test' });
  opened.push(ws);
  return ws;
}

/** A mask as written on disk, one byte per voxel, read by itk-wasm (not the app's reader). */
async function maskOf(dir: string, seriesId: string): Promise<Uint8Array> {
  const img = await readImageNode(join(dir, 'masks', `${seriesId}.mha`));
  return Uint8Array.from(img.data as ArrayLike<number>);
}

const readdirFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.endsWith('.mha')).sort();

/** Labels of a volume by voxel count, largest first. */
function labelsOf(v: Uint8Array): number[] {
  const h = new Map<number, number>();
  for (const x of v) if (x !== 0) h.set(x, (h.get(x) ?? 0) + 1);
  return [...h].sort((a, b) => b[1] - a[1]).map(([l]) => l);
}

function diffOf(a: Uint8Array, b: Uint8Array): VoxelDiff {
  const idx: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) idx.push(i);
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => a[i]!), after: Uint8Array.from(idx, (i) => b[i]!) };
}

/** "label L := source's L" from its definition: source L → L, here L not in source → 0, nothing else. */
function take(current: Uint8Array, source: Uint8Array, label: number): Uint8Array {
  const out = current.slice();
  for (let i = 0; i < out.length; i++) {
    if (source[i] === label) out[i] = label;
    else if (current[i] === label) out[i] = 0;
  }
  return out;
}

/** Dice of label L between two volumes (1 when both lack it). */
function dice(a: Uint8Array, b: Uint8Array, label: number): number {
  let na = 0, nb = 0, both = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === label, y = b[i] === label;
    if (x) na++;
    if (y) nb++;
    if (x && y) both++;
  }
  return na + nb === 0 ? 1 : (2 * both) / (na + nb);
}

/** Paints `strokes` brush strokes of `label` through commitEdit; applies them to `volume` (the expected labels). */
async function paint(ws: Workstation, seriesId: string, volume: Uint8Array, seed: number, label: number, strokes = 3): Promise<void> {
  const info = await ws.service.openSeries({ seriesId });
  let revision = info.revision;
  const rnd = prng(seed);
  for (let n = 0; n < strokes; n++) {
    const { diff } = brushDiff(volume, info.image.geometry.size, rnd, 7);
    diff.after.fill(label);
    const keep = [...diff.indices.keys()].filter((i) => diff.before[i] !== label);
    const d: VoxelDiff = { indices: Uint32Array.from(keep, (i) => diff.indices[i]!), before: Uint8Array.from(keep, (i) => diff.before[i]!), after: Uint8Array.from(keep, () => label) };
    if (d.indices.length === 0) continue;
    revision = (await ws.service.commitEdit({ seriesId, baseRevision: revision, tool: 'brush', label, description: 'Brush', diff: encodeDiff(d) })).revision;
    applyDiff(volume, d, 'forward');
  }
}

type Grades = Partial<Record<GradingField, number>>;
async function gradeLevel(ws: Workstation, patientId: number, ivdLabel: number, values: Grades): Promise<void> {
  for (const [field, value] of Object.entries(values)) await ws.service.setGrading({ patientId, ivdLabel, field: field as GradingField, value });
}

function csvCell(dir: string, patientId: number, ivdLabel: number, field: GradingField): number | null {
  const t = parseGradingsCsv(readFileSync(join(dir, 'radiological_gradings.csv')), 'radiological_gradings.csv');
  return t.rows.find((r) => r.patient === patientId && r.ivdLabel === ivdLabel)?.[field] ?? null;
}

const exportOf = (ws: Workstation, outDir: string, source: 'local' | `reader:${string}`) =>
  runExport({ index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 2, appVersion: workstationVersion() },
    { outDir, format: 'mha', changedOnly: false, force: false, source });

describe('two readers → packages → adjudication → consensus export', () => {
  it('exports exactly the adjudicated labels and grades, with provenance and agreement; a reader source equals that reader', async () => {
    // Every series of the sample (the agreement covers them all); the scripted work touches three.
    const original = new Map<string, Uint8Array>();
    const all = (await readdirFiles(join(dataset, 'masks'))).map((f) => f.replace(/\.mha$/, ''));
    for (const id of all) original.set(id, await maskOf(dataset, id));
    const seriesIds = ['1_t2', '2_t2', '3_t1'];
    expect(all).toEqual(expect.arrayContaining(seriesIds));
    const csvBefore = (p: number, k: number, f: GradingField): number | null => csvCell(dataset, p, k, f);
    const [x, y] = labelsOf(original.get('1_t2')!) as [number, number];
    const z = labelsOf(original.get('2_t2')!)[1]!;
    const w = labelsOf(original.get('3_t1')!)[0]!;
    // A different legal Pfirrmann / Modic than the CSV's, and a third one for B.
    const other = (v: number | null, max: number, min: number, shift: number): number => ((((v ?? min) - min + shift) % (max - min + 1)) + min);

    // Reader A: grows x on 1_t2 and z on 2_t2; grades patient 1 levels 1 and 2.
    const a = new Map([...original].map(([id, v]) => [id, v.slice()]));
    const wsA = await start('Reader A', 'a.sqlite');
    await paint(wsA, '1_t2', a.get('1_t2')!, 1, x);
    await paint(wsA, '2_t2', a.get('2_t2')!, 2, z);
    const gradesA: Record<number, Grades> = {
      1: { pfirrmann: other(csvBefore(1, 1, 'pfirrmann'), 5, 1, 1), modic: other(csvBefore(1, 1, 'modic'), 3, 0, 1) },
      2: { pfirrmann: other(csvBefore(1, 2, 'pfirrmann'), 5, 1, 1) },
    };
    for (const [k, g] of Object.entries(gradesA)) await gradeLevel(wsA, 1, Number(k), g);
    const packA = await wsA.service.exportAnnotations({ annotator: 'Reader A' });

    // Reader B: grows y on 1_t2 (over x where they meet) and w on 3_t1; grades the same levels differently.
    const b = new Map([...original].map(([id, v]) => [id, v.slice()]));
    const wsB = await start('Reader B', 'b.sqlite');
    await paint(wsB, '1_t2', b.get('1_t2')!, 3, y);
    await paint(wsB, '3_t1', b.get('3_t1')!, 4, w);
    const gradesB: Record<number, Grades> = {
      1: { pfirrmann: other(csvBefore(1, 1, 'pfirrmann'), 5, 1, 2), modic: other(csvBefore(1, 1, 'modic'), 3, 0, 2) },
      2: { pfirrmann: other(csvBefore(1, 2, 'pfirrmann'), 5, 1, 2), herniation: 1 - (csvBefore(1, 2, 'herniation') ?? 0) },
    };
    for (const [k, g] of Object.entries(gradesB)) await gradeLevel(wsB, 1, Number(k), g);
    const packB = await wsB.service.exportAnnotations({ annotator: 'Reader B' });
    // The readers' own current labels are what the test built.
    for (const [ws, mine] of [[wsA, a], [wsB, b]] as const) {
      for (const id of seriesIds) expect(sameBytes((await ws.volumeBytes(id, 'mask')).slice(), mine.get(id)!), id).toBe(true);
    }

    // The adjudicator imports both.
    const adj = await start('Adj', 'adj.sqlite');
    await adj.service.importAnnotations({ fileName: packA.fileName, data: packA.data });
    await adj.service.importAnnotations({ fileName: packB.fileName, data: packB.data });
    expect((await adj.service.listReaders({})).readers.map((r) => r.name)).toEqual(['Reader A', 'Reader B']);

    // Labels: 1_t2 x from A, then y from B; 2_t2 z from A. Levels: 1 from A, 2 from B.
    const expected = new Map<string, Uint8Array>([...original].map(([id, v]) => [id, v.slice()]));
    const takeFrom = async (seriesId: string, label: number, from: 'Reader A' | 'Reader B'): Promise<number> => {
      const source = (from === 'Reader A' ? a : b).get(seriesId)!;
      const info = await adj.service.openSeries({ seriesId });
      const live = (await adj.volumeBytes(seriesId, 'mask')).slice();
      expect(sameBytes(live, expected.get(seriesId)!)).toBe(true);
      const next = take(live, source, label);
      const res = await adj.service.commitEdit({
        seriesId, baseRevision: info.revision, tool: 'adjudicate', label, description: `Adjudicate ${label}: ${from}`,
        diff: encodeDiff(diffOf(live, next)), adjudication: { from: `reader:${from}` },
      });
      expected.set(seriesId, next);
      return res.seq;
    };
    const seqX = await takeFrom('1_t2', x, 'Reader A');
    const seqY = await takeFrom('1_t2', y, 'Reader B');
    await takeFrom('2_t2', z, 'Reader A');
    await adj.service.adjudicate({ kind: 'level', patientId: 1, ivdLabel: 1, from: 'reader:Reader A' });
    await adj.service.adjudicate({ kind: 'level', patientId: 1, ivdLabel: 2, from: 'reader:Reader B' });
    const progress = await adj.service.adjudicationProgress({ a: 'reader:Reader A', b: 'reader:Reader B' });
    expect(progress.levels).toEqual({ total: 2, decided: 2 });
    expect(progress.labels.decided).toBe(3);

    const out = join(root, 'consensus');
    await exportOf(adj, out, 'local');
    expectManifestHashes(out);
    for (const id of all) expect(sameBytes(await maskOf(out, id), expected.get(id)!), id).toBe(true);
    const untouched = hashTree(dataset);
    const tree = hashTree(out);
    for (const [file, hash] of Object.entries(untouched)) {
      if (!/^masks\/(1_t2|2_t2)\.mha$/.test(file) && file !== 'radiological_gradings.csv') expect(tree[file], file).toBe(hash);
    }
    for (const [k, g] of Object.entries({ 1: gradesA[1]!, 2: gradesB[2]! })) {
      for (const [field, value] of Object.entries(g)) expect(csvCell(out, 1, Number(k), field as GradingField), `level ${k} ${field}`).toBe(value);
    }
    // Every other cell as released.
    const srcRows = parseGradingsCsv(readFileSync(join(dataset, 'radiological_gradings.csv')), 'x').rows;
    const outRows = parseGradingsCsv(readFileSync(join(out, 'radiological_gradings.csv')), 'x').rows;
    expect(outRows.filter((r) => !(r.patient === 1 && (r.ivdLabel === 1 || r.ivdLabel === 2)))).toEqual(srcRows.filter((r) => !(r.patient === 1 && (r.ivdLabel === 1 || r.ivdLabel === 2))));

    const m: ExportManifest = readManifest(out);
    expect(m.annotationSource).toBe('local');
    const label = (s: string, v: number) => m.provenance!.labels.find((l) => l.seriesId === s && l.value === v);
    expect(label('1_t2', x)).toMatchObject({ from: 'reader:Reader A', decision: { from: 'reader:Reader A', adjudicator: 'Adj', editSeq: seqX, holds: true } });
    expect(label('1_t2', y)).toMatchObject({ from: 'reader:Reader B', decision: { from: 'reader:Reader B', adjudicator: 'Adj', editSeq: seqY, holds: true } });
    expect(label('2_t2', z)).toMatchObject({ from: 'reader:Reader A', decision: { adjudicator: 'Adj' } });
    expect(label('3_t1', w)).toBeUndefined(); // B's w was not taken: the consensus keeps the original there
    for (const [k, from, g] of [[1, 'reader:Reader A', gradesA[1]!], [2, 'reader:Reader B', gradesB[2]!]] as const) {
      for (const [field, value] of Object.entries(g)) {
        expect(m.provenance!.grades.find((p) => p.patientId === 1 && p.ivdLabel === k && p.field === field)).toMatchObject({ value, from, annotator: 'Adj', decision: { from, adjudicator: 'Adj' } });
      }
    }
    // Agreement A vs B: mean Dice per label over the series holding it in A or B, computed here.
    const pair = m.agreement!.find((p) => p.a === 'reader:Reader A' && p.b === 'reader:Reader B')!;
    for (const l of [x, y, z, w]) {
      const per = all.filter((id) => a.get(id)!.includes(l) || b.get(id)!.includes(l)).map((id) => dice(a.get(id)!, b.get(id)!, l));
      const mean = per.reduce((s, d) => s + d, 0) / per.length;
      const got = pair.labels.find((p) => p.value === l);
      expect(got?.series, `label ${l}`).toBe(per.length);
      expect(got!.meanDice).toBeCloseTo(mean, 6);
    }
    expect(pair.seriesDiffering).toBe(3);
    expect(pair.kappa.find((k) => k.field === 'pfirrmann')?.n).toBe(2);

    // Source 'reader:Reader B': B's labels voxel for voxel, B's grades.
    const outB = join(root, 'reader-b');
    await exportOf(adj, outB, 'reader:Reader B');
    for (const id of all) expect(sameBytes(await maskOf(outB, id), b.get(id)!), id).toBe(true);
    for (const [k, g] of Object.entries(gradesB)) {
      for (const [field, value] of Object.entries(g)) expect(csvCell(outB, 1, Number(k), field as GradingField)).toBe(value);
    }
    expect(readManifest(outB).agreement!.map((p) => [p.a, p.b])).toEqual([['reader:Reader A', 'reader:Reader B'], ['reader:Reader B', 'original']]);
  });
});
