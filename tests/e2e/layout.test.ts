// Layout at laptop and desktop window sizes, in Chromium against the real web server: with the grading dock open
// and a level selected, nothing overlaps — every control of the label panel, the label operations, the history
// and the dock's detail pane is the element under its own centre (so a click there reaches it). Below ~1900 px
// the dock's detail pane used to spill over the label panel and swallow its clicks. Screenshots in
// test-results/layout/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
const SERIES = '1_t1';

beforeAll(async () => {
  app = await startApp({ patients: 1, seed: 'layout' });
}, 120_000);
afterAll(async () => app?.close());

/** A page at this size with the series open, the grading dock open and its third level selected. */
async function openAt(width: number, height: number): Promise<{ page: Page; ws: WorkstationPage }> {
  const page = await app.newPage({ width, height });
  const ws = new WorkstationPage(page, WorkstationPage.shots('layout'));
  await page.waitForSelector(`[data-series="${SERIES}"]`);
  await openFromWorklist(page, SERIES);
  // The level's name: a click on a yes/no cell would also toggle that finding.
  await page.locator('[data-testid="grading-panel"] tr[data-level] td.level-name').nth(2).click();
  await page.locator('[data-testid="grading-detail"]').waitFor();
  return { page, ws };
}

/**
 * Controls whose centre is covered by something else (after scrolling each into view in its own scroller), as
 * "selector #n: covered by <element>". Disabled controls count too: covered is covered.
 */
async function coveredControls(page: Page, scopes: string[]): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    for (const scope of sel) {
      const controls = [...document.querySelectorAll<HTMLElement>(`${scope} button, ${scope} select, ${scope} input`)];
      controls.forEach((el, n) => {
        el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return out.push(`${scope} #${n} (${el.textContent ?? el.tagName}): no size`);
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        if (hit !== el && !el.contains(hit)) {
          const what = hit ? `${hit.tagName.toLowerCase()}.${[...hit.classList].join('.')} "${(hit.textContent ?? '').slice(0, 30)}"` : 'nothing (outside the window)';
          out.push(`${scope} #${n} (${(el.textContent || el.getAttribute('aria-label') || el.tagName).slice(0, 30)}): covered by ${what}`);
        }
      });
    }
    return out;
  }, scopes);
}

describe('layout', () => {
  it('at 1366×768 a label operation is clicked at its centre with the dock open and a level selected, and acts', async () => {
    const { page, ws } = await openAt(1366, 768);
    await ws.shot('1366x768');
    const before = await page.locator('.label-table tr[data-label]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-label'))));
    const button = page.getByRole('button', { name: 'Shift levels up' });
    await button.scrollIntoViewIfNeeded();
    const box = (await button.boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const under = await page.evaluate(([x, y]) => {
      const e = document.elementFromPoint(x!, y!);
      return e ? `${e.tagName} ${e.textContent}` : null;
    }, [cx, cy]);
    expect(under).toBe('BUTTON Shift levels up');
    await page.mouse.click(cx, cy);
    await expect.poll(() => page.locator('[data-testid="save-state"]').textContent(), { timeout: 30_000 }).toMatch(/^saved \d/);
    const after = await page.locator('.label-table tr[data-label]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-label'))));
    expect(after).toEqual(before.map((v) => (v >= 1 && v <= 25 ? v + 1 : v > 200 ? v + 1 : v)).sort((a, b) => a - b));
    expect(app.ws.store.edits.history(SERIES).at(-1)!.tool).toBe('shiftLevels');
    await ws.shot('1366x768-after-shift');
    await page.close();
  });

  for (const [width, height] of [[1366, 768], [1600, 900], [1920, 1080]] as const) {
    it(`at ${width}×${height} no control of the side panel or the grading dock is covered`, async () => {
      const { page, ws } = await openAt(width, height);
      await ws.shot(`${width}x${height}`);
      // The dock stays inside the centre column; the label panel starts where the centre column ends.
      const dock = (await page.locator('[data-testid="grading-panel"]').boundingBox())!;
      const side = (await page.locator('aside.right').boundingBox())!;
      expect(dock.x + dock.width).toBeLessThanOrEqual(side.x + 0.5);
      expect(await coveredControls(page, ['[data-testid="label-panel"]', '[data-testid="history"]', '[data-testid="label-ops"]', '[data-testid="grading-detail"]', '[data-testid="toolbar"]'])).toEqual([]);
      // Every grading column is reachable: the table is not cut off sideways.
      const cut = await page.locator('.grading-table-wrap').evaluate((e) => e.scrollWidth - e.clientWidth);
      expect(cut).toBeLessThanOrEqual(0);
      await page.close();
    });
  }
});
