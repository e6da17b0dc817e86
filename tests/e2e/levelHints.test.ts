// Level measurement hints in the grading dock (issue 15 item 5) in Chromium against the real web server and a real
// SQLite store: the selected level shows the open series' line (one line, after the fields), and one line per
// other series of the patient when opened, each named with its series and equal to what the service measured (T1,
// T2, T2 SPACE); entering a grade the measurements disagree with (Pfirrmann IV on
// a disc whose nucleus is still bright on T2) shows a flag naming the series, and clearing it removes the flag.
// Screenshots at 1366×768 and 1920×1080 in test-results/levelHints/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_SIGNAL_HIGH, formatLevelMeasure } from '../../common/contractLevelMeasures.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

const PATIENT = 1;
const SERIES = '1_t2';
let app: AppFixture;

beforeAll(async () => {
  app = await startApp({ patients: 1, seed: 'hints' });
}, 120_000);
afterAll(async () => app?.close());

const dock = (page: Page) => page.locator('[data-testid="grading-panel"]');

async function openLevel(width: number, height: number, ivdLabel: number): Promise<{ page: Page; ws: WorkstationPage }> {
  const page = await app.newPage({ width, height });
  const ws = new WorkstationPage(page, WorkstationPage.shots('levelHints'));
  await page.waitForSelector(`[data-series="${SERIES}"]`);
  await openFromWorklist(page, SERIES);
  await dock(page).locator(`tr[data-level="${ivdLabel}"] td.level-name`).click();
  await page.locator('[data-testid="grading-detail"]').waitFor();
  return { page, ws };
}

/** A level of patient 1 whose T2 nucleus/CSF ratio is above the flag threshold (a healthy, bright disc). */
async function brightLevel(): Promise<number> {
  const res = await app.ws.service.levelMeasures({ patientId: PATIENT });
  const t2 = res.series.find((s) => s.seriesId === SERIES)!;
  const l = t2.levels.find((m) => m.signalRatio !== null && m.signalRatio > FLAG_SIGNAL_HIGH + 0.05);
  if (!l) throw new Error(`no bright disc in ${SERIES}: ${t2.levels.map((m) => m.signalRatio).join(', ')}`);
  return l.ivdLabel;
}

describe('level hints in the grading dock', () => {
  it('shows one line per series, named with its series, equal to the service', async () => {
    const k = await brightLevel();
    const { page, ws } = await openLevel(1366, 768, k);
    const res = await app.ws.service.levelMeasures({ patientId: PATIENT });
    expect(res.series.map((s) => s.seriesId)).toEqual(['1_t1', '1_t2', '1_t2_SPACE']);
    // The open series' line shows at once, one line tall; the others are one click away.
    const own = page.locator(`[data-testid="level-hint-${SERIES}"]`);
    await own.waitFor({ timeout: 30_000 });
    await own.scrollIntoViewIfNeeded();
    await expect(page.locator('[data-testid="level-hints-more"] > summary').textContent()).resolves.toMatch(/^T2: .* · \+2 series$/);
    expect((await page.locator('[data-testid="level-hints"]').boundingBox())!.height).toBeLessThanOrEqual(20);
    await expect(page.locator('[data-testid="level-hint-1_t1"]').isVisible()).resolves.toBe(false);
    await ws.shot('hints-closed-1366x768');
    await page.locator('[data-testid="level-hints-more"] > summary').click();
    for (const s of res.series) {
      const m = s.levels.find((x) => x.ivdLabel === k)!;
      const line = page.locator(`[data-testid="level-hint-${s.seriesId}"]`);
      await line.waitFor({ timeout: 30_000 });
      const text = await line.textContent();
      expect(text).toBe(formatLevelMeasure(m));
    }
    await expect(page.locator('[data-testid="level-hint-1_t1"]').textContent()).resolves.toMatch(/^T1: DHI 0\.\d\d, /);
    await expect(page.locator('[data-testid="level-hint-1_t2"]').textContent()).resolves.toMatch(/^T2: DHI 0\.\d\d, .*nucleus\/CSF 0\.\d\d$/);
    await expect(page.locator('[data-testid="level-hint-1_t2_SPACE"]').textContent()).resolves.toMatch(/^T2 SPACE: /);
    // The hints are inside the window (scrolled to within the detail pane), not cut off.
    await page.locator('[data-testid="level-hints"]').scrollIntoViewIfNeeded();
    const box = (await page.locator('[data-testid="level-hints"]').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(768);
    expect(box.x + box.width).toBeLessThanOrEqual(1366);
    await ws.shot('hints-1366x768');
    await page.close();
  });

  it('flags Pfirrmann IV on a bright disc, naming the series, and drops the flag when the grade goes', async () => {
    const k = await brightLevel();
    const { page, ws } = await openLevel(1920, 1080, k);
    await page.locator('[data-testid="level-hint-1_t2"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-testid="level-flag-pfirrmann"]').count()).resolves.toBe(0);
    const before = (await app.ws.service.getGradings({ patientId: PATIENT })).levels.find((l) => l.ivdLabel === k)!.values.pfirrmann;
    await page.locator('[data-testid="grade-pfirrmann"] button[role="radio"]').nth(3).click(); // grade IV
    await expect.poll(async () => (await app.ws.service.getGradings({ patientId: PATIENT })).levels.find((l) => l.ivdLabel === k)!.values.pfirrmann).toBe(4);
    const flag = page.locator('[data-testid="level-flag-pfirrmann"]').first();
    await flag.waitFor({ timeout: 10_000 });
    await expect(flag.textContent()).resolves.toMatch(/^⚠ T2( SPACE)?: nucleus\/CSF signal 0\.\d\d is high for Pfirrmann ≥ IV$/);
    await ws.shot('hints-flag-1920x1080');
    // Back to the previous grade (not IV/V): no flag.
    const back = before !== null && before < 4 ? before : 2;
    await page.locator('[data-testid="grade-pfirrmann"] button[role="radio"]').nth(back - 1).click();
    await expect.poll(() => page.locator('[data-testid="level-flag-pfirrmann"]').count()).toBe(0);
    await page.close();
  });
});
