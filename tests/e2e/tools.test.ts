// Tools that do not surprise (issue 13, item 5), in the real app with real mouse events, on a series of each
// on-disk orientation group: a region fill that leaks to the slice's edge is refused (Shift+click does it), the
// threshold range is sampled by key and by click and stays when the pointer leaves, choosing a tool never moves
// the views, the eraser's history entry names the erased label, and a locked label is drawn set apart.
// Real server, real SQLite journal, Debian Chromium. Screenshots: test-results/tools/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import { worldToIndex } from '../../common/geometry.js';
import { readMetaImage, type MetaImage } from '../../main/core/mha/index.js';
import { DOUBLE_CLICK_MS } from '../../renderer/viewer/interaction.js';
import { near, pixelAt, type Pixels, type Rgb } from './viewer/png.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { colour, colourAround, greyAround, labelPoint, WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;

beforeAll(async () => {
  app = await startApp({ patients: 2, seed: 'tools' });
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('tools'));
  await page.waitForSelector('[data-series="1_t1"]');
}, 180_000);
afterAll(async () => app?.close());

const status = async (): Promise<string> => (await page.locator('[data-testid="statusbar"]').textContent()) ?? '';
const edits = (series: string): number => app.ws.store.edits.count(series).active;
const waitSaved = (): Promise<void> =>
  expect.poll(async () => (await page.locator('[data-testid="save-state"]').textContent()) ?? '', { timeout: 30_000 }).toMatch(/^saved/);
const threshold = async (): Promise<[number, number]> => [
  Number(await page.locator('input[aria-label="Threshold low"]').inputValue()),
  Number(await page.locator('input[aria-label="Threshold high"]').inputValue()),
];
/** Typing into a toolbar field leaves the focus there, where keys are text: give the keys back to the views. */
const blur = (): Promise<void> => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
/** Sets a toolbar number field and gives the keyboard back to the views. */
async function setField(label: string, value: number): Promise<void> {
  await page.locator(`input[aria-label="${label}"]`).fill(String(value));
  await blur();
}
const viewsBox = async (): Promise<{ x: number; y: number; width: number; height: number }> => (await page.locator('[data-testid="viewer"]').boundingBox())!;

/** When the last clickAt pressed: a second click in the same place within the double-click time is (rightly) held back. */
let lastClickAt = 0;
async function clickAt(world: Vec3, modifiers: Array<'Shift'> = []): Promise<void> {
  const wait = lastClickAt + DOUBLE_CLICK_MS + 100 - Date.now();
  if (wait > 0) await page.waitForTimeout(wait);
  lastClickAt = Date.now();
  const [x, y] = await ws.toPage('sagittal', world);
  await page.mouse.move(x, y);
  for (const m of modifiers) await page.keyboard.down(m);
  await page.mouse.down();
  await page.mouse.up();
  for (const m of modifiers) await page.keyboard.up(m);
}

/** Pixels within `r` px of (x, y) near colour `c`. */
function countNear(px: Pixels, x: number, y: number, r: number, c: Rgb, tol = 10): number {
  let n = 0;
  for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) if (near(pixelAt(px, Math.round(x) + dx, Math.round(y) + dy), c, tol)) n++;
  return n;
}

describe.each([
  ['1_t1', 'group A (identity, LPS, int16)'],
  ['2_t2', 'group B (PIR, uint16)'],
])('tools on %s, %s', (series) => {
  let img: MetaImage;
  const mask = (): string => join(app.dataset, 'masks', `${series}.mha`);
  /** Image intensity at the voxel nearest a world point, and at its in-plane neighbours. */
  const intensitiesAround = (w: Vec3): number[] => {
    const [i, j, k] = worldToIndex(img.geometry, w).map(Math.round) as Vec3;
    const [nx, ny] = img.geometry.size;
    const out: number[] = [];
    for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) out.push(img.data[i + a + nx * (j + b + ny * (k + c))]!);
    return out;
  };
  /** Soft tissue in front of vertebra `n` (background in the mask), on its sagittal slice. */
  const anteriorOf = async (n: number, mm: number): Promise<Vec3> => {
    const p = await labelPoint(mask(), n);
    return [p[0], p[1] - mm, p[2]];
  };

  beforeAll(async () => {
    img = await readMetaImage(join(app.dataset, 'images', `${series}.mha`));
    await openFromWorklist(page, series);
    await ws.setOpacity(1);
    await page.locator('select[aria-label="Active label"]').selectOption('208'); // T10/T11: absent from the mask
    await ws.setCrosshair(await labelPoint(mask(), 3));
  }, 120_000);

  it('refuses a region fill that reaches the slice edge; Shift+click fills it; a closed region fills at once', async () => {
    const soft = await anteriorOf(3, 25);
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('f');
    const before = edits(series);
    const [sx, sy] = await ws.toPage('sagittal', soft);
    expect(greyAround(await ws.shot(`${series}-fill-before`), sx, sy), 'soft tissue is unlabelled').toBe(true);
    await clickAt(soft);
    await expect.poll(status).toContain('reaches the edge of the slice');
    await ws.settle();
    expect(edits(series), 'nothing journalled').toBe(before);
    expect(await ws.labelVoxels(208)).toBe(0);
    expect(greyAround(await ws.shot(`${series}-fill-refused`), sx, sy), 'nothing painted').toBe(true);

    // Shift+click: the background of the slice, up to the size limit (a share of the slice, set in the toolbar).
    await setField('Largest fill, percent', 100);
    await clickAt(soft, ['Shift']);
    await expect.poll(() => edits(series), { timeout: 30_000 }).toBe(before + 1); // "saved" can show before the edit is sent
    await waitSaved();
    const entry = app.ws.store.edits.history(series).at(-1)!;
    expect(entry.tool).toBe('fill');
    expect(entry.description).toMatch(/^Fill region T10\/T11, [\d,]+ voxels$/);
    const [nx, ny, nz] = img.geometry.size;
    expect(entry.voxelCount, 'at most one slice').toBeLessThanOrEqual(Math.max(nx * ny, ny * nz, nx * nz));
    expect(colourAround(await ws.shot(`${series}-fill-shift`), sx, sy, colour(208))).toBe(true);
    await page.keyboard.press('Control+z');
    await waitSaved();
    await expect.poll(() => ws.labelVoxels(208)).toBe(0);

    // A limit below the region's size: refused with the limit in slice terms.
    await setField('Largest fill, percent', 1);
    await clickAt(soft, ['Shift']);
    await expect.poll(status).toMatch(/larger than 1 % of the slice \([\d,]+ voxels\)/);
    expect(edits(series)).toBe(before);
    await setField('Largest fill, percent', 25);

    // Vertebra L3's region in the slice is closed by the other labels: filled without Shift.
    const l3 = await labelPoint(mask(), 3);
    const l3Before = await ws.labelVoxels(3);
    await clickAt(l3);
    await expect.poll(() => edits(series), { timeout: 30_000 }).toBe(before + 1); // "saved" can show before the edit is sent
    await waitSaved();
    expect(app.ws.store.edits.history(series).at(-1)!.description).toMatch(/^Fill region T10\/T11/);
    await expect.poll(() => ws.labelVoxels(3)).toBeLessThan(l3Before);
    await page.keyboard.press('Control+z');
    await waitSaved();
    await expect.poll(() => ws.labelVoxels(3)).toBe(l3Before);
  });

  it('samples the threshold range by key I and by a click, and keeps it when the pointer leaves', async () => {
    const range = await page.evaluate(() => window.__spine!.store.get().opened!.info.image.range);
    const width = (range[1] - range[0]) * 0.2;
    await page.keyboard.press('t');
    await setField('Threshold low', range[0]);
    await setField('Threshold high', range[0] + 1);
    // Key I with the pointer over the marrow of L3.
    const l3 = await labelPoint(mask(), 3);
    const [x, y] = await ws.toPage('sagittal', l3);
    await page.mouse.move(x, y);
    await expect.poll(() => page.evaluate(() => window.__spine!.store.get().probe?.intensity ?? null)).not.toBeNull();
    const probed = (await page.evaluate(() => window.__spine!.store.get().probe!.intensity));
    expect(intensitiesAround(l3), 'the probe reads the image near the pointer').toContain(probed);
    await page.keyboard.press('i');
    await expect.poll(threshold).not.toEqual([range[0], range[0] + 1]);
    let [lo, hi] = await threshold();
    expect((lo + hi) / 2).toBeCloseTo(probed, 3);
    expect(hi - lo).toBeCloseTo(width, 3);
    expect(await status()).toContain('Threshold sampled at');
    // The pointer leaves the image (over the worklist): the range stays.
    await page.locator('[data-testid="worklist"]').hover();
    await expect.poll(() => page.evaluate(() => window.__spine!.store.get().probe)).toBeNull();
    expect(await threshold()).toEqual([lo, hi]);

    // Sample mode: the button arms it, the next click in a view samples and paints nothing.
    const before = edits(series);
    const voxels = await ws.labelVoxels(208);
    const sample = page.locator('[data-testid="threshold-sample"]');
    await sample.click();
    expect(await sample.getAttribute('aria-pressed')).toBe('true');
    const soft = await anteriorOf(3, 25);
    await clickAt(soft);
    await expect.poll(async () => (await threshold())[0]).not.toBe(lo);
    [lo, hi] = await threshold();
    expect(intensitiesAround(soft).some((v) => Math.abs((lo + hi) / 2 - v) < 1e-3), `${(lo + hi) / 2} read near the click`).toBe(true);
    expect(await sample.getAttribute('aria-pressed')).toBe('false');
    await page.locator('[data-testid="worklist"]').hover();
    await ws.settle();
    expect(await threshold()).toEqual([lo, hi]);
    expect(edits(series), 'the sampling click painted nothing').toBe(before);
    expect(await ws.labelVoxels(208)).toBe(voxels);
  });

  it('keeps the views where they are whichever tool is chosen', async () => {
    const first = await viewsBox();
    const toolbarHeight = async (): Promise<number> => (await page.locator('[data-testid="toolbar"]').boundingBox())!.height;
    const height = await toolbarHeight();
    const buttons = page.locator('[aria-label="Tools"] button');
    const n = await buttons.count();
    expect(n).toBeGreaterThanOrEqual(6);
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      await buttons.nth(i).click();
      seen.push((await buttons.nth(i).textContent()) ?? '');
      expect(await viewsBox(), `views after choosing ${seen.at(-1)}`).toEqual(first);
      expect(await toolbarHeight()).toBe(height);
      // The options fit their row's height: nothing wraps out of sight (a long row scrolls sideways instead).
      expect(await page.locator('[data-testid="tool-options"]').evaluate((r) => r.scrollHeight <= r.clientHeight + 1), `options of ${seen.at(-1)} fit`).toBe(true);
      if ((await page.locator('input[aria-label="Fill in 3-D"]').count()) > 0) {
        await page.locator('input[aria-label="Fill in 3-D"]').check();
        expect(await viewsBox(), 'threshold fill in 3-D').toEqual(first);
        await page.locator('input[aria-label="Fill in 3-D"]').uncheck();
      }
    }
    expect(seen).toEqual(expect.arrayContaining(['Navigate', 'Brush', 'Eraser', 'Threshold brush', 'Fill region', 'Threshold fill']));
    await page.keyboard.press('Escape');
  });

  it('names the erased label in the history', async () => {
    const l3 = await labelPoint(mask(), 3);
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('e');
    await page.locator('input[aria-label="Brush radius"]').fill('2');
    await blur();
    const [x0, y0] = await ws.toPage('sagittal', l3);
    const [x1, y1] = await ws.toPage('sagittal', [l3[0], l3[1] + 3, l3[2]]);
    const before = edits(series);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => edits(series), { timeout: 30_000 }).toBe(before + 1); // "saved" can show before the edit is sent
    await waitSaved();
    const entry = app.ws.store.edits.history(series).at(-1)!;
    expect(entry.tool).toBe('eraser');
    expect(entry.description).toMatch(/^Erase L3, [\d,]+ voxels$/);
    await expect.poll(async () => page.locator('[data-testid="history"] li').first().textContent()).toContain('Erase L3,');
    await page.keyboard.press('Control+z');
    await waitSaved();
    await page.locator('input[aria-label="Brush radius"]').fill('4');
    await blur();
    await page.keyboard.press('Escape');
  });

  it('draws a locked label set apart (dimmed fill, solid rim) and badges it in the list', async () => {
    const l5 = await labelPoint(mask(), 1);
    await ws.setCrosshair(l5);
    const [x, y] = await ws.toPage('sagittal', l5);
    const c = colour(1);
    const open = await ws.shot(`${series}-unlocked`);
    expect(colourAround(open, x, y, c), 'L5 in its own colour').toBe(true);
    const full = countNear(open, x, y, 40, c);
    await page.locator('input[aria-label="Lock L5"]').check();
    await blur();
    await expect.poll(() => page.locator('.label-table tr[data-label="1"] [data-testid="lock-badge"]').count()).toBe(1);
    const locked = await ws.shot(`${series}-locked`);
    const centre = pixelAt(locked, x + 2, y + 2);
    expect(near(centre, c, 10), `dimmed: ${centre.join('/')} is not L5's colour`).toBe(false);
    expect(Math.max(...centre) - Math.min(...centre), 'still tinted, not grey').toBeGreaterThan(8);
    const rim = countNear(locked, x, y, 40, c);
    expect(rim, 'the solid rim keeps some pixels in full colour').toBeGreaterThan(0);
    expect(rim).toBeLessThan(full / 2);
    await page.locator('input[aria-label="Lock L5"]').uncheck();
    expect(colourAround(await ws.shot(`${series}-unlocked-again`), x, y, c)).toBe(true);
    expect(await page.locator('[data-testid="lock-badge"]').count()).toBe(0);
  });
});

describe('a double-click with a tool, and the 3-D threshold fill limit (issue 13, item 3)', () => {
  const series = '1_t1';
  const mask = (): string => join(app.dataset, 'masks', `${series}.mha`);
  let soft: Vec3;

  beforeAll(async () => {
    await openFromWorklist(page, series);
    await page.locator('select[aria-label="Active label"]').selectOption('208');
    const l3 = await labelPoint(mask(), 3);
    soft = [l3[0], l3[1] - 25, l3[2]]; // soft tissue in front of L3: background in the mask
    await ws.setCrosshair(l3);
  }, 120_000);

  it('a double-click with the brush paints one dab, journals one edit and maximises nothing', async () => {
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    const before = edits(series);
    const voxels0 = await ws.labelVoxels(208);
    const [x, y] = await ws.toPage('sagittal', soft);
    await page.mouse.dblclick(x, y);
    await waitSaved();
    await page.waitForTimeout(1000); // a second entry would be on its way by now
    await waitSaved();
    expect(edits(series), 'one journal entry for the double-click').toBe(before + 1);
    expect(app.ws.store.edits.history(series).at(-1)!.tool).toBe('brush');
    expect(await page.evaluate(() => window.__spine!.viewer!.getLayout().maximised)).toBeNull();
    expect(await ws.labelVoxels(208)).toBeGreaterThan(voxels0);
    // Two quick clicks at places apart are not a double-click: two dabs, two entries.
    await page.mouse.click(x, y + 30);
    await page.mouse.click(x, y + 60);
    await expect.poll(() => edits(series), { timeout: 30_000 }).toBe(before + 3);
    await waitSaved();
    for (let n = 0; n < 3; n++) {
      await page.keyboard.press('Control+z');
      await waitSaved();
    }
    await expect.poll(() => ws.labelVoxels(208)).toBe(voxels0);
  });

  it('a Shift+click right after a refused click in the same place is its own click, not a double-click', async () => {
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('f');
    await setField('Largest fill, percent', 100);
    const before = edits(series);
    const [x, y] = await ws.toPage('sagittal', soft);
    await page.mouse.move(x, y);
    await page.mouse.click(x, y); // refused: the region reaches the slice's edge
    await page.keyboard.down('Shift');
    await page.mouse.click(x, y); // well within the double-click time and place
    await page.keyboard.up('Shift');
    await expect.poll(() => edits(series), { timeout: 30_000 }).toBe(before + 1);
    await waitSaved();
    expect(app.ws.store.edits.history(series).at(-1)!.tool).toBe('fill');
    await page.keyboard.press('Control+z');
    await waitSaved();
    await setField('Largest fill, percent', 25);
    expect(edits(series)).toBe(before);
  });

  it('the 3-D threshold fill refuses a leak at 2 % of the volume by default (the slice fills keep 25 %)', async () => {
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('g');
    expect(await page.locator('input[aria-label="Largest fill, percent"]').inputValue()).toBe('25');
    await page.locator('input[aria-label="Fill in 3-D"]').check();
    expect(await page.locator('input[aria-label="Largest fill, percent"]').inputValue()).toBe('2');
    await expect.poll(() => page.locator('[data-testid="tool-options"]').textContent()).toContain('% of the volume');
    // Every intensity in range: the fill would grow through the whole volume.
    const range = await page.evaluate(() => window.__spine!.store.get().opened!.info.image.range);
    await setField('Threshold low', range[0]);
    await setField('Threshold high', range[1]);
    const before = edits(series);
    await clickAt(soft);
    await expect.poll(status).toMatch(/larger than 2 % of the volume/);
    const m = /larger than 2 % of the volume \(([\d,]+) voxels\)/.exec(await status());
    const [nx, ny, nz] = (await readMetaImage(mask())).geometry.size;
    expect(Number(m![1]!.replace(/,/g, ''))).toBe(Math.floor(nx * ny * nz * 0.02));
    expect(edits(series), 'nothing journalled').toBe(before);
    await page.locator('input[aria-label="Fill in 3-D"]').uncheck();
    await blur();
    await page.keyboard.press('Escape');
  });
});
