// The workstation as a person uses it: real web-mode server, real SQLite store, a generated sample dataset in a
// temp folder, Debian's Chromium. Assertions are on what is visible (pixel colours at anatomical positions,
// names, numbers) and on what is stored.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { colour, colourAround, greyAround, labelPoint as labelPointIn, OFFSET_LIST as OFFSETS, WorkstationPage, type ViewId } from './support/workstationPage.js';
import { pixelAt } from './viewer/png.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;

beforeAll(async () => {
  app = await startApp();
  page = await app.newPage({ width: 1920, height: 1200 });
  ws = new WorkstationPage(page, WorkstationPage.shots('app'));
  await page.waitForSelector('[data-series="1_t1"]');
});
afterAll(async () => app?.close());

const labelPoint = (seriesId: string, label: number): Promise<Vec3> => labelPointIn(join(app.dataset, 'masks', `${seriesId}.mha`), label);
const toPage = (view: ViewId, world: Vec3): Promise<[number, number]> => ws.toPage(view, world);
const settle = (): Promise<void> => ws.settle();
const shot = (name: string) => ws.shot(name);
const setOpacity = (v: number): Promise<void> => ws.setOpacity(v);

describe('worklist', () => {
  it('lists every patient and series with overview data, and filters', async () => {
    const rows = page.locator('[data-series]');
    expect(await rows.count()).toBe(7);
    await expect.poll(() => page.locator('.worklist-patient').allTextContents()).toEqual([
      expect.stringContaining('Patient 1'), expect.stringContaining('Patient 2'), expect.stringContaining('Patient 3'),
    ]);
    expect(await page.locator('[data-series="1_t2_SPACE"]').textContent()).toContain('SIEMENS Avanto_fit 1.5 T');
    await page.fill('input[aria-label="Filter series"]', 'space');
    expect(await rows.count()).toBe(1);
    await page.fill('input[aria-label="Filter series"]', 'avanto t2');
    expect(await page.locator('[data-series]').evaluateAll((els) => els.map((e) => e.getAttribute('data-series')))).toEqual(['1_t2_SPACE', '2_t2']);
    await page.fill('input[aria-label="Filter series"]', '');
  });

  it('opens a series with the arrow keys and Enter', async () => {
    await page.locator('[data-testid="worklist"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__spine?.lastOpen?.seriesId === '1_t2_SPACE', null, { timeout: 60_000 });
    expect(await page.locator('[data-testid="open-series"]').textContent()).toBe('1_t2_SPACE');
  });
});

describe.each([
  ['1_t1', 'group A (identity, LPS, int16)'],
  ['2_t2', 'group B (PIR, uint16)'],
])('anatomy on screen: %s, %s', (seriesId) => {
  it('shows the expected label colours at known positions in all three views, anatomically oriented', async () => {
    await openFromWorklist(page, seriesId);
    await setOpacity(1);
    const l5 = await labelPoint(seriesId, 1);
    const disc = await labelPoint(seriesId, 202);
    const canal = await labelPoint(seriesId, 100);
    // Sagittal and coronal: put the slices through vertebra 1; the disc L4/L5 lies in the same plane family.
    await page.evaluate((w) => window.__spine!.viewer!.setCrosshair(w), l5);
    let px = await shot(`${seriesId}-at-L5`);
    for (const view of ['sagittal', 'coronal', 'axial'] as const) {
      const [x, y] = await toPage(view, l5);
      expect(colourAround(px, x, y, colour(1)), `${view}: L5 colour at L5`).toBe(true);
    }
    const [sx1, sy1] = await toPage('sagittal', l5);
    const [, sy2] = await toPage('sagittal', [l5[0], disc[1], disc[2]]);
    expect(sy2, 'sagittal: disc 202 above vertebra 1 (head up)').toBeLessThan(sy1);
    const [cx1, cy1] = await toPage('coronal', l5);
    const [, cy2] = await toPage('coronal', [disc[0], l5[1], disc[2]]);
    expect(cy2, 'coronal: disc 202 above vertebra 1').toBeLessThan(cy1);
    expect(cx1).toBeGreaterThan(0);
    // Canal: posterior, i.e. to the right in the sagittal view, and below the vertebra in the axial view.
    await page.evaluate((w) => window.__spine!.viewer!.setCrosshair(w), canal);
    px = await shot(`${seriesId}-at-canal`);
    const [sxc] = await toPage('sagittal', canal);
    expect(colourAround(px, sxc, (await toPage('sagittal', canal))[1], colour(100)), 'sagittal: canal colour').toBe(true);
    expect(sxc, 'sagittal: canal posterior = right of vertebra').toBeGreaterThan(sx1);
    const [, ayCanal] = await toPage('axial', canal);
    const [, ayBody] = await toPage('axial', [canal[0], l5[1], canal[2]]);
    expect(ayBody, 'axial: anterior up, so the body is above the canal').toBeLessThan(ayCanal);
    // Disc 202 in its own colour in the sagittal view.
    await page.evaluate((w) => window.__spine!.viewer!.setCrosshair(w), disc);
    px = await shot(`${seriesId}-at-disc`);
    const [dx, dy] = await toPage('sagittal', disc);
    expect(colourAround(px, dx, dy, colour(202)), `sagittal: L4/L5 colour around ${dx},${dy}: ${OFFSETS.map(([a, b]) => pixelAt(px, dx + a, dy + b).join('/')).join(' ')}`).toBe(true);
  });

  it('hides a label when its box is unticked, and all labels with H', async () => {
    const disc = await labelPoint(seriesId, 202);
    const [dx, dy] = await toPage('sagittal', disc);
    await page.locator('input[aria-label="Show L4/L5"]').uncheck();
    let px = await shot(`${seriesId}-L4L5-hidden`);
    expect(greyAround(px, dx, dy), 'hidden disc shows the grey image').toBe(true);
    await page.locator('input[aria-label="Show L4/L5"]').check();
    px = await shot(`${seriesId}-L4L5-shown`);
    expect(colourAround(px, dx, dy, colour(202))).toBe(true);
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('h');
    px = await shot(`${seriesId}-all-hidden`);
    expect(greyAround(px, dx, dy)).toBe(true);
    await page.keyboard.press('h');
  });
});

describe('linked views, window/level, status bar, siblings', () => {
  it('moves the other views when clicking in one, and reports the voxel under the cursor', async () => {
    await openFromWorklist(page, '1_t1');
    await setOpacity(1);
    const l5 = await labelPoint('1_t1', 1);
    const disc = await labelPoint('1_t1', 204);
    await page.evaluate((w) => window.__spine!.viewer!.setCrosshair(w), l5);
    await settle();
    const [x, y] = await toPage('sagittal', [l5[0], disc[1], disc[2]]);
    await page.mouse.click(x, y);
    await settle();
    const ch = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    expect(Math.abs(ch[2] - disc[2]), 'crosshair S–I follows the click').toBeLessThan(2.2);
    expect(Math.abs(ch[1] - disc[1]), 'crosshair A–P follows the click').toBeLessThan(2.2);
    // The axial view now shows the slice through the clicked disc: its colour is at the crosshair.
    const px = await shot('1_t1-clicked-disc');
    const [ax, ay] = await toPage('axial', ch);
    expect(colourAround(px, ax, ay, colour(204)), 'axial slice moved to L2/L3').toBe(true);
    await page.mouse.move(x + 1, y);
    await expect.poll(() => page.locator('[data-testid="status-label"]').textContent()).toBe('L2/L3 (204)');
    expect(await page.locator('[data-testid="status-world"]').textContent()).toMatch(/world \(-?\d+\.\d, -?\d+\.\d, -?\d+\.\d\) mm/);
  });

  it('changes displayed grey values with window/level (right-drag) and restores them with the preset', async () => {
    await page.keyboard.press('h'); // labels off: look at the image itself
    const soft = await labelPoint('1_t1', 1);
    const [x, y] = await toPage('sagittal', [soft[0], soft[1] - 40, soft[2]]);
    const before = pixelAt(await shot('1_t1-wl-before'), x, y);
    const wl0 = await page.evaluate(() => window.__spine!.viewer!.getWindowLevel());
    await page.mouse.move(x, y);
    await page.mouse.down({ button: 'right' });
    await page.mouse.move(x + 80, y + 60, { steps: 5 });
    await page.mouse.up({ button: 'right' });
    const wl1 = await page.evaluate(() => window.__spine!.viewer!.getWindowLevel());
    expect(wl1).not.toEqual(wl0);
    const after = pixelAt(await shot('1_t1-wl-after'), x, y);
    expect(Math.abs(after[0] - before[0]), `grey ${before[0]} -> ${after[0]}`).toBeGreaterThan(10);
    await page.getByRole('button', { name: 'Auto W/L' }).click();
    expect(await page.evaluate(() => window.__spine!.viewer!.getWindowLevel())).toEqual(wl0);
    await page.keyboard.press('h');
  });

  it('switches to a sibling series with S, keeping the crosshair at the same physical point', async () => {
    const disc = await labelPoint('1_t1', 203);
    await page.evaluate((w) => window.__spine!.viewer!.setCrosshair(w), disc);
    const before = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('s');
    await page.waitForFunction(() => window.__spine?.lastOpen?.seriesId === '1_t2', null, { timeout: 60_000 });
    const after = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    // 1_t1 and 1_t2 share a grid here; the point must be kept to within half a voxel.
    for (let a = 0; a < 3; a++) expect(Math.abs(after[a]! - before[a]!)).toBeLessThan(2.1);
    await page.keyboard.press('s'); // -> 1_t2_SPACE (other grid, PIR)
    await page.waitForFunction(() => window.__spine?.lastOpen?.seriesId === '1_t2_SPACE', null, { timeout: 60_000 });
    const space = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    for (let a = 0; a < 3; a++) expect(Math.abs(space[a]! - before[a]!)).toBeLessThan(2.1);
    await shot('1_t2_SPACE-after-switch');
  });

  it('maximises the view under the pointer with M and goes back', async () => {
    const layoutOn = (): Promise<string | null> => page.locator('[aria-label="Layout"] button.on').first().getAttribute('data-layout');
    const before = await layoutOn();
    expect(before).not.toBeNull();
    await page.locator('[data-testid="viewer"]').hover({ position: { x: 50, y: 200 } });
    await page.keyboard.press('m');
    await settle();
    expect(await page.locator('[data-testid="restore-layout"]').textContent()).toMatch(/sagittal/i);
    expect(await page.locator('[aria-label="Layout"] button.on').count()).toBe(0);
    await shot('maximised-sagittal');
    await page.keyboard.press('m');
    await expect.poll(layoutOn).toBe(before);
  });
});

describe('launch token in the browser', () => {
  it('shows nothing to a browser without the token', async () => {
    const other = await app.browser.newPage();
    const res = await other.goto(`http://127.0.0.1:${app.server.port}/`);
    expect(res?.status()).toBe(401);
    expect(await other.content()).not.toContain('Spine Workstation</title>');
    await other.close();
  });
});
