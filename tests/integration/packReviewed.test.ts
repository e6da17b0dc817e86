// A level a reader marked reviewed is that reader's reading of every field it shows, also the values they left as
// the CSV had them: setting a value equal to the one shown stores nothing (no change, no event), so without this a
// reader who agrees with the CSV would be missing from the package and from κ. Real sample, real store, the package
// bytes decoded with the package reader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADING_FIELDS } from '../../common/gradings.js';
import { base64ToBytes } from '../../common/labelDiff.js';
import { decodePackage } from '../../main/core/readers/package.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';

let root: string;
let ws: Workstation;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-pack-reviewed-'));
  await generateSample({ out: join(root, 'ds'), patients: 2, seed: 'pack-reviewed' });
  ws = await openWorkstation({ datasetRoot: join(root, 'ds'), storeFile: join(root, 'a.sqlite'), annotator: 'Reader A', log: () => undefined });
});
afterAll(() => {
  ws.close();
  rmSync(root, { recursive: true, force: true });
});

describe('packing a reviewed level', () => {
  it('packs the values a reader confirmed by marking the level reviewed, and only those levels', async () => {
    const rows = (ws.index.gradings?.rows ?? []).filter((r) => r.ivdLabel >= 1);
    const [kept, changed, untouched] = rows;
    expect(untouched).toBeDefined();
    // Level 1: reviewed with every value as the CSV has it. Level 2: Pfirrmann changed, then reviewed.
    await ws.service.setLevelReviewed({ patientId: kept!.patient, ivdLabel: kept!.ivdLabel, reviewed: true });
    const newPfirrmann = kept === changed ? 1 : ((changed!.pfirrmann ?? 2) % 5) + 1;
    await ws.service.setGrading({ patientId: changed!.patient, ivdLabel: changed!.ivdLabel, field: 'pfirrmann', value: newPfirrmann });
    await ws.service.setLevelReviewed({ patientId: changed!.patient, ivdLabel: changed!.ivdLabel, reviewed: true });

    const pkg = await ws.service.exportAnnotations({ annotator: 'Reader A' });
    const decoded = decodePackage(base64ToBytes(pkg.data), pkg.fileName);
    const grade = (p: number, k: number, field: string) => decoded.grades.find((g) => g.patientId === p && g.ivdLabel === k && g.field === field);

    for (const { field } of GRADING_FIELDS) {
      const csv = kept![field];
      if (csv === null) expect(grade(kept!.patient, kept!.ivdLabel, field)).toBeUndefined();
      else expect(grade(kept!.patient, kept!.ivdLabel, field)).toMatchObject({ value: csv, firstValue: csv });
    }
    expect(grade(changed!.patient, changed!.ivdLabel, 'pfirrmann')).toMatchObject({ value: newPfirrmann, firstValue: newPfirrmann });
    const modic = changed!.modic;
    if (modic !== null) expect(grade(changed!.patient, changed!.ivdLabel, 'modic')).toMatchObject({ value: modic });
    // A level nobody reviewed or graded is not this reader's reading.
    expect(decoded.grades.filter((g) => g.patientId === untouched!.patient && g.ivdLabel === untouched!.ivdLabel)).toEqual([]);
  });
});
