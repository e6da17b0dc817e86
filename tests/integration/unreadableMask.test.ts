// Issue 11, item 2: a mask that cannot be read exactly never turns into a mask with the labels gone. The series
// opens read-only with the reason, every label write is refused with 'read_only', the SPIDER export copies the
// mask file untouched (or, when edits were stored for it while it was readable, refuses with a typed error), the
// NIfTI export leaves the series out and says so, and the patient's gradings still load.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.js';
import { runExport, type ExportRequest } from '../../main/core/export/index.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { readManifest } from './exportHelpers.js';
import { diffBytes, hashTree, workstationCases } from './journalHelpers.js';

let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-badmask-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 2, seed: 'badmask' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { open, fresh } = workstationCases(() => ({ root, pristine }));

async function start(paths: { dataset: string; storeFile: string }): Promise<Workstation> {
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'alice', log: () => undefined });
  open.push(ws);
  return ws;
}

function exportOf(ws: Workstation, outDir: string, req: Partial<ExportRequest> = {}) {
  return runExport({ index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 1 }, { format: 'mha', changedOnly: false, force: false, outDir, ...req });
}

/** The header line the reader cannot parse (the boolean must be True or False). */
function breakHeader(file: string): void {
  const bytes = readFileSync(file);
  const at = bytes.indexOf('BinaryDataByteOrderMSB = False');
  expect(at).toBeGreaterThan(0);
  writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from('BinaryDataByteOrderMSB = F'), bytes.subarray(at + 'BinaryDataByteOrderMSB = False'.length)]));
}

/** Cuts the compressed payload short: the header parses, the voxels cannot be read. */
function truncate(file: string): void {
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length - 200));
}

/** A one-voxel brush stroke writing label 1 at the first voxel that does not hold it. */
async function oneVoxel(ws: Workstation, seriesId: string) {
  const opened = await ws.service.openSeries({ seriesId });
  const mask = await ws.volumeBytes(seriesId, 'mask');
  const at = mask.findIndex((v) => v !== 1);
  return { seriesId, baseRevision: opened.revision, tool: 'brush', label: 1, description: 'Brush', diff: diffBytes({ indices: Uint32Array.of(at), before: Uint8Array.of(mask[at]!), after: Uint8Array.of(1) }) };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe('a mask that cannot be read exactly', () => {
  for (const [what, damage] of [['unparseable header (BinaryDataByteOrderMSB = F)', breakHeader], ['truncated payload', truncate]] as const) {
    it(`${what}: read-only series, refused writes, untouched export, gradings of the patient still load`, async () => {
      const paths = fresh();
      const maskFile = join(paths.dataset, 'masks', '1_t2.mha');
      damage(maskFile);
      const damaged = readFileSync(maskFile);
      const ws = await start(paths);

      const opened = await ws.service.openSeries({ seriesId: '1_t2' });
      expect(opened.mask.source).toBe('unreadable');
      expect(opened.readOnly).toMatch(/masks\/1_t2\.mha/);
      expect(opened.readOnly).toMatch(/read-only/);
      // A sibling with a good mask is editable as before.
      const sibling = await ws.service.openSeries({ seriesId: '1_t1' });
      expect(sibling.readOnly).toBeNull();
      expect(sibling.mask.source).toBe('file');

      const err = await rejectsWith(ws.service.commitEdit(await oneVoxel(ws, '1_t2')), 'read_only');
      expect(err.message).toContain('1_t2');
      await rejectsWith(ws.service.undo({ seriesId: '1_t2' }), 'read_only');
      await rejectsWith(ws.service.redo({ seriesId: '1_t2' }), 'read_only');
      expect(ws.store.edits.count('1_t2').total).toBe(0);
      await ws.service.commitEdit(await oneVoxel(ws, '1_t1'));

      // The patient's gradings load (the damaged series is simply not measured).
      const gradings = await ws.service.getGradings({ patientId: 1 });
      expect(gradings.levels.length).toBeGreaterThan(0);

      // SPIDER export: the damaged mask byte for byte, the edited sibling rebuilt.
      const out = join(root, `export-${what.length}`);
      const res = await exportOf(ws, out);
      expect(readFileSync(join(out, 'masks', '1_t2.mha')).equals(damaged)).toBe(true);
      expect(res.seriesChanged).toBe(1);

      // NIfTI export: the series is left out, and the result and manifest say so.
      const nifti = join(root, `nifti-${what.length}`);
      const nres = await exportOf(ws, nifti, { format: 'nifti' });
      expect(nres.warnings.some((w) => w.includes('masks/1_t2.mha') && w.includes('left out'))).toBe(true);
      expect(hashTree(nifti)['labelsTr/1_t2.nii.gz']).toBeUndefined();
      expect(hashTree(nifti)['labelsTr/1_t1.nii.gz']).toBeDefined();
      expect(readManifest(nifti).warnings.join('\n')).toContain('1_t2');
      expect(readFileSync(maskFile).equals(damaged)).toBe(true);
    });
  }

  it('edits stored while the mask was readable: the SPIDER export refuses with a typed error instead of an empty mask', async () => {
    const paths = fresh();
    // A checkpoint after every edit: the reopen would not need to read the mask at all, and is read-only all the same.
    let ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'alice', checkpointEvery: 1, log: () => undefined });
    open.push(ws);
    await ws.service.commitEdit(await oneVoxel(ws, '2_t1'));
    await ws.idle();
    expect(ws.store.checkpoints.list('2_t1').length).toBeGreaterThan(0);
    ws.close();
    breakHeader(join(paths.dataset, 'masks', '2_t1.mha'));
    ws = await start(paths);
    const opened = await ws.service.openSeries({ seriesId: '2_t1' });
    expect(opened.readOnly).not.toBeNull();
    const out = join(root, 'refused');
    const err = await rejectsWith(exportOf(ws, out), 'read_only');
    expect(err.message).toContain('masks/2_t1.mha');
    expect(hashTree(root)[`refused/masks/2_t1.mha`]).toBeUndefined();
  });
});
