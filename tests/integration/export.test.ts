// Export of a revised dataset (issue 6) on a generated sample, a real SQLite store and real files: edits made
// through the service come out exactly in the exported masks (read back by itk-wasm, an independent reader), the
// gradings CSV differs from the source only in the edited cells plus appended rows, an export without edits is a
// byte-for-byte copy, the manifest's figures and hashes are right, NIfTI geometry matches the .mha in both SPIDER
// orientation conventions, and the source is never written.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readImageNode } from '@itk-wasm/image-io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request } from '../../common/contract.js';
import { AppError } from '../../common/errors.js';
import { voxelCount } from '../../common/geometry.js';
import { applyDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { workstationVersion } from '../../main/cli/export.js';
import { runExport, spiderToNnunet, type ExportRequest } from '../../main/core/export/index.js';
import { readMetaImage, readMetaImageHeader } from '../../main/core/mha/index.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { expectGeometry, expectManifestHashes, itkGeometry, readManifest } from './exportHelpers.js';
import { brushDiff, diffBytes, hashTree, originalLabels, prng, sameBytes, workstationCases } from './journalHelpers.js';

let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-export-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 3, seed: 'export' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { open, fresh } = workstationCases(() => ({ root, pristine }));

async function start(paths: { dataset: string; storeFile: string }, appVersion?: string): Promise<Workstation> {
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'alice', log: () => undefined, ...(appVersion ? { appVersion } : {}) });
  open.push(ws);
  return ws;
}

function exportOf(ws: Workstation, req: Partial<ExportRequest> & { outDir: string }) {
  return runExport(
    { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 2, appVersion: workstationVersion() },
    { format: 'mha', changedOnly: false, force: false, ...req },
  );
}

/** Commits `count` random brush strokes through the service; returns the expected label volume afterwards. */
async function paint(ws: Workstation, seriesId: string, seed: number, count = 3, labelFor?: number): Promise<{ expected: Uint8Array; diffs: VoxelDiff[] }> {
  const opened = await ws.service.openSeries({ seriesId });
  const volume = (await ws.volumeBytes(seriesId, 'mask')).slice();
  const rnd = prng(seed);
  const diffs: VoxelDiff[] = [];
  let revision = opened.revision;
  for (let n = 0; n < count; n++) {
    const { diff, label } = brushDiff(volume, opened.image.geometry.size, rnd, 8);
    if (labelFor !== undefined) diff.after.fill(labelFor);
    const keep = Array.from(diff.indices.keys()).filter((i) => diff.before[i] !== diff.after[i]);
    const d: VoxelDiff = { indices: Uint32Array.from(keep, (i) => diff.indices[i]!), before: Uint8Array.from(keep, (i) => diff.before[i]!), after: Uint8Array.from(keep, (i) => diff.after[i]!) };
    if (d.indices.length === 0) continue;
    const req: Request<'commitEdit'> = { seriesId, baseRevision: revision, tool: 'brush', label: labelFor ?? label, description: 'Brush', diff: diffBytes(d) };
    revision = (await ws.service.commitEdit(req)).revision;
    applyDiff(volume, d, 'forward');
    diffs.push(d);
  }
  return { expected: volume, diffs };
}

function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe('export, SPIDER layout', () => {
  it('without edits reproduces every input file byte for byte, with a manifest hashing every file', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const before = hashTree(paths.dataset);
    const out = join(root, 'plain-copy');
    const res = await exportOf(ws, { outDir: out });
    const tree = hashTree(out);
    expect(Object.keys(tree)).toContain('CHANGES.md');
    delete tree['CHANGES.md'];
    delete tree['export-manifest.json'];
    expect(tree).toEqual(before);
    expect(hashTree(paths.dataset)).toEqual(before);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expectManifestHashes(out);
    const m = readManifest(out);
    expect(m.workstation.version).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
    expect(m.series.every((s) => s.labels === 'unchanged' && s.changes.length === 0)).toBe(true);
    expect(m.files.filter((f) => f.how !== 'copied').map((f) => f.path)).toEqual(['CHANGES.md']);
    expect(res).toMatchObject({ seriesExported: 7, seriesChanged: 0, gradingChanges: 0, filesWritten: Object.keys(before).length + 2 });
  });

  it('writes exactly the edited voxels into the masks (read back by itk-wasm) in the original pixel type, header and geometry', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const before = hashTree(paths.dataset);
    const a = await paint(ws, '1_t2', 11, 4); // group A: identity direction
    const b = await paint(ws, '2_t2', 12, 3); // group B: PIR direction
    // Undone edits do not count.
    await paint(ws, '3_t1', 13, 1);
    await ws.service.undo({ seriesId: '3_t1' });
    const out = join(root, 'edited');
    const res = await exportOf(ws, { outDir: out });
    expect(res.seriesChanged).toBe(2);

    for (const [seriesId, edit] of [['1_t2', a], ['2_t2', b]] as const) {
      const image = await readMetaImageHeader(join(paths.dataset, 'images', `${seriesId}.mha`));
      const srcMask = await readMetaImageHeader(join(paths.dataset, 'masks', `${seriesId}.mha`));
      const file = join(out, 'masks', `${seriesId}.mha`);
      const oracle = await readImageNode(file);
      expect(oracle.imageType.componentType).toBe('int16');
      expectGeometry(itkGeometry(oracle), image.geometry, 0);
      const data = oracle.data as Int16Array;
      expect(data.length).toBe(voxelCount(image.geometry));
      expect(sameBytes(Uint8Array.from(data), edit.expected)).toBe(true);
      // Exactly the edited voxels differ from the original.
      const original = await originalLabels(paths.dataset, seriesId);
      const touched = new Set(edit.diffs.flatMap((d) => [...d.indices]));
      let differing = 0;
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== original[i]) {
          differing++;
          expect(touched.has(i)).toBe(true);
        }
      }
      expect(differing).toBeGreaterThan(0);
      // Header: the original's fields in the original order, only the stored-bytes fields changed.
      const ours = await readMetaImageHeader(file);
      expect(Object.keys(ours.fields)).toEqual(Object.keys(srcMask.fields));
      for (const [k, v] of Object.entries(srcMask.fields)) if (k !== 'CompressedDataSize') expect(ours.fields[k], k).toBe(v);
      expect(ours.compressed).toBe(srcMask.compressed);

      // Manifest figures, computed here independently.
      const rec = readManifest(out).series.find((s) => s.seriesId === seriesId)!;
      expect(rec).toMatchObject({ labels: 'changed', activeEdits: edit.diffs.length, revision: edit.diffs.length });
      const values = new Set<number>();
      for (let i = 0; i < data.length; i++) if (data[i] !== original[i]) values.add(original[i]!).add(data[i]!);
      values.delete(0);
      expect(rec.changes.map((c) => c.value)).toEqual([...values].sort((x, y) => x - y));
      const voxelMm3 = image.geometry.spacing[0] * image.geometry.spacing[1] * image.geometry.spacing[2];
      for (const c of rec.changes) {
        let A = 0, B = 0, both = 0;
        for (let i = 0; i < data.length; i++) {
          const inA = original[i] === c.value;
          const inB = data[i] === c.value;
          A += +inA;
          B += +inB;
          both += +(inA && inB);
        }
        expect(c).toMatchObject({ voxelsBefore: A, voxelsAfter: B, added: B - both, removed: A - both });
        expect(c.dice).toBeCloseTo((2 * both) / (A + B), 5);
        expect(c.volumeChangeMm3).toBeCloseTo((B - A) * voxelMm3, 2);
      }
    }
    // Everything else is byte-identical to the source, and the source is untouched.
    const tree = hashTree(out);
    for (const [rel, h] of Object.entries(before)) {
      if (rel === 'masks/1_t2.mha' || rel === 'masks/2_t2.mha') expect(tree[rel]).not.toBe(h);
      else expect(tree[rel], rel).toBe(h);
    }
    expect(readManifest(out).series.find((s) => s.seriesId === '3_t1')).toMatchObject({ labels: 'unchanged', activeEdits: 0, revision: 2 });
    expect(hashTree(paths.dataset)).toEqual(before);
    expectManifestHashes(out);
    const changes = readFileSync(join(out, 'CHANGES.md'), 'utf8');
    expect(changes).toContain('### 1_t2 (patient 1, revision 4, 4 active edits)');
  });

  it('rewrites the gradings CSV only in the edited cells, appends new levels in order and lists each change', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const before = hashTree(paths.dataset);
    const src = readFileSync(join(paths.dataset, 'radiological_gradings.csv'), 'latin1');
    const lines = src.split('\r\n');
    expect(lines.at(-1)).toBe('');
    const rowOf = (p: number, k: number): number => lines.findIndex((l) => l.startsWith(`${p},${k},`));
    const cellsOf = (i: number): string[] => lines[i]!.split(',');
    // Edits: patient 1 level 2 Pfirrmann (changed, then changed back and again: one net change), patient 3 level 1
    // Modic; patient 2 gets a disc the CSV lacks (painted as 208 → level 8) and grades on it: an appended row.
    const l12 = rowOf(1, 2);
    const oldPf = Number(cellsOf(l12)[9]);
    const newPf = oldPf === 5 ? 4 : oldPf + 1;
    await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: oldPf === 1 ? 3 : 1 });
    await ws.service.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: newPf });
    const l31 = rowOf(3, 1);
    const oldModic = Number(cellsOf(l31)[2]);
    await ws.service.setGrading({ patientId: 3, ivdLabel: 1, field: 'modic', value: (oldModic + 1) % 4 });
    // A change that is undone is no change.
    await ws.service.setGrading({ patientId: 3, ivdLabel: 2, field: 'herniation', value: 1 - Number(cellsOf(rowOf(3, 2))[6]) });
    await ws.service.undoGrading({ patientId: 3 });
    await ws.service.setLevelReviewed({ patientId: 1, ivdLabel: 3, reviewed: true }); // service field: never exported
    const p2Discs = (await ws.service.getGradings({ patientId: 2 })).levels.map((l) => l.ivdLabel);
    const newLevel = Math.max(...p2Discs) + 1;
    await paint(ws, '2_t1', 21, 1, 200 + newLevel);
    // A new level is exported only when complete: every field of this one is graded ...
    const complete = { modic: 0, upEndplate: 1, lowEndplate: 0, spondylolisthesis: 0, herniation: 1, narrowing: 0, bulging: 0, pfirrmann: 2 } as const;
    for (const [field, value] of Object.entries(complete)) await ws.service.setGrading({ patientId: 2, ivdLabel: newLevel, field: field as keyof typeof complete, value });
    // ... and one more level with only two fields is left out and said so.
    await paint(ws, '2_t1', 22, 1, 200 + newLevel + 1);
    await ws.service.setGrading({ patientId: 2, ivdLabel: newLevel + 1, field: 'pfirrmann', value: 3 });
    await ws.service.setGrading({ patientId: 2, ivdLabel: newLevel + 1, field: 'modic', value: 1 });

    const out = join(root, 'graded');
    const res = await exportOf(ws, { outDir: out });
    const got = readFileSync(join(out, 'radiological_gradings.csv'), 'latin1');
    expect(got.endsWith('\r\n')).toBe(true);
    expect(got.replaceAll('\r\n', '')).not.toContain('\n');
    const gotLines = got.split('\r\n');
    expect(gotLines.length).toBe(lines.length + 1);
    for (let i = 0; i < lines.length - 1; i++) {
      const a = cellsOf(i);
      const b = gotLines[i]!.split(',');
      const diff = a.map((c, j) => (c === b[j] ? null : j)).filter((j) => j !== null);
      if (i === l12) expect({ diff, cell: b[9] }).toEqual({ diff: [9], cell: String(newPf) });
      else if (i === l31) expect({ diff, cell: b[2] }).toEqual({ diff: [2], cell: String((oldModic + 1) % 4) });
      else expect(gotLines[i], `line ${i + 1}`).toBe(lines[i]);
    }
    expect(gotLines.at(-2)).toBe(`2,${newLevel},0,1,0,0,1,0,0,2`);
    expect(gotLines.at(-1)).toBe('');

    const m = readManifest(out);
    const change = m.gradings.changes.find((c) => c.patientId === 1)!;
    expect(change).toMatchObject({ ivdLabel: 2, field: 'pfirrmann', column: 'Pfirrman grade', old: oldPf, new: newPf, annotator: 'alice', kind: 'edited', events: 2 });
    expect(new Date(change.time).toISOString()).toBe(change.time);
    const changes = m.gradings.changes.map((c) => [c.patientId, c.ivdLabel, c.field, c.kind]);
    expect(changes.filter((c) => c[0] !== 2)).toEqual([
      [1, 2, 'pfirrmann', 'edited'],
      [3, 1, 'modic', 'edited'],
    ]);
    expect(changes.filter((c) => c[0] === 2).map((c) => String(c[2])).sort()).toEqual(Object.keys(complete).sort());
    expect(changes.filter((c) => c[0] === 2).every((c) => c[1] === newLevel && c[3] === 'appended')).toBe(true);
    expect(m.gradings.appendedRows).toEqual([{ patientId: 2, ivdLabel: newLevel }]);
    expect(m.warnings.some((w) => w.includes(`IVD label ${newLevel + 1} not exported: incomplete`))).toBe(true);
    expect(got).not.toContain(`\r\n2,${newLevel + 1},`);
    expect(res.gradingChanges).toBe(10);
    expect(readFileSync(join(out, 'CHANGES.md'), 'utf8')).toContain(`| 2 | Pfirrman grade | ${oldPf} → ${newPf} | alice |`);
    expect(hashTree(paths.dataset)).toEqual(before);
  });

  it('--changed-only keeps changed series and the series of patients with grading changes, with complete CSVs', async () => {
    const paths = fresh();
    const ws = await start(paths);
    await paint(ws, '1_t2', 31, 2);
    // Net-zero: a stroke and its exact reverse (two active edits, no change): not a changed series.
    const net = await paint(ws, '3_t2', 32, 1);
    const d = net.diffs[0]!;
    const opened = await ws.service.openSeries({ seriesId: '3_t2' });
    await ws.service.commitEdit({ seriesId: '3_t2', baseRevision: opened.revision, tool: 'revert', label: 0, description: 'back', diff: diffBytes({ indices: d.indices, before: d.after, after: d.before }) });
    await ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'bulging', value: 1 - (await ws.service.getGradings({ patientId: 2 })).levels[0]!.values.bulging! });
    const out = join(root, 'changed-only');
    await exportOf(ws, { outDir: out, changedOnly: true });
    expect(listDir(join(out, 'images'))).toEqual(['1_t2.mha', '2_t1.mha', '2_t2.mha']);
    expect(listDir(join(out, 'masks'))).toEqual(['1_t2.mha', '2_t1.mha', '2_t2.mha']);
    expect(readFileSync(join(out, 'overview.csv'))).toEqual(readFileSync(join(paths.dataset, 'overview.csv')));
    expect(readFileSync(join(out, 'radiological_gradings.csv'), 'latin1').split('\r\n').length).toBe(readFileSync(join(paths.dataset, 'radiological_gradings.csv'), 'latin1').split('\r\n').length);
    const m = readManifest(out);
    expect(m.series.map((s) => [s.seriesId, s.included, s.labels])).toEqual([
      ['1_t2', 'labels_changed', 'changed'],
      ['2_t1', 'gradings_changed', 'unchanged'],
      ['2_t2', 'gradings_changed', 'unchanged'],
    ]);
    expect(readFileSync(join(out, 'masks', '2_t1.mha'))).toEqual(readFileSync(join(paths.dataset, 'masks', '2_t1.mha')));
    expectManifestHashes(out);
  });
});

describe('export, nnU-Net v2 NIfTI', () => {
  it('writes .nii.gz whose geometry (via itk-wasm) equals the .mha in both orientation conventions, labels remapped', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const edited = await paint(ws, '2_t2', 41, 2);
    const out = join(root, 'nnunet');
    await exportOf(ws, { outDir: out, format: 'nifti' });
    expect(listDir(out)).toEqual(['CHANGES.md', 'dataset.json', 'export-manifest.json', 'imagesTr', 'labelsTr', 'overview.csv', 'radiological_gradings.csv']);
    expect(listDir(join(out, 'imagesTr'))).toEqual(['1_t1_0000.nii.gz', '1_t2_0000.nii.gz', '1_t2_SPACE_0000.nii.gz', '2_t1_0000.nii.gz', '2_t2_0000.nii.gz', '3_t1_0000.nii.gz', '3_t2_0000.nii.gz']);
    const ds = JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')) as { labels: Record<string, number>; numTraining: number; file_ending: string; channel_names: Record<string, string> };
    expect(ds).toMatchObject({ numTraining: 7, file_ending: '.nii.gz', channel_names: { '0': 'MRI' } });
    expect(Object.values(ds.labels)).toEqual(Array.from({ length: 52 }, (_, i) => i));
    const orientations = new Set<string>();
    for (const seriesId of ['1_t2', '1_t2_SPACE', '2_t1', '2_t2']) {
      const image = await readMetaImage(join(paths.dataset, 'images', `${seriesId}.mha`));
      orientations.add(ws.index.series.find((s) => s.id === seriesId)!.orientation!);
      const nii = await readImageNode(join(out, 'imagesTr', `${seriesId}_0000.nii.gz`));
      expect(nii.imageType.componentType).toBe(image.pixelType);
      expectGeometry(itkGeometry(nii), image.geometry, 1e-5);
      expect(sameBytes(new Uint8Array((nii.data as ArrayBufferView).buffer), new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength))).toBe(true);
      const lab = await readImageNode(join(out, 'labelsTr', `${seriesId}.nii.gz`));
      expect(lab.imageType.componentType).toBe('uint8');
      expectGeometry(itkGeometry(lab), image.geometry, 1e-5);
      const labels = seriesId === '2_t2' ? edited.expected : await originalLabels(paths.dataset, seriesId);
      const want = Uint8Array.from(labels, (v) => spiderToNnunet(v)!);
      expect(sameBytes(lab.data as Uint8Array, want)).toBe(true);
    }
    expect([...orientations].sort()).toEqual(['LPS', 'PIR']);
    const m = readManifest(out);
    expect(m.labelRemap).toMatchObject({ '0': 0, '1': 1, '100': 26, '201': 27, '209': 35, '101': 1 });
    expect(m.series.find((s) => s.seriesId === '2_t2')!.labels).toBe('changed');
    expectManifestHashes(out);
  });
});

describe('export safety', () => {
  it('refuses folders in or around the source and existing non-empty folders; --force replaces only a previous export', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const refuse = async (req: Partial<ExportRequest> & { outDir: string }, code: string, text: string): Promise<void> => {
      const err = await exportOf(ws, req).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(code);
      expect((err as AppError).message).toContain(text);
    };
    await refuse({ outDir: join(paths.dataset, 'revised') }, 'invalid_request', 'inside the source dataset');
    await refuse({ outDir: paths.dataset, force: true }, 'invalid_request', 'inside the source dataset');
    await refuse({ outDir: join(paths.dataset, '..') }, 'invalid_request', 'contains the source dataset');
    await refuse({ outDir: 'relative/dir' }, 'invalid_request', 'absolute path');
    const busy = join(root, 'busy-folder');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    await refuse({ outDir: busy }, 'conflict', 'use --force');
    await refuse({ outDir: busy, force: true }, 'conflict', 'not a previous export');
    expect(readFileSync(join(busy, 'notes.txt'), 'utf8')).toBe('mine');

    const out = join(root, 'forced');
    await exportOf(ws, { outDir: out });
    const first = readManifest(out).createdAt;
    await refuse({ outDir: out }, 'conflict', 'use --force');
    await paint(ws, '1_t1', 51, 1);
    await exportOf(ws, { outDir: out, force: true });
    expect(readManifest(out).createdAt).not.toBe(first);
    expect(readManifest(out).series.find((s) => s.seriesId === '1_t1')!.labels).toBe('changed');
    expect(readdirSync(root).filter((n) => n.startsWith('forced'))).toEqual(['forced']);
    // An empty existing folder is fine without --force.
    const empty = join(root, 'empty-target');
    mkdirSync(empty);
    await exportOf(ws, { outDir: empty });
    expect(existsSync(join(empty, 'export-manifest.json'))).toBe(true);
  });

  it('removes a stale DIR.partial, refuses one a live process writes, and a cancel leaves neither DIR nor DIR.partial', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const out = join(root, 'stale');
    mkdirSync(`${out}.partial`);
    writeFileSync(join(`${out}.partial`, 'junk.mha'), 'half written');
    const res = await exportOf(ws, { outDir: out });
    expect(res.warnings.some((w) => w.includes('stale stale.partial'))).toBe(true);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(existsSync(join(out, 'junk.mha'))).toBe(false);

    // Owned by a live process (this one's parent stands in: alive, not us).
    const owned = join(root, 'owned');
    mkdirSync(`${owned}.partial`);
    writeFileSync(join(`${owned}.partial`, '.spine-ws-export-owner'), JSON.stringify({ pid: process.ppid, host: (await import('node:os')).hostname() }));
    const err = await exportOf(ws, { outDir: owned }).then(() => null, (e: unknown) => e);
    expect((err as AppError).code).toBe('conflict');
    expect(existsSync(`${owned}.partial`)).toBe(true);

    // Cancel mid-export (after the first files), through runExport's signal.
    const cancelled = join(root, 'cancelled');
    const controller = new AbortController();
    let sawPartial = false;
    const p = runExport(
      { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 1 },
      { outDir: cancelled, format: 'nifti', changedOnly: false, force: false },
      {
        signal: controller.signal,
        onProgress: (pr) => {
          if (pr.filesDone >= 2 && !controller.signal.aborted) {
            sawPartial = existsSync(`${cancelled}.partial`);
            controller.abort();
          }
        },
      },
    );
    const e2 = await p.then(() => null, (e: unknown) => e);
    expect((e2 as Error).name).toBe('ExportCancelledError');
    expect(sawPartial).toBe(true);
    expect(existsSync(cancelled)).toBe(false);
    expect(existsSync(`${cancelled}.partial`)).toBe(false);
  });

  it('runs as a service job: progress, result, typed errors, cancel', async () => {
    const paths = fresh();
    const ws = await start(paths, '9.8.7-job');
    const out = join(root, 'job');
    const { jobId } = await ws.service.startExport({ outDir: out, format: 'mha', changedOnly: false, force: false });
    await expect(ws.service.startExport({ outDir: join(root, 'job2'), format: 'mha', changedOnly: false, force: false })).rejects.toMatchObject({ code: 'conflict' });
    let st = await ws.service.exportStatus({ jobId });
    while (st.state === 'running') {
      await new Promise((r) => setTimeout(r, 10));
      st = await ws.service.exportStatus({ jobId });
    }
    expect(st).toMatchObject({ state: 'done', etaSeconds: 0, result: { outDir: out, seriesExported: 7 } });
    expect(st.filesDone).toBe(st.filesTotal);
    expect(st.bytesDone).toBe(st.bytesTotal);
    // The version comes from the adapter that opened the workstation (openWorkstation's appVersion).
    expect(readManifest(out).workstation.version).toBe('9.8.7-job');
    await expect(ws.service.startExport({ outDir: join(paths.dataset, 'x'), format: 'mha', changedOnly: false, force: false })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(ws.service.exportStatus({ jobId: 'export-99' })).rejects.toMatchObject({ code: 'not_found' });

    const out2 = join(root, 'job-cancelled');
    const job2 = await ws.service.startExport({ outDir: out2, format: 'nifti', changedOnly: false, force: false });
    expect((await ws.service.cancelExport(job2)).jobId).toBe(job2.jobId);
    let st2 = await ws.service.exportStatus(job2);
    while (st2.state === 'running') {
      await new Promise((r) => setTimeout(r, 10));
      st2 = await ws.service.exportStatus(job2);
    }
    expect(st2.state).toBe('cancelled');
    expect(existsSync(out2)).toBe(false);
    expect(existsSync(`${out2}.partial`)).toBe(false);
  });
});
