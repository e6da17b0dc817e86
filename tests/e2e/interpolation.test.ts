// Previewed label operations as an annotator uses them, in Chromium against the real server and SQLite journal:
// fill between slices (ITK morphological contour interpolation, wasm from the app's own files, in a worker) in
// both on-disk orientation conventions, and grow by N mm. Each: preview shown, nothing written before Accept,
// Accept = one journal entry, Ctrl+Z takes it back, Cancel changes nothing.
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Axis, Vec3 } from '../../common/geometry.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { labelPoint, WorkstationPage } from './support/workstationPage.js';
import { pixelAt } from './viewer/png.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
const requests: string[] = [];
const LABEL = 208; // T10/T11: absent from the phantom, so every voxel of it is ours

beforeAll(async () => {
  // Patient 1's t1 is stored identity (LPS: sagittal slices along i), patient 2's t2 as PIR (sagittal along k).
  app = await startApp({ patients: 2, seed: 'interpolation' });
  page = await app.newPage({ width: 1366, height: 768 });
  page.on('request', (r: Request) => requests.push(r.url()));
  ws = new WorkstationPage(page, WorkstationPage.shots('interpolation'));
});
afterAll(async () => app?.close());

async function waitSaved(): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.textContent?.startsWith('saved'), null, { timeout: 30_000 });
}

/** The series' current labels as main holds them (the journal applied), and its grid. */
async function serverLabels(series: string): Promise<Uint8Array> {
  return (await app.ws.volumeBytes(series, 'mask')).slice();
}

/** Voxels of `label` per slice across `axis`. */
function perSlice(labels: Uint8Array, size: Vec3, axis: Axis, label: number): number[] {
  const out = new Array<number>(size[axis]).fill(0);
  const [nx, ny] = size;
  for (let x = 0; x < labels.length; x++) {
    if (labels[x] !== label) continue;
    const ijk = [x % nx, Math.floor(x / nx) % ny, Math.floor(x / (nx * ny))];
    out[ijk[axis]!]!++;
  }
  return out;
}

function countOf(labels: Uint8Array, label: number): number {
  let n = 0;
  for (const v of labels) if (v === label) n++;
  return n;
}

/** The page's own copy of the labels: voxels of `label`. */
async function pageCount(label: number): Promise<number> {
  return page.evaluate((v) => {
    const labels = (window.__spine!.store.get() as { opened: { labels: Uint8Array } | null }).opened!.labels;
    let n = 0;
    for (let x = 0; x < labels.length; x++) if (labels[x] === v) n++;
    return n;
  }, label);
}

/** Waits until the operation stops computing and shows its preview; fails with the status bar's message if not. */
async function waitPreview(): Promise<void> {
  try {
    await page.locator('[data-testid="op-preview"]').waitFor({ timeout: 40_000 });
  } catch (e) {
    throw new Error(`no preview: ${await page.locator('[data-testid="statusbar"]').textContent()}`, { cause: e });
  }
}

async function stroke(from: Vec3, to: Vec3): Promise<void> {
  const [x0, y0] = await ws.toPage('sagittal', from);
  const [x1, y1] = await ws.toPage('sagittal', to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 8 });
  await page.mouse.up();
}

const CASES = [
  { series: '1_t1', convention: 'LPS (sagittal slices along i)', sagittalAxis: 0 as Axis },
  { series: '2_t2', convention: 'PIR (sagittal slices along k)', sagittalAxis: 2 as Axis },
];

describe.each(CASES)('fill between slices on $series, $convention', ({ series, sagittalAxis }) => {
  const maskFile = (): string => `${app.dataset}/masks/${series}.mha`;
  let size: Vec3;
  let drawn: number[];
  let edits0: number;

  it('paints the label on two sagittal slices with the mouse', async () => {
    await openFromWorklist(page, series);
    size = await page.evaluate(() => (window.__spine!.store.get() as { opened: { info: { image: { geometry: { size: Vec3 } } } } }).opened.info.image.geometry.size);
    await ws.setOpacity(1);
    await page.locator('select[aria-label="Active label"]').selectOption(String(LABEL));
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    // Soft tissue in front of L3 .. L4, on the sagittal slice through L3, then 3 slices further.
    const l3 = await labelPoint(maskFile(), 3);
    const l4 = await labelPoint(maskFile(), 4);
    const a: Vec3 = [l3[0], l3[1] - 25, l3[2]];
    const b: Vec3 = [l4[0], l4[1] - 25, l4[2]];
    await ws.setCrosshair(l3);
    await stroke(a, b);
    await page.evaluate(() => window.__spine!.viewer!.scrollSlice('sagittal', 3));
    await ws.settle();
    await stroke(a, b);
    await waitSaved();
    await page.keyboard.press('Escape'); // back to navigation
    const counts = perSlice(await serverLabels(series), size, sagittalAxis, LABEL);
    drawn = counts.flatMap((n, s) => (n > 0 ? [s] : []));
    expect(drawn, 'two slices, three apart').toHaveLength(2);
    expect(drawn[1]! - drawn[0]!).toBe(3);
    edits0 = app.ws.store.edits.count(series).active;
    expect(edits0).toBe(2);
  });

  it('Cancel while previewed writes nothing', async () => {
    const before = await serverLabels(series);
    const pageBefore = await pageCount(LABEL);
    await page.locator('select[aria-label="Fill between slices axis"]').selectOption('sagittal');
    await page.locator('[data-testid="fill-between"]').click();
    await waitPreview();
    expect(await pageCount(LABEL), 'the preview writes nothing into the labels').toBe(pageBefore);
    await page.locator('[data-testid="op-cancel"]').click();
    await page.locator('[data-testid="op-preview"]').waitFor({ state: 'detached' });
    expect(await pageCount(LABEL)).toBe(pageBefore);
    expect(app.ws.store.edits.count(series).active).toBe(edits0);
    expect(Buffer.compare(await serverLabels(series), before)).toBe(0);
  });

  it('previews, then Accept writes one journal entry with the label on the slices between; Ctrl+Z takes it back', async () => {
    // A point between the drawn slices, on the painted line, seen in the axial view.
    const l3 = await labelPoint(maskFile(), 3);
    const l4 = await labelPoint(maskFile(), 4);
    const mid: Vec3 = [(l3[0] + l4[0]) / 2, (l3[1] + l4[1]) / 2 - 25, (l3[2] + l4[2]) / 2];
    // The sagittal view is on the second drawn slice: one back is a slice in between.
    await page.evaluate(() => window.__spine!.viewer!.scrollSlice('sagittal', -1));
    const [px, py] = await ws.toPage('sagittal', mid);
    const plain = await ws.shot(`${series}-before-fill`);

    await page.locator('[data-testid="fill-between"]').click();
    await waitPreview();
    const text = (await page.locator('[data-testid="op-preview"]').textContent())!;
    expect(text).toMatch(/Preview: Fill between sagittal slices T10\/T11 \(\+[\d,]+ voxels; green in the views\)/);
    const shown = await ws.shot(`${series}-preview`);
    const c0 = pixelAt(plain, px, py);
    const c1 = pixelAt(shown, px, py);
    expect(c1, 'the slice between shows the preview colour where it showed none').not.toEqual(c0);
    expect(c1[1]).toBeGreaterThan(c1[0] + 40); // green
    await page.screenshot({ path: `/tmp/helperO-${series}-preview-1366.png` });

    await page.locator('[data-testid="op-accept"]').click();
    await waitSaved();
    expect(app.ws.store.edits.count(series).active).toBe(edits0 + 1);
    const last = app.ws.store.edits.history(series).at(-1)!;
    expect(last.description).toMatch(/^Fill between sagittal slices T10\/T11, [\d,]+ voxels$/);
    expect(last.tool).toBe('interpolate');
    const counts = perSlice(await serverLabels(series), size, sagittalAxis, LABEL);
    for (let s = drawn[0]! + 1; s < drawn[1]!; s++) expect(counts[s], `slice ${s} between the drawn ones`).toBeGreaterThan(0);
    expect(counts.filter((n) => n > 0)).toHaveLength(4);
    const accepted = await ws.shot(`${series}-accepted`);
    expect(pixelAt(accepted, px, py)).not.toEqual(c0);

    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Control+z');
    await waitSaved();
    expect(app.ws.store.edits.count(series).active).toBe(edits0);
    const undone = perSlice(await serverLabels(series), size, sagittalAxis, LABEL);
    expect(undone.flatMap((n, s) => (n > 0 ? [s] : []))).toEqual(drawn);
    expect(pixelAt(await ws.shot(`${series}-undone`), px, py)).toEqual(c0);
  });
});

describe('grow by N mm (3 mm on a 4 × 2.1 × 2.1 mm grid)', () => {
  it('previews, Accept adds one journal entry growing the label, Ctrl+Z takes it back', async () => {
    const series = '1_t1';
    await openFromWorklist(page, series);
    await page.locator('select[aria-label="Active label"]').selectOption('3');
    const count0 = countOf(await serverLabels(series), 3);
    const edits0 = app.ws.store.edits.count(series).active;
    await page.locator('select[aria-label="Shape operation"]').selectOption('grow');
    await page.locator('input[aria-label="Shape radius (mm)"]').fill('3');
    await page.locator('[data-testid="shape-preview"]').click();
    await waitPreview();
    const text = (await page.locator('[data-testid="op-preview"]').textContent())!;
    const added = Number(/\+([\d,]+) voxels/.exec(text)![1]!.replace(/,/g, ''));
    expect(added).toBeGreaterThan(0);
    expect(text).toContain('Grow L3 by 3 mm');
    await page.screenshot({ path: '/tmp/helperO-grow-preview-1366.png' });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await ws.settle();
    await page.screenshot({ path: '/tmp/helperO-grow-preview-1920.png' });
    await page.setViewportSize({ width: 1366, height: 768 });
    expect(await pageCount(3), 'nothing written before Accept').toBe(count0);

    await page.locator('[data-testid="op-accept"]').click();
    await waitSaved();
    expect(app.ws.store.edits.count(series).active).toBe(edits0 + 1);
    expect(app.ws.store.edits.history(series).at(-1)!.description).toBe(`Grow L3 by 3 mm, ${added.toLocaleString('en-US')} voxels`);
    expect(countOf(await serverLabels(series), 3)).toBe(count0 + added);

    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Control+z');
    await waitSaved();
    expect(countOf(await serverLabels(series), 3)).toBe(count0);
  });
});

describe('locks', () => {
  async function growL3(): Promise<number> {
    await page.locator('[data-testid="shape-preview"]').click();
    await waitPreview();
    const text = (await page.locator('[data-testid="op-preview"]').textContent())!;
    await page.locator('[data-testid="op-accept"]').click();
    await waitSaved();
    return Number(/\+([\d,]+) voxels/.exec(text)![1]!.replace(/,/g, ''));
  }
  async function undo(): Promise<void> {
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Control+z');
    await waitSaved();
  }

  it('growing L3 eats into the disc below when unlocked, and leaves it alone when the disc is locked', async () => {
    const series = '1_t1'; // still open, label 3 active, grow 3 mm chosen
    const disc0 = countOf(await serverLabels(series), 203);
    const unlocked = await growL3();
    const discUnlocked = countOf(await serverLabels(series), 203);
    await undo();
    expect(discUnlocked, 'over everything: the grown vertebra takes disc voxels').toBeLessThan(disc0);

    await page.locator('tr[data-label="203"] input[aria-label^="Lock"]').check();
    const locked = await growL3();
    expect(countOf(await serverLabels(series), 203), 'the locked disc keeps every voxel').toBe(disc0);
    expect(locked).toBe(unlocked - (disc0 - discUnlocked));
    await undo();
    await page.locator('tr[data-label="203"] input[aria-label^="Lock"]').uncheck();
  });
});

describe('keys', () => {
  it('Esc over the views cancels a preview: nothing written, the labels on screen as before', async () => {
    const series = '1_t1'; // still open, label 3 active, grow 3 mm chosen
    const edits0 = app.ws.store.edits.count(series).active;
    const count0 = await pageCount(3);
    await page.locator('[data-testid="shape-preview"]').click();
    await waitPreview();
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="op-preview"]').count()).toBe(0);
    expect(await pageCount(3)).toBe(count0);
    expect(app.ws.store.edits.count(series).active).toBe(edits0);
  });
});

describe('where the interpolation comes from', () => {
  it('every request, the wasm pipeline included, went to the app\'s own origin', () => {
    const origin = new URL(app.server.url).origin;
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requests).toContain(`${origin}/itk-pipelines/morphological-contour-interpolation.wasm.zst`);
  });
});
