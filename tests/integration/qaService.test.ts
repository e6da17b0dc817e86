// The workstation's QA service (issue 14 items 2–3) on a generated sample with its injected faults and a real SQLite
// store: the background run reports what `spine-ws qa` reports (runQa on the files) while no label is edited; an edit
// committed through the journal (a one-click fix from renderer/qa) is checked at once by qaSeries and shows in the
// overview's counts after the debounce; undo brings the finding back; dataset-level findings follow the summaries;
// typed errors for an unknown series and a closed workstation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QaOverview } from '../../common/contract.js';
import { AppError } from '../../common/errors.js';
import { encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { scanDataset } from '../../main/core/dataset/index.js';
import { runQa, type QaReport } from '../../main/core/qa/index.js';
import { generateSample, type SampleResult } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { fixFor } from '../../renderer/qa/decide.js';
import { buildFix } from '../../renderer/qa/fixes.js';

let dir: string;
let sample: SampleResult;
let ws: Workstation;
let files: QaReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-qa-service-'));
  sample = await generateSample({ out: join(dir, 'ds'), patients: 3, seed: 'qa-service' });
  files = await runQa(await scanDataset(join(dir, 'ds')));
  ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'qa-tester' });
}, 120_000);
afterAll(() => {
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

const countsOf = (report: QaReport, id: string): { errors: number; warnings: number } => ({
  errors: report.findings.filter((f) => f.seriesId === id && f.severity === 'error').length,
  warnings: report.findings.filter((f) => f.seriesId === id && f.severity === 'warning').length,
});
const faultOf = (kind: string): string => sample.faults.find((f) => f.kind === kind)!.seriesId;

async function commit(seriesId: string, diff: VoxelDiff, tool: string, label: number, description: string): Promise<number> {
  const { revision } = await ws.service.history({ seriesId });
  return (await ws.service.commitEdit({ seriesId, baseRevision: revision, tool, label, description, diff: encodeDiff(diff) })).revision;
}

describe('QA service', () => {
  it('computes the dataset report in the background, as spine-ws qa does on the unedited files', async () => {
    const first: QaOverview = await ws.service.qaOverview({});
    expect(first.state).toBe('computing');
    expect(first.total).toBe(sample.series.length);
    await ws.qa.idle();
    const ready = await ws.service.qaOverview({});
    expect(ready).toMatchObject({ state: 'ready', done: sample.series.length, total: sample.series.length });
    expect(ready.series.map((s) => s.seriesId)).toEqual(sample.series.map((s) => s.id).sort((a, b) => ws.index.series.findIndex((x) => x.id === a) - ws.index.series.findIndex((x) => x.id === b)));
    for (const s of ready.series) expect({ errors: s.errors, warnings: s.warnings }, s.seriesId).toEqual(countsOf(files, s.seriesId));
    const report = await ws.qa.datasetReport();
    expect(report.findings).toEqual(files.findings);
    expect(report.counts).toEqual(files.counts);
    expect(report.summaries).toEqual(files.summaries);
    // Every injected fault is among the findings of its series.
    for (const f of sample.faults) {
      const q = await ws.service.qaSeries({ seriesId: f.seriesId });
      expect(q.findings.some((x) => f.labels.every((l) => x.labels.includes(l))), f.description).toBe(true);
    }
  });

  it('checks a fixed series at once, updates its counts after the debounce, and undo brings the finding back', async () => {
    const id = faultOf('stray_island');
    const before = await ws.service.qaSeries({ seriesId: id });
    const island = before.findings.find((f) => f.code === 'island' && f.labels[0] === 3)!;
    expect(island).toBeDefined();
    const fix = fixFor(island, before)!;
    expect(fix).toMatchObject({ kind: 'islands', label: 3 });
    await ws.service.openSeries({ seriesId: id });
    const labels = new Uint8Array(await ws.volumeBytes(id, 'mask'));
    const { size } = ws.index.series.find((s) => s.id === id)!.image!.geometry;
    const built = buildFix(fix, { labels, size });
    if (!built.ok) throw new Error(built.message);
    const revision = await commit(id, built.diff, built.tool, built.label, `${built.title}, ${built.diff.indices.length} voxels`);
    // No waiting for the debounce: qaSeries checks the current labels.
    const after = await ws.service.qaSeries({ seriesId: id });
    expect(after.revision).toBe(revision);
    expect(after.findings.filter((f) => f.labels.includes(3) && (f.code === 'island' || f.code === 'far_from_spine'))).toEqual([]);
    expect(after.datasetChecks).toBe(true);
    await ws.qa.idle();
    const counts = (await ws.service.qaOverview({})).series.find((s) => s.seriesId === id)!;
    expect(counts.revision).toBe(revision);
    expect(counts.errors + counts.warnings).toBe(after.findings.filter((f) => f.severity !== 'info').length);
    expect(counts.errors + counts.warnings).toBeLessThan(countsOf(files, id).errors + countsOf(files, id).warnings);
    // The dashboard's report has the series at its new revision.
    const report = await ws.qa.datasetReport();
    expect(report.findings.filter((f) => f.seriesId === id)).toEqual(after.findings);

    const undone = await ws.service.undo({ seriesId: id });
    expect(undone.edit?.description).toMatch(/^QA fix: remove 1 island of L3, 9 voxels$/);
    const back = await ws.service.qaSeries({ seriesId: id });
    expect(back.revision).toBe(undone.revision);
    expect(back.findings).toEqual(before.findings);
  });

  it('re-runs the dataset-level checks: a disc erased in one series loses its grading match', async () => {
    const id = sample.series[0]!.id;
    const before = await ws.service.qaSeries({ seriesId: id });
    expect(before.findings.some((f) => f.code === 'grading_without_disc')).toBe(false);
    await ws.service.openSeries({ seriesId: id });
    const labels = new Uint8Array(await ws.volumeBytes(id, 'mask'));
    const indices: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === 201) indices.push(i);
    expect(indices.length).toBeGreaterThan(0);
    await commit(id, { indices: Uint32Array.from(indices), before: new Uint8Array(indices.length).fill(201), after: new Uint8Array(indices.length) }, 'eraser', 0, 'Erase L5/S1');
    const after = await ws.service.qaSeries({ seriesId: id });
    expect(after.findings.filter((f) => f.code === 'grading_without_disc').map((f) => f.labels)).toEqual([[201]]);
    expect(after.labels.some((l) => l.value === 201)).toBe(false);
    // Its siblings' summaries come with it (what a shift fix compares against).
    expect(after.siblings.map((s) => s.seriesId).sort()).toEqual(ws.index.series.filter((s) => s.patientId === sample.series[0]!.patientId && s.id !== id).map((s) => s.id).sort());
    await ws.service.undo({ seriesId: id });
  });

  it('refuses an unknown series and answers nothing once closed', async () => {
    await expect(ws.service.qaSeries({ seriesId: '999_t1' })).rejects.toMatchObject({ code: 'not_found' });
    const other = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store2.sqlite'), annotator: 'x' });
    const started = other.service.qaOverview({});
    other.close();
    await started;
    await expect(other.service.qaOverview({})).rejects.toBeInstanceOf(AppError);
    await expect(other.qa.datasetReport()).rejects.toMatchObject({ code: 'internal' });
  });
});
