// The export's QA section (issue 14): for every changed series, CHANGES.md and the manifest hold the per-series
// label checks on the original mask and on the exported labels. Real sample with injected faults, real store,
// edits through the service: erasing the generator's stray island resolves its finding; a blob painted far from the
// spine in a clean series is a new finding; an unchanged series has no QA record.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import type { VoxelDiff } from '../../common/labelDiff.js';
import { workstationVersion } from '../../main/cli/export.js';
import { runExport } from '../../main/core/export/index.js';
import { readMetaImage } from '../../main/core/mha/index.js';
import { checkSeries } from '../../main/core/qa/index.js';
import { generateSample, type SampleResult } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { readManifest } from './exportHelpers.js';
import { diffBytes } from './journalHelpers.js';

let root: string;
let sample: SampleResult;
let ws: Workstation;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-export-qa-'));
  sample = await generateSample({ out: join(root, 'data'), patients: 3, seed: 'export-qa' });
  ws = await openWorkstation({ datasetRoot: join(root, 'data'), storeFile: join(root, 'store.db'), annotator: 'alice', log: () => undefined });
});
afterAll(() => {
  ws?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Commits one edit setting `indices` to `value`. */
async function commit(seriesId: string, indices: number[], value: number, labels: Uint8Array): Promise<void> {
  const keep = indices.filter((i) => labels[i] !== value).sort((a, b) => a - b);
  const d: VoxelDiff = { indices: Uint32Array.from(keep), before: Uint8Array.from(keep, (i) => labels[i]!), after: new Uint8Array(keep.length).fill(value) };
  const { revision } = await ws.service.openSeries({ seriesId });
  await ws.service.commitEdit({ seriesId, baseRevision: revision, tool: value === 0 ? 'eraser' : 'brush', label: value, description: 'QA test edit', diff: diffBytes(d) });
}

describe('export: label QA before and after the edits', () => {
  it('lists the resolved island and the new far-away blob, per changed series', async () => {
    const island = sample.faults.find((f) => f.kind === 'stray_island')!;
    const islandSeries = island.seriesId;
    const clean = sample.series.find((s) => !sample.faults.some((f) => f.seriesId === s.id))!;
    // The island as the checks find it on the original mask: erase the voxels of its label around that point.
    await ws.service.openSeries({ seriesId: islandSeries });
    const labels = (await ws.volumeBytes(islandSeries, 'mask')).slice();
    const g = ws.index.series.find((s) => s.id === islandSeries)!.image!.geometry;
    const before = checkSeries({ seriesId: islandSeries, geometry: g, data: labels }).findings.filter((f) => f.code === 'island');
    expect(before.length).toBeGreaterThan(0);
    const [ci, cj, ck] = before[0]!.ijk!.map(Math.round) as Vec3;
    const erase: number[] = [];
    const [nx, ny, nz] = g.size;
    for (let k = Math.max(0, ck - 3); k <= Math.min(nz - 1, ck + 3); k++)
      for (let j = Math.max(0, cj - 3); j <= Math.min(ny - 1, cj + 3); j++)
        for (let i = Math.max(0, ci - 3); i <= Math.min(nx - 1, ci + 3); i++) {
          const p = i + nx * (j + ny * k);
          if (labels[p] === island.labels[0]) erase.push(p);
        }
    expect(erase.length).toBeGreaterThan(0);
    await commit(islandSeries, erase, 0, labels);

    // A 3×3×3 blob of vertebra 1 in a corner of a clean series: far from the spine, an island of vertebra 1.
    await ws.service.openSeries({ seriesId: clean.id });
    const cleanLabels = (await ws.volumeBytes(clean.id, 'mask')).slice();
    const cg = clean.geometry;
    const blob: number[] = [];
    for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 3; i++) blob.push(i + 1 + cg.size[0] * (j + 1 + cg.size[1] * (k + 1)));
    expect(blob.every((p) => cleanLabels[p] === 0)).toBe(true);
    await commit(clean.id, blob, 1, cleanLabels);

    const out = join(root, 'out');
    await runExport(
      { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 2, appVersion: workstationVersion() },
      { outDir: out, format: 'mha', changedOnly: false, force: false },
    );
    const m = readManifest(out);
    const rec = (id: string) => m.series.find((s) => s.seriesId === id)!;
    // The checks of the worker's voxel passes are those of checkSeries on the same volumes on this thread.
    const brief = (fs: ReturnType<typeof checkSeries>['findings']) => fs.map((f) => ({ code: f.code, severity: f.severity, labels: f.labels, message: f.message }));
    const entry = ws.index.series.find((s) => s.id === islandSeries)!;
    const exported = (await readMetaImage(join(out, entry.maskFile!))).data;
    const input = { seriesId: islandSeries, patientId: entry.patientId, sequence: entry.sequence, geometry: g };
    expect(rec(islandSeries).qa).toEqual({ before: brief(checkSeries({ ...input, data: labels }).findings), after: brief(checkSeries({ ...input, data: exported }).findings) });
    // The island finding of the original is gone after the edit.
    expect(rec(islandSeries).qa!.before.some((f) => f.code === 'island' && f.labels.includes(island.labels[0]!))).toBe(true);
    expect(rec(islandSeries).qa!.after.some((f) => f.code === 'island' && f.labels.includes(island.labels[0]!))).toBe(false);
    // The clean series had no finding; the blob is one now.
    expect(rec(clean.id).qa!.before).toEqual([]);
    expect(rec(clean.id).qa!.after.some((f) => f.labels.includes(1))).toBe(true);
    // Unchanged series carry no QA record.
    expect(m.series.filter((s) => s.labels !== 'changed').every((s) => s.qa === undefined)).toBe(true);

    const changes = readFileSync(join(out, 'CHANGES.md'), 'utf8');
    expect(changes).toMatch(/## Label QA \(2 changed series: findings before → after the edits\)/);
    expect(changes).toMatch(new RegExp(`### QA of ${islandSeries}\\n\\n(- resolved: .*\\n)*- resolved: (warning|error) \`island\` \\(${island.labels[0]}\\)`));
    expect(changes).toMatch(new RegExp(`### QA of ${clean.id}\\n\\n(- new: .*\\n)+`));
    expect(changes).toContain('run `spine-ws qa` on this folder');
  });

  it('is the same in an nnU-Net export', async () => {
    const out = join(root, 'out-nifti');
    await runExport(
      { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 2, appVersion: workstationVersion() },
      { outDir: out, format: 'nifti', changedOnly: true, force: false },
    );
    const m = readManifest(out);
    const changed = m.series.filter((s) => s.labels === 'changed');
    expect(changed.length).toBe(2);
    for (const s of changed) expect(s.qa!.before.length + s.qa!.after.length).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'CHANGES.md'), 'utf8')).toContain('## Label QA (2 changed series');
  });
});
