// When saving fails, in Chromium against the real web server and a real SQLite journal: a stroke the server
// refuses (the launch-token cookie is gone: HTTP 401 with a typed error) is taken back on screen with one message
// naming why, and the strokes after it are saved once the cookie is back; with the server stopped (connection
// refused), a "service unreachable" banner shows, strokes stay on screen and queue up, and all of them are saved
// in order once the server answers again. And a series whose mask file cannot be read exactly is read-only:
// banner, no tools, no label operations, no undo, and nothing is ever sent.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Vec3 } from '../../common/geometry.js';
import { labelInfo } from '../../common/labels.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { colour, colourAround, greyAround, labelPoint, WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
const SERIES = '1_t1';
/** Its mask header is made unreadable below (a byte order that is neither True nor False). */
const READ_ONLY_SERIES = '1_t2';
/** Every API call the page makes, in order. */
const apiCalls: string[] = [];

beforeAll(async () => {
  app = await startApp({
    patients: 1,
    seed: 'save-failure',
    prepare: (dataset) => {
      const file = join(dataset, 'masks', `${READ_ONLY_SERIES}.mha`);
      const bytes = readFileSync(file);
      const header = bytes.subarray(0, bytes.indexOf('ElementDataFile')).toString('latin1');
      if (!header.includes('BinaryDataByteOrderMSB = False')) throw new Error(`unexpected header in ${file}:\n${header}`);
      const fixed = Buffer.from(header.replace('BinaryDataByteOrderMSB = False', 'BinaryDataByteOrderMSB = F'), 'latin1');
      writeFileSync(file, Buffer.concat([fixed, bytes.subarray(header.length)]));
    },
  });
  page = await app.newPage({ width: 1920, height: 1200 });
  page.on('request', (r) => {
    const m = /\/api\/(\w+)$/.exec(r.url());
    if (m) apiCalls.push(m[1]!);
  });
  ws = new WorkstationPage(page, WorkstationPage.shots('save-failure'));
  await page.waitForSelector(`[data-series="${SERIES}"]`);
  await openFromWorklist(page, SERIES);
  await ws.setOpacity(1);
  await page.locator('[data-testid="viewer"]').hover();
  await page.keyboard.press('b');
  await ws.setCrosshair(await labelPoint(mask(), 3));
}, 120_000);
afterAll(async () => app?.close());

const mask = (): string => join(app.dataset, 'masks', `${SERIES}.mha`);
const saveState = (): Promise<string | null> => page.locator('[data-testid="save-state"]').textContent();
const active = (): number => app.ws.store.edits.count(SERIES).active;
const historyShown = (): Promise<string[]> => page.locator('[data-testid="history"] li .history-desc').allTextContents();

/** A short stroke of `label` in the soft tissue in front of vertebra `n`; returns the stroke's middle in page px. */
async function paint(label: number, n: number): Promise<[number, number]> {
  await page.locator('select[aria-label="Active label"]').selectOption(String(label));
  const p = await labelPoint(mask(), n);
  const from: Vec3 = [p[0], p[1] - 25, p[2] - 8];
  const to: Vec3 = [p[0], p[1] - 25, p[2] + 8];
  const [x0, y0] = await ws.toPage('sagittal', from);
  const [x1, y1] = await ws.toPage('sagittal', to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 4 });
  await page.mouse.up();
  // The brush cursor follows the pointer: take it off the stroke before anything looks at the pixels.
  await page.mouse.move(x1, y1 - 80);
  return ws.toPage('sagittal', [p[0], p[1] - 25, p[2]]);
}

const name = (v: number): string => labelInfo(v).name;

describe('a refused save', () => {
  it('takes the refused stroke back with the reason, and saves the later strokes once the cookie is back', async () => {
    await paint(208, 2);
    await expect.poll(saveState, { timeout: 30_000 }).toMatch(/^saved/);
    expect(active()).toBe(1);

    const cookies = await page.context().cookies();
    await page.context().clearCookies();
    const [mx, my] = await paint(209, 3);
    const refused = page.locator('[data-testid="save-refused"]');
    await refused.waitFor({ timeout: 30_000 });
    const text = (await refused.textContent())!;
    expect(text).toContain(`Brush ${name(209)}`);
    expect(text).toContain('launch token');
    // Taken back: not in the label list, not on screen, not in the journal; the bar says why, not "saving".
    await expect.poll(() => ws.labelVoxels(209)).toBe(0);
    await expect.poll(async () => greyAround(await ws.shot('refused-taken-back'), mx, my)).toBe(true);
    expect(active()).toBe(1);
    await expect.poll(saveState).toMatch(/^Not saved: Brush .*launch token/);

    await page.context().addCookies(cookies);
    const [sx, sy] = await paint(210, 4);
    await expect.poll(saveState, { timeout: 30_000 }).toMatch(/^saved/);
    expect(active()).toBe(2);
    expect(app.ws.store.edits.history(SERIES).map((e) => e.description)).toEqual([
      expect.stringMatching(`^Brush ${name(208)}, `),
      expect.stringMatching(`^Brush ${name(210)}, `),
    ]);
    await expect.poll(historyShown).toEqual([expect.stringMatching(`^Brush ${name(210)}`), expect.stringMatching(`^Brush ${name(208)}`)]);
    expect(colourAround(await ws.shot('saved-after-refusal'), sx, sy, colour(210))).toBe(true);
    expect(await ws.labelVoxels(210)).toBe(app.ws.store.edits.history(SERIES)[1]!.voxelCount);
    await page.locator('[data-testid="save-refused"] button').click();
    await refused.waitFor({ state: 'detached' });
  });
});

describe('the server stopped', () => {
  it('shows a "service unreachable" banner, keeps and queues strokes, and saves them in order when it answers again', async () => {
    const saved = active();
    await app.stopServer();
    let stopped = true;
    onTestFinished(async () => {
      if (stopped) await app.startServerAgain(); // the next test needs it even if this one failed
    });
    const [ax, ay] = await paint(211, 5);
    await page.locator('[data-testid="server-gone"]').waitFor({ timeout: 30_000 });
    await expect.poll(saveState, { timeout: 30_000 }).toMatch(/^paused: 1 edit not saved yet/);
    // Nothing is taken back while it waits.
    expect(colourAround(await ws.shot('server-gone'), ax, ay, colour(211))).toBe(true);
    await paint(212, 6);
    await expect.poll(saveState).toMatch(/^paused: 2 edits not saved yet/);
    expect(await ws.labelVoxels(212)).toBeGreaterThan(0);
    expect(active()).toBe(saved);

    await app.startServerAgain();
    stopped = false;
    await page.locator('[data-testid="server-gone"]').waitFor({ state: 'detached', timeout: 30_000 });
    await expect.poll(saveState, { timeout: 30_000 }).toMatch(/^saved/);
    expect(active()).toBe(saved + 2);
    const journal = app.ws.store.edits.history(SERIES).map((e) => e.description);
    expect(journal.slice(-2)).toEqual([expect.stringMatching(`^Brush ${name(211)}, `), expect.stringMatching(`^Brush ${name(212)}, `)]);
    await expect.poll(async () => (await historyShown()).slice(0, 2)).toEqual([
      expect.stringMatching(`^Brush ${name(212)}`), expect.stringMatching(`^Brush ${name(211)}`),
    ]);
    expect(colourAround(await ws.shot('saved-after-restart'), ax, ay, colour(211))).toBe(true);
  });
});

describe('a series whose mask cannot be read exactly', () => {
  it('is read-only: banner over the views, tools, label operations and undo disabled, nothing sent', async () => {
    await page.keyboard.press('Escape');
    await openFromWorklist(page, READ_ONLY_SERIES);
    const banner = page.locator('[data-testid="readonly-banner"]');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toMatch(/^Labels read-only: .*BinaryDataByteOrderMSB/);
    await ws.shot('read-only');
    for (const tool of ['brush', 'eraser', 'threshold', 'fill', 'thresholdFill']) {
      expect(await page.locator(`[data-tool="${tool}"]`).isDisabled(), tool).toBe(true);
    }
    for (const op of ['Relabel A → B', 'Swap A ↔ B', 'Shift levels up', 'Shift levels down', 'Keep largest', 'Drop small']) {
      expect(await page.getByRole('button', { name: op }).isDisabled(), op).toBe(true);
    }
    expect(await page.locator('[data-testid="history"] button', { hasText: 'Undo' }).isDisabled()).toBe(true);
    expect(await page.locator('[data-testid="history"] button', { hasText: 'Redo' }).isDisabled()).toBe(true);

    // Keys and the mouse do not edit either.
    const sent = apiCalls.length;
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    expect(await page.locator('[data-testid="toolbar"] button', { hasText: 'Navigate' }).getAttribute('class')).toBe('on');
    const box = (await page.locator('[data-testid="viewer"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 6, box.y + box.height / 2 + 40, { steps: 4 });
    await page.mouse.up();
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+Shift+z');
    await page.waitForTimeout(300);
    const after = apiCalls.slice(sent);
    expect(after.filter((m) => m === 'commitEdit' || m === 'undo' || m === 'redo')).toEqual([]);
    expect(app.ws.store.edits.count(READ_ONLY_SERIES).total).toBe(0);
    expect(await page.locator('[data-testid="statusbar"]').textContent()).toContain('Labels read-only');
  });

  it('can still be measured: the measure tools write no labels', async () => {
    const ruler = page.locator('[data-tool="ruler"]');
    expect(await ruler.isDisabled()).toBe(false);
    await ruler.click();
    expect(await ruler.getAttribute('class')).toBe('on');
    expect(await page.locator('[data-testid="measure-help"]').textContent()).toMatch(/^Ruler:/);
    const sent = apiCalls.length;
    const box = (await page.locator('[data-testid="viewer"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 6, box.y + box.height / 2 + 60, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => app.ws.store.measurements.forSeries(READ_ONLY_SERIES).length, { timeout: 10_000 }).toBe(1);
    expect(apiCalls.slice(sent).filter((m) => m === 'commitEdit')).toEqual([]);
    expect(app.ws.store.edits.count(READ_ONLY_SERIES).total).toBe(0);
  });
});
