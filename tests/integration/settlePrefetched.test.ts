// A prefetched "Next" is shown and published from its bytes at once; settlePrefetched then settles main's confirm.
// Against the real web server over a real sample dataset and store (the page's fetch is Node's, pointed at the
// server): same revision → nothing changes; an edit elsewhere after the prefetch → main's current labels replace the
// prefetched ones on screen and are published (a stroke made on the prefetched labels is refused by main as a
// conflict); another series opened meanwhile → nothing; a confirm that fails → a message naming the series.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeDiff } from '../../common/labelDiff.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';
import { loadSeries, settlePrefetched, type OpenedSeries, type SettleHooks } from '../../renderer/state/loadSeries.js';
import { prefetchSeries, prefetchState } from '../../renderer/state/prefetch.js';

let dir: string;
let ws: Workstation;
let server: WebServer;
let apiDown = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-settle-'));
  await generateSample({ out: join(dir, 'ds'), patients: 1, seed: 'settle' });
  ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'alice', log: () => undefined });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(dir, 'ds') });
  const nodeFetch = globalThis.fetch;
  vi.stubGlobal('window', {});
  vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
    if (apiDown && url.startsWith('/api/')) return Promise.reject(new TypeError('fetch failed'));
    return nodeFetch(`http://127.0.0.1:${server.port}${url}`, { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${server.token}` } });
  });
}, 120_000);
afterAll(async () => {
  vi.unstubAllGlobals();
  await server?.close();
  ws?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Hooks that record what settlePrefetched did; `current` is what the app has published. */
function recorder(current: () => OpenedSeries | null, onPublish: (o: OpenedSeries) => void = () => undefined) {
  const calls = { setLabels: [] as Uint8Array[], show: [] as OpenedSeries[], publish: [] as OpenedSeries[], fail: [] as string[] };
  const hooks: SettleHooks = {
    setLabels: (l) => void calls.setLabels.push(l.scalars),
    show: async (o) => void calls.show.push(o),
    current,
    publish: (o) => {
      calls.publish.push(o);
      onPublish(o);
    },
    fail: (m) => void calls.fail.push(m),
  };
  return { calls, hooks };
}

/** Prefetches `id` and waits until its bytes are in. */
async function prefetched(id: string): Promise<void> {
  prefetchSeries(id);
  await expect.poll(() => prefetchState()?.ready, { timeout: 60_000 }).toBe(true);
}

/** One voxel of background in main's current labels set to `label` by another window (a commit at main's revision). */
async function editElsewhere(id: string, label: number): Promise<{ at: number; revision: number }> {
  const info = await ws.service.openSeries({ seriesId: id });
  const mask = await ws.volumeBytes(id, 'mask');
  const at = mask.findIndex((v) => v === 0);
  await ws.service.commitEdit({
    seriesId: id, baseRevision: info.revision, tool: 'brush', label, description: `Brush ${label}, 1 voxel`,
    diff: encodeDiff({ indices: Uint32Array.of(at), before: Uint8Array.of(0), after: Uint8Array.of(label) }),
  });
  return { at, revision: info.revision + 1 };
}

describe('settlePrefetched', () => {
  it('changes nothing when main confirms the prefetched revision, and records when it did', async () => {
    await prefetched('1_t2');
    const shown = await loadSeries('1_t2');
    expect(shown.timing).toMatchObject({ prefetched: true, maskRefetched: false });
    const { calls, hooks } = recorder(() => shown);
    await settlePrefetched(shown, hooks);
    expect(calls).toEqual({ setLabels: [], show: [], publish: [], fail: [] });
    expect(shown.timing.confirmMs).toBeGreaterThan(0);
  });

  it('after an edit elsewhere, puts main\'s current labels on screen and publishes them; a stroke on the stale ones is refused', async () => {
    await prefetched('1_t1');
    const { at, revision } = await editElsewhere('1_t1', 3);
    const shown = await loadSeries('1_t1');
    expect(shown.labels[at]).toBe(0); // the prefetched (stale) bytes, on screen for the moment
    let published: OpenedSeries = shown;
    const { calls, hooks } = recorder(() => published, (o) => (published = o));
    await settlePrefetched(shown, hooks);
    const truth = await ws.volumeBytes('1_t1', 'mask');
    expect(calls.setLabels).toHaveLength(1); // same image: only the labels are swapped (the views keep their place)
    expect(Buffer.from(calls.setLabels[0]!).equals(Buffer.from(truth))).toBe(true);
    expect(calls.show).toEqual([]);
    expect(calls.publish).toHaveLength(1);
    expect(published.info.revision).toBe(revision);
    expect(published.labels[at]).toBe(3);
    expect(Buffer.from(published.labels).equals(Buffer.from(truth))).toBe(true);
    expect(published.timing).toMatchObject({ prefetched: true, maskRefetched: true });
    expect(published.timing.confirmMs).toBeGreaterThan(0);
    // A stroke drawn on the prefetched labels carries their revision: main refuses it, the journal stays as it is.
    const stale = ws.service.commitEdit({
      seriesId: '1_t1', baseRevision: shown.info.revision, tool: 'brush', label: 5, description: 'Brush 5, 1 voxel',
      diff: encodeDiff({ indices: Uint32Array.of(at + 1), before: Uint8Array.of(shown.labels[at + 1]!), after: Uint8Array.of(5) }),
    });
    await expect(stale).rejects.toMatchObject({ code: 'conflict' });
    expect((await ws.service.openSeries({ seriesId: '1_t1' })).revision).toBe(revision);
    await ws.service.undo({ seriesId: '1_t1' });
  });

  it('leaves the screen alone when another series was opened before the confirm answered', async () => {
    await prefetched('1_t1');
    await editElsewhere('1_t1', 4);
    const shown = await loadSeries('1_t1');
    const { calls, hooks } = recorder(() => null); // the annotator moved on
    await settlePrefetched(shown, hooks);
    expect(calls).toEqual({ setLabels: [], show: [], publish: [], fail: [] });
    await ws.service.undo({ seriesId: '1_t1' });
  });

  it('says so, naming the series, when the confirm fails', async () => {
    await prefetched('1_t2');
    apiDown = true;
    try {
      const shown = await loadSeries('1_t2');
      const { calls, hooks } = recorder(() => shown);
      await settlePrefetched(shown, hooks);
      expect(calls.fail).toHaveLength(1);
      expect(calls.fail[0]).toMatch(/^Could not confirm that the labels of 1_t2 are current: .+ Edits are saved only at main's revision\.$/);
      expect(calls.publish).toEqual([]);
    } finally {
      apiDown = false;
    }
  });
});
