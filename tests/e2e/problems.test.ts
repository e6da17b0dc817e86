// e2e: label QA in the real app (issue 14 items 2–3) — real server, real SQLite store, Debian Chromium. The sample's
// injected faults show in the worklist badges (counts as main computed them) and filter; the faulty series lists
// its findings in the Problems panel; a click puts the crosshair on the finding; Fix removes the finding and adds
// one history entry (one journal row); undo brings it back; the worklist counts follow. Screenshots at 1366×768 and
// 1920×1080 (test-results/problems/).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import type { QaReport } from '../../main/core/qa/index.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
let report: QaReport;

beforeAll(async () => {
  app = await startApp();
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('problems'));
  // What main reports for the dataset (the page's first qaOverview started the run).
  await page.waitForSelector('[data-testid="worklist"]');
  report = await app.ws.qa.datasetReport();
}, 180_000);
afterAll(async () => {
  await page?.close();
  await app?.close();
});

const crosshair = (): Promise<Vec3> => page.evaluate(() => window.__spine!.viewer!.getCrosshair());
const findings = () => page.locator('[data-testid="problems"] li.qa-finding');
const badge = (id: string) => page.locator(`[data-testid="qa-${id}"]`);
const counts = (id: string): { errors: number; warnings: number } => ({
  errors: report.findings.filter((f) => f.seriesId === id && f.severity === 'error').length,
  warnings: report.findings.filter((f) => f.seriesId === id && f.severity === 'warning').length,
});
async function badgeCounts(id: string): Promise<{ errors: number; warnings: number }> {
  const b = badge(id);
  return { errors: Number(await b.getAttribute('data-errors')), warnings: Number(await b.getAttribute('data-warnings')) };
}

describe('Problems panel and worklist QA', () => {
  const stray = (): string => app.sample.faults.find((f) => f.kind === 'stray_island')!.seriesId;

  it('shows each series\' error and warning counts in the worklist, and filters by them', async () => {
    for (const s of app.sample.series) {
      await expect.poll(() => badge(s.id).getAttribute('data-errors'), { timeout: 30_000 }).not.toBeNull();
      expect(await badgeCounts(s.id), s.id).toEqual(counts(s.id));
    }
    for (const f of app.sample.faults) expect(counts(f.seriesId).errors + counts(f.seriesId).warnings, f.seriesId).toBeGreaterThan(0);
    const shown = async (): Promise<string[]> => (await page.locator('[data-testid="worklist"] [data-series]').evaluateAll((els) => els.map((e) => e.getAttribute('data-series')!))).sort();
    const ids = app.sample.series.map((s) => s.id);
    await page.selectOption('[data-testid="qa-filter"]', 'errors');
    expect(await shown()).toEqual(ids.filter((id) => counts(id).errors > 0).sort());
    await page.selectOption('[data-testid="qa-filter"]', 'clean');
    expect(await shown()).toEqual(ids.filter((id) => counts(id).errors + counts(id).warnings === 0).sort());
    await page.selectOption('[data-testid="qa-filter"]', 'all');
    expect(await shown()).toEqual([...ids].sort());
  });

  it('lists the faulty series\' findings; a click puts the crosshair on one', async () => {
    const id = stray();
    await openFromWorklist(page, id);
    await expect.poll(() => findings().count(), { timeout: 30_000 }).toBe(report.findings.filter((f) => f.seriesId === id).length);
    const island = findings().filter({ has: page.locator('.qa-code', { hasText: /^island$/ }) }).first();
    expect(await island.getAttribute('data-labels')).toBe('3');
    const expected = report.findings.find((f) => f.seriesId === id && f.code === 'island' && f.labels[0] === 3)!.world!;
    const before = await crosshair();
    await island.click();
    const after = await crosshair();
    expect(Math.hypot(after[0] - before[0], after[1] - before[1], after[2] - before[2])).toBeGreaterThan(5);
    const spacing = app.sample.series.find((s) => s.id === id)!.geometry.spacing;
    for (const a of [0, 1, 2] as const) expect(Math.abs(after[a] - expected[a]), `axis ${a}`).toBeLessThanOrEqual(Math.max(...spacing));
    await ws.shot('problems-1366x768');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await ws.shot('problems-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('refuses Fix on a locked label, naming it, and writes nothing', async () => {
    const id = stray();
    const lock = page.getByRole('checkbox', { name: 'Lock L3', exact: true });
    await lock.check();
    const journalBefore = (await app.ws.service.history({ seriesId: id })).edits.length;
    await page.locator('[data-testid="problems"] li.qa-finding[data-code="island"][data-labels="3"] [data-testid="qa-fix"]').click();
    await expect.poll(() => page.locator('[data-testid="problems-error"]').textContent()).toBe('Label 3 (L3) is locked: unlock it to apply this fix');
    expect((await app.ws.service.history({ seriesId: id })).edits.length).toBe(journalBefore);
    expect(await page.locator('[data-testid="problems"] li.qa-finding[data-code="island"][data-labels="3"]').count()).toBe(1);
    await lock.uncheck();
  });

  it('Fix removes the finding with one history entry; undo brings it back; the worklist follows', async () => {
    const id = stray();
    const islandRow = () => page.locator('[data-testid="problems"] li.qa-finding[data-code="island"][data-labels="3"]');
    const historyRows = page.locator('[data-testid="history"] li[data-seq]');
    expect(await historyRows.count()).toBe(0);
    const journalBefore = (await app.ws.service.history({ seriesId: id })).edits.length;
    const badgeBefore = await badgeCounts(id);
    await islandRow().locator('[data-testid="qa-fix"]').click();
    await expect.poll(() => islandRow().count(), { timeout: 30_000 }).toBe(0);
    // The far-from-spine finding was the same island: gone too.
    await expect.poll(() => page.locator('[data-testid="problems"] li[data-code="far_from_spine"][data-labels="3"]').count()).toBe(0);
    await expect.poll(() => historyRows.count()).toBe(1);
    expect(await historyRows.first().locator('.history-desc').textContent()).toMatch(/^QA fix: remove 1 island of L3, 9 voxels$/);
    const journal = (await app.ws.service.history({ seriesId: id })).edits;
    expect(journal.length).toBe(journalBefore + 1);
    expect(journal[journal.length - 1]).toMatchObject({ tool: 'qaIslands', state: 'active', voxelCount: 9 });
    await expect.poll(async () => { const c = await badgeCounts(id); return c.errors + c.warnings; }).toBeLessThan(badgeBefore.errors + badgeBefore.warnings);
    await ws.shot('problems-fixed');

    await page.locator('[data-testid="history"] button', { hasText: 'Undo' }).click();
    await expect.poll(() => islandRow().count(), { timeout: 30_000 }).toBe(1);
    expect((await app.ws.service.history({ seriesId: id })).edits.at(-1)!.state).toBe('undone');
    await expect.poll(() => badgeCounts(id), { timeout: 30_000 }).toEqual(badgeBefore);
  });

  it('swaps the exchanged vertebrae of the swapped series with one Fix', async () => {
    const id = app.sample.faults.find((f) => f.kind === 'swapped_labels')!.seriesId;
    await openFromWorklist(page, id);
    const order = page.locator('[data-testid="problems"] li.qa-finding[data-code="level_order"]');
    await expect.poll(() => order.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const fix = order.first().locator('[data-testid="qa-fix"]');
    expect(await fix.getAttribute('title')).toMatch(/^Swap L4 ↔ L3:/);
    await fix.click();
    await expect.poll(() => order.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => page.locator('[data-testid="history"] li[data-seq] .history-desc').first().textContent()).toMatch(/^QA fix: swap L4 ↔ L3, [\d,]+ voxels$/);
    // Nothing else of the swap is left: no error on this series any more.
    await expect.poll(() => page.locator('[data-testid="problems"] li.qa-finding[data-severity="error"]').count()).toBe(0);
  });
});
