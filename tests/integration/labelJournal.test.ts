// The edit journal behind commitEdit / undo / redo / history on a real sample dataset and a real SQLite file:
// round trips, restarts, the redo stack, checkpoints (equal to a full replay, never stale), concurrency, and the
// source dataset never being written.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Request, WireRequest } from '../../common/contract.js';
import { AppError } from '../../common/errors.js';
import { applyDiff, base64ToBytes, bytesToBase64, decodeDiff, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { CHECKPOINT_ENCODING } from '../../main/core/labels/checkpoint.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation, type WorkstationOptions } from '../../main/core/workstation.js';
import { brushDiff, diffBytes, hashTree, originalLabels, prng, sameBytes, workstationCases } from './journalHelpers.js';

const SERIES = '1_t2';
const OTHER = '1_t2_SPACE';

let root: string;
let pristine: string;
let pristineHash: Record<string, string>;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-journal-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 1, seed: 'journal' });
  pristineHash = hashTree(pristine);
});
afterAll(() => {
  expect(hashTree(pristine)).toEqual(pristineHash);
  rmSync(root, { recursive: true, force: true });
});

/** A fresh copy of the sample and a fresh store per test; workstations in `open` are closed after each. */
const { open, fresh } = workstationCases(() => ({ root, pristine }));

async function start(paths: { dataset: string; storeFile: string }, opts: Partial<WorkstationOptions> = {}): Promise<Workstation> {
  const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'alice', log: () => undefined, ...opts });
  open.push(ws);
  return ws;
}

function stop(ws: Workstation): void {
  open.splice(open.indexOf(ws), 1);
  ws.close();
}

/** Commits one random brush stroke against the served mask; returns what was sent and the acknowledgement. */
async function stroke(ws: Workstation, rnd: () => number, seriesId = SERIES) {
  const opened = await ws.service.openSeries({ seriesId });
  const mask = await ws.volumeBytes(seriesId, 'mask');
  const { diff, label } = brushDiff(mask, opened.image.geometry.size, rnd);
  const req: WireRequest<'commitEdit'> = {
    seriesId,
    baseRevision: opened.revision,
    tool: 'brush',
    label,
    description: `Brush ${label}, ${diff.indices.length} voxels`,
    diff: diffBytes(diff),
  };
  const ack = await ws.service.commitEdit(req);
  return { diff, req, ack };
}

/** Original mask + the active journal edits in seq order, computed here independently of the workstation. */
async function fullReplay(ws: Workstation, dataset: string, seriesId = SERIES, upToSeq = Infinity): Promise<Uint8Array> {
  const volume = await originalLabels(dataset, seriesId);
  for (const e of ws.store.edits.active(seriesId)) {
    if (e.seq <= upToSeq) applyDiff(volume, decodeDiff(e.diff, volume.length), 'forward');
  }
  return volume;
}

async function rejects(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    return err as AppError;
  }
  throw new Error(`expected AppError('${code}')`);
}

describe('label edit journal', () => {
  it('commits a stroke to the journal before acknowledging it and serves original + stroke', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const original = await originalLabels(paths.dataset, SERIES);
    expect((await ws.service.openSeries({ seriesId: SERIES })).revision).toBe(0);
    expect(ws.store.series.getStatus(SERIES)).toBe('todo');

    const { diff, req, ack } = await stroke(ws, prng(1));
    expect(ack).toMatchObject({ seq: 1, revision: 1 });
    expect(new Date(ack.savedAt).toISOString()).toBe(ack.savedAt);
    const row = ws.store.edits.get(SERIES, 1);
    expect(row).toMatchObject({ tool: 'brush', label: req.label, voxelCount: diff.indices.length, description: req.description, encoding: 'rle-u8-v1', state: 'active' });
    expect(sameBytes(row!.diff, encodeDiff(diff))).toBe(true);
    const expected = original.slice();
    applyDiff(expected, diff, 'forward');
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), expected)).toBe(true);
    expect(ws.store.series.getStatus(SERIES)).toBe('in_progress');
    expect((await ws.service.openSeries({ seriesId: SERIES })).revision).toBe(1);
    expect(await ws.service.history({ seriesId: SERIES })).toEqual({
      revision: 1,
      edits: [{ seq: 1, createdAt: ack.savedAt, annotator: 'alice', tool: 'brush', label: req.label, voxelCount: diff.indices.length, description: req.description, state: 'active' }],
    });
    // The acknowledgement carries that history entry, so the renderer needs no history call per stroke.
    expect(ack.edit).toEqual((await ws.service.history({ seriesId: SERIES })).edits[0]);
    expect(ack.discarded).toEqual([]);
  });

  it("a commit's acknowledgement names the undone edits it discarded, as the history then shows them", async () => {
    const ws = await start(fresh());
    const rnd = prng(3);
    await stroke(ws, rnd);
    await stroke(ws, rnd);
    await stroke(ws, rnd);
    await ws.service.undo({ seriesId: SERIES });
    await ws.service.undo({ seriesId: SERIES });
    const { ack } = await stroke(ws, rnd);
    expect(ack).toMatchObject({ seq: 4, revision: 6, discarded: [2, 3] });
    const h = await ws.service.history({ seriesId: SERIES });
    expect(h.edits.map((e) => e.state)).toEqual(['active', 'discarded', 'discarded', 'active']);
    expect(ack.edit).toEqual(h.edits[3]);
  });

  it('undo and redo are journal operations that move the mask and the revision by one each', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const rnd = prng(2);
    const original = await originalLabels(paths.dataset, SERIES);
    const a = await stroke(ws, rnd);
    const afterA = (await ws.volumeBytes(SERIES, 'mask')).slice();
    const b = await stroke(ws, rnd);
    const afterB = (await ws.volumeBytes(SERIES, 'mask')).slice();

    const u1 = await ws.service.undo({ seriesId: SERIES });
    expect(u1).toMatchObject({ edit: { seq: 2, state: 'undone', annotator: 'alice' }, diff: bytesToBase64(b.req.diff), revision: 3 });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), afterA)).toBe(true);
    // The returned diff is what the renderer applies backwards to its own copy.
    const local = afterB.slice();
    applyDiff(local, decodeDiff(base64ToBytes(u1.diff!), local.length), 'backward');
    expect(sameBytes(local, afterA)).toBe(true);

    const u2 = await ws.service.undo({ seriesId: SERIES });
    expect(u2).toMatchObject({ edit: { seq: 1, state: 'undone' }, diff: bytesToBase64(a.req.diff), revision: 4 });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), original)).toBe(true);
    expect(await ws.service.undo({ seriesId: SERIES })).toEqual({ edit: null, diff: null, revision: 4 });

    expect(await ws.service.redo({ seriesId: SERIES })).toMatchObject({ edit: { seq: 1, state: 'active' }, diff: bytesToBase64(a.req.diff), revision: 5 });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), afterA)).toBe(true);
    expect(await ws.service.redo({ seriesId: SERIES })).toMatchObject({ edit: { seq: 2, state: 'active' }, revision: 6 });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), afterB)).toBe(true);
    expect(await ws.service.redo({ seriesId: SERIES })).toEqual({ edit: null, diff: null, revision: 6 });
    expect((await ws.service.history({ seriesId: SERIES })).revision).toBe(6);
    expect(ws.store.edits.events(SERIES).map((e) => e.kind)).toEqual(['undo', 'undo', 'redo', 'redo']);
  });

  it('a new edit after undo discards the redo stack; history lists every entry oldest first', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const rnd = prng(3);
    await stroke(ws, rnd);
    await stroke(ws, rnd);
    await stroke(ws, rnd);
    await ws.service.undo({ seriesId: SERIES });
    await ws.service.undo({ seriesId: SERIES });
    const c = await stroke(ws, rnd);
    expect(c.ack).toMatchObject({ seq: 4, revision: 6 });
    expect(await ws.service.redo({ seriesId: SERIES })).toEqual({ edit: null, diff: null, revision: 6 });
    const h = await ws.service.history({ seriesId: SERIES });
    expect(h.revision).toBe(6);
    expect(h.edits.map((e) => [e.seq, e.state])).toEqual([[1, 'active'], [2, 'discarded'], [3, 'discarded'], [4, 'active']]);
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await fullReplay(ws, paths.dataset))).toBe(true);
  });

  it('survives close and reopen: same revision, history and mask; undo and redo after the restart work', async () => {
    const paths = fresh();
    let ws = await start(paths);
    const rnd = prng(4);
    await stroke(ws, rnd);
    await stroke(ws, rnd);
    const afterA = await fullReplay(ws, paths.dataset, SERIES, 1);
    await stroke(ws, rnd);
    await ws.service.undo({ seriesId: SERIES });
    const mask = (await ws.volumeBytes(SERIES, 'mask')).slice();
    const history = await ws.service.history({ seriesId: SERIES });
    expect(history.revision).toBe(4);
    stop(ws);

    ws = await start(paths, { annotator: 'bob' });
    expect((await ws.service.openSeries({ seriesId: SERIES })).revision).toBe(4);
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), mask)).toBe(true);
    expect(await ws.service.history({ seriesId: SERIES })).toEqual(history);
    expect(await ws.service.undo({ seriesId: SERIES })).toMatchObject({ edit: { seq: 2, state: 'undone', annotator: 'alice' }, revision: 5 });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), afterA)).toBe(true);
    expect(ws.store.edits.events(SERIES).map((e) => [e.kind, ws.store.annotators.get(e.annotatorId)?.name])).toEqual([['undo', 'alice'], ['undo', 'bob']]);
    stop(ws);

    ws = await start(paths);
    expect((await ws.service.openSeries({ seriesId: SERIES })).revision).toBe(5);
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), afterA)).toBe(true);
    expect(await ws.service.redo({ seriesId: SERIES })).toMatchObject({ edit: { seq: 2, state: 'active' }, revision: 6 });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await fullReplay(ws, paths.dataset))).toBe(true);
  });

  it('reopens from the latest checkpoint plus the edits after it, equal byte for byte to a full replay', async () => {
    const paths = fresh();
    let ws = await start(paths, { checkpointEvery: 10 });
    const rnd = prng(5);
    for (let i = 0; i < 37; i++) {
      await stroke(ws, rnd, i % 4 === 3 ? OTHER : SERIES);
      await ws.idle(); // deterministic cadence: each checkpoint is written before the next stroke
    }
    // 28 strokes on SERIES (checkpoints after 10 and 20 active edits), 9 on OTHER (none yet).
    expect(ws.store.checkpoints.list(SERIES).map((c) => [c.seq, c.encoding])).toEqual([[10, CHECKPOINT_ENCODING], [20, CHECKPOINT_ENCODING]]);
    expect(ws.store.checkpoints.list(OTHER)).toEqual([]);
    const served = (await ws.volumeBytes(SERIES, 'mask')).slice();
    stop(ws);

    ws = await start(paths, { checkpointEvery: 10 });
    await ws.service.openSeries({ seriesId: SERIES });
    expect(ws.labels.lastLoad()).toEqual({ fromCheckpoint: 20, replayed: 8 });
    const reopened = await ws.volumeBytes(SERIES, 'mask');
    expect(sameBytes(reopened, served)).toBe(true);
    expect(sameBytes(reopened, await fullReplay(ws, paths.dataset))).toBe(true);
    await ws.service.openSeries({ seriesId: OTHER });
    expect(ws.labels.lastLoad()).toEqual({ fromCheckpoint: null, replayed: 9 });
    expect(sameBytes(await ws.volumeBytes(OTHER, 'mask'), await fullReplay(ws, paths.dataset, OTHER))).toBe(true);
  });

  it('never uses a checkpoint made stale by undo, and refuses one that an undo overtook while it was written', async () => {
    const paths = fresh();
    let ws = await start(paths, { checkpointEvery: 5 });
    const rnd = prng(6);
    for (let i = 0; i < 12; i++) {
      await stroke(ws, rnd);
      await ws.idle();
    }
    expect(ws.store.checkpoints.list(SERIES).map((c) => c.seq)).toEqual([5, 10]);
    // Undo back past the newest checkpoint: it is dropped, the older one stays.
    for (let i = 0; i < 4; i++) await ws.service.undo({ seriesId: SERIES });
    await ws.idle();
    expect(ws.store.checkpoints.list(SERIES).map((c) => c.seq)).toEqual([5]);
    stop(ws);

    ws = await start(paths, { checkpointEvery: 5 });
    await ws.service.openSeries({ seriesId: SERIES });
    expect(ws.labels.lastLoad()).toEqual({ fromCheckpoint: 5, replayed: 3 });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await fullReplay(ws, paths.dataset))).toBe(true);

    // Two more strokes make a checkpoint due (5 active edits after seq 5); undo as soon as its volume is taken.
    await stroke(ws, rnd);
    await stroke(ws, rnd);
    await new Promise((ok) => setImmediate(ok)); // the checkpoint job has taken its snapshot and is compressing
    await ws.service.undo({ seriesId: SERIES });
    await ws.idle();
    expect(ws.store.checkpoints.list(SERIES).map((c) => c.seq)).toEqual([5]); // refused: undo/redo generation moved

    // Whatever happened, every stored checkpoint is exactly original + the active edits up to its seq.
    for (const c of ws.store.checkpoints.list(SERIES)) {
      const cp = ws.store.checkpoints.latest(SERIES)!;
      expect(cp.seq).toBe(c.seq);
      expect(sameBytes(inflateSync(cp.data), await fullReplay(ws, paths.dataset, SERIES, c.seq))).toBe(true);
    }
    stop(ws);
    ws = await start(paths, { checkpointEvery: 5 });
    await ws.service.openSeries({ seriesId: SERIES });
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await fullReplay(ws, paths.dataset))).toBe(true);
  });

  it('falls back to a full replay when a checkpoint is unreadable', async () => {
    const paths = fresh();
    let ws = await start(paths, { checkpointEvery: 1000 });
    const rnd = prng(7);
    for (let i = 0; i < 6; i++) await stroke(ws, rnd);
    ws.store.checkpoints.add({ seriesId: SERIES, seq: 4, generation: ws.store.edits.generation(SERIES), encoding: CHECKPOINT_ENCODING, data: Uint8Array.of(1, 2, 3) });
    stop(ws);
    const logged: string[] = [];
    ws = await start(paths, { checkpointEvery: 1000, log: (l) => logged.push(l) });
    await ws.service.openSeries({ seriesId: SERIES });
    expect(ws.labels.lastLoad()).toEqual({ fromCheckpoint: null, replayed: 6 });
    expect(logged.join('\n')).toMatch(/checkpoint .* unusable/);
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await fullReplay(ws, paths.dataset))).toBe(true);
  });

  it('serialises concurrent commits: of several made on the same revision exactly one wins', async () => {
    const paths = fresh();
    const ws = await start(paths);
    const opened = await ws.service.openSeries({ seriesId: SERIES });
    const mask = (await ws.volumeBytes(SERIES, 'mask')).slice();
    const rnd = prng(8);
    const reqs = Array.from({ length: 6 }, () => {
      const { diff, label } = brushDiff(mask, opened.image.geometry.size, rnd);
      return { seriesId: SERIES, baseRevision: 0, tool: 'brush', label, description: 'Brush', diff: diffBytes(diff) };
    });
    const results = await Promise.allSettled(reqs.map((r) => ws.service.commitEdit(r)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('conflict');
    expect(ws.store.edits.count(SERIES).total).toBe(1);
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await fullReplay(ws, paths.dataset))).toBe(true);
  });

  it('keeps journalling correctly when series leave the in-memory cache', async () => {
    const paths = fresh();
    const ws = await start(paths, { cacheSeries: 1 });
    const rnd = prng(9);
    for (let i = 0; i < 6; i++) await stroke(ws, rnd, i % 2 ? OTHER : SERIES); // every stroke evicts the other series
    await ws.service.undo({ seriesId: SERIES });
    await ws.service.openSeries({ seriesId: OTHER });
    expect((await ws.service.openSeries({ seriesId: SERIES })).revision).toBe(4);
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await fullReplay(ws, paths.dataset))).toBe(true);
    expect(sameBytes(await ws.volumeBytes(OTHER, 'mask'), await fullReplay(ws, paths.dataset, OTHER))).toBe(true);
  });

  it('bytes once served never change: a later edit writes into a copy', async () => {
    const paths = fresh();
    const ws = await start(paths);
    await ws.service.openSeries({ seriesId: SERIES });
    const served = await ws.volumeBytes(SERIES, 'mask');
    const copy = served.slice();
    await stroke(ws, prng(10));
    expect(sameBytes(served, copy)).toBe(true);
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), copy)).toBe(false);
  });

  it('refuses bad edits with typed errors and changes nothing', async () => {
    const paths = fresh();
    const ws = await start(paths);
    await stroke(ws, prng(11));
    const opened = await ws.service.openSeries({ seriesId: SERIES });
    const mask = (await ws.volumeBytes(SERIES, 'mask')).slice();
    const n = mask.length;
    const { diff, label } = brushDiff(mask, opened.image.geometry.size, prng(12));
    const base: Request<'commitEdit'> = { seriesId: SERIES, baseRevision: 1, tool: 'brush', label, description: 'Brush', diff: diffBytes(diff) };
    const one = (index: number, before: number, after: number): VoxelDiff => ({ indices: Uint32Array.of(index), before: Uint8Array.of(before), after: Uint8Array.of(after) });
    await rejects(ws.service.commitEdit({ ...base, diff: diffBytes(one(n, 0, 1)) }), 'invalid_request');
    await rejects(ws.service.commitEdit({ ...base, seriesId: '9_t2' }), 'not_found');
    await rejects(ws.service.commitEdit({ ...base, label: 300 }), 'invalid_request');
    await rejects(ws.service.commitEdit({ ...base, baseRevision: 0 }), 'conflict');
    // A stale base (the voxel is not what the diff says it was) that writes the request's own label: a conflict.
    const staleBefore = [0, 1, 2].find((v) => v !== mask[7] && v !== label)!;
    await rejects(ws.service.commitEdit({ ...base, diff: diffBytes(one(7, staleBefore, label)) }), 'conflict');
    // Values outside the SPIDER set, and a painting tool whose diff writes another label than the request's.
    await rejects(ws.service.commitEdit({ ...base, label: 158 }), 'invalid_request');
    await rejects(ws.service.commitEdit({ ...base, diff: diffBytes(one(7, mask[7]!, 158)) }), 'invalid_request');
    const otherLabel = [1, 2, 3].find((v) => v !== label && v !== mask[7])!;
    await rejects(ws.service.commitEdit({ ...base, diff: diffBytes(one(7, mask[7]!, otherLabel)) }), 'invalid_request');
    await rejects(ws.service.commitEdit({ ...base, diff: Uint8Array.of(0, 0, 0) }), 'invalid_request'); // no magic byte
    await rejects(ws.service.commitEdit({ ...base, diff: diffBytes(diff).subarray(0, 4) }), 'invalid_request'); // truncated
    await rejects(ws.service.commitEdit({ ...base, diff: new Uint8Array(0) }), 'invalid_request');
    await rejects(ws.service.undo({ seriesId: '9_t2' }), 'not_found');
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), mask)).toBe(true);
    expect(ws.store.edits.count(SERIES).total).toBe(1);
    expect((await ws.service.history({ seriesId: SERIES })).revision).toBe(1);
    expect(await ws.service.commitEdit(base)).toMatchObject({ seq: 2, revision: 2 });
  });

  it('never writes the dataset: original mask files and every other file keep their bytes', async () => {
    const paths = fresh();
    const before = hashTree(paths.dataset);
    let ws = await start(paths, { checkpointEvery: 3 });
    const rnd = prng(13);
    for (let i = 0; i < 10; i++) await stroke(ws, rnd, i % 2 ? OTHER : SERIES);
    await ws.service.undo({ seriesId: SERIES });
    await ws.service.redo({ seriesId: SERIES });
    await ws.idle();
    stop(ws);
    ws = await start(paths);
    await ws.service.openSeries({ seriesId: SERIES });
    expect(hashTree(paths.dataset)).toEqual(before);
    expect(before[join('masks', `${SERIES}.mha`)]).toBeDefined();
    // …while the served mask does carry the edits.
    expect(sameBytes(await ws.volumeBytes(SERIES, 'mask'), await originalLabels(paths.dataset, SERIES))).toBe(false);
  });
});
