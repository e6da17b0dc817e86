// Review status through the service on a real sample dataset and SQLite file: setSeriesStatus / listSeries carry
// who and when; the first edit moves todo → in_progress, undoing every edit takes it back to todo (only when it was
// automatic), a redo starts it again, and a person's status is never overridden.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesSummary } from '../../common/contract.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { brushDiff, diffBytes, prng, workstationCases } from './journalHelpers.js';

const SERIES = '1_t2';
let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-status-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 2, seed: 'status' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { open, fresh } = workstationCases(() => ({ root, pristine }));

async function start(paths: { dataset: string; storeFile: string }, annotator = 'alice'): Promise<Workstation> {
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator, log: () => undefined });
  open.push(ws);
  return ws;
}

async function stroke(ws: Workstation, rnd: () => number, seriesId = SERIES): Promise<void> {
  const opened = await ws.service.openSeries({ seriesId });
  const mask = await ws.volumeBytes(seriesId, 'mask');
  const { diff, label } = brushDiff(mask, opened.image.geometry.size, rnd);
  await ws.service.commitEdit({ seriesId, baseRevision: opened.revision, tool: 'brush', label, description: 'Brush', diff: diffBytes(diff) });
}

async function summary(ws: Workstation, id = SERIES): Promise<SeriesSummary> {
  const s = (await ws.service.listSeries({})).find((x) => x.id === id);
  if (!s) throw new Error(`no series ${id}`);
  return s;
}

describe('series review status', () => {
  it('lists every series as todo, nobody, until a status is set; setSeriesStatus returns who and when', async () => {
    const ws = await start(fresh());
    const all = await ws.service.listSeries({});
    expect(all.length).toBeGreaterThan(2);
    for (const s of all) expect(s).toMatchObject({ status: 'todo', statusBy: null, statusAt: null, statusAuto: false });
    const set = await ws.service.setSeriesStatus({ seriesId: '2_t1', status: 'second_look' });
    expect(set).toMatchObject({ seriesId: '2_t1', status: 'second_look', statusBy: 'alice', statusAuto: false });
    expect(Date.parse(set.statusAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await summary(ws, '2_t1')).toMatchObject({ status: 'second_look', statusBy: 'alice', statusAt: set.statusAt });
  });

  it('first edit → in_progress (automatic); undoing every edit → todo; redo → in_progress again', async () => {
    const ws = await start(fresh());
    const rnd = prng(7);
    await stroke(ws, rnd);
    expect(await summary(ws)).toMatchObject({ status: 'in_progress', statusBy: 'alice', statusAuto: true });
    await stroke(ws, rnd);
    await ws.service.undo({ seriesId: SERIES });
    expect((await summary(ws)).status).toBe('in_progress'); // one edit still active
    await ws.service.undo({ seriesId: SERIES });
    expect(await summary(ws)).toMatchObject({ status: 'todo', statusAuto: true });
    await ws.service.redo({ seriesId: SERIES });
    expect(await summary(ws)).toMatchObject({ status: 'in_progress', statusAuto: true });
    await ws.service.undo({ seriesId: SERIES });
    expect((await summary(ws)).status).toBe('todo');
    // An undo with nothing to undo changes nothing.
    await ws.service.undo({ seriesId: SERIES });
    expect((await summary(ws)).status).toBe('todo');
    expect(ws.store.series.history(SERIES).map((e) => `${e.oldStatus}→${e.newStatus}${e.automatic ? ' auto' : ''}`)).toEqual([
      'todo→in_progress auto',
      'in_progress→todo auto',
      'todo→in_progress auto',
      'in_progress→todo auto',
    ]);
  });

  it('never overrides a status a person set, across a restart', async () => {
    const paths = fresh();
    let ws = await start(paths);
    const rnd = prng(9);
    await stroke(ws, rnd);
    await ws.service.setSeriesStatus({ seriesId: SERIES, status: 'in_progress' }); // now the person's choice
    ws.close();
    open.splice(open.indexOf(ws), 1);
    ws = await start(paths, 'bob');
    await ws.service.undo({ seriesId: SERIES });
    expect(await summary(ws)).toMatchObject({ status: 'in_progress', statusBy: 'alice', statusAuto: false });

    await ws.service.setSeriesStatus({ seriesId: SERIES, status: 'done' });
    await stroke(ws, rnd);
    await ws.service.undo({ seriesId: SERIES });
    expect(await summary(ws)).toMatchObject({ status: 'done', statusBy: 'bob', statusAuto: false });
  });
});
