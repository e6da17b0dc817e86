// Issue 11, item 1: the series cache under concurrent loads. The cache shares one load per series, never evicts a
// series another request is waiting for or working on, and holds at most `capacity` series; more concurrent
// series than it holds wait their turn instead of evicting each other in a loop (the old livelock: 14 concurrent
// GET /volume for 7 series with a cache of 2 spun at 100 % CPU and every later openSeries hung).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSample } from '../../main/core/sample/index.js';
import { createSeriesCache } from '../../main/core/seriesCache.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';

/** A load that resolves when the test says so. */
function deferredLoads() {
  const pending = new Map<string, Array<(v: string) => void>>();
  const started: string[] = [];
  return {
    started,
    load: (id: string) =>
      new Promise<string>((ok) => {
        started.push(id);
        pending.set(id, [...(pending.get(id) ?? []), ok]);
      }),
    finish(id: string) {
      for (const ok of pending.get(id) ?? []) ok(`volume of ${id}`);
      pending.delete(id);
    },
  };
}

const tick = () => new Promise((ok) => setImmediate(ok));

describe('series cache', () => {
  it('shares one load per series between concurrent requests', async () => {
    const loads = deferredLoads();
    const cache = createSeriesCache({ capacity: 2, load: loads.load });
    const a = cache.acquire('a');
    const b = cache.acquire('a');
    await tick();
    expect(loads.started).toEqual(['a']);
    loads.finish('a');
    const [la, lb] = await Promise.all([a, b]);
    expect(la.value).toBe('volume of a');
    expect(lb.value).toBe(la.value);
  });

  it('never evicts a series a request is waiting for; a further series waits for room', async () => {
    const loads = deferredLoads();
    const evicted: string[] = [];
    const cache = createSeriesCache({ capacity: 2, load: loads.load, evicted: (v) => evicted.push(v) });
    const a = cache.acquire('a');
    const b = cache.acquire('b');
    const c = cache.acquire('c'); // no room: a and b are being loaded for their requests
    await tick();
    expect(loads.started).toEqual(['a', 'b']);
    expect(cache.waiting()).toBe(1);
    loads.finish('a');
    const la = await a;
    await tick();
    expect(loads.started).toEqual(['a', 'b']); // a is still pinned by its request
    la.release();
    await tick();
    expect(loads.started).toEqual(['a', 'b', 'c']); // a left, c took its place
    expect(evicted).toEqual(['volume of a']);
    expect(cache.keys().sort()).toEqual(['b', 'c']);
    loads.finish('b');
    loads.finish('c');
    (await b).release();
    (await c).release();
    expect(cache.keys().length).toBeLessThanOrEqual(2);
  });

  it('a failed load frees its slot, is not cached, and the next request loads again', async () => {
    let fail: (err: Error) => void = () => undefined;
    let calls = 0;
    const cache = createSeriesCache<string>({
      capacity: 1,
      load: (id) => {
        calls++;
        if (calls === 1) return new Promise<string>((_, no) => (fail = no));
        return Promise.resolve(id);
      },
    });
    const failing = cache.acquire('a');
    failing.catch(() => undefined);
    const waiting = cache.acquire('b'); // no room: the only slot is a's, loading
    await tick();
    expect(cache.waiting()).toBe(1);
    fail(new Error('cannot read a'));
    await expect(failing).rejects.toThrow('cannot read');
    const lb = await waiting; // a's failure freed the slot
    expect(lb.value).toBe('b');
    expect(cache.keys()).toEqual(['b']);
    lb.release();
    await expect(cache.acquire('a').then((l) => l.value)).resolves.toBe('a');
  });

  it('close fails waiting and later requests', async () => {
    const loads = deferredLoads();
    const cache = createSeriesCache({ capacity: 1, load: loads.load });
    void cache.acquire('a');
    const waiter = cache.acquire('b');
    await tick();
    cache.close();
    await expect(waiter).rejects.toThrow('closed');
    await expect(cache.acquire('c')).rejects.toThrow('closed');
  });
});

describe('web server under a burst of volume requests (the livelock)', () => {
  let dir: string;
  let ws: Workstation;
  let server: WebServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spine-burst-'));
    await generateSample({ out: join(dir, 'ds'), patients: 4, seed: 'burst' });
    mkdirSync(join(dir, 'static'));
    writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>app</title>');
    ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'tester', cacheSeries: 2, log: () => undefined });
    server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(dir, 'static') });
  });
  afterAll(async () => {
    await server.close();
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string): Promise<{ status: number; bytes: number }> =>
    new Promise((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}` } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => ok({ status: res.statusCode ?? 0, bytes }));
      });
      req.on('error', fail);
      req.end();
    });

  it('14 concurrent GET /volume for 7 series (cache of 2) all answer, then a new series opens within seconds', async () => {
    const series = ws.index.series.filter((s) => s.image !== null).map((s) => s.id);
    expect(series.length).toBeGreaterThanOrEqual(8);
    const burst = series.slice(0, 7);
    const started = Date.now();
    const replies = await Promise.all([...burst, ...burst].map((id) => get(`/volume/${id}/image`)));
    for (const [i, r] of replies.entries()) {
      const id = [...burst, ...burst][i]!;
      expect(r.status, id).toBe(200);
      const e = ws.index.series.find((s) => s.id === id)!;
      expect(r.bytes, id).toBe(e.image!.geometry.size.reduce((a, b) => a * b, 1) * ({ int16: 2, uint16: 2, float32: 4 } as Record<string, number>)[e.image!.pixelType]!);
    }
    const burstMs = Date.now() - started;
    // Each series was read once: the two requests of a series shared its load, and no load was evicted under the
    // requests waiting for it (the old cache loaded them again and again).
    expect(ws.cacheInfo().loads).toBe(7);
    expect(ws.cacheInfo().cached.length).toBeLessThanOrEqual(2);
    const t0 = Date.now();
    const opened = await ws.service.openSeries({ seriesId: series[7]! });
    expect(opened.seriesId).toBe(series[7]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(ws.cacheInfo().loads).toBe(8);
    expect(burstMs).toBeLessThan(30_000);
  }, 60_000);
});
