// The dataset scan on real temporary SPIDER-layout folders: good pairs load, every kind of problem is reported
// per item while the rest loads, only headers are read, and nothing is written into the dataset.
import { cpSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/errors.js';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { scanDataset, type DatasetIndex, type DatasetProblem } from '../../../main/core/dataset/index.js';
import {
  GRID_LPS,
  GRID_PIR,
  gradingsCsvFor,
  hugeClaimHeader,
  overviewCsvFor,
  put,
  tempDir,
  truncatedVolumeBytes,
  volumeBytes,
} from './helpers.js';

const SPACING_OFF: VolumeGeometry = { ...GRID_LPS, spacing: [3.3, 0.7, 0.5] };

/** Every file below `dir` with its size and mtime, to prove the scan writes nothing. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.push(`${relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

const codesOf = (problems: readonly DatasetProblem[]) => problems.map((p) => `${p.code}:${p.seriesId ?? p.file}`).sort();

describe('scanDataset on a folder with every kind of problem', () => {
  let root: string;
  let index: DatasetIndex;
  let before: string[];

  beforeAll(async () => {
    root = tempDir();
    const img = (name: string, bytes: string | Uint8Array) => put(join(root, 'images', name), bytes);
    const msk = (name: string, bytes: string | Uint8Array) => put(join(root, 'masks', name), bytes);
    // good pairs, both orientation groups, compressed and not
    img('1_t1.mha', volumeBytes(GRID_LPS, 'int16'));
    msk('1_t1.mha', volumeBytes(GRID_LPS, 'int16', true));
    img('1_t2.mha', volumeBytes(GRID_LPS, 'uint16', true));
    msk('1_t2.mha', volumeBytes(GRID_LPS, 'int16', true));
    img('5_t2_SPACE.mha', volumeBytes(GRID_PIR, 'uint16'));
    msk('5_t2_SPACE.mha', volumeBytes(GRID_PIR, 'int16'));
    // missing mask
    img('2_t1.mha', volumeBytes(GRID_LPS, 'float32'));
    // mask with a different spacing
    img('2_t2.mha', volumeBytes(GRID_LPS));
    msk('2_t2.mha', volumeBytes(SPACING_OFF));
    // garbage image header; header cut off in the middle
    img('3_t1.mha', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff)));
    msk('3_t1.mha', volumeBytes(GRID_LPS));
    img('3_t2.mha', 'ObjectType = Image\nNDims = 3\nDimSize = 4 4');
    msk('3_t2.mha', volumeBytes(GRID_LPS));
    // orphan mask
    msk('4_t1.mha', volumeBytes(GRID_LPS));
    // series not in overview.csv
    img('6_t1.mha', volumeBytes(GRID_LPS));
    msk('6_t1.mha', volumeBytes(GRID_LPS));
    // voxel data deliberately truncated / absent: headers only, so these scan fine
    img('7_t1.mha', truncatedVolumeBytes(GRID_LPS, 'int16'));
    msk('7_t1.mha', truncatedVolumeBytes(GRID_LPS, 'int16', true));
    img('7_t2.mha', hugeClaimHeader());
    msk('7_t2.mha', hugeClaimHeader());
    // a .mhd + .raw pair (the .raw is not a series and not a problem)
    const mhd = volumeBytes(GRID_LPS).toString('latin1').split('ElementDataFile = LOCAL')[0] + 'ElementDataFile = 8_t1.raw\n';
    img('8_t1.mhd', mhd);
    img('8_t1.raw', Buffer.alloc(96));
    msk('8_t1.mha', volumeBytes(GRID_LPS));
    // badly named files and ignored ones
    img('scan_01.mha', volumeBytes(GRID_LPS));
    img('notes.txt', 'hello');
    img('.DS_Store', 'x');
    msk('007_t1.mha', volumeBytes(GRID_LPS));

    put(join(root, 'overview.csv'), overviewCsvFor(['1_t1', '1_t2', '2_t1', '2_t2', '3_t1', '3_t2', '5_t2_SPACE', '7_t1', '7_t2', '8_t1', '9_t1']));
    put(join(root, 'radiological_gradings.csv'), gradingsCsvFor([1, 2, 3, 5, 6, 7, 8, 9]));
    before = snapshot(root);
    index = await scanDataset(root);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lists the series sorted by patient then t1, t2, t2_SPACE', () => {
    expect(index.series.map((s) => s.id)).toEqual(['1_t1', '1_t2', '2_t1', '2_t2', '3_t1', '3_t2', '5_t2_SPACE', '6_t1', '7_t1', '7_t2', '8_t1']);
    expect(index.patients.map((p) => [p.id, p.seriesIds])).toEqual([
      [1, ['1_t1', '1_t2']],
      [2, ['2_t1', '2_t2']],
      [3, ['3_t1', '3_t2']],
      [5, ['5_t2_SPACE']],
      [6, ['6_t1']],
      [7, ['7_t1', '7_t2']],
      [8, ['8_t1']],
    ]);
    expect(index.patients[0]).toMatchObject({ sex: 'F', age: 59, subset: 'validation', gradedLevels: [1, 2, 3, 4, 5, 6, 7] });
  });

  it('loads good pairs with geometry, pixel type, orientation and overview row', () => {
    const s = index.series.find((x) => x.id === '1_t2')!;
    expect(s).toMatchObject({
      patientId: 1,
      sequence: 't2',
      imageFile: 'images/1_t2.mha',
      maskFile: 'masks/1_t2.mha',
      image: { geometry: GRID_LPS, pixelType: 'uint16', compressed: true },
      mask: { geometry: GRID_LPS, pixelType: 'int16', compressed: true },
      orientation: 'LPS',
      problems: [],
    });
    expect(s.overview?.seriesId).toBe('1_t2');
    const space = index.series.find((x) => x.id === '5_t2_SPACE')!;
    expect(space.orientation).toBe('PIR');
    expect(space.image?.geometry).toEqual(GRID_PIR);
    expect(index.series.find((x) => x.id === '8_t1')).toMatchObject({ imageFile: 'images/8_t1.mhd', maskFile: 'masks/8_t1.mha', problems: [] });
  });

  it('reads headers only: volumes with truncated or absent voxel data scan without problems', () => {
    for (const id of ['7_t1', '7_t2']) {
      const s = index.series.find((x) => x.id === id)!;
      expect(s.problems).toEqual([]);
      expect(s.image).not.toBeNull();
      expect(s.mask).not.toBeNull();
    }
    expect(index.series.find((x) => x.id === '7_t2')!.image!.geometry.size).toEqual([640, 512, 120]);
  });

  it('reports each problem per item', () => {
    expect(codesOf(index.problems)).toEqual(
      [
        'bad_file_name:images/notes.txt',
        'bad_file_name:images/scan_01.mha',
        'bad_file_name:masks/007_t1.mha',
        'geometry_mismatch:2_t2',
        'grading_patient_unknown:radiological_gradings.csv',
        'mask_without_image:4_t1',
        'missing_mask:2_t1',
        'not_in_overview:6_t1',
        'overview_without_image:9_t1',
        'unreadable_header:3_t1',
        'unreadable_header:3_t2',
      ].sort(),
    );
    const byCode = (code: string) => index.problems.find((p) => p.code === code)!;
    expect(byCode('missing_mask')).toMatchObject({ severity: 'warning', seriesId: '2_t1', patientId: 2, file: 'images/2_t1.mha' });
    expect(byCode('geometry_mismatch')).toMatchObject({ severity: 'error', file: 'masks/2_t2.mha' });
    expect(byCode('geometry_mismatch').message).toContain('3.3×0.7×0.5 mm');
    expect(byCode('mask_without_image')).toMatchObject({ severity: 'error', file: 'masks/4_t1.mha', patientId: 4 });
    expect(byCode('overview_without_image')).toMatchObject({ file: 'overview.csv', line: 12 });
    expect(byCode('grading_patient_unknown')).toMatchObject({ patientId: 6, line: 30 });
  });

  it('names the MetaImage problem of an unreadable header and still lists the series', () => {
    const s = index.series.find((x) => x.id === '3_t2')!;
    expect(s.image).toBeNull();
    expect(s.orientation).toBeNull();
    expect(s.mask?.geometry).toEqual(GRID_LPS);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0]).toMatchObject({ code: 'unreadable_header', severity: 'error', file: 'images/3_t2.mha', seriesId: '3_t2' });
    expect(s.problems[0]!.message).toMatch(/^cannot read the header of images\/3_t2\.mha: 3_t2\.mha: /);
    expect(index.series.find((x) => x.id === '3_t1')!.problems[0]!.message).toContain('images/3_t1.mha');
  });

  it('keeps the parsed CSVs on the index', () => {
    expect(index.overview?.rows).toHaveLength(11);
    expect(index.gradings?.rows).toHaveLength(56);
    expect(index.gradings?.format.lineEnding).toBe('crlf');
  });

  it('writes nothing into the dataset and gives a stable identity that follows content, not location', async () => {
    expect(snapshot(root)).toEqual(before);
    const again = await scanDataset(root, { concurrency: 1 });
    expect(again.identity).toBe(index.identity);
    expect(again.series.map((s) => s.id)).toEqual(index.series.map((s) => s.id));
    expect(index.identity).toMatch(/^sha256:[0-9a-f]{64}$/);

    const copy = tempDir();
    try {
      cpSync(root, copy, { recursive: true });
      expect((await scanDataset(copy)).identity).toBe(index.identity);
      writeFileSync(join(copy, 'radiological_gradings.csv'), gradingsCsvFor([1, 2, 3, 5, 7, 8]));
      expect((await scanDataset(copy)).identity).not.toBe(index.identity);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('reports progress for every header read', async () => {
    const seen: [number, number][] = [];
    await scanDataset(root, { onProgress: (done, total) => seen.push([done, total]) });
    expect(seen).toHaveLength(22);
    expect(seen.at(-1)).toEqual([22, 22]);
  });
});

describe('scanDataset with missing or broken pieces', () => {
  const roots: string[] = [];
  const fresh = () => {
    const r = tempDir();
    roots.push(r);
    return r;
  };
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('throws not_found naming a root that does not exist', async () => {
    const missing = join(fresh(), 'spider-missing');
    await expect(scanDataset(missing)).rejects.toThrow(AppError);
    await expect(scanDataset(missing)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('spider-missing') });
  });

  it('throws not_found for a folder without images/', async () => {
    const r = fresh();
    put(join(r, 'masks', '1_t1.mha'), volumeBytes(GRID_LPS));
    await expect(scanDataset(r)).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('/images') });
  });

  it('loads the series when the CSVs and masks/ are missing', async () => {
    const r = fresh();
    put(join(r, 'images', '1_t1.mha'), volumeBytes(GRID_LPS));
    const idx = await scanDataset(r);
    expect(idx.series.map((s) => [s.id, s.maskFile, s.overview])).toEqual([['1_t1', null, null]]);
    expect(idx.overview).toBeNull();
    expect(idx.gradings).toBeNull();
    expect(codesOf(idx.problems)).toEqual(['csv_missing:overview.csv', 'csv_missing:radiological_gradings.csv', 'masks_dir_missing:masks', 'missing_mask:1_t1']);
    expect(idx.patients).toEqual([{ id: 1, seriesIds: ['1_t1'], sex: null, age: null, subset: null, gradedLevels: [] }]);
  });

  it('reports a binary overview.csv and a gradings header missing a column, and loads the rest', async () => {
    const r = fresh();
    put(join(r, 'images', '1_t1.mha'), volumeBytes(GRID_LPS));
    put(join(r, 'masks', '1_t1.mha'), volumeBytes(GRID_LPS));
    put(join(r, 'overview.csv'), volumeBytes(GRID_LPS, 'int16', true));
    put(join(r, 'radiological_gradings.csv'), 'Patient,IVD label,Modic\r\n1,1,0\r\n');
    const idx = await scanDataset(r);
    expect(idx.series.map((s) => [s.id, s.problems])).toEqual([['1_t1', []]]);
    expect(idx.problems.map((p) => [p.code, p.severity, p.file])).toEqual([
      ['csv_unreadable', 'error', 'overview.csv'],
      ['csv_header', 'error', 'radiological_gradings.csv'],
    ]);
    expect(idx.problems[0]!.message).toMatch(/^overview\.csv: binary data/);
    expect(idx.problems[1]!.message).toContain('"UP endplate"');
  });

  it('carries malformed CSV rows as problems with their lines', async () => {
    const r = fresh();
    put(join(r, 'images', '1_t1.mha'), volumeBytes(GRID_LPS));
    put(join(r, 'masks', '1_t1.mha'), volumeBytes(GRID_LPS));
    put(join(r, 'overview.csv'), overviewCsvFor(['1_t1', '1_t1']));
    put(join(r, 'radiological_gradings.csv'), gradingsCsvFor([1]) + '1,3,9,0,0,0,0,1,1,3\r\n');
    const idx = await scanDataset(r);
    expect(idx.problems.map((p) => [p.code, p.file, p.line])).toEqual([
      ['duplicate_key', 'overview.csv', 3],
      ['duplicate_key', 'radiological_gradings.csv', 9],
    ]);
  });
});

describe('scanDataset on a dataset whose .mhd files point outside it', () => {
  let dir: string;
  let idx: DatasetIndex;
  const mhdFor = (dataFile: string): string =>
    volumeBytes(GRID_LPS).toString('latin1').split('ElementDataFile = LOCAL')[0] + `ElementDataFile = ${dataFile}\n`;

  beforeAll(async () => {
    dir = tempDir();
    const root = join(dir, 'ds');
    // A raw file of the right size outside the dataset: readable, so only the containment check can refuse it.
    put(join(dir, 'outside', 'secret.raw'), Buffer.alloc(96, 7));
    put(join(root, 'images', '1_t1.mhd'), mhdFor(join(dir, 'outside', 'secret.raw'))); // absolute
    put(join(root, 'masks', '1_t1.mha'), volumeBytes(GRID_LPS));
    put(join(root, 'images', '2_t1.mhd'), mhdFor('../../outside/secret.raw')); // ../
    put(join(root, 'images', '3_t1.mhd'), mhdFor('3_t1.raw')); // symlink leading outside
    symlinkSync(join(dir, 'outside', 'secret.raw'), join(root, 'images', '3_t1.raw'));
    put(join(root, 'images', '4_t1.mha'), volumeBytes(GRID_LPS)); // good image, mask escaping through ../
    put(join(root, 'masks', '4_t1.mhd'), mhdFor('../../outside/secret.raw'));
    put(join(root, 'images', '5_t1.mhd'), mhdFor('5_t1.raw')); // inside: fine
    put(join(root, 'images', '5_t1.raw'), Buffer.alloc(96));
    idx = await scanDataset(root);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each escaping header as outside the dataset, naming the file and the offending path', () => {
    const problem = (id: string) => idx.problems.find((p) => p.seriesId === id && p.code === 'outside_dataset');
    for (const [id, file, offending] of [
      ['1_t1', 'images/1_t1.mhd', join(dir, 'outside', 'secret.raw')],
      ['2_t1', 'images/2_t1.mhd', '../../outside/secret.raw'],
      ['3_t1', 'images/3_t1.mhd', '3_t1.raw'],
      ['4_t1', 'masks/4_t1.mhd', '../../outside/secret.raw'],
    ] as const) {
      const p = problem(id);
      expect(p, id).toMatchObject({ severity: 'error', file });
      expect(p!.message).toContain(offending);
      expect(p!.message).toContain('outside the dataset folder');
    }
  });

  it('leaves such images unopenable and such masks unreadable; contained .mhd files load', () => {
    const byId = new Map(idx.series.map((s) => [s.id, s]));
    for (const id of ['1_t1', '2_t1', '3_t1']) expect(byId.get(id)?.image, id).toBeNull();
    expect(byId.get('4_t1')?.image?.geometry).toEqual(GRID_LPS);
    expect(byId.get('4_t1')?.mask).toBeNull();
    expect(byId.get('5_t1')).toMatchObject({ image: { geometry: GRID_LPS }, problems: [expect.objectContaining({ code: 'missing_mask' })] });
  });
});
