// Annotation packages end to end (issue 16) on a generated sample, real .mha files and real SQLite stores: two
// scripted readers ("Reader A", "Reader B") edit labels through commitEdit and grade levels, each in its own store;
// A is packed through the service, B through `spine-ws pack` (the CLI entry, store read-only while B's workstation
// runs); both are imported into a third store (B with `spine-ws unpack` before the adjudicator opens it, A through
// importAnnotations). The third store's reader sources then equal each reader's own labels voxel for voxel and their
// grades exactly; importing again changes nothing; a package of another dataset and damaged packages are refused
// typed, naming the file, with the store's tables unchanged; another package of a reader is a conflict until
// replaced.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SourceRef } from '../../common/contractReaders.js';
import { AppError } from '../../common/errors.js';
import type { GradingField } from '../../common/gradings.js';
import { base64ToBytes, bytesToBase64 } from '../../common/labelDiff.js';
import { main } from '../../main/cli/index.js';
import { scanDataset, type DatasetIndex } from '../../main/core/dataset/index.js';
import { readOnlySourceContext, sourceGrades, sourceLabels } from '../../main/core/readers/sources.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { brushDiff, diffBytes, originalLabels, prng } from './journalHelpers.js';

let root: string;
let ds: string;
let other: string;
let index: DatasetIndex;
const open: Workstation[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-packages-'));
  ds = join(root, 'spider');
  other = join(root, 'other');
  await generateSample({ out: ds, patients: 2, seed: 'packages' });
  await generateSample({ out: other, patients: 2, seed: 'packages-other' });
  index = await scanDataset(ds);
});
afterAll(() => {
  for (const ws of open.splice(0)) ws.close();
  rmSync(root, { recursive: true, force: true });
});

async function start(dataset: string, storeFile: string, annotator: string): Promise<Workstation> {
  const ws = await openWorkstation({ datasetRoot: dataset, storeFile, annotator, log: () => undefined, appVersion: '9.8.7' });
  open.push(ws);
  return ws;
}
function stop(ws: Workstation): void {
  open.splice(open.indexOf(ws), 1);
  ws.close();
}

/** `n` random brush strokes on a series through commitEdit. */
async function strokes(ws: Workstation, seriesId: string, n: number, seed: number): Promise<void> {
  const rnd = prng(seed);
  for (let i = 0; i < n; i++) {
    const opened = await ws.service.openSeries({ seriesId });
    const mask = await ws.volumeBytes(seriesId, 'mask');
    const { diff, label } = brushDiff(mask, opened.image.geometry.size, rnd);
    await ws.service.commitEdit({ seriesId, baseRevision: opened.revision, tool: 'brush', label, description: `Brush ${label}`, diff: diffBytes(diff) });
  }
}

/** Runs `spine-ws ARGS` in this process; returns the exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Every row of the reader tables of a store file (read through a second, read-only connection). */
function tables(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries(
      ['readers', 'reader_labels', 'reader_grades', 'adjudications', 'annotators'].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]),
    );
  } finally {
    db.close();
  }
}

async function refused(p: Promise<unknown>, code: string): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

/** Expected reader grades: key → field → value for basis 'current' and 'first'. */
type Grades = Record<string, Partial<Record<GradingField, number>>>;
/** A yes/no value other than the CSV's for that level and field (setting the CSV value itself changes nothing). */
const flip = (patientId: number, ivdLabel: number, field: GradingField): number =>
  index.gradings?.rows.find((r) => r.patient === patientId && r.ivdLabel === ivdLabel)?.[field] === 1 ? 0 : 1;
const asObject = (m: Map<string, Partial<Record<GradingField, number>>>): Grades => Object.fromEntries(m);

describe('annotation packages', () => {
  it('round-trips two readers into a third store, idempotently, refusing bad packages', async () => {
    const [s1, s2, s3] = index.series.map((e) => e.id) as [string, string, string];
    // Values other than the CSV's (setting the CSV value itself stores nothing).
    const csvOf = (p: number, k: number, f: GradingField): number | null | undefined => index.gradings?.rows.find((r) => r.patient === p && r.ivdLabel === k)?.[f];
    const P = [1, 2, 3, 4, 5].filter((v) => v !== csvOf(1, 1, 'pfirrmann')) as [number, number, number, number];
    const M = [1, 2, 3].find((v) => v !== csvOf(1, 2, 'modic'))!;
    const aFile = join(root, 'a.sqlite');
    const bFile = join(root, 'b.sqlite');
    const cFile = join(root, 'c.sqlite');

    // Reader A: three strokes on s1 (one undone), two on s2; Bob also edits s2 in A's store. Grades with a change.
    const wsA = await start(ds, aFile, 'Reader A');
    await strokes(wsA, s1, 3, 1);
    await wsA.service.undo({ seriesId: s1 });
    await strokes(wsA, s2, 2, 2);
    await wsA.service.setGrading({ patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: P[0] });
    await wsA.service.setGrading({ patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: P[1] });
    await wsA.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'modic', value: M });
    await wsA.service.setAnnotator({ name: 'Bob' });
    await strokes(wsA, s2, 1, 3);
    await wsA.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'herniation', value: flip(2, 1, 'herniation') }); // Bob's
    await wsA.service.setAnnotator({ name: 'Reader A' });

    // Reader B: strokes on s2 and s3; other grades.
    const wsB = await start(ds, bFile, 'Reader B');
    await strokes(wsB, s2, 2, 4);
    await strokes(wsB, s3, 1, 5);
    await wsB.service.setGrading({ patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: P[2] });
    await wsB.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'bulging', value: flip(2, 1, 'bulging') });

    // Pack A through the service, B through the CLI (B's workstation keeps its store open meanwhile).
    const packedA = await wsA.service.exportAnnotations({ annotator: 'Reader A' });
    expect(packedA.fileName).toMatch(/^spider-Reader_A-\d{8}\.spinepkg$/);
    expect(packedA.series).toBe(2);
    expect(packedA.grades).toBe(2);
    expect(packedA.warnings.join('\n')).toContain(`${s2}: also holds active label edits by Bob`);
    const bPkg = join(root, 'out', 'b.spinepkg');
    mkdirSync(join(root, 'out'));
    const packB = await cli(['pack', ds, '--annotator', 'Reader B', '--out', bPkg, '--store', bFile]);
    expect(packB.err).toBe('');
    expect(packB.code).toBe(0);
    expect(packB.out).toContain('Packed Reader B: 2 series, 2 grades');
    expect((await cli(['pack', ds, '--annotator', 'Reader B', '--out', bPkg, '--store', bFile])).code).toBe(1); // exists
    expect((await cli(['pack', ds, '--annotator', 'Nobody', '--out', join(root, 'out', 'n.spinepkg'), '--store', bFile])).err).toContain('No annotator Nobody');
    expect((await cli(['pack', ds, '--annotator', 'Reader B', '--out', join(ds, 'b.spinepkg'), '--store', bFile])).code).toBe(2); // inside
    const folder = await cli(['pack', ds, '--annotator', 'Reader B', '--out', join(root, 'out'), '--store', bFile, '--force']);
    expect(folder.code).toBe(2);
    expect(folder.err).toContain('is a folder');
    const nowhere = await cli(['pack', ds, '--annotator', 'Reader B', '--out', join(root, 'no-such-dir', 'b.spinepkg'), '--store', bFile]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.err).toMatch(/Could not write .*b\.spinepkg: ENOENT/);

    // Import B with the CLI into a fresh store, then A through the adjudicator's workstation.
    const unpackB = await cli(['unpack', ds, bPkg, '--store', cFile, '--annotator', 'Adj']);
    expect(unpackB.code).toBe(0);
    expect(unpackB.out).toContain('Imported Reader B: 2 series, 2 levels, 2 grades');
    const wsC = await start(ds, cFile, 'Adj');
    const locked = await cli(['unpack', ds, bPkg, '--store', cFile]);
    expect(locked.code).toBe(1);
    expect(locked.err).toContain('db_locked');
    expect(locked.err).toContain('Import annotations');
    const importedA = await wsC.service.importAnnotations({ fileName: packedA.fileName, data: packedA.data });
    expect(importedA.alreadyImported).toBe(false);
    expect(importedA.reader).toMatchObject({ name: 'Reader A', importedBy: 'Adj', appVersion: '9.8.7', seriesWithLabels: 2, gradedLevels: 2, grades: 2 });
    const { readers } = await wsC.service.listReaders({});
    expect(readers.map((r) => [r.name, r.importedBy, r.seriesWithLabels])).toEqual([['Reader A', 'Adj', 2], ['Reader B', 'Adj', 2]]);

    // Labels: the third store's reader sources equal each reader's own current labels, voxel for voxel.
    const ctxC = readOnlySourceContext(index, wsC.store);
    for (const [ws, src] of [[wsA, 'reader:Reader A'], [wsB, 'reader:Reader B']] as [Workstation, SourceRef][]) {
      for (const e of index.series) {
        const own = await ws.volumeBytes(e.id, 'mask');
        const viaC = await sourceLabels(ctxC, src, e);
        expect(viaC, `${src} ${e.id}`).not.toBeNull();
        expect(Buffer.compare(Buffer.from(viaC!), Buffer.from(own)), `${src} ${e.id}`).toBe(0);
        // The read-only context of the reader's own store gives the same 'local' labels as the live workstation.
        const local = await sourceLabels(readOnlySourceContext(index, ws.store), 'local', e);
        expect(Buffer.compare(Buffer.from(local!), Buffer.from(own)), `local ${e.id}`).toBe(0);
      }
    }
    expect(Buffer.compare(Buffer.from((await sourceLabels(ctxC, 'original', index.series[0]!))!), Buffer.from(await originalLabels(ds, s1)))).toBe(0);

    // Grades: exactly what each reader entered (current and first), no CSV fallback.
    expect(asObject(sourceGrades(ctxC, 'reader:Reader A', 'current'))).toEqual({ '1:1': { pfirrmann: P[1] }, '1:2': { modic: M } });
    expect(asObject(sourceGrades(ctxC, 'reader:Reader A', 'first'))).toEqual({ '1:1': { pfirrmann: P[0] }, '1:2': { modic: M } });
    expect(asObject(sourceGrades(ctxC, 'reader:Reader B', 'current'))).toEqual({ '1:1': { pfirrmann: P[2] }, '2:1': { bulging: flip(2, 1, 'bulging') } });
    const localA = sourceGrades({ index, store: wsA.store }, 'local', 'current');
    const csv = sourceGrades({ index, store: wsA.store }, 'original', 'current');
    expect(localA.get('1:1')).toEqual({ ...csv.get('1:1'), pfirrmann: P[1] });
    expect(localA.get('2:1')).toEqual({ ...csv.get('2:1'), herniation: flip(2, 1, 'herniation') });
    expect(asObject(sourceGrades({ index, store: wsA.store }, 'local', 'first'))).toEqual({ '1:1': { pfirrmann: P[0] }, '1:2': { modic: M }, '2:1': { herniation: flip(2, 1, 'herniation') } });

    // Importing again (service and CLI after closing) changes nothing.
    const before = tables(cFile);
    const again = await wsC.service.importAnnotations({ fileName: packedA.fileName, data: packedA.data });
    expect(again.alreadyImported).toBe(true);
    expect(tables(cFile)).toEqual(before);

    // Another dataset's package: refused naming both datasets; damaged packages: refused naming the file.
    const wsO = await start(other, join(root, 'o.sqlite'), 'Reader A');
    await strokes(wsO, s1, 1, 6);
    const foreign = await wsO.service.exportAnnotations({ annotator: 'Reader A' });
    stop(wsO);
    const err = await refused(wsC.service.importAnnotations({ fileName: 'foreign.spinepkg', data: foreign.data, replace: true }), 'invalid_request');
    expect(err.message).toContain('foreign.spinepkg');
    expect(err.message).toContain('dataset other');
    expect(err.message).toContain('dataset spider');
    const good = base64ToBytes(packedA.data);
    const mangled: [string, Uint8Array][] = [
      ['truncated', good.subarray(0, good.length - 7)],
      ['flipped', Uint8Array.from(good, (b, i) => (i === Math.floor(good.length / 2) ? b ^ 0x10 : b))],
      ['magic', Uint8Array.from(good, (b, i) => (i === 0 ? 0x50 : b))],
      ['newer', Uint8Array.from(good, (b, i) => (i === 8 ? 2 : b))],
    ];
    for (const [what, bytes] of mangled) {
      const e = await refused(wsC.service.importAnnotations({ fileName: `${what}.spinepkg`, data: bytesToBase64(bytes), replace: true }), 'invalid_file');
      expect(e.message.startsWith(`${what}.spinepkg: `), e.message).toBe(true);
      if (what === 'newer') expect(e.message).toContain('newer workstation');
    }
    expect(tables(cFile)).toEqual(before);

    // A new package of Reader A is a conflict until imported with replace; then the layer is A's new labels.
    await strokes(wsA, s3, 1, 7);
    const packedA2 = await wsA.service.exportAnnotations({ annotator: 'Reader A' });
    const conflict = await refused(wsC.service.importAnnotations({ fileName: 'a2.spinepkg', data: packedA2.data }), 'conflict');
    expect(conflict.message).toContain('Reader A');
    expect(tables(cFile)).toEqual(before);
    const replaced = await wsC.service.importAnnotations({ fileName: 'a2.spinepkg', data: packedA2.data, replace: true });
    expect(replaced.reader.seriesWithLabels).toBe(3);
    const e3 = index.series[2]!;
    expect(Buffer.compare(Buffer.from((await sourceLabels(ctxC, 'reader:Reader A', e3))!), Buffer.from(await wsA.volumeBytes(s3, 'mask')))).toBe(0);

    // The CLI refuses a damaged file before opening the store; after the app closes, unpack is idempotent.
    stop(wsC);
    const bad = join(root, 'out', 'bad.spinepkg');
    writeFileSync(bad, readFileSync(bPkg).subarray(0, 100));
    const r = await cli(['unpack', ds, bad, '--store', cFile]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad.spinepkg: ');
    const beforeCli = tables(cFile);
    const again2 = await cli(['unpack', ds, bPkg, '--store', cFile, '--json']);
    expect(again2.code).toBe(0);
    expect(JSON.parse(again2.out)).toMatchObject({ alreadyImported: true, reader: { name: 'Reader B' } });
    expect(tables(cFile)).toEqual(beforeCli);
    stop(wsA);
    stop(wsB);
  }, 120_000);

  it('refuses to pack an annotator with nothing to pack and an unknown reader source', async () => {
    const ws = await start(ds, join(root, 'empty.sqlite'), 'Idle');
    await refused(ws.service.exportAnnotations({ annotator: 'Idle' }), 'not_found');
    await refused(ws.service.exportAnnotations({ annotator: 'Ghost' }), 'not_found');
    const err = await refused(sourceLabels(readOnlySourceContext(index, ws.store), 'reader:Ghost', index.series[0]!), 'not_found');
    expect(err.message).toBe('No reader Ghost in this store (imported: none)');
    expect(() => sourceGrades({ index, store: ws.store }, 'reader:Ghost', 'current')).toThrow(AppError);
    stop(ws);
  });

  it('sources: a layer that does not fit its image or mask is refused typed; blanks and missing images', async () => {
    const ws = await start(ds, join(root, 'sources.sqlite'), 'Adj');
    const [e1, e2] = index.series as [DatasetIndex['series'][number], DatasetIndex['series'][number]];
    const n1 = e1.image!.geometry.size.reduce((a, b) => a * b, 1);
    const orig = await originalLabels(ds, e1.id);
    const at = orig.findIndex((v) => v !== 0);
    const diff = (before: number): Uint8Array => diffBytes({ indices: Uint32Array.of(at), before: Uint8Array.of(before), after: Uint8Array.of(before === 100 ? 0 : 100) });
    const layer = (name: string, labels: { seriesId: string; voxelCount: number; diff: Uint8Array }[]) =>
      ws.store.readers.importLayer({
        name, sha256: name === 'Fits' ? 'a'.repeat(64) : name === 'Wrong size' ? 'b'.repeat(64) : 'c'.repeat(64),
        packageCreatedAt: '2025-01-01T00:00:00.000Z', appVersion: 't', datasetFingerprint: index.identity,
        importedBy: ws.store.annotators.ensure('Adj'), grades: [],
        labels: labels.map((l) => ({ ...l, changed: 1, encoding: 'rle-u8-v1', revision: 1 })),
      });
    layer('Fits', [{ seriesId: e1.id, voxelCount: n1, diff: diff(orig[at]!) }]);
    layer('Wrong size', [{ seriesId: e1.id, voxelCount: n1 + 1, diff: diff(orig[at]!) }]);
    layer('Wrong base', [{ seriesId: e1.id, voxelCount: n1, diff: diff(orig[at] === 1 ? 2 : 1) }]);
    const ctx = readOnlySourceContext(index, ws.store);
    const fits = (await sourceLabels(ctx, 'reader:Fits', e1))!;
    const expected = orig.slice();
    expected[at] = orig[at] === 100 ? 0 : 100;
    expect(Buffer.compare(Buffer.from(fits), Buffer.from(expected))).toBe(0);
    // Without a layer for the series, a reader's labels are the original mask (a fresh array).
    const untouched = (await sourceLabels(ctx, 'reader:Fits', e2))!;
    expect(Buffer.compare(Buffer.from(untouched), Buffer.from(await originalLabels(ds, e2.id)))).toBe(0);
    expect((await refused(sourceLabels(ctx, 'reader:Wrong size', e1), 'invalid_file')).message).toContain(`reader Wrong size for ${e1.id} is for ${n1 + 1} voxels`);
    expect((await refused(sourceLabels(ctx, 'reader:Wrong base', e1), 'invalid_file')).message).toContain('does not fit its original mask');
    // No openable image: no labels from any source.
    for (const src of ['original', 'local', 'reader:Fits'] as SourceRef[]) expect(await sourceLabels(ctx, src, { ...e1, image: null })).toBeNull();
    // Without edits the read-only context's local labels are the original at revision 0.
    expect(await ctx.currentLabels(e1)).toEqual({ volume: orig, revision: 0 });
    // A stored blank overrides the CSV value in 'local' grades; 'original' keeps it.
    const row = index.gradings!.rows.find((r) => r.ivdLabel >= 1 && r.pfirrmann !== null)!;
    ws.store.gradings.set({ patientId: row.patient, ivdLabel: row.ivdLabel, field: 'pfirrmann', value: null, annotatorId: ws.store.annotators.ensure('Adj') });
    const key = `${row.patient}:${row.ivdLabel}`;
    expect(sourceGrades(ctx, 'original', 'current').get(key)?.pfirrmann).toBe(row.pfirrmann);
    expect(sourceGrades(ctx, 'local', 'current').get(key)?.pfirrmann).toBeUndefined();
    expect(sourceGrades(ctx, 'local', 'first').size).toBe(0);
    stop(ws);
  });
});
