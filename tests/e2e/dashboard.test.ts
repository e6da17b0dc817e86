// The dataset dashboard (issue 14 item 5) in Chromium against the real web-mode server and store: the header
// button opens it, the computing state shows while the dataset QA runs, then every plot is drawn inside the
// window (progress, findings, label volumes per sequence with the outliers marked, Pfirrmann and Modic per
// level) with the dataset's name and counts; no CSP violation; a click on an outlier opens its series; Esc
// closes it. Screenshots at 1366×768 and
// 1920×1080 in test-results/ (checked by eye).
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;

beforeAll(async () => {
  // 10 patients: label groups large enough for the volume-outlier check; seed 1 has one canal outlier in t2.
  app = await startApp({ patients: 10, seed: '1' });
}, 180_000);
afterAll(async () => app?.close());

async function openPage(width: number, height: number): Promise<{ page: Page; console: string[] }> {
  const page = await app.newPage({ width, height });
  const console: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) console.push(m.text());
  });
  await page.waitForSelector('[data-series="1_t1"]');
  return { page, console };
}

describe('dashboard', () => {
  it('opens from the header, shows computing, then every plot with the dataset name and counts (1366×768)', async () => {
    const { page, console } = await openPage(1366, 768);
    // The worklist's QA badges may have finished the dataset run already: the answer is held back until the
    // computing state has been seen (the request still goes to the real server).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/getDashboard', async (route) => {
      await held;
      await route.continue();
    });
    await page.locator('[data-testid="dashboard-open"]').click();
    const dialog = page.locator('[data-testid="dashboard"]');
    await dialog.waitFor();
    const computing = dialog.locator('[data-testid="dashboard-computing"]');
    await computing.waitFor({ timeout: 10_000 });
    expect(await computing.textContent()).toMatch(/^Checking the labels of every series/);
    writeFileSync(WorkstationPage.shots('dashboard-1366x768-computing.png'), await page.screenshot());
    release();
    await dialog.locator('[data-testid="dashboard-plots"]').waitFor({ timeout: 120_000 });
    expect(await dialog.locator('[data-testid="dashboard-computing"]').count()).toBe(0);

    const report = await app.ws.qa.datasetReport();
    const sequences = [...new Set(report.summaries.map((s) => s.sequence))].sort();
    const ids = await dialog.locator('svg.plot').evaluateAll((els) => els.map((e) => e.id));
    expect(ids).toEqual(['app-progress', 'app-findings', ...sequences.map((s) => `app-volumes-${s}`), 'app-grades-pfirrmann', 'app-grades-modic']);
    expect(await dialog.locator('.panel-title').first().textContent()).toBe(`Dashboard · ${app.dataset.split('/').pop()}`);
    expect(await dialog.locator('[data-testid="dashboard-summary"]').textContent()).toContain(`10 patients · ${app.sample.series.length} series · ${report.seriesChecked} checked`);
    expect(await dialog.locator('[data-testid="dashboard-counts"]').textContent()).toBe(`${report.counts.error} errors${report.counts.warning} warnings${report.counts.info} info`);

    // Progress: every series counted once (all still to do); findings: one row per check code.
    const progress = await dialog.locator('#app-progress .bar').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(progress.reduce((a, b) => a + b, 0)).toBe(app.sample.series.length);
    expect(await dialog.locator('#app-findings .bar-row').count()).toBe(new Set(report.findings.map((f) => f.code)).size);
    // Volume outliers: marked points = the volume_outlier findings = the table's rows.
    const outliers = report.findings.filter((f) => f.code === 'volume_outlier');
    expect(outliers.length).toBeGreaterThan(0);
    expect(await dialog.locator('svg.plot circle.outlier').count()).toBe(outliers.length);
    expect(await dialog.locator('[data-testid="dashboard-outliers"] tbody tr').count()).toBe(outliers.length);
    expect(await dialog.locator('svg.plot .no-data').count()).toBe(0);

    // Each plot is drawn with a readable size and lies inside the window horizontally (the card scrolls down).
    const boxes = await dialog.locator('svg.plot').evaluateAll((els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { id: e.id, left: r.left, right: r.right, w: r.width, h: r.height, scale: r.width / Number(e.getAttribute('width')) };
    }));
    for (const b of boxes) {
      expect(b.left, b.id).toBeGreaterThanOrEqual(0);
      expect(b.right, b.id).toBeLessThanOrEqual(1366);
      expect(b.w, b.id).toBeGreaterThan(300);
      expect(b.h, b.id).toBeGreaterThan(120);
      // Text is not shrunk below ~10 px (the plots' 12 px font at ≥ 0.85 scale).
      expect(b.scale, b.id).toBeGreaterThan(0.85);
    }
    writeFileSync(WorkstationPage.shots('dashboard-1366x768.png'), await page.screenshot());
    await dialog.locator('#app-grades-modic').scrollIntoViewIfNeeded();
    writeFileSync(WorkstationPage.shots('dashboard-1366x768-scrolled.png'), await page.screenshot());

    // A tooltip names the outlier's series and label.
    const tip = await dialog.locator('svg.plot circle.outlier title').first().textContent();
    expect(tip).toContain(`Outlier: ${outliers[0]!.seriesId} · `);
    expect(console).toEqual([]);
    // A click on the outlier point closes the dashboard and opens its series.
    await dialog.locator('svg.plot circle.outlier').first().click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction((id) => window.__spine?.lastOpen?.seriesId === id, outliers[0]!.seriesId, { timeout: 60_000 });
    await page.close();
  }, 180_000);

  it('at 1920×1080 the plots sit two to a row; a status change shows after Refresh', async () => {
    const { page, console } = await openPage(1920, 1080);
    await page.locator('[data-testid="dashboard-open"]').click();
    const dialog = page.locator('[data-testid="dashboard"]');
    await dialog.locator('[data-testid="dashboard-plots"]').waitFor({ timeout: 120_000 });
    const progress = await dialog.locator('#app-progress').boundingBox();
    const findings = await dialog.locator('#app-findings').boundingBox();
    expect(Math.abs(progress!.y - findings!.y)).toBeLessThan(4);
    expect(findings!.x).toBeGreaterThan(progress!.x + progress!.width);
    writeFileSync(WorkstationPage.shots('dashboard-1920x1080.png'), await page.screenshot());

    await app.ws.service.setSeriesStatus({ seriesId: '1_t1', status: 'done' });
    await dialog.locator('button', { hasText: 'Refresh' }).click();
    await expect.poll(() => dialog.locator('#app-progress .bar[data-category="Done"]').getAttribute('data-value'), { timeout: 60_000 }).toBe('1');
    expect(console).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.close();
  }, 180_000);
});
