// getDashboard over a real workstation (SQLite store, sample dataset): before any edit it summarises the same
// report `spine-ws qa` makes from the mask files; after a label edit it follows the current labels (the edited
// series' volumes); statuses and store gradings are counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDiff } from '../../common/labelDiff.js';
import { scanDataset } from '../../main/core/dataset/index.js';
import { buildDashboard, effectiveGradings, type DashboardInput } from '../../main/core/qa/dashboard.js';
import { runQa } from '../../main/core/qa/index.js';
import { generateSample, type SampleResult } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';

let root: string;
let sample: SampleResult;
let ws: Workstation;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-dashboard-'));
  sample = await generateSample({ out: join(root, 'ds'), patients: 3, seed: 'dashboard' });
  ws = await openWorkstation({ datasetRoot: sample.out, storeFile: join(root, 'store.sqlite'), annotator: 'tester' });
}, 120_000);
afterAll(() => {
  ws?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('getDashboard', () => {
  it('summarises the mask files before any edit, like spine-ws qa', async () => {
    const d = await ws.service.getDashboard({});
    const files = await runQa(await scanDataset(sample.out));
    const input: DashboardInput = {
      name: 'ds',
      patients: 3,
      series: sample.series.map((s) => ({ id: s.id, status: 'todo' })),
      report: files,
      gradings: [],
    };
    const expected = buildDashboard(input);
    expect(d.dataset).toEqual(expected.dataset);
    expect(d.counts).toEqual(files.counts);
    expect(d.findingsByCheck).toEqual(expected.findingsByCheck);
    expect(d.volumes).toEqual(expected.volumes);
    expect(d.progress.find((p) => p.status === 'todo')!.count).toBe(sample.series.length);
    // Gradings: the CSV's values (every level of the sample is graded).
    const pf = d.grades.find((g) => g.field === 'pfirrmann')!;
    expect(pf.levels.length).toBeGreaterThan(0);
    expect(pf.levels.reduce((s, l) => s + l.counts.reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(0);
  }, 120_000);

  it('follows the current labels, statuses and grading values', async () => {
    const seriesId = sample.series[0]!.id;
    const opened = await ws.service.openSeries({ seriesId });
    const mask = await ws.volumeBytes(seriesId, 'mask');
    // Erase vertebra 2 (L4) entirely: one journal entry.
    const indices: number[] = [];
    for (let v = 0; v < mask.length; v++) if (mask[v] === 2) indices.push(v);
    expect(indices.length).toBeGreaterThan(0);
    const diff = encodeDiff({ indices: Uint32Array.from(indices), before: new Uint8Array(indices.length).fill(2), after: new Uint8Array(indices.length) });
    await ws.service.commitEdit({ seriesId, baseRevision: opened.revision, tool: 'eraser', label: 0, description: 'Erase L4', diff });
    await ws.service.setSeriesStatus({ seriesId, status: 'done' });
    const patientId = sample.series[0]!.patientId;
    const level = (await ws.service.getGradings({ patientId })).levels.find((l) => l.ivdLabel >= 1 && l.values.pfirrmann !== null)!;
    const to = level.values.pfirrmann === 5 ? 1 : 5;
    await ws.service.setGrading({ patientId, ivdLabel: level.ivdLabel, field: 'pfirrmann', value: to });

    const d = await ws.service.getDashboard({});
    const sequence = sample.series[0]!.id.split('_').slice(1).join('_');
    const l4 = d.volumes.find((v) => v.sequence === sequence)!.groups.find((g) => g.label === 2)!;
    expect(l4.points.map((p) => p.seriesId)).not.toContain(seriesId);
    expect(d.findingsByCheck.map((f) => f.code)).toContain('level_gap');
    expect(d.progress.find((p) => p.status === 'done')!.count).toBe(1);
    const pf = d.grades.find((g) => g.field === 'pfirrmann')!.levels.find((l) => l.ivdLabel === level.ivdLabel)!;
    const before = (await buildFromFiles()).grades.find((g) => g.field === 'pfirrmann')!.levels.find((l) => l.ivdLabel === level.ivdLabel)!;
    expect(pf.counts[to - 1]).toBe(before.counts[to - 1]! + 1);
    expect(pf.counts[level.values.pfirrmann! - 1]).toBe(before.counts[level.values.pfirrmann! - 1]! - 1);
  }, 120_000);
});

/** The dashboard of the untouched dataset with the CSV's grades (for the grade counts before the change). */
async function buildFromFiles(): Promise<ReturnType<typeof buildDashboard>> {
  const index = await scanDataset(sample.out);
  return buildDashboard({ name: 'ds', patients: 3, series: [], report: await runQa(index), gradings: effectiveGradings(index.gradings?.rows ?? [], []) });
}
