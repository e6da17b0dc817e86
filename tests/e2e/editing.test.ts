// Label editing as an annotator does it, in Chromium against the real server and a real SQLite journal:
// paint with the mouse, undo/redo, restart, threshold brush, locks, level shift.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import { worldToIndex } from '../../common/geometry.js';
import { decodeDiff } from '../../common/labelDiff.js';
import { readMetaImage } from '../../main/core/mha/index.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { colour, colourAround, greyAround, labelPoint, WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
const SERIES = '1_t1';

async function boot(): Promise<void> {
  page = await app.newPage({ width: 1920, height: 1200 });
  ws = new WorkstationPage(page, WorkstationPage.shots('editing'));
  await page.waitForSelector(`[data-series="${SERIES}"]`);
  await openFromWorklist(page, SERIES);
  await ws.setOpacity(1);
}

beforeAll(async () => {
  app = await startApp({ patients: 1, seed: 'editing' });
  await boot();
});
afterAll(async () => app?.close());

const mask = (): string => join(app.dataset, 'masks', `${SERIES}.mha`);

/** A point in soft tissue in front of vertebra `n` (background in the mask), on the same sagittal slice. */
async function anteriorOf(n: number, mm: number): Promise<Vec3> {
  const p = await labelPoint(mask(), n);
  return [p[0], p[1] - mm, p[2]];
}

async function waitSaved(): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.textContent?.startsWith('saved'), null, { timeout: 30_000 });
}

async function drag(from: Vec3, to: Vec3): Promise<void> {
  const [x0, y0] = await ws.toPage('sagittal', from);
  const [x1, y1] = await ws.toPage('sagittal', to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 3 }); // fast: few samples, interpolation must fill the gaps
  await page.mouse.up();
}

describe('painting', () => {
  it('paints with the mouse, shows the colour, and is journalled before it is shown as saved', async () => {
    await page.locator('select[aria-label="Active label"]').selectOption('208');
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    const a = await anteriorOf(3, 25);
    const b = await anteriorOf(5, 25);
    await ws.setCrosshair(await labelPoint(mask(), 3));
    const before = await ws.shot('before-paint');
    const [mx, my] = await ws.toPage('sagittal', [a[0], a[1], (a[2] + b[2]) / 2]);
    expect(greyAround(before, mx, my), 'soft tissue is unlabelled before').toBe(true);
    await drag(a, b);
    await waitSaved();
    const after = await ws.shot('after-paint');
    expect(colourAround(after, mx, my, colour(208)), 'the stroke is continuous and coloured T10/T11 (208)').toBe(true);
    expect(app.ws.store.edits.count(SERIES).active).toBe(1);
    const hist = app.ws.store.edits.history(SERIES);
    expect(hist[0]!.description).toMatch(/^Brush T10\/T11, \d+ voxels$/);
    expect(await page.locator('[data-testid="history"] li').first().textContent()).toContain('Brush T10/T11');
    expect(await ws.labelVoxels(208)).toBe(hist[0]!.voxelCount);
  });

  it('undoes with Ctrl+Z and redoes with Ctrl+Shift+Z, through the journal', async () => {
    const a = await anteriorOf(3, 25);
    const b = await anteriorOf(5, 25);
    const [mx, my] = await ws.toPage('sagittal', [a[0], a[1], (a[2] + b[2]) / 2]);
    await page.keyboard.press('Control+z');
    await waitSaved();
    await expect.poll(async () => greyAround(await ws.shot('undone'), mx, my)).toBe(true);
    expect(app.ws.store.edits.count(SERIES)).toMatchObject({ active: 0, undone: 1 });
    await expect.poll(() => ws.labelVoxels(208)).toBe(0); // the label list follows the undo
    await page.keyboard.press('Control+Shift+z');
    await waitSaved();
    await expect.poll(async () => colourAround(await ws.shot('redone'), mx, my, colour(208))).toBe(true);
    expect(app.ws.store.edits.count(SERIES).active).toBe(1);
    await expect.poll(() => ws.labelVoxels(208)).toBe(app.ws.store.edits.history(SERIES)[0]!.voxelCount);
  });

  it('keeps the edit across a server restart', async () => {
    await page.close();
    await app.restart();
    await boot();
    const a = await anteriorOf(3, 25);
    const b = await anteriorOf(5, 25);
    await ws.setCrosshair(await labelPoint(mask(), 3));
    const [mx, my] = await ws.toPage('sagittal', [a[0], a[1], (a[2] + b[2]) / 2]);
    expect(colourAround(await ws.shot('after-restart'), mx, my, colour(208))).toBe(true);
    // ... and it can still be undone after the restart.
    await page.keyboard.press('Control+z');
    await waitSaved();
    expect(app.ws.store.edits.count(SERIES).active).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    await waitSaved();
  });

  it('threshold brush leaves out-of-range voxels alone', async () => {
    const img = await readMetaImage(join(app.dataset, 'images', `${SERIES}.mha`));
    const v3 = await labelPoint(mask(), 3);
    const ijk = worldToIndex(img.geometry, v3).map(Math.round);
    const [nx, ny] = img.geometry.size;
    const marrow = img.data[ijk[0]! + nx * (ijk[1]! + ny * ijk[2]!)]!;
    await page.keyboard.press('t');
    await page.locator('input[aria-label="Threshold low"]').fill(String(marrow - 300));
    await page.locator('input[aria-label="Threshold high"]').fill(String(marrow + 300));
    await page.locator('select[aria-label="Active label"]').selectOption('209');
    await page.locator('input[aria-label="Brush radius"]').fill('12');
    // A stroke from the soft tissue in front of L3 across the vertebral body: only in-range voxels change.
    await drag(await anteriorOf(3, 20), v3);
    await waitSaved();
    const last = app.ws.store.edits.history(SERIES).at(-1)!;
    expect(last.tool).toBe('threshold');
    const edit = app.ws.store.edits.get(SERIES, last.seq)!;
    const diff = decodeDiff(edit.diff, img.data.length);
    expect(diff.indices.length).toBeGreaterThan(0);
    for (const i of diff.indices) {
      const v = img.data[i]!;
      expect(v >= marrow - 300 && v <= marrow + 300, `voxel ${i} intensity ${v}`).toBe(true);
    }
  });

  it('an eraser stroke leaves a locked label alone', async () => {
    const l5Before = await ws.labelVoxels(1);
    await page.locator('input[aria-label="Lock L5"]').check();
    await page.keyboard.press('e');
    await page.locator('input[aria-label="Brush radius"]').fill('15');
    const l5 = await labelPoint(mask(), 1);
    const disc = await labelPoint(mask(), 201);
    await drag(l5, disc);
    await waitSaved();
    expect(await ws.labelVoxels(1)).toBe(l5Before);
    const last = app.ws.store.edits.history(SERIES).at(-1)!;
    expect(last.tool).toBe('eraser');
    await page.locator('input[aria-label="Lock L5"]').uncheck();
  });

  it('shifts every vertebra and disc one level up', async () => {
    await page.keyboard.press('Escape');
    const before = await page.locator('.label-table tr[data-label]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-label'))));
    await page.getByRole('button', { name: 'Shift levels up' }).click();
    await waitSaved();
    const after = await page.locator('.label-table tr[data-label]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-label'))));
    const expected = before.map((v) => (v >= 1 && v <= 25 ? v + 1 : v > 200 ? v + 1 : v)).sort((a, b) => a - b);
    expect(after).toEqual(expected);
    expect(app.ws.store.edits.history(SERIES).at(-1)!.tool).toBe('shiftLevels');
    expect(app.ws.store.edits.history(SERIES).at(-1)!.description).toMatch(/^Shift levels up, [\d,]+ voxels$/);
  });
});
