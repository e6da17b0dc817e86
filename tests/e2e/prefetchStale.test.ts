// e2e: a series prefetched for "Next" whose labels another window edits after the prefetch (issue 14, Next). Real
// server, real SQLite store, Debian Chromium. The page shows and publishes the prefetched bytes at once; main's
// confirm reports the newer revision, and the page then shows and edits main's current labels: its label volume
// equals main's (SHA-256), its published revision is main's, the labels panel counts the other window's voxels, and
// its edit session works at that revision (Undo takes the outside edit back). Without the outside edit, the
// prefetched bytes stay (nothing refetched).
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDiff } from '../../common/labelDiff.js';
import { labelInfo } from '../../common/labels.js';
import { nextTodo } from '../../renderer/features/review/reviewStatus.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';

let app: AppFixture;
let page: Page;

beforeAll(async () => {
  app = await startApp({ patients: 1, seed: 'prefetch-stale' });
  page = await app.newPage({ width: 1366, height: 768 });
  await page.waitForSelector('[data-testid="worklist"]');
}, 180_000);
afterAll(async () => app?.close());

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
/** SHA-256 and revision of what the page has published (the volume it shows and edits). */
const published = (): Promise<{ seriesId: string; revision: number; sha: string } | null> =>
  page.evaluate(async () => {
    const o = window.__spine!.store.get().opened;
    if (!o) return null;
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', o.labels as Uint8Array<ArrayBuffer>));
    return { seriesId: o.info.seriesId, revision: o.info.revision, sha: Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('') };
  });

/** Opens `first`, waits until Next's target is prefetched, and returns that target. */
async function prefetchNext(first: string): Promise<string> {
  await openFromWorklist(page, first);
  const next = nextTodo(await app.ws.service.listSeries({}), first)!.id;
  await page.waitForSelector(`[data-testid="review"][data-prefetched="${next}"]`, { timeout: 60_000 });
  return next;
}
async function pressNext(id: string): Promise<void> {
  await page.locator('[data-testid="viewer"]').hover();
  await page.keyboard.press('n');
  await page.waitForFunction((sid) => window.__spine?.lastOpen?.seriesId === sid, id, { timeout: 60_000 });
}

describe('Next after an edit elsewhere', () => {
  it('keeps the prefetched bytes when main confirms them', async () => {
    const series = (await app.ws.service.listSeries({})).map((s) => s.id);
    const next = await prefetchNext(series[0]!);
    await pressNext(next);
    const timing = (await page.evaluate(() => window.__spine!.lastOpen)) as unknown as { prefetched: boolean };
    expect(timing.prefetched).toBe(true);
    await page.waitForFunction(() => (window.__spine!.store.get().opened?.timing as { confirmMs?: number }).confirmMs !== undefined, null, { timeout: 60_000 });
    const o = await page.evaluate(() => window.__spine!.store.get().opened!.timing);
    expect(o).toMatchObject({ prefetched: true, maskRefetched: false });
    expect((await published())!.sha).toBe(sha(await app.ws.volumeBytes(next, 'mask')));
  });

  it('shows and publishes main\'s labels, not the prefetched ones, and undoes at main\'s revision', async () => {
    const series = (await app.ws.service.listSeries({})).map((s) => s.id);
    const open = (await published())!.seriesId;
    const next = await prefetchNext(series.find((id) => id !== open)!);
    // Another window paints 500 background voxels of the prefetched series with label 20 (absent from the phantom).
    const info = await app.ws.service.openSeries({ seriesId: next });
    const before = await app.ws.volumeBytes(next, 'mask');
    const stale = sha(before);
    expect(before.includes(20)).toBe(false);
    const indices: number[] = [];
    for (let i = 0; i < before.length && indices.length < 500; i++) if (before[i] === 0) indices.push(i);
    await app.ws.service.commitEdit({
      seriesId: next, baseRevision: info.revision, tool: 'brush', label: 20, description: `Brush ${labelInfo(20).name}, 500 voxels`,
      diff: encodeDiff({ indices: Uint32Array.from(indices), before: new Uint8Array(500), after: new Uint8Array(500).fill(20) }),
    });
    const truth = sha(await app.ws.volumeBytes(next, 'mask'));
    expect(truth).not.toBe(stale);
    await pressNext(next);
    await expect.poll(() => published(), { timeout: 60_000 }).toEqual({ seriesId: next, revision: info.revision + 1, sha: truth });
    const timing = await page.evaluate(() => window.__spine!.store.get().opened!.timing);
    expect(timing).toMatchObject({ prefetched: true, maskRefetched: true });
    // The labels panel counts the other window's voxels (recounted from the published volume).
    await expect.poll(() => page.locator('[data-testid="label-panel"] tr[data-label="20"] td.num').nth(1).textContent(), { timeout: 30_000 }).toBe('500');
    // The page's edit session is at main's revision: its history lists the other window's edit, and Undo here takes
    // it back in main and on screen.
    await expect.poll(() => page.locator('[data-testid="history"] li[data-seq] .history-desc').first().textContent(), { timeout: 30_000 }).toBe(`Brush ${labelInfo(20).name}, 500 voxels`);
    await page.locator('[data-testid="history"] button', { hasText: 'Undo' }).click();
    await expect.poll(async () => sha(await app.ws.volumeBytes(next, 'mask')), { timeout: 30_000 }).toBe(stale);
    await expect.poll(() => published().then((p) => p?.sha), { timeout: 30_000 }).toBe(stale);
    expect((await app.ws.service.history({ seriesId: next })).edits.at(-1)!.state).toBe('undone');
  });
});
