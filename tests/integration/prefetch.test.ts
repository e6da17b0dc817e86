// The renderer's Next prefetch and loadSeries against the real web server over a real sample dataset and store: a
// prefetched series opens from the prefetched bytes (same voxels as a cold open) once main confirms them, a label
// edit after the prefetch makes the open refetch the mask (stale labels are never published), opening another series
// aborts the prefetch, and "Next" follows nextTodo in worklist order. The page's fetch is Node's, pointed at the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SeriesSummary } from '../../common/contract.js';
import { encodeDiff } from '../../common/labelDiff.js';
import { generateSample } from '../../main/core/sample/index.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { nextTodo, statusByLine, statusTooltip } from '../../renderer/features/review/reviewStatus.js';
import { gradedText } from '../../renderer/features/worklist/Worklist.js';
import { loadSeries } from '../../renderer/state/loadSeries.js';
import { cancelPrefetch, prefetchSeries, prefetchState, takePrefetched } from '../../renderer/state/prefetch.js';

let dir: string;
let ws: Workstation;
let server: WebServer;
const requests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-prefetch-'));
  await generateSample({ out: join(dir, 'ds'), patients: 1, seed: 'prefetch' });
  ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'alice', log: () => undefined });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(dir, 'ds') });
  const nodeFetch = globalThis.fetch;
  vi.stubGlobal('window', {});
  vi.stubGlobal('fetch', (url: string, init: RequestInit = {}) => {
    requests.push(url);
    return nodeFetch(`http://127.0.0.1:${server.port}${url}`, { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${server.token}` } });
  });
}, 120_000);
afterAll(async () => {
  vi.unstubAllGlobals();
  await server?.close();
  ws?.close();
  rmSync(dir, { recursive: true, force: true });
});

const volumeRequests = (id: string): string[] => requests.filter((u) => u.startsWith(`/volume/${id}/`));

describe('Next prefetch', () => {
  it('opens a prefetched series from its bytes: the same voxels as a cold open, no second transfer', async () => {
    const cold = await loadSeries('1_t2');
    expect(cold.timing.prefetched).toBe(false);
    requests.length = 0;
    prefetchSeries('1_t2');
    expect(prefetchState()).toEqual({ seriesId: '1_t2', ready: false });
    const warm = await loadSeries('1_t2');
    expect(warm.timing).toMatchObject({ prefetched: true, maskRefetched: false });
    expect(await warm.confirm).toBeNull(); // main confirms the bytes are current
    expect(volumeRequests('1_t2').sort()).toEqual(['/volume/1_t2/image', '/volume/1_t2/mask']); // the prefetch's only
    expect(Buffer.from(warm.image.buffer).equals(Buffer.from(cold.image.buffer))).toBe(true);
    expect(Buffer.from(warm.labels).equals(Buffer.from(cold.labels))).toBe(true);
    expect(prefetchState()).toBeNull(); // handed over once
  });

  it('refetches the mask when the labels changed after the prefetch', async () => {
    prefetchSeries('1_t1');
    const pre = await takePrefetched('1_t1');
    expect(pre).not.toBeNull();
    // Put it back as the entry: prefetch again and let it finish, then edit the labels in main.
    prefetchSeries('1_t1');
    await expect.poll(() => prefetchState()?.ready, { timeout: 30_000 }).toBe(true);
    const info = await ws.service.openSeries({ seriesId: '1_t1' });
    const mask = await ws.volumeBytes('1_t1', 'mask');
    const at = mask.findIndex((v) => v === 0);
    await ws.service.commitEdit({
      seriesId: '1_t1', baseRevision: info.revision, tool: 'brush', label: 3, description: 'Brush L3, 1 voxel',
      diff: encodeDiff({ indices: Uint32Array.of(at), before: Uint8Array.of(0), after: Uint8Array.of(3) }),
    });
    requests.length = 0;
    const shown = await loadSeries('1_t1');
    expect(shown.labels[at]).toBe(0); // the prefetched bytes, shown while main is asked; never published as they are
    const opened = await shown.confirm;
    expect(opened?.timing).toMatchObject({ prefetched: true, maskRefetched: true });
    expect(opened?.info.revision).toBe(info.revision + 1);
    expect(opened?.labels[at]).toBe(3);
    expect(volumeRequests('1_t1')).toEqual(['/volume/1_t1/mask']);
    await ws.service.undo({ seriesId: '1_t1' });
  });

  it('aborts the prefetch when another series is opened', async () => {
    prefetchSeries('1_t2_SPACE');
    const other = await loadSeries('1_t2');
    expect(other.timing.prefetched).toBe(false);
    expect(prefetchState()).toBeNull();
    expect(await takePrefetched('1_t2_SPACE')).toBeNull();
    cancelPrefetch();
  });
});

const summary = (id: string, status: SeriesSummary['status'], openable = true): SeriesSummary =>
  ({ id, patientId: Number(id[0]), sequence: 't1', status, statusBy: null, statusAt: null, statusAuto: false, openable }) as SeriesSummary;

describe('next to do and the status texts', () => {
  it('takes the next to-do series in worklist order, wrapping, never the open one or an unopenable one', () => {
    const list = [summary('1_t1', 'done'), summary('1_t2', 'todo'), summary('2_t1', 'todo', false), summary('2_t2', 'in_progress'), summary('3_t1', 'todo')];
    expect(nextTodo(list, '1_t2')?.id).toBe('3_t1');
    expect(nextTodo(list, '3_t1')?.id).toBe('1_t2'); // wraps
    expect(nextTodo(list, null)?.id).toBe('1_t2');
    expect(nextTodo([summary('1_t1', 'todo')], '1_t1')).toBeNull();
    expect(nextTodo(list.map((s) => ({ ...s, status: 'second_look' as const })), '1_t1')).toBeNull();
  });

  it('says who set a status, when, and how', () => {
    const s = { status: 'in_progress' as const, statusBy: 'alice', statusAt: '2026-12-01T10:04:00.000Z', statusAuto: true };
    expect(statusByLine(s)).toMatch(/^by alice, 2026-12-01 \d\d:04 \(automatic\)$/);
    expect(statusTooltip(s)).toMatch(/^In progress: being corrected\nby alice, .* \(set automatically by the first edit\)$/);
    expect(statusTooltip({ ...s, status: 'todo' })).toContain('set back automatically when every edit was undone');
    expect(statusTooltip({ ...s, statusAuto: false, status: 'second_look' })).toMatch(/^Second look: needs a second look by another reader\n.*\(set by hand\)$/);
    expect(statusByLine({ ...s, statusBy: null })).toBe('');
  });

  it('tells a clinician what is still to review, apart from CSV-only values', () => {
    const p = { patientId: 1, masksMeasured: true, levels: 5, fullyGraded: 4, reviewed: 1, personReviewed: 2, csvOnly: 2 };
    const g = gradedText(p);
    expect(g.text).toBe('3 to review · 2/5 reviewed');
    expect(g.complete).toBe(false);
    expect(g.title).toContain('3 still to review: 2 with values from radiological_gradings.csv only, 1 without any grading.');
    expect(gradedText({ ...p, personReviewed: 5, csvOnly: 0 })).toMatchObject({ text: '5/5 reviewed', complete: true });
    expect(gradedText({ ...p, masksMeasured: false }).title).toContain('counted once the patient is opened');
  });
});
