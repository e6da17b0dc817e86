// Layout at laptop and desktop window sizes, in Chromium against the real web server: with the grading dock open
// and a level selected, nothing overlaps — every control of the label panel, the label operations, the history
// and the dock's detail pane is the element under its own centre (so a click there reaches it). Below ~1900 px
// the dock's detail pane used to spill over the label panel and swallow its clicks. Then the view layouts (issue 13):
// 1+2 (sagittal large by default), 2×2 with the 3-D cell, 1×3 and a maximised view give the views the sizes they
// promise and keep crosshair and slices; collapsing the side panels widens the views; each annotator's choice comes
// back after a reload, and only for that annotator. Screenshots in test-results/layout/.
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
 * "selector #n: covered by <element>". Disabled controls count too: covered is covered; controls not rendered at all (display: none) do not.
 */
async function coveredControls(page: Page, scopes: string[]): Promise<string[]> {
  return page.evaluate((sel) => {
    const out: string[] = [];
    for (const scope of sel) {
      const controls = [...document.querySelectorAll<HTMLElement>(`${scope} button, ${scope} select, ${scope} input`)];
      controls.forEach((el, n) => {
        if (el.getClientRects().length === 0) return; // not rendered (display: none): not there to be clicked
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

type Box = { x: number; y: number; width: number; height: number };
type Cell = 'sagittal' | 'coronal' | 'axial' | '3d';
const CELLS: readonly Cell[] = ['sagittal', 'coronal', 'axial', '3d'];

/** Each viewer cell's box in the page, or null when it is not shown. */
async function cellBoxes(page: Page): Promise<Record<Cell, Box | null>> {
  const out = {} as Record<Cell, Box | null>;
  for (const c of CELLS) {
    const el = page.locator(`[data-viewer-root] > [data-view="${c}"]`);
    out[c] = (await el.isVisible()) ? await el.boundingBox() : null;
  }
  return out;
}

const viewerBox = async (page: Page): Promise<Box> => (await page.locator('[data-testid="viewer"]').boundingBox())!;
const layoutOf = (page: Page) => page.evaluate(() => window.__spine!.viewer!.getLayout());
const storeLayout = (page: Page) => page.evaluate(() => window.__spine!.store.get().layout);
const settle = (page: Page) => page.evaluate(() => window.__spine!.viewer!.rendered());

/** Keys go to the window (nothing focused), with the pointer over a view's centre. */
async function pressOver(page: Page, view: Cell, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const b = (await page.locator(`[data-viewer-root] > [data-view="${view}"]`).boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
  await page.keyboard.press(key);
}

/** A page with the series open and nothing else (no dock level selected). */
async function openPlain(width: number, height: number): Promise<{ page: Page; ws: WorkstationPage }> {
  const page = await app.newPage({ width, height });
  const ws = new WorkstationPage(page, WorkstationPage.shots('layout'));
  await page.waitForSelector(`[data-series="${SERIES}"]`);
  await openFromWorklist(page, SERIES);
  return { page, ws };
}

/** Chooses an annotator through the dialog, as a user does. */
async function chooseAnnotator(page: Page, name: string): Promise<void> {
  await page.locator('[data-testid="annotator"]').click();
  await page.getByLabel('Annotator name').fill(name);
  await page.getByLabel('Annotator name').press('Enter');
  await expect.poll(() => page.locator('[data-testid="annotator"]').textContent()).toBe(name);
}

describe('view layouts and side panels', () => {
  it('1+2 gives the sagittal view the room by default; 2×2, 1×3 and maximise give their sizes', async () => {
    const { page, ws } = await openPlain(1600, 900);
    const area = await viewerBox(page);
    // 1+2, sagittal large: twice as wide and twice as high as each small view, which are stacked on the right.
    expect(await layoutOf(page)).toEqual({ kind: '1+2', large: 'sagittal', maximised: null });
    let b = await cellBoxes(page);
    await ws.shot('1600x900-1+2');
    const [sag, cor, ax] = [b.sagittal!, b.coronal!, b.axial!];
    for (const small of [cor, ax]) {
      expect(sag.width).toBeGreaterThanOrEqual(2 * small.width - 1);
      expect(sag.height).toBeGreaterThanOrEqual(2 * small.height - 1);
      expect(small.x).toBeGreaterThanOrEqual(sag.x + sag.width);
    }
    expect(ax.y).toBeGreaterThanOrEqual(cor.y + cor.height);
    expect(sag.height).toBeGreaterThan(area.height - 2);
    expect(b['3d']).toBeNull();
    const sagittal12 = sag.width;

    // 2×2: four equal cells, the fourth the 3-D view's host (the size of its cell).
    await pressOver(page, 'sagittal', '2');
    await expect.poll(() => layoutOf(page)).toMatchObject({ kind: '2x2', maximised: null });
    b = await cellBoxes(page);
    await ws.shot('1600x900-2x2');
    for (const c of CELLS) {
      expect(Math.abs(b[c]!.width - (area.width - 2) / 2)).toBeLessThanOrEqual(1);
      expect(Math.abs(b[c]!.height - (area.height - 2) / 2)).toBeLessThanOrEqual(1);
    }
    expect(b['3d']!.x).toBeGreaterThan(b.axial!.x);
    expect(b['3d']!.y).toBeGreaterThan(b.coronal!.y);
    const host = await page.evaluate(() => {
      const h = window.__spine!.viewer!.threeDHost;
      const r = h.getBoundingClientRect();
      return { inCell: h.parentElement?.getAttribute('data-view'), width: r.width, height: r.height };
    });
    expect(host).toEqual({ inCell: '3d', width: b['3d']!.width, height: b['3d']!.height });

    // 1×3: today's three equal columns, full height.
    await pressOver(page, 'sagittal', '3');
    await expect.poll(() => layoutOf(page)).toMatchObject({ kind: '1x3', maximised: null });
    b = await cellBoxes(page);
    await ws.shot('1600x900-1x3');
    for (const c of ['sagittal', 'coronal', 'axial'] as const) {
      expect(Math.abs(b[c]!.width - (area.width - 4) / 3)).toBeLessThanOrEqual(1);
      expect(b[c]!.height).toBeGreaterThan(area.height - 2);
    }
    expect(b['3d']).toBeNull();
    const sagittal13 = b.sagittal!.width;
    expect(sagittal12).toBeGreaterThanOrEqual(2 * sagittal13 - 2);
    console.log(`1600×900: sagittal ${sagittal13.toFixed(0)} px wide in 1×3, ${sagittal12.toFixed(0)} px in 1+2 (viewer area ${area.width}×${area.height})`);

    // M maximises the view under the pointer over the whole area; M again restores the layout.
    await pressOver(page, 'coronal', 'm');
    await expect.poll(() => layoutOf(page)).toEqual({ kind: '1x3', large: 'sagittal', maximised: 'coronal' });
    b = await cellBoxes(page);
    await ws.shot('1600x900-maximised-coronal');
    expect(b.coronal).toEqual(expect.objectContaining({ width: area.width, height: area.height }));
    expect([b.sagittal, b.axial, b['3d']]).toEqual([null, null, null]);
    await pressOver(page, 'coronal', 'm');
    await expect.poll(() => layoutOf(page)).toMatchObject({ kind: '1x3', maximised: null });

    // The corner button of a view maximises it too (a real click: it reaches the button, not the view under it).
    await page.getByRole('button', { name: 'Maximise axial' }).click();
    await expect.poll(() => storeLayout(page)).toMatchObject({ maximised: 'axial' });
    await page.getByRole('button', { name: 'Restore the layout' }).first().click();
    await expect.poll(() => storeLayout(page)).toMatchObject({ maximised: null });

    // Which view is large: the corner button, Shift+L over a view, the toolbar's chooser.
    await page.getByRole('button', { name: 'Show coronal large' }).click();
    await expect.poll(() => storeLayout(page)).toEqual({ kind: '1+2', large: 'coronal', maximised: null });
    b = await cellBoxes(page);
    await ws.shot('1600x900-1+2-coronal');
    expect(b.coronal!.width).toBeGreaterThanOrEqual(2 * b.sagittal!.width - 1);
    expect(b.coronal!.x).toBeLessThan(b.sagittal!.x);
    await pressOver(page, 'axial', 'L');
    await expect.poll(() => layoutOf(page)).toEqual({ kind: '1+2', large: 'axial', maximised: null });
    await page.getByLabel('Large view').selectOption('sagittal');
    await expect.poll(() => layoutOf(page)).toEqual({ kind: '1+2', large: 'sagittal', maximised: null });
    await page.close();
  });

  it('switching layouts keeps the crosshair, the slices and each view\'s zoom', async () => {
    const { page, ws } = await openPlain(1366, 768);
    // Off-centre: click in the sagittal view, then step the axial slice.
    const sag = (await page.locator('[data-viewer-root] > [data-view="sagittal"]').boundingBox())!;
    await page.mouse.click(sag.x + sag.width * 0.4, sag.y + sag.height * 0.35);
    await pressOver(page, 'axial', 'PageUp');
    await settle(page);
    const crosshair = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    const captions = (): Promise<Record<string, string>> =>
      page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('[data-caption]')].map((e) => [e.dataset['caption']!, e.textContent ?? ''])));
    const before = await captions();
    // Zoom the coronal view: the mm per pixel across layouts follows the view's size, the zoom factor stays.
    const corView = async (): Promise<Box> => (await page.locator('[data-viewer-root] > [data-view="coronal"]').boundingBox())!;
    const c0 = await corView();
    await page.mouse.move(c0.x + c0.width / 2, c0.y + c0.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    await settle(page);
    /** Distance in px between two fixed world points in the coronal view, per px of view height. */
    const spread = async (): Promise<number> => {
      const [a, b2] = await page.evaluate((p) => [window.__spine!.viewer!.worldToDisplay('coronal', p), window.__spine!.viewer!.worldToDisplay('coronal', [p[0], p[1], p[2] + 5])], crosshair);
      return Math.hypot(b2![0] - a![0], b2![1] - a![1]) / (await corView()).height;
    };
    const zoomed = await spread();
    for (const key of ['2', '3', '1']) {
      await pressOver(page, 'sagittal', key);
      await settle(page);
      await ws.shot(`1366x768-switch-${key}`);
      expect(await page.evaluate(() => window.__spine!.viewer!.getCrosshair())).toEqual(crosshair);
      expect(await captions()).toEqual(before);
      expect(Math.abs((await spread()) - zoomed) / zoomed).toBeLessThan(0.02);
    }
    await page.close();
  });

  it('collapsing the side panels widens the views, by button and by key', async () => {
    const { page, ws } = await openPlain(1366, 768);
    const w0 = (await viewerBox(page)).width;
    const sag0 = (await cellBoxes(page)).sagittal!.width;
    await page.getByRole('button', { name: 'Hide the worklist' }).click();
    await expect.poll(async () => (await viewerBox(page)).width).toBeGreaterThan(w0 + 200);
    const w1 = (await viewerBox(page)).width;
    expect(await page.locator('.worklist').isVisible()).toBe(false);
    await pressOver(page, 'sagittal', '}');
    await expect.poll(async () => (await viewerBox(page)).width).toBeGreaterThan(w1 + 240);
    await settle(page);
    await ws.shot('1366x768-panels-collapsed');
    expect(await coveredControls(page, ['[data-testid="left-panel-head"]', '[data-testid="right-panel-head"]', '[data-view-controls]', '[data-testid="grading-panel"]'])).toEqual([]);
    expect(await page.locator('[data-testid="label-panel"]').isVisible()).toBe(false);
    expect((await cellBoxes(page)).sagittal!.width).toBeGreaterThan(sag0 + 300);
    // The strips keep their buttons: both panels come back.
    await page.getByRole('button', { name: 'Show the labels' }).click();
    await pressOver(page, 'sagittal', '{');
    await expect.poll(async () => (await viewerBox(page)).width).toBe(w0);
    expect(await page.locator('[data-testid="label-panel"]').isVisible()).toBe(true);
    expect(await page.locator('.worklist').isVisible()).toBe(true);
    await page.close();
  });

  it("an annotator's layout and panels survive a reload, and only for that annotator", async () => {
    const { page, ws } = await openPlain(1366, 768);
    await pressOver(page, 'sagittal', '2');
    await page.getByRole('button', { name: 'Hide the worklist' }).click();
    await pressOver(page, 'axial', 'L'); // 1+2 with axial large
    await expect.poll(() => storeLayout(page)).toEqual({ kind: '1+2', large: 'axial', maximised: null });
    await pressOver(page, 'axial', 'm'); // a maximised view is not remembered
    const leftCollapsed = (): Promise<boolean> => page.locator('main.workspace').evaluate((e) => e.classList.contains('left-collapsed'));
    expect(await leftCollapsed()).toBe(true);

    await page.reload();
    await page.waitForSelector(`[data-series="${SERIES}"]`, { state: 'attached' });
    await expect.poll(() => storeLayout(page)).toEqual({ kind: '1+2', large: 'axial', maximised: null });
    expect(await leftCollapsed()).toBe(true);
    await page.getByRole('button', { name: 'Show the worklist' }).click();
    await openFromWorklist(page, SERIES);
    await page.getByRole('button', { name: 'Hide the worklist' }).click();
    expect(await layoutOf(page)).toEqual({ kind: '1+2', large: 'axial', maximised: null });
    await ws.shot('1366x768-restored');

    // Another annotator gets the defaults at once, and after a reload too.
    await chooseAnnotator(page, 'other');
    await expect.poll(() => storeLayout(page)).toEqual({ kind: '1+2', large: 'sagittal', maximised: null });
    expect(await leftCollapsed()).toBe(false);
    await page.reload();
    await page.waitForSelector(`[data-series="${SERIES}"]`);
    expect(await page.locator('[data-testid="annotator"]').textContent()).toBe('other');
    await expect.poll(() => storeLayout(page)).toEqual({ kind: '1+2', large: 'sagittal', maximised: null });
    expect(await leftCollapsed()).toBe(false);
    await pressOver(page, 'sagittal', '3'); // other's own choice

    // Back to the first annotator: their layout again; other's is kept for other.
    await chooseAnnotator(page, 'e2e');
    await expect.poll(() => storeLayout(page)).toEqual({ kind: '1+2', large: 'axial', maximised: null });
    expect(await leftCollapsed()).toBe(true);
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('spine-ws.layout.other') ?? 'null') as unknown)).toMatchObject({ kind: '1x3' });
    await page.close();
  });

  for (const [width, height] of [[1366, 768], [1920, 1080]] as const) {
    it(`at ${width}×${height} nothing overlaps in any layout, and the label operations take real clicks`, async () => {
      const { page, ws } = await openAt(width, height);
      const scopes = ['[data-testid="label-panel"]', '[data-testid="history"]', '[data-testid="label-ops"]', '[data-testid="grading-detail"]', '[data-testid="toolbar"]', '[data-testid="left-panel-head"]', '[data-testid="right-panel-head"]', '[data-view-controls]'];
      for (const key of ['1', '2', '3', 'm']) {
        await pressOver(page, 'sagittal', key);
        await settle(page);
        const l = await layoutOf(page);
        await ws.shot(`${width}x${height}-${l.maximised ? 'maximised' : l.kind}`);
        const dock = (await page.locator('[data-testid="grading-panel"]').boundingBox())!;
        const side = (await page.locator('aside.right').boundingBox())!;
        expect(dock.x + dock.width).toBeLessThanOrEqual(side.x + 0.5);
        expect(await coveredControls(page, scopes), `${width}×${height} ${JSON.stringify(l)}`).toEqual([]);
        // Each label operation gets a real click at its centre (caught before it runs: no label changes here).
        const ops = page.locator('[data-testid="label-ops"] button:not([disabled])');
        const n = await ops.count();
        expect(n).toBeGreaterThan(3);
        for (let i = 0; i < n; i++) {
          const op = ops.nth(i);
          await op.scrollIntoViewIfNeeded();
          const box = (await op.boundingBox())!;
          await page.evaluate(() => {
            const w = window as unknown as { caughtClick?: string };
            w.caughtClick = 'no click';
            window.addEventListener('click', (e) => {
              e.stopPropagation();
              e.preventDefault();
              w.caughtClick = (e.target as HTMLElement).closest('button')?.textContent ?? (e.target as HTMLElement).tagName;
            }, { capture: true, once: true });
          });
          await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
          expect(await page.evaluate(() => (window as unknown as { caughtClick?: string }).caughtClick)).toBe(await op.textContent());
        }
      }
      await pressOver(page, 'sagittal', 'm');
      await page.close();
    });
  }
});

describe('double-click and the right panel (issue 13, items 3 and 4)', () => {
  it('a double-click on a view maximises it, another one restores the layout (navigation, no tool)', async () => {
    const { page, ws } = await openPlain(1366, 768);
    const before = await layoutOf(page);
    expect(before.maximised).toBeNull();
    const b = (await cellBoxes(page)).coronal!;
    await page.mouse.dblclick(b.x + b.width / 2, b.y + b.height / 2);
    await expect.poll(() => layoutOf(page)).toMatchObject({ maximised: 'coronal' });
    await settle(page);
    const max = await cellBoxes(page);
    const v = await viewerBox(page);
    expect(max.coronal!.width).toBeGreaterThan(v.width - 2);
    expect(max.sagittal).toBeNull();
    await ws.shot('dblclick-maximised-1366x768');
    await page.mouse.dblclick(v.x + v.width / 2, v.y + v.height / 2);
    await expect.poll(() => layoutOf(page)).toEqual(before);
    // A double-click on a view's maximise button: the first click maximises the axial view (the button moves away
    // with it), the second lands on the view — that is not a double-click of the view, so nothing toggles back.
    await settle(page);
    const bb = (await page.locator('[data-view-controls="axial"] button[data-action="maximise"]').boundingBox())!;
    await page.mouse.dblclick(bb.x + bb.width / 2, bb.y + bb.height / 2);
    await settle(page);
    expect(await layoutOf(page)).toEqual({ ...before, maximised: 'axial' });
    await page.evaluate(() => window.__spine!.viewer!.setLayout({ maximised: null }));
    await page.close();
  });

  for (const [width, height] of [[1366, 768], [1920, 1080]] as const) {
    it(`at ${width}×${height} the Measurements panel is one click away, uncovered; choosing the ruler brings it into sight`, async () => {
      const { page, ws } = await openPlain(width, height);
      const aside = page.locator('aside.right');
      const title = page.locator('[data-testid="measurements"] .panel-title');
      /** The panel's title lies inside the right panel's visible part, below its sticky head, and nothing covers it. */
      const inSight = async (): Promise<boolean> => {
        const a = (await aside.boundingBox())!;
        const head = (await page.locator('[data-testid="right-panel-head"]').boundingBox())!;
        const t = (await title.boundingBox())!;
        const hit = await page.evaluate(([x, y]) => !!document.elementFromPoint(x!, y!)?.closest('[data-testid="measurements"]'), [t.x + 40, t.y + t.height / 2]);
        return t.y >= head.y + head.height - 0.5 && t.y + t.height <= a.y + a.height && hit;
      };
      // The head (with its section links) fits in the panel's scroll padding, so what is scrolled to is not under it.
      const headHeight = (await page.locator('[data-testid="right-panel-head"]').boundingBox())!.height;
      const padding = await aside.evaluate((e) => parseFloat(getComputedStyle(e).scrollPaddingTop));
      expect(headHeight).toBeLessThanOrEqual(padding);
      expect(headHeight, 'title row + one row of section links').toBeLessThan(60);
      await ws.shot(`right-panel-top-${width}x${height}`);
      const link = page.locator('[data-testid="right-panel-head"] button[data-section="measurements"]');
      const lb = (await link.boundingBox())!;
      await page.mouse.click(lb.x + lb.width / 2, lb.y + lb.height / 2);
      await expect.poll(inSight).toBe(true);
      await ws.shot(`right-panel-measurements-${width}x${height}`);
      expect(await coveredControls(page, ['[data-testid="right-panel-head"]', '[data-testid="measurements"]', '[data-testid="label-panel"]', '[data-testid="history"]', '[data-testid="label-ops"]'])).toEqual([]);

      // Back to the top of the panel; the Ruler (key L over a view) scrolls the panel to the measurements.
      await aside.evaluate((e) => e.scrollTo({ top: 0 }));
      const atTop = await inSight();
      await pressOver(page, 'sagittal', 'l');
      await expect.poll(() => page.evaluate(() => window.__spine!.store.get().tool)).toBe('ruler');
      await expect.poll(inSight).toBe(true);
      await ws.shot(`right-panel-ruler-${width}x${height}`);
      console.log(`${width}×${height}: measurements in sight at the panel's top: ${atTop}`);
      await pressOver(page, 'sagittal', 'Escape');
      await page.close();
    });
  }
});
