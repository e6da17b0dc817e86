// levelMeasures through the real service and level_measurements.csv through the real export: a dataset of box
// phantoms with known geometry written as real .mha files (patient 9: t1 on the identity grid, t2 on the PIR grid
// with a 4 mm slip at L3/L4), a real SQLite store. Checks the series naming, the values (within one voxel), the
// cache by label revision (an 81-voxel stray stroke committed through commitEdit: new revision, values unchanged
// within a voxel), the typed error for an unknown patient, and the CSV rows against the service's answer.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDiff } from '../../common/labelDiff.js';
import { LEVEL_MEASURES_FILE, LEVEL_MEASURES_HEADER } from '../../main/core/export/measurementsCsv.js';
import { runExport } from '../../main/core/export/index.js';
import { writeMetaImage } from '../../main/core/mha/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { CANAL_AP, DISC_H, INTENSITY, makePhantom, VERT_D, VERT_H } from '../unit/gradings/levelPhantom.js';

const VOXEL = 0.5;
let root: string;
let ws: Workstation;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-level-measures-'));
  const ds = join(root, 'ds');
  mkdirSync(join(ds, 'images'), { recursive: true });
  mkdirSync(join(ds, 'masks'), { recursive: true });
  const t1 = makePhantom({ orientation: 'LPS' });
  const t2 = makePhantom({ orientation: 'PIR', slipLevel: 3, slipMm: 4 });
  for (const [id, ph] of [['9_t1', t1], ['9_t2', t2]] as const) {
    await writeMetaImage(join(ds, 'images', `${id}.mha`), { geometry: ph.geometry, pixelType: 'int16', data: ph.image }, { compress: true });
    await writeMetaImage(join(ds, 'masks', `${id}.mha`), { geometry: ph.geometry, pixelType: 'int16', data: Int16Array.from(ph.labels) }, { compress: true });
  }
  ws = await openWorkstation({ datasetRoot: ds, storeFile: join(root, 's.sqlite'), annotator: 'alice', log: () => undefined });
});
afterAll(() => {
  ws?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('levelMeasures service and level_measurements.csv', () => {
  it('measures every level of every series of the patient, named with its series', async () => {
    const res = await ws.service.levelMeasures({ patientId: 9 });
    expect(res.series.map((s) => [s.seriesId, s.sequence, s.skipped])).toEqual([['9_t1', 't1', null], ['9_t2', 't2', null]]);
    for (const s of res.series) {
      expect(s.levels.map((l) => l.ivdLabel)).toEqual([1, 2, 3, 4]);
      for (const l of s.levels) {
        expect(l.seriesId).toBe(s.seriesId);
        expect(Math.abs(l.discHeightMm!.middle - DISC_H[l.ivdLabel]!)).toBeLessThanOrEqual(VOXEL);
        expect(Math.abs(l.canalApMm! - CANAL_AP)).toBeLessThanOrEqual(VOXEL);
        expect(l.signalRatio === null).toBe(s.sequence === 't1');
      }
    }
    const t2 = res.series[1]!.levels;
    expect(Math.abs(t2[2]!.slipMm! - 4)).toBeLessThanOrEqual(VOXEL);
    expect(t2[2]!.meyerding).toBe(1);
    expect(Math.abs(t2[2]!.slipPercent! - (400 / VERT_D))).toBeLessThanOrEqual(2);
    expect(t2[1]!.signalRatio).toBeCloseTo(INTENSITY.disc / INTENSITY.canal, 3);
    expect(Math.abs(res.series[0]!.levels[1]!.dhi!.mean - DISC_H[2] / VERT_H)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(res.series[0]!.levels[2]!.slipMm!)).toBeLessThanOrEqual(VOXEL);
  });

  it('answers from the cache until the labels change, then measures the new revision', async () => {
    const a = await ws.service.levelMeasures({ patientId: 9 });
    const b = await ws.service.levelMeasures({ patientId: 9 });
    expect(b.series[1]!.levels[1]).toBe(a.series[1]!.levels[1]); // the same cached object
    // An 81-voxel stroke of disc 202 inside vertebra 2 of the t2 (a stray stroke), through the real journal.
    const opened = await ws.service.openSeries({ seriesId: '9_t2' });
    const ph = makePhantom({ orientation: 'PIR', slipLevel: 3, slipMm: 4 });
    const idx = new Set<number>();
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) idx.add(ph.offsetOf([0, 12 + i * VOXEL, 50 + j * VOXEL]));
    const indices = Uint32Array.from([...idx].sort((x, y) => x - y));
    expect(indices.length).toBe(81);
    const before = Uint8Array.from(indices, (v) => ph.labels[v]!);
    expect([...new Set(before)]).toEqual([2]);
    const r = await ws.service.commitEdit({
      seriesId: '9_t2', baseRevision: opened.revision, tool: 'brush', label: 202, description: 'stray',
      diff: encodeDiff({ indices, before, after: new Uint8Array(81).fill(202) }),
    });
    const c = await ws.service.levelMeasures({ patientId: 9 });
    expect(c.series[1]!.revision).toBe(r.revision);
    expect(c.series[1]!.revision).not.toBe(a.series[1]!.revision);
    expect(c.series[0]!.levels[0]).toBe(a.series[0]!.levels[0]); // t1 untouched: still cached
    for (const k of [0, 1, 2]) {
      const x = a.series[1]!.levels[k]!;
      const y = c.series[1]!.levels[k]!;
      expect(Math.abs(x.discHeightMm!.middle - y.discHeightMm!.middle)).toBeLessThanOrEqual(VOXEL);
      expect(Math.abs(x.dhi!.mean - y.dhi!.mean)).toBeLessThanOrEqual(0.03);
    }
  });

  it('refuses an unknown patient with a typed error', async () => {
    await expect(ws.service.levelMeasures({ patientId: 12345 })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/levelMeasures: no patient 12345/) });
  });

  it('exports one CSV row per patient, series and level, equal to the service', async () => {
    const out = join(root, 'export');
    await runExport({ index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 1 }, { outDir: out, format: 'mha', changedOnly: false, force: false });
    expect(existsSync(`${out}.partial`)).toBe(false);
    const lines = readFileSync(join(out, LEVEL_MEASURES_FILE), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(LEVEL_MEASURES_HEADER.join(','));
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => `${r[0]} ${r[1]} ${r[3]} ${r[4]}`)).toEqual([
      '9 9_t1 1 L5/S1', '9 9_t1 2 L4/L5', '9 9_t1 3 L3/L4', '9 9_t1 4 L2/L3',
      '9 9_t2 1 L5/S1', '9 9_t2 2 L4/L5', '9 9_t2 3 L3/L4', '9 9_t2 4 L2/L3',
    ]);
    const svc = await ws.service.levelMeasures({ patientId: 9 });
    const col = (name: (typeof LEVEL_MEASURES_HEADER)[number]): number => LEVEL_MEASURES_HEADER.indexOf(name);
    for (const [i, r] of rows.entries()) {
      const s = svc.series[i >> 2]!;
      const l = s.levels[i % 4]!;
      expect(Number(r[col('Label revision')])).toBe(s.revision);
      expect(Number(r[col('Disc height middle (mm)')])).toBe(l.discHeightMm!.middle);
      expect(Number(r[col('DHI mean')])).toBe(l.dhi!.mean);
      expect(r[col('Slip (mm)')]).toBe(l.slipMm === null ? '' : String(l.slipMm));
      expect(r[col('Meyerding grade')]).toBe(l.meyerding === null ? '' : String(l.meyerding));
      expect(Number(r[col('Canal AP (mm)')])).toBe(l.canalApMm);
      expect(r[col('Nucleus/CSF T2 ratio')]).toBe(l.signalRatio === null ? '' : String(l.signalRatio));
    }
    const manifest = JSON.parse(readFileSync(join(out, 'export-manifest.json'), 'utf8')) as { files: { path: string; how: string }[] };
    expect(manifest.files.find((f) => f.path === LEVEL_MEASURES_FILE)).toMatchObject({ how: 'generated' });
  });
});
