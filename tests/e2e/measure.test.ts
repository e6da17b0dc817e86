// e2e: rulers and angles (issue 13, item 4) in the real app — real server, real SQLite store, Debian Chromium, real
// mouse events — on a series of each orientation convention (group A identity/LPS, group B PIR). A ruler of known
// length and an angle of known degrees are placed with the mouse; the values main stored match the geometry, the
// list shows them, they survive a page reload (read back from the store), delete + undo works. Also the per-view
// slice slider, the crosshair toggle, the scale bar and the window/level + zoom readout.
// Screenshots: /tmp/helperM-*.png (and test-results/measure/).
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage, type ViewId } from './support/workstationPage.js';

let app: AppFixture;

beforeAll(async () => {
  app = await startApp();
}, 180_000);
afterAll(async () => {
  await app?.close();
});

const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const mul = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];

/** Screen right / up of each view in LPS world (radiological, the same for both conventions). */
const SCREEN: Record<ViewId, { right: Vec3; up: Vec3 }> = {
  sagittal: { right: [0, 1, 0], up: [0, 0, 1] },
  coronal: { right: [1, 0, 0], up: [0, 0, 1] },
  axial: { right: [1, 0, 0], up: [0, -1, 0] },
};
/** An in-plane point of a view: `r` mm right and `u` mm up of `c`. */
const inPlane = (view: ViewId, c: Vec3, r: number, u: number): Vec3 => add(add(c, mul(SCREEN[view].right, r)), mul(SCREEN[view].up, u));

async function shot(page: Page, ws: WorkstationPage, name: string): Promise<void> {
  await ws.shot(name);
  copyFileSync(join(ws.shotsDir, `${name}.png`), `/tmp/helperM-${name}.png`);
}

const rows = (page: Page) => page.locator('[data-testid="measurements"] li[data-measurement-id]');
const crosshair = (page: Page): Promise<Vec3> => page.evaluate(() => window.__spine!.viewer!.getCrosshair());

/** Keys go to the window (not a text field), with the pointer over a view. */
async function keyOverView(page: Page, ws: WorkstationPage, view: ViewId, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const [x, y] = await ws.toPage(view, await crosshair(page));
  await page.mouse.move(x + 7, y + 7);
  await page.keyboard.press(key);
}

describe.each(['A', 'B'] as const)('measure, orientation group %s', (group) => {
  let page: Page;
  let ws: WorkstationPage;
  let seriesId: string;
  let rulerId = 0;
  let angleId = 0;
  let rulerPoints: Vec3[] = [];

  beforeAll(async () => {
    const s = app.sample.series.find((x) => x.group === group);
    if (!s) throw new Error(`no group ${group} series in the sample`);
    seriesId = s.id;
    page = await app.newPage({ width: 1366, height: 768 });
    ws = new WorkstationPage(page, WorkstationPage.shots('measure'));
    await page.waitForSelector(`[data-series="${seriesId}"]`);
    await openFromWorklist(page, seriesId);
    // A fresh store lists nothing for this series.
    await page.waitForFunction(() => /None yet/.test(document.querySelector('[data-testid="measurements"]')?.textContent ?? ''));
  }, 120_000);
  afterAll(async () => {
    await page?.close();
  });

  it('places a ruler by press-drag-release; the stored length matches the geometry', async () => {
    await keyOverView(page, ws, 'sagittal', 'l');
    await expect.poll(() => page.locator('[data-tool="ruler"]').getAttribute('class')).toMatch(/\bon\b/);
    const c = await crosshair(page);
    const p0 = inPlane('sagittal', c, -24, -18);
    const p1 = inPlane('sagittal', c, 12, 30);
    const expected = Math.hypot(36, 48); // 60 mm
    const a = await ws.toPage('sagittal', p0);
    const b = await ws.toPage('sagittal', p1);
    await page.mouse.move(a[0], a[1]);
    await page.mouse.down();
    await page.mouse.move((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, { steps: 4 });
    // While dragging, the draft (dashed) follows the pointer in the sagittal view.
    await expect.poll(() => page.locator('[data-measurements="sagittal"] g[data-measurement="draft"]').count()).toBe(1);
    await page.mouse.move(b[0], b[1], { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => rows(page).count(), { timeout: 20_000 }).toBe(1);
    const row = rows(page).first();
    expect(await row.getAttribute('data-kind')).toBe('ruler');
    const value = Number(await row.locator('.measure-value').getAttribute('data-value'));
    console.log(`group ${group}: ruler ${value.toFixed(3)} mm stored, ${expected.toFixed(3)} mm drawn with the mouse`);
    expect(Math.abs(value - expected)).toBeLessThan(0.5);
    expect(await row.locator('.measure-value').textContent()).toBe(`${value.toFixed(1)} mm`);
    expect(await row.locator('.measure-who').textContent()).toBe('e2e');
    rulerId = Number(await row.getAttribute('data-measurement-id'));
    const stored = (await app.ws.service.listMeasurements({ seriesId })).measurements.find((m) => m.id === rulerId)!;
    rulerPoints = stored.points;
    // Drawn in the sagittal view it lies in, with main's value as its label; not in the axial view (other slices).
    const drawn = page.locator(`[data-measurements="sagittal"] g[data-measurement="${rulerId}"]`);
    await expect.poll(() => drawn.count()).toBe(1);
    expect(await drawn.locator('text').textContent()).toBe(`${value.toFixed(1)} mm`);
    expect(await page.locator(`[data-measurements="axial"] g[data-measurement="${rulerId}"]`).count()).toBe(0);
    expect(await page.locator('[data-measurements="sagittal"] g[data-measurement="draft"]').count()).toBe(0);
    // Its ends are drawn where the mouse pressed and released (within a pixel).
    const circles = drawn.locator('circle');
    const box = (await page.locator('[data-testid="viewer"]').boundingBox())!;
    const cell = (await page.locator('[data-view="sagittal"]').boundingBox())!;
    const end0 = [Number(await circles.nth(0).getAttribute('cx')) + cell.x, Number(await circles.nth(0).getAttribute('cy')) + cell.y];
    expect(Math.hypot(end0[0]! - a[0], end0[1]! - a[1])).toBeLessThan(1.5);
    expect(box.width).toBeGreaterThan(0);
    await shot(page, ws, `${group}-ruler`);
  });

  it('places an angle with three clicks in another view; the stored angle matches the geometry', async () => {
    await keyOverView(page, ws, 'coronal', 'a');
    await expect.poll(() => page.locator('[data-tool="angle"]').getAttribute('class')).toMatch(/\bon\b/);
    const v = await crosshair(page);
    // The coronal view is narrow left–right (about 50 mm): arms up and up-left of the vertex, inside the image.
    const deg = 30;
    const armA = inPlane('coronal', v, 0, 30);
    const armB = inPlane('coronal', v, 30 * Math.sin((deg * Math.PI) / 180), 30 * Math.cos((deg * Math.PI) / 180));
    const draft = page.locator('[data-measurements="coronal"] g[data-measurement="draft"]');
    for (const [i, p] of [armA, v, armB].entries()) {
      const [x, y] = await ws.toPage('coronal', p);
      if (i === 2) {
        // Between clicks the rubber band follows the pointer, with its live angle.
        await page.mouse.move(x, y, { steps: 3 });
        await expect.poll(() => draft.locator('text').textContent()).toMatch(/^\d+\.\d°$/);
        expect(await draft.locator('circle').count()).toBe(3);
      }
      await page.mouse.click(x, y);
    }
    await expect.poll(() => draft.count()).toBe(0);
    await expect.poll(() => rows(page).count(), { timeout: 20_000 }).toBe(2);
    const row = rows(page).nth(1);
    expect(await row.getAttribute('data-kind')).toBe('angle');
    const value = Number(await row.locator('.measure-value').getAttribute('data-value'));
    console.log(`group ${group}: angle ${value.toFixed(3)}° stored, ${deg}° clicked`);
    expect(Math.abs(value - deg)).toBeLessThan(1);
    expect(await row.locator('.measure-value').textContent()).toBe(`${value.toFixed(1)}°`);
    angleId = Number(await row.getAttribute('data-measurement-id'));
    await expect.poll(() => page.locator(`[data-measurements="coronal"] g[data-measurement="${angleId}"] text`).textContent()).toBe(`${value.toFixed(1)}°`);
    await shot(page, ws, `${group}-angle`);
    await keyOverView(page, ws, 'coronal', 'Escape');
  });

  it('lists them again after a page reload (read from the store)', async () => {
    await page.reload();
    await page.waitForSelector(`[data-series="${seriesId}"]`);
    await openFromWorklist(page, seriesId);
    await expect.poll(() => rows(page).count(), { timeout: 20_000 }).toBe(2);
    expect(await rows(page).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-measurement-id'))))).toEqual([rulerId, angleId]);
  });

  it('a click on a row moves the crosshair to the measurement; its view shows it', async () => {
    await rows(page).first().click();
    const mid = mul(add(rulerPoints[0]!, rulerPoints[1]!), 0.5);
    await expect.poll(async () => Math.hypot(...(await crosshair(page)).map((v, i) => v - mid[i]!))).toBeLessThan(5);
    await expect.poll(() => page.locator(`[data-measurements="sagittal"] g[data-measurement="${rulerId}"]`).count()).toBe(1);
  });

  it('deletes a measurement and brings it back with Undo', async () => {
    await rows(page).first().locator('.measure-delete').click();
    await expect.poll(() => rows(page).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator(`[data-measurements="sagittal"] g[data-measurement="${rulerId}"]`).count()).toBe(0);
    expect((await app.ws.service.listMeasurements({ seriesId })).measurements.map((m) => m.id)).toEqual([angleId]);
    await page.locator('[data-testid="measurement-undo"]').click();
    await expect.poll(() => rows(page).count(), { timeout: 20_000 }).toBe(2);
    expect((await app.ws.service.listMeasurements({ seriesId })).measurements.map((m) => m.id)).toEqual([rulerId, angleId]);
    await expect.poll(() => page.locator(`[data-measurements="sagittal"] g[data-measurement="${rulerId}"]`).count()).toBe(1);
  });

  it('moves the slice with the slider, and the slider follows the wheel', async () => {
    const slider = page.locator('input[data-slice-slider="axial"]');
    const caption = page.locator('[data-caption="axial"]');
    const count = Number(await slider.getAttribute('max')) + 1;
    const before = await caption.textContent();
    expect(before).toMatch(new RegExp(`/ ${count}$`));
    // A real click near the top of the vertical slider: near the most superior slice, in both conventions (group B's
    // axial index runs inferior-wards).
    const z0 = (await crosshair(page))[2];
    const box = (await slider.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + 4);
    await expect.poll(() => caption.textContent()).not.toBe(before);
    const position = Number(await slider.inputValue());
    expect(position).toBeGreaterThan((count - 1) * 0.8);
    const index = (): Promise<number> => caption.textContent().then((t) => Number(t!.match(/Axial (\d+)/)![1]) - 1);
    const index0 = await index();
    expect(index0).toBe(group === 'A' ? position : count - 1 - position);
    const z1 = (await crosshair(page))[2];
    expect(z1).toBeGreaterThan(z0);
    // The wheel over the view scrolls (down = previous slice = inferior), and the slider follows.
    const [x, y] = await ws.toPage('axial', await crosshair(page));
    await page.mouse.move(x, y);
    await page.mouse.wheel(0, 100);
    await page.mouse.wheel(0, 100);
    await expect.poll(() => slider.inputValue()).toBe(`${position - 2}`);
    expect(await index()).toBe(group === 'A' ? position - 2 : count - 1 - (position - 2));
    expect((await crosshair(page))[2]).toBeLessThan(z1);
  });

  it('hides and shows the crosshair with its key', async () => {
    const lines = page.locator('[data-viewer-overlay="sagittal"] > svg').first();
    expect(await lines.evaluate((e) => getComputedStyle(e).display)).not.toBe('none');
    await keyOverView(page, ws, 'sagittal', 'c');
    await expect.poll(() => lines.evaluate((e) => getComputedStyle(e).display)).toBe('none');
    await shot(page, ws, `${group}-no-crosshair`);
    await keyOverView(page, ws, 'sagittal', 'c');
    await expect.poll(() => lines.evaluate((e) => getComputedStyle(e).display)).not.toBe('none');
  });

  it('shows a scale bar that adapts to the zoom, and the window/level + zoom readout', async () => {
    const bar = page.locator('[data-scale-bar="sagittal"]');
    expect(await bar.isVisible()).toBe(true);
    const mm0 = Number(await bar.getAttribute('data-mm'));
    const px0 = (await bar.locator('div').nth(1).boundingBox())!.width;
    const readout = page.locator('[data-readout="sagittal"]');
    expect(await readout.textContent()).toMatch(/^W \S+ {2}L \S+\nZoom 1\.00×$/);
    const wl = await page.evaluate(() => window.__spine!.viewer!.getWindowLevel());
    expect(await readout.textContent()).toContain(`W ${Math.round(wl.window)}`);
    // Zoom in about the pointer: the bar stands for fewer mm, and its length in px is the mm at the new scale.
    const [x, y] = await ws.toPage('sagittal', await crosshair(page));
    await page.mouse.move(x, y);
    await page.keyboard.down('Control');
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await expect.poll(() => readout.textContent()).toMatch(/Zoom 2\.31×/); // 1.15^6
    const mm1 = Number(await bar.getAttribute('data-mm'));
    const px1 = (await bar.locator('div').nth(1).boundingBox())!.width;
    expect(mm1).toBeLessThan(mm0);
    // Same px per mm as 2.31 × the fitted view (within a pixel of rounding and the border).
    expect(px1 / mm1 / (px0 / mm0)).toBeCloseTo(1.15 ** 6, 1);
    await shot(page, ws, `${group}-zoomed`);
    await keyOverView(page, ws, 'sagittal', 'r');
  });

  it('looks right at 1920×1080', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await rows(page).first().click();
    await expect.poll(() => page.locator(`[data-measurements="sagittal"] g[data-measurement="${rulerId}"]`).count()).toBe(1);
    await shot(page, ws, `${group}-1920`);
    await page.setViewportSize({ width: 1366, height: 768 });
  });
});

describe('a double-click with the ruler (issue 13, item 3)', () => {
  it('places one point (no zero-length ruler), maximises nothing; the next click elsewhere ends the ruler', async () => {
    const s = app.sample.series.find((x) => x.group === 'A')!;
    const page = await app.newPage({ width: 1366, height: 768 });
    const ws = new WorkstationPage(page, WorkstationPage.shots('measure'));
    await page.waitForSelector(`[data-series="${s.id}"]`);
    await openFromWorklist(page, s.id);
    const stored = async (): Promise<number> => (await app.ws.service.listMeasurements({ seriesId: s.id })).measurements.length;
    const before = await stored();
    await keyOverView(page, ws, 'sagittal', 'l');
    await expect.poll(() => page.evaluate(() => window.__spine!.store.get().tool)).toBe('ruler');
    const c = await crosshair(page);
    const a = await ws.toPage('sagittal', inPlane('sagittal', c, -20, 0));
    const b = await ws.toPage('sagittal', inPlane('sagittal', c, 20, 0));
    await page.mouse.dblclick(a[0], a[1]);
    // The first click placed the ruler's first point (a draft); the second press of the double-click went nowhere.
    await page.mouse.move(a[0] + 30, a[1] + 10, { steps: 3 });
    await expect.poll(() => page.locator('[data-measurements="sagittal"] g[data-measurement="draft"]').count()).toBe(1);
    await page.waitForTimeout(700);
    expect(await stored(), 'no ruler from the double-click').toBe(before);
    expect(await page.evaluate(() => window.__spine!.viewer!.getLayout().maximised)).toBeNull();
    await page.mouse.click(b[0], b[1]);
    await expect.poll(stored, { timeout: 20_000 }).toBe(before + 1);
    const last = (await app.ws.service.listMeasurements({ seriesId: s.id })).measurements.at(-1)!;
    expect(last.kind).toBe('ruler');
    expect(Math.abs(last.value - 40)).toBeLessThan(0.5);
    await keyOverView(page, ws, 'sagittal', 'Escape');
    await page.close();
  });
});
