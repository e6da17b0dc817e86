// The QA service's bookkeeping (main/core/qa/service.ts) with in-memory labels: crafted volumes stand in for the
// workstation's current labels, so the test can count reads. A burst of label writes is checked once after the
// debounce; qaSeries re-checks only when the revision moved; datasetReport waits for changed series; the dataset-
// level findings follow a changed summary; closing stops everything.
import { describe, expect, it } from 'vitest';
import type { VolumeGeometry } from '../../../common/geometry.js';
import type { DatasetIndex, SeriesEntry } from '../../../main/core/dataset/index.js';
import { createQaService, type QaServiceDeps } from '../../../main/core/qa/index.js';
import { rasterise, relabel, spine } from './craft.js';

interface Fake {
  labels: Map<string, { volume: Uint8Array; revision: number }>;
  reads: string[];
}

function entry(id: string, patientId: number, geometry: VolumeGeometry): SeriesEntry {
  const header = { geometry, pixelType: 'uint8' } as unknown as NonNullable<SeriesEntry['image']>;
  return {
    id, patientId, sequence: id.split('_').slice(1).join('_'), imageFile: `images/${id}.mha`, maskFile: `masks/${id}.mha`,
    image: header, mask: header, overview: null, orientation: 'LPS', problems: [],
  };
}

function setup(debounceMs = 30): { fake: Fake; deps: QaServiceDeps } {
  const clean = rasterise('A', spine());
  const swapped = rasterise('A', relabel(spine(), { 2: 3, 3: 2 }));
  const series = [entry('1_t1', 1, clean.geometry), entry('1_t2', 1, clean.geometry), entry('2_t1', 2, swapped.geometry)];
  const index = { root: '/nowhere', series, patients: [], problems: [], gradings: null } as unknown as DatasetIndex;
  const fake: Fake = {
    labels: new Map([
      ['1_t1', { volume: Uint8Array.from(clean.data), revision: 0 }],
      ['1_t2', { volume: Uint8Array.from(clean.data), revision: 0 }],
      ['2_t1', { volume: Uint8Array.from(swapped.data), revision: 3 }],
    ]),
    reads: [],
  };
  const deps: QaServiceDeps = {
    index,
    labels: (e) => {
      fake.reads.push(e.id);
      const l = fake.labels.get(e.id)!;
      return Promise.resolve({ volume: l.volume, revision: l.revision });
    },
    revision: (id) => fake.labels.get(id)!.revision,
    activeEdits: () => 1, // every series is read through `labels` (no mask files in this test)
    debounceMs,
    log: () => undefined,
  };
  return { fake, deps };
}

/** An "edit": labels of `id` change (value `from` → `to` everywhere, and `to` → `from` when `swap`) and the revision moves. */
function edit(fake: Fake, id: string, from: number, to: number, swap = false): void {
  const l = fake.labels.get(id)!;
  const volume = l.volume.map((v) => (v === from ? to : swap && v === to ? from : v));
  fake.labels.set(id, { volume, revision: l.revision + 1 });
}

describe('QA service bookkeeping', () => {
  it('runs the dataset once, then re-checks a series once per burst of writes', async () => {
    const { fake, deps } = setup();
    const qa = createQaService(deps);
    expect((await qa.methods.qaOverview({})).state).toBe('computing');
    await qa.idle();
    expect(fake.reads.sort()).toEqual(['1_t1', '1_t2', '2_t1']);
    const ready = await qa.methods.qaOverview({});
    expect(ready).toMatchObject({ state: 'ready', done: 3, total: 3 });
    expect(ready.series.find((s) => s.seriesId === '2_t1')!.errors).toBeGreaterThan(0);
    fake.reads.length = 0;
    for (let n = 0; n < 5; n++) {
      edit(fake, '2_t1', 2, 3, true); // swapped back and forth: fixed after 5 swaps
      qa.labelsChanged('2_t1');
    }
    await new Promise((r) => setTimeout(r, 5));
    expect(fake.reads).toEqual([]); // still within the debounce
    await qa.idle();
    expect(fake.reads).toEqual(['2_t1']);
    const after = (await qa.methods.qaOverview({})).series.find((s) => s.seriesId === '2_t1')!;
    expect(after).toEqual({ seriesId: '2_t1', errors: 0, warnings: 0, revision: 8 });
    qa.close();
  });

  it('qaSeries checks again only when the revision moved, and datasetReport waits for changed series', async () => {
    const { fake, deps } = setup(60_000); // a debounce that never fires within the test
    const qa = createQaService(deps);
    await qa.methods.qaOverview({});
    await qa.idle();
    fake.reads.length = 0;
    const a = await qa.methods.qaSeries({ seriesId: '1_t1' });
    expect(fake.reads).toEqual([]);
    expect(a).toMatchObject({ seriesId: '1_t1', revision: 0, findings: [], datasetChecks: true });
    expect(a.siblings.map((s) => s.seriesId)).toEqual(['1_t2']);
    // Vertebra 5 erased in 1_t1: the sibling check (dataset level) now reports it, without waiting for the debounce.
    edit(fake, '1_t1', 5, 0);
    edit(fake, '1_t1', 205, 0);
    qa.labelsChanged('1_t1');
    const b = await qa.methods.qaSeries({ seriesId: '1_t1' });
    expect(fake.reads).toEqual(['1_t1']);
    expect(b.revision).toBe(2);
    expect(b.findings.map((f) => [f.code, f.labels])).toEqual([['sibling_levels', [5, 205]]]);
    expect((await qa.methods.qaSeries({ seriesId: '1_t1' })).findings).toEqual(b.findings);
    expect(fake.reads).toEqual(['1_t1']);
    // The report for the dashboard includes a change nobody asked about yet.
    edit(fake, '1_t2', 100, 0);
    const report = await qa.datasetReport();
    expect(fake.reads).toEqual(['1_t1', '1_t2']);
    expect(report.findings.filter((f) => f.seriesId === '1_t2').map((f) => f.code)).toContain('canal_missing');
    expect(report.summaries.map((s) => s.seriesId)).toEqual(['1_t1', '1_t2', '2_t1']);
    qa.close();
    await expect(qa.methods.qaSeries({ seriesId: '1_t1' })).rejects.toMatchObject({ code: 'internal' });
  });

  it('takes unedited labels already in memory from `labels`, and streams the other unedited series from their mask files', async () => {
    const { fake, deps } = setup();
    const qa = createQaService({ ...deps, activeEdits: () => 0, loaded: (id) => id === '1_t1' });
    const report = await qa.datasetReport();
    expect(fake.reads).toEqual(['1_t1']);
    // The other two are read from their mask files, which this test does not have.
    expect(report.findings.filter((f) => f.code === 'mask_unreadable').map((f) => f.seriesId)).toEqual(['1_t2', '2_t1']);
    expect(report.summaries.map((s) => s.seriesId)).toEqual(['1_t1']);
    qa.close();
  });

  it('refuses an unknown series with not_found', async () => {
    const { deps } = setup();
    const qa = createQaService(deps);
    await expect(qa.methods.qaSeries({ seriesId: '9_t1' })).rejects.toMatchObject({ code: 'not_found' });
    await qa.idle();
    qa.close();
  });
});
