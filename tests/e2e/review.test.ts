// Review status in the real app (issue 14, item 4) with the real mouse and keys: set a status in the review panel,
// see it with the annotator in the worklist (and its filter), "Next" opens the next series to do from the prefetched
// bytes, the first stroke makes that series in progress and undoing it makes it to do again; with nothing left to
// do, Next says so. Real server, real SQLite store, Debian Chromium; screenshots at 1366×768 and 1920×1080.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesSummary } from '../../common/contract.js';
import type { Vec3 } from '../../common/geometry.js';
import { nextTodo } from '../../renderer/features/review/reviewStatus.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { labelPoint, WorkstationPage } from './support/workstationPage.js';

const FIRST = '1_t1';
let app: AppFixture;
let page: Page;
let ws: WorkstationPage;

beforeAll(async () => {
  app = await startApp({ patients: 2, seed: 'review' });
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('review'));
  await page.waitForSelector(`[data-series="${FIRST}"]`);
  await openFromWorklist(page, FIRST);
}, 180_000);
afterAll(async () => app?.close());

const openSeries = async (): Promise<string> => (await page.locator('[data-testid="open-series"]').textContent()) ?? '';
const checked = (status: string) => page.locator(`[data-testid="review"] button[data-status="${status}"]`).getAttribute('aria-checked');
const badge = (id: string) => page.locator(`[data-testid="status-${id}"]`);
const listed = (): Promise<SeriesSummary[]> => app.ws.service.listSeries({});

async function waitSaved(): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.textContent?.startsWith('saved'), null, { timeout: 30_000 });
}

describe('review status', () => {
  it('is set with a button and a key, stored with the annotator, and shown in the worklist', async () => {
    expect(await checked('todo')).toBe('true');
    expect(await page.locator('[data-testid="review-by"]').textContent()).toBe('status not set yet');
    await page.locator('[data-testid="review"] button[data-status="done"]').click();
    await expect.poll(() => checked('done')).toBe('true');
    expect(await checked('todo')).toBe('false');
    expect(app.ws.store.series.get(FIRST)).toMatchObject({ status: 'done', automatic: false });
    expect(await page.locator('[data-testid="review-by"]').textContent()).toMatch(/^by e2e, \d{4}-\d\d-\d\d \d\d:\d\d$/);
    await expect.poll(() => badge(FIRST).textContent()).toBe('Done');
    expect(await badge(FIRST).getAttribute('title')).toMatch(/^Done: finished\nby e2e, .* \(set by hand\)$/);

    // Shift+Q: needs a second look (keys go to the window with the pointer over the views).
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Shift+Q');
    await expect.poll(() => checked('second_look')).toBe('true');
    await expect.poll(() => badge(FIRST).textContent()).toBe('Second look');
    expect(app.ws.store.series.getStatus(FIRST)).toBe('second_look');
    await ws.settle();
    await page.screenshot({ path: `${ws.shotsDir}/review-1366.png` });

    // The status filter keeps only the series with that status.
    await page.locator('[data-testid="status-filter"]').selectOption('second_look');
    await expect.poll(() => page.locator('[data-testid="worklist"] [data-series]').count()).toBe(1);
    expect(await page.locator('[data-testid="worklist"] [data-series]').getAttribute('data-series')).toBe(FIRST);
    await page.locator('[data-testid="status-filter"]').selectOption('all');
    await expect.poll(() => page.locator('[data-testid="worklist"] [data-series]').count()).toBe((await listed()).length);
  });

  it('Next opens the next series to do, from the prefetched bytes', async () => {
    const expected = nextTodo(await listed(), FIRST)!;
    expect(expected.id).not.toBe(FIRST);
    // Let the prefetch start (after the render and an idle moment), then press N.
    await page.waitForTimeout(2500);
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('n');
    await expect.poll(openSeries, { timeout: 60_000 }).toBe(expected.id);
    await page.waitForFunction((id) => window.__spine?.lastOpen?.seriesId === id, expected.id, { timeout: 60_000 });
    const timing = (await page.evaluate(() => window.__spine!.lastOpen)) as unknown as { prefetched: boolean; maskRefetched: boolean };
    expect(timing).toMatchObject({ prefetched: true, maskRefetched: false });
    expect(await checked('todo')).toBe('true');
  });

  it('the first stroke makes the series in progress (automatic); undoing it makes it to do again', async () => {
    const id = await openSeries();
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    const p = await labelPoint(`${app.dataset}/masks/${id}.mha`, 3);
    const from: Vec3 = [p[0], p[1] - 20, p[2]];
    await ws.setCrosshair(p);
    const [x0, y0] = await ws.toPage('sagittal', from);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x0 + 15, y0 + 15, { steps: 4 });
    await page.mouse.up();
    await waitSaved();
    await expect.poll(() => badge(id).textContent(), { timeout: 20_000 }).toBe('In progress');
    expect(await checked('in_progress')).toBe('true');
    expect(await page.locator('[data-testid="review-by"]').textContent()).toMatch(/^by e2e, .* \(automatic\)$/);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    await waitSaved();
    await expect.poll(() => badge(id).textContent(), { timeout: 20_000 }).toBe('To do');
    expect(await checked('todo')).toBe('true');
    expect(app.ws.store.series.get(id)).toMatchObject({ status: 'todo', automatic: true });
    expect(app.ws.store.edits.count(id).active).toBe(0);
  });

  it('says so when no series is left to do, and fits 1920×1080', async () => {
    const current = await openSeries();
    for (const s of await listed()) {
      if (s.status === 'todo') await app.ws.service.setSeriesStatus({ seriesId: s.id, status: 'done' });
    }
    // The page learns the statuses on its next listSeries: reload, reopen, then press N.
    await page.reload();
    await page.waitForSelector(`[data-series="${current}"]`);
    await openFromWorklist(page, current);
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('n');
    await expect.poll(() => page.locator('[data-testid="review-note"]').textContent()).toContain('No series left to do');
    expect(await openSeries()).toBe(current);

    await page.setViewportSize({ width: 1920, height: 1080 });
    await ws.settle();
    await page.screenshot({ path: `${ws.shotsDir}/review-1920.png` });
    // Nothing of the review panel is cut off: its buttons lie inside the right panel.
    const panel = (await page.locator('[data-testid="right-panel"]').boundingBox())!;
    for (const b of await page.locator('[data-testid="review"] button').all()) {
      const r = (await b.boundingBox())!;
      expect(r.x).toBeGreaterThanOrEqual(panel.x);
      expect(r.x + r.width).toBeLessThanOrEqual(panel.x + panel.width + 0.5);
    }
  });
});
