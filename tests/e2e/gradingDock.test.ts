// Grading dock e2e (issue 15 item 3) in Chromium against the real web server and a real SQLite store: Pfirrmann
// first in the level row and the detail pane, fully visible without scrolling at 1366×768 and 1920×1080, with
// the Pfirrmann 2001 criteria and the Modic T1/T2 patterns beside the buttons; a warning next to Pfirrmann for a
// patient without T2 (patient 3's T2 is removed from the generated dataset); the dock's focus is visible; grading
// keys pressed in the views change nothing and say so in the status bar; grading by keyboard after D works; the
// label panel takes real clicks with the dock open at 1366×768. Screenshots in test-results/gradingDock/.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODIC_CRITERIA, PFIRRMANN_CRITERIA } from '../../common/gradingCriteria.js';
import { DOCK_HINT, SEQUENCE_MS } from '../../renderer/features/grading/keyReport.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';
import { near, pixelAt } from './viewer/png.js';

const SERIES = '1_t1';
const PATIENT = 1;
const NO_T2_SERIES = '3_t1';

let app: AppFixture;

beforeAll(async () => {
  app = await startApp({
    patients: 3,
    seed: 'dock',
    // Patient 3 keeps only its T1 (the released set has six such patients): its T2 files and overview row go.
    prepare: (dataset) => {
      rmSync(join(dataset, 'images', '3_t2.mha'));
      rmSync(join(dataset, 'masks', '3_t2.mha'));
      const overview = join(dataset, 'overview.csv');
      const text = readFileSync(overview, 'latin1');
      const kept = text.replace(/^3_t2,[^\n]*\n/m, '');
      if (kept === text) throw new Error('no 3_t2 row in overview.csv');
      writeFileSync(overview, kept, 'latin1');
    },
  });
}, 120_000);
afterAll(async () => app?.close());

const dock = (page: Page) => page.locator('[data-testid="grading-panel"]');
const status = async (page: Page): Promise<string> => (await page.locator('[data-testid="statusbar"]').textContent()) ?? '';
const layoutOf = (page: Page) => page.evaluate(() => window.__spine!.viewer!.getLayout());

/** A page at this size with the series open and the dock's third level selected (by its name: no grading changes). */
async function openAt(width: number, height: number, series = SERIES): Promise<{ page: Page; ws: WorkstationPage }> {
  const page = await app.newPage({ width, height });
  const ws = new WorkstationPage(page, WorkstationPage.shots('gradingDock'));
  await page.waitForSelector(`[data-series="${series}"]`);
  await openFromWorklist(page, series);
  await dock(page).locator('tr[data-level] td.level-name').nth(2).click();
  await page.locator('[data-testid="grading-detail"]').waitFor();
  return { page, ws };
}

/** Keys go to the window: nothing focused, the pointer over the sagittal view. */
async function focusViews(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const b = (await page.locator('[data-viewer-root] > [data-view="sagittal"]').boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
}

async function gradings(ivdLabel: number) {
  const level = (await app.ws.service.getGradings({ patientId: PATIENT })).levels.find((l) => l.ivdLabel === ivdLabel)!;
  const events = (await app.ws.service.gradingHistory({ patientId: PATIENT, ivdLabel })).events.length;
  return { values: level.values, reviewed: level.reviewed, events };
}

const selectedLevel = (page: Page): Promise<number> => dock(page).locator('tr.selected').getAttribute('data-level').then(Number);

/**
 * Whether each of the elements is wholly inside the window and is what the page shows at its centre, with
 * nothing scrolled: "fully visible without scrolling". Returns the ones that are not, in words.
 */
async function notVisible(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      const r = el.getBoundingClientRect();
      const what = `${el.tagName.toLowerCase()} "${(el.textContent ?? '').slice(0, 24)}"`;
      if (r.width === 0 || r.height === 0) out.push(`${what}: no size`);
      else if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) out.push(`${what}: outside the window ${JSON.stringify(r)}`);
      else {
        // Clipped by a scroller it sits in (below the fold of the dock)?
        for (let p = el.parentElement; p; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (s.overflowY === 'visible' && s.overflowX === 'visible') continue;
          const pr = p.getBoundingClientRect();
          if (r.top < pr.top - 0.5 || r.bottom > pr.bottom + 0.5 || r.left < pr.left - 0.5 || r.right > pr.right + 0.5) out.push(`${what}: clipped by ${p.className}`);
        }
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        if (hit !== el && !el.contains(hit)) out.push(`${what}: covered by ${hit?.tagName ?? 'nothing'}.${hit?.className ?? ''}`);
      }
    }
    return out;
  }, selector);
}

describe('grading dock', () => {
  for (const [width, height] of [[1366, 768], [1920, 1080]] as const) {
    it(`at ${width}×${height} Pfirrmann comes first and is fully visible, with its criteria and Modic's beside the buttons`, async () => {
      const { page, ws } = await openAt(width, height);
      await ws.shot(`detail-${width}x${height}`);
      // The level row: Pfirrmann is the first value column.
      const columns = await dock(page).locator('thead th').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-field') ?? th.textContent));
      expect(columns.slice(0, 3)).toEqual(['Level', 'pfirrmann', 'modic']);
      expect(await dock(page).locator('tbody tr[data-level]').first().locator('td[data-field]').first().getAttribute('data-field')).toBe('pfirrmann');
      // The detail pane: Pfirrmann's block comes before every other field.
      const fields = await page.locator('[data-testid="grading-detail"] [data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
      expect(fields).toEqual(['pfirrmann', 'modic']);
      const order = await page.locator('[data-testid="grading-detail"] [role="radiogroup"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
      expect(order[0]).toBe('Pfirrmann grade');
      expect(order[1]).toBe('Modic');
      expect(order).toHaveLength(8);
      // Fully visible without scrolling: the block, each of its buttons and each criteria cell.
      expect(await notVisible(page, '[data-testid="grade-pfirrmann"], [data-testid="grade-pfirrmann"] button, [data-testid="pfirrmann-criteria"] .grade-row > span, [data-testid="grade-modic"] button, [data-testid="modic-criteria"] .modic-type')).toEqual([]);
      // Every field of the level fits too (Modic, the six findings, Reviewed).
      expect(await notVisible(page, '[data-testid="grading-detail"] button, [data-testid="grading-detail"] input')).toEqual([]);
      const scrolled = await page.locator('[data-testid="grading-panel"] *').evaluateAll((els) => els.filter((e) => e.scrollTop > 0 || e.scrollLeft > 0).length);
      expect(scrolled).toBe(0);
      // The criteria text is there, on the same line as its button.
      for (const c of PFIRRMANN_CRITERIA) {
        const row = page.locator(`[data-testid="pfirrmann-criteria"] .grade-row[data-grade="${c.grade}"]`);
        // What shows (innerText: the full or the abbreviated words, whichever the dock's width shows).
        const shown = await row.evaluate((r) => [...r.children].map((x) => (x as HTMLElement).innerText.trim()));
        expect(shown[0]!.replace(/\s+/g, ''), `grade ${c.grade}`).toBe(`${c.grade}${c.roman}`);
        for (const [i, k] of (['structure', 'distinction', 'signal', 'height'] as const).entries()) expect([c[k], c.short[k]], `grade ${c.grade} ${k}`).toContain(shown[i + 1]);
        const button = (await row.locator('button').boundingBox())!;
        const signal = (await row.locator(':scope > span').nth(3).boundingBox())!;
        expect(signal.x).toBeGreaterThan(button.x + button.width);
        expect(Math.abs(signal.y + signal.height / 2 - (button.y + button.height / 2))).toBeLessThan(signal.height / 2 + 1);
      }
      const modic = await page.locator('[data-testid="modic-criteria"]').textContent();
      for (const c of MODIC_CRITERIA.filter((x) => x.type > 0)) expect(modic).toContain(`${c.type}T1 ${c.t1}/T2 ${c.t2}`);
      expect(modic).toContain('none');
      // The criteria are readable: no text under 10 px.
      const smallest = await page.locator('[data-testid="pfirrmann-criteria"] span, [data-testid="modic-criteria"] span').evaluateAll((els) => Math.min(...els.map((e) => parseFloat(getComputedStyle(e).fontSize))));
      expect(smallest).toBeGreaterThanOrEqual(10);
      // The dock stays in its column, and every column of the level table is reachable.
      const d = (await dock(page).boundingBox())!;
      const side = (await page.locator('aside.right').boundingBox())!;
      expect(d.x + d.width).toBeLessThanOrEqual(side.x + 0.5);
      expect(await page.locator('.grading-table-wrap').evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
      expect(await page.locator('[data-testid="pfirrmann-no-t2"]').count()).toBe(0);
      await page.close();
    });
  }

  it('warns next to Pfirrmann when the patient has no T2 series', async () => {
    const { page, ws } = await openAt(1366, 768, NO_T2_SERIES);
    const flag = page.locator('[data-testid="pfirrmann-no-t2"]');
    await flag.waitFor();
    expect(await flag.textContent()).toMatch(/No T2 series for this patient \(3_t1\).*Pfirrmann is defined on T2/);
    // Next to Pfirrmann: inside its block, between its title and its buttons, and visible.
    expect(await page.locator('[data-testid="grade-pfirrmann"] [data-testid="pfirrmann-no-t2"]').count()).toBe(1);
    expect(await notVisible(page, '[data-testid="pfirrmann-no-t2"], [data-testid="grade-pfirrmann"] button')).toEqual([]);
    await ws.shot('no-t2-1366x768');
    // A patient with T2 (1_t2, 1_t2_SPACE) has no flag.
    await openFromWorklist(page, SERIES);
    await dock(page).locator('tr[data-level] td.level-name').nth(2).click();
    await page.locator('[data-testid="grade-pfirrmann"]').waitFor();
    expect(await flag.count()).toBe(0);
    await page.close();
  });

  it('shows where the keys go: a ring, a highlighted title and "keys go to: grading dock" while the dock has focus', async () => {
    const { page, ws } = await openAt(1366, 768);
    await focusViews(page);
    expect(await dock(page).getAttribute('data-keys-here')).toBeNull();
    expect(await page.locator('[data-testid="grading-keys-here"]').count()).toBe(0);
    expect(await page.locator('[data-testid="grading-keys-away"]').textContent()).toContain('press d');
    const ringOff = await dock(page).evaluate((e) => getComputedStyle(e).outlineStyle);
    expect(ringOff).toBe('none');
    await ws.shot('focus-off-1366x768');
    await page.keyboard.press('d');
    await expect.poll(() => dock(page).getAttribute('data-keys-here')).toBe('true');
    expect(await dock(page).getAttribute('class')).toContain('keys-here');
    expect(await dock(page).getAttribute('aria-label')).toContain('keys go to the grading dock');
    expect(await page.locator('[data-testid="grading-keys-here"]').textContent()).toContain('keys go to: grading dock');
    const ring = await dock(page).evaluate((e) => ({ style: getComputedStyle(e).outlineStyle, width: parseFloat(getComputedStyle(e).outlineWidth), title: getComputedStyle(e.querySelector('.grading-title')!).backgroundColor }));
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(ring.title).not.toBe('rgba(0, 0, 0, 0)');
    const shot = await ws.shot('focus-on-1366x768');
    // The ring is drawn: the dock's top-left corner carries the accent colour (#4fa3ff) in the screenshot.
    const box = (await dock(page).boundingBox())!;
    expect(near(pixelAt(shot, Math.round(box.x + 40), Math.round(box.y)), [0x4f, 0xa3, 0xff], 12)).toBe(true);
    // Esc leaves the dock, even from one of its buttons.
    await page.locator('[data-testid="grade-pfirrmann"] button[role="radio"]').first().focus();
    expect(await dock(page).getAttribute('data-keys-here')).toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(() => dock(page).getAttribute('data-keys-here')).toBeNull();
    await page.close();
  });

  it('grading keys pressed in the views change nothing and say so in the status bar', async () => {
    const { page, ws } = await openAt(1366, 768);
    const level = await selectedLevel(page);
    const before = await gradings(level);
    const layout = await layoutOf(page);
    expect(layout.maximised).toBeNull();

    // 4 and 5: no shortcut in the views.
    await focusViews(page);
    await page.keyboard.press('4');
    await expect.poll(() => status(page)).toContain('4: no shortcut in the views');
    expect(await status(page)).toContain(DOCK_HINT);
    await page.keyboard.press('5');
    await expect.poll(() => status(page)).toContain('5: no shortcut in the views');
    // M then 2: M maximises the view (its shortcut), the 2 is a Modic grade typed outside the dock: dropped, reported.
    await page.keyboard.press('m');
    await expect.poll(() => layoutOf(page)).toMatchObject({ maximised: 'sagittal' });
    await page.keyboard.press('2');
    await expect.poll(() => status(page)).toContain('M 2 went to the views, not the dock: nothing graded');
    expect(await status(page)).toContain(DOCK_HINT);
    expect(await layoutOf(page)).toEqual({ ...layout, maximised: 'sagittal' }); // not switched to 2×2
    await ws.shot('views-m2-reported-1366x768');
    await page.keyboard.press('m');
    await expect.poll(() => layoutOf(page)).toEqual(layout);
    await page.waitForTimeout(SEQUENCE_MS + 100); // a digit right after M would count as a Modic grade
    // 1: still the layout key, and the status bar says it did not grade.
    await page.keyboard.press('1');
    await expect.poll(() => status(page)).toContain('1: Layout 1+2');
    expect(await status(page)).toContain('not a Pfirrmann grade');
    // A key with no binding at all says so too.
    await page.keyboard.press('j');
    await expect.poll(() => status(page)).toContain('j: no shortcut in the views');
    // Nothing reached the store, and the keys never went to the dock.
    expect(await gradings(level)).toEqual(before);
    expect(await dock(page).getAttribute('data-keys-here')).toBeNull();
    expect(await selectedLevel(page)).toBe(level);
    await page.close();
  });

  it('grades by keyboard after D: Pfirrmann, Modic, a finding; a key the dock cannot use says so', async () => {
    const { page, ws } = await openAt(1366, 768);
    const level = await selectedLevel(page);
    const before = await gradings(level);
    const pf = before.values.pfirrmann === 4 ? 2 : 4;
    const modic = before.values.modic === 3 ? 1 : 3;
    await focusViews(page);
    await page.keyboard.press('d');
    await expect.poll(() => dock(page).getAttribute('data-keys-here')).toBe('true');
    await page.keyboard.press(String(pf));
    await page.keyboard.press('m');
    await page.locator('[data-testid="modic-armed"]').waitFor();
    await page.keyboard.press(String(modic));
    await page.keyboard.press('n');
    await expect.poll(async () => (await gradings(level)).values, { timeout: 20_000 }).toEqual({ ...before.values, pfirrmann: pf, modic, narrowing: before.values.narrowing === 1 ? 0 : 1 });
    // The detail pane shows the new grade's row highlighted.
    await expect.poll(() => page.locator(`[data-testid="pfirrmann-criteria"] .grade-row[data-grade="${pf}"]`).getAttribute('class')).toContain('on');
    expect(await page.locator(`[data-testid="modic-criteria"] .modic-type[data-type="${modic}"]`).getAttribute('class')).toContain('on');
    // M then 7: not a Modic type; nothing set, and the status bar says so.
    const graded = await gradings(level);
    await page.keyboard.press('m');
    await page.keyboard.press('7');
    await expect.poll(() => status(page)).toContain('M 7: Modic takes 0–3');
    // 9: no key of the dock, nor of the views.
    await page.keyboard.press('9');
    await expect.poll(() => status(page)).toContain('9: no shortcut in the grading dock or the views');
    expect(await gradings(level)).toEqual(graded);
    expect(await dock(page).getAttribute('data-keys-here')).toBe('true');
    // With the save state shown the title bar stays one line, and every field still fits without scrolling.
    expect(await page.locator('[data-testid="grading-save"]').textContent()).toMatch(/^saved/);
    const title = (await page.locator('.grading-title').boundingBox())!;
    expect(title.height).toBeLessThan(45); // one line: ~35 px; wrapped: ~60
    expect(await notVisible(page, '[data-testid="grading-detail"] button, [data-testid="grading-detail"] input, [data-testid="grading-keys-here"]')).toEqual([]);
    await ws.shot('graded-by-keys-1366x768');
    await page.close();
  });

  it('at 1366×768 the label panel takes real clicks with the dock open and a level selected', async () => {
    const { page, ws } = await openAt(1366, 768);
    await page.keyboard.press('d'); // focused dock, the largest it gets
    const panel = page.locator('[data-testid="label-panel"]');
    const mode = () => page.evaluate(() => window.__spine!.store.get().display.mode);
    expect(await mode()).toBe('fill');
    /** A real mouse click at the centre of a control, after checking it is the element shown there. */
    const click = async (sel: string): Promise<void> => {
      const el = panel.locator(sel).first();
      await el.scrollIntoViewIfNeeded();
      const b = (await el.boundingBox())!;
      const [x, y] = [b.x + b.width / 2, b.y + b.height / 2];
      const under = await page.evaluate(([px, py]) => document.elementFromPoint(px!, py!)?.closest('[data-testid]')?.getAttribute('data-testid') ?? null, [x, y]);
      expect(under, sel).toBe('label-panel');
      await page.mouse.click(x, y);
    };
    await click('button:text-is("Outline")');
    await expect.poll(mode).toBe('outline');
    await click('button:text-is("Fill")');
    await expect.poll(mode).toBe('fill');
    const show = panel.locator('input[aria-label^="Show "]').last();
    const was = await show.isChecked();
    await click('input[aria-label^="Show "] >> nth=-1');
    await expect.poll(() => show.isChecked()).toBe(!was);
    await click('input[aria-label^="Show "] >> nth=-1');
    await expect.poll(() => show.isChecked()).toBe(was);
    // The dock never reaches into the label panel's column.
    const d = (await dock(page).boundingBox())!;
    const side = (await page.locator('aside.right').boundingBox())!;
    expect(d.x + d.width).toBeLessThanOrEqual(side.x + 0.5);
    await ws.shot('label-panel-clicks-1366x768');
    await page.close();
  });
});
