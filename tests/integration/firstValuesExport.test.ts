// The export writes gradings_first_values.csv (issue 15, item 6): the first value a person entered per grading,
// from a real workstation (generated sample dataset, real SQLite store, the real export engine). The first values
// survive later changes by another reader and undo, in the store and in a second export; CSV baseline values
// (never entered here) are not in the file; a store without any entered value writes no file.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADING_FIELDS } from '../../common/gradings.js';
import { runExport } from '../../main/core/export/index.js';
import { FIRST_VALUES_FILE, FIRST_VALUES_HEADER } from '../../main/core/export/firstValuesCsv.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { readManifest } from './exportHelpers.js';

let root: string;
let ws: Workstation;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-first-values-'));
  await generateSample({ out: join(root, 'ds'), patients: 2, seed: 'first-values' });
  ws = await openWorkstation({ datasetRoot: join(root, 'ds'), storeFile: join(root, 'a.sqlite'), annotator: 'alice', log: () => undefined });
});
afterAll(() => {
  ws.close();
  rmSync(root, { recursive: true, force: true });
});

async function exportTo(name: string): Promise<string> {
  const out = join(root, name);
  const deps = { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 1 };
  await runExport(deps, { outDir: out, format: 'mha', changedOnly: true, force: false });
  return out;
}

const column = (field: string): string => GRADING_FIELDS.find((f) => f.field === field)!.column;

describe('export: gradings_first_values.csv', () => {
  it('writes no file while nobody entered a value', async () => {
    const out = await exportTo('empty');
    expect(existsSync(join(out, FIRST_VALUES_FILE))).toBe(false);
  });

  it('writes the first values, and they survive later changes and undo', async () => {
    const s = ws.service;
    const level = (await s.getGradings({ patientId: 1 })).levels.find((l) => l.ivdLabel === 2 && l.inCsv)!;
    expect(level).toBeDefined();
    const p0 = level.baseline.pfirrmann!;
    const first = p0 === 5 ? 4 : p0 + 1; // differs from the CSV baseline, so it is a change
    const second = first - 1; // bob's later reading (may equal the baseline: still a stored change)
    const herniation = level.baseline.herniation === 1 ? 0 : 1;
    await s.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: first });
    await s.setGrading({ patientId: 1, ivdLabel: 2, field: 'herniation', value: herniation });
    await s.setAnnotator({ name: 'bob, the second reader' }); // a name that needs quoting in the CSV
    await s.setGrading({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: second });
    const l2 = await s.setGrading({ patientId: 2, ivdLabel: 1, field: 'modic', value: 3 });
    expect(l2.firstValues.modic).toMatchObject({ value: 3, annotator: 'bob, the second reader' });
    // Undo bob's modic (patient 2: back to the CSV baseline) and bob's pfirrmann (patient 1: back to alice's).
    await s.undoGrading({ patientId: 2 });
    await s.undoGrading({ patientId: 1 });
    const now = (await s.getGradings({ patientId: 1 })).levels.find((l) => l.ivdLabel === 2)!;
    expect(now.values.pfirrmann).toBe(first);
    expect(now.firstValues.pfirrmann).toMatchObject({ value: first, annotator: 'alice' });

    const out = await exportTo('one');
    const text = readFileSync(join(out, FIRST_VALUES_FILE), 'utf8');
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(FIRST_VALUES_HEADER.join(','));
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    const fv = ws.store.gradings.allFirstValues();
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['1', '2', column('herniation'), String(herniation)],
      ['1', '2', column('pfirrmann'), String(first)],
      ['2', '1', column('modic'), '3'],
    ]);
    expect(rows[0]![4]).toBe('alice');
    expect(lines[3]).toContain('"bob, the second reader"');
    expect(rows[1]![5]).toBe(fv.find((f) => f.field === 'pfirrmann')!.createdAt);
    const m = readManifest(out);
    expect(m.files.find((f) => f.path === FIRST_VALUES_FILE)).toMatchObject({ how: 'generated' });

    // More changes and undos by a third reader: the exported first values stay byte for byte.
    await s.setAnnotator({ name: 'carol' });
    await s.setGrading({ patientId: 1, ivdLabel: 2, field: 'herniation', value: 1 - herniation });
    await s.setGrading({ patientId: 2, ivdLabel: 1, field: 'modic', value: 2 });
    await s.undoGrading({ patientId: 1 });
    await s.undoGrading({ patientId: 1 }); // alice's herniation: back to the CSV baseline
    const again = readFileSync(join(await exportTo('two'), FIRST_VALUES_FILE), 'utf8');
    expect(again).toBe(text);
  });
});
