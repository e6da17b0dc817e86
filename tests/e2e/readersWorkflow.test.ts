// Several readers used as an adjudicator would (issue 16), on what a first real use found: two readers' packages
// (made with the real service on the app's sample: "Reader One" and "Reader Two" each erase a share of every label
// of one series, so every label differs) are imported through File ▸ Import annotations…, closing the dialog with
// Escape (its Import button is disabled while sending, which used to drop the focus to the page so Escape went to the
// viewer); File ▸ Export annotations… closes with Escape too. The Agreement page lists the lowest-Dice series before
// its plots, in view at laptop size. In the viewer, the right panel's section row links the Compare panel; the
// disagreement list of many labels stays short enough at 1366×768 that the label panel below it is reachable; a
// disagreement is reached by keyboard (Tab to its name, Enter: crosshair there; Enter on "Edited" decides, not the
// viewer's Enter shortcut); a label taken from B and then undone (Ctrl+Z) is shown as undone, not as decided; an
// import while the series is open offers the new reader, keeps the pair, and a replaced reader is compared anew.
// Real server, SQLite, Debian Chromium; screenshots at 1366×768 and 1920×1080 in test-results/readersWorkflow/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MenuCommand } from '../../common/commands.js';
import { encodeDiff } from '../../common/labelDiff.js';
import { openWorkstation } from '../../main/core/workstation.js';
import { startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
let seriesId = '';
const files: string[] = [];

/** A reader's store: every `every`-th labelled voxel of the series erased (again, on the reader's current labels, if
 *  the store exists); its package written to disk. */
async function reader(name: string, every: number): Promise<string> {
  const w = await openWorkstation({ datasetRoot: app.dataset, storeFile: join(app.dir, `${name}.sqlite`), annotator: name });
  try {
    const o = await w.service.openSeries({ seriesId });
    const live = await w.volumeBytes(seriesId, 'mask');
    const idx: number[] = [];
    let k = 0;
    for (let i = 0; i < live.length; i++) if (live[i] !== 0 && k++ % every === 0) idx.push(i);
    const diff = { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => live[i]!), after: new Uint8Array(idx.length) };
    await w.service.commitEdit({ seriesId, baseRevision: o.revision, tool: 'eraser', label: 0, description: `scripted ${name}`, diff: encodeDiff(diff) });
    const pkg = await w.service.exportAnnotations({ annotator: name });
    const file = join(app.dir, `${name.replace(/\W/g, '_')}-${Date.now()}.spinepkg`);
    writeFileSync(file, Buffer.from(pkg.data, 'base64'));
    return file;
  } finally {
    w.close();
  }
}

const menu = (c: MenuCommand): Promise<void> => page.evaluate((cmd) => window.__spine!.menu(cmd as never), c);
const panel = () => page.locator('[data-testid="compare"]');

/** Both viewport sizes, back to 1366×768. */
async function shots(name: string): Promise<void> {
  await ws.shot(`${name}-1366x768`);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await ws.shot(`${name}-1920x1080`);
  await page.setViewportSize({ width: 1366, height: 768 });
}

beforeAll(async () => {
  app = await startApp({ annotator: 'Adj' });
  const faulty = new Set(app.sample.faults.map((f) => f.seriesId));
  seriesId = (await app.ws.service.listSeries({})).find((s) => s.hasMask && s.openable && !faulty.has(s.id))!.id;
  files.push(await reader('Reader One', 7), await reader('Reader Two', 5));
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('readersWorkflow'));
  await page.waitForSelector(`[data-series="${seriesId}"]`);
}, 240_000);
afterAll(async () => {
  await page?.close();
  await app?.close();
});

describe('several readers, as an adjudicator uses them', () => {
  it('imports both packages and closes the import dialog with Escape after each', async () => {
    const dialog = page.locator('[data-testid="import-annotations"]');
    for (const [i, file] of files.entries()) {
      await menu('import-annotations');
      await dialog.waitFor();
      await dialog.locator('[data-testid="import-file"]').setInputFiles(file);
      await dialog.locator('[data-testid="import-start"]').click();
      await dialog.locator('[data-testid="import-result"]').waitFor({ timeout: 60_000 });
      if (i === 0) await shots('imported');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    }
    expect((await app.ws.service.listReaders({})).readers.map((r) => r.name)).toEqual(['Reader One', 'Reader Two']);
  }, 120_000);

  it('closes File ▸ Export annotations… with Escape, on opening and after a package is saved', async () => {
    const dialog = page.locator('[data-testid="export-annotations"]');
    await menu('export-annotations');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    // One grade of the adjudicator's own (a package of nothing is refused), then the package downloads.
    const series = (await app.ws.service.listSeries({})).find((x) => x.id === seriesId)!;
    const lv = (await app.ws.service.getGradings({ patientId: series.patientId })).levels.find((l) => l.ivdLabel >= 1)!;
    const value = lv.values.pfirrmann === 4 ? 3 : 4;
    await app.ws.service.setGrading({ patientId: series.patientId, ivdLabel: lv.ivdLabel, field: 'pfirrmann', value });
    await menu('export-annotations');
    await dialog.waitFor();
    const download = page.waitForEvent('download', { timeout: 60_000 });
    await dialog.locator('[data-testid="export-annotations-start"]').click();
    await dialog.locator('[data-testid="export-annotations-result"], [data-testid="export-annotations-error"]').first().waitFor({ timeout: 60_000 });
    expect(await dialog.locator('[data-testid="export-annotations-error"]').count(), (await dialog.textContent()) ?? '').toBe(0);
    await download;
    await dialog.locator('[data-testid="export-annotations-result"]').waitFor({ timeout: 60_000 });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });
  }, 120_000);

  it('shows the lowest-Dice series before the plots, in view at 1366×768', async () => {
    await page.locator('[data-testid="agreement-open"]').click();
    const dialog = page.locator('[data-testid="agreement"]');
    await dialog.locator('[data-testid="agreement-report"]').waitFor({ timeout: 60_000 });
    expect(await dialog.locator('[data-testid="agreement-a"]').inputValue()).toBe('reader:Reader One');
    expect(await dialog.locator('[data-testid="agreement-b"]').inputValue()).toBe('reader:Reader Two');
    const row = dialog.locator(`[data-testid="agreement-worst"] tr[data-series="${seriesId}"]`);
    await row.waitFor();
    const rowBox = (await row.boundingBox())!;
    const plotsBox = (await dialog.locator('[data-testid="agreement-plots"]').boundingBox())!;
    expect(rowBox.y).toBeLessThan(plotsBox.y);
    expect(rowBox.y + rowBox.height).toBeLessThanOrEqual(768);
    await shots('agreement');
    await row.locator('button').click();
    await page.waitForFunction((id) => window.__spine?.lastOpen?.seriesId === id, seriesId, { timeout: 60_000 });
    await page.evaluate(() => window.__spine?.viewer?.rendered());
  }, 120_000);

  it('links Compare in the right panel\'s section row; many differing labels leave the label panel reachable', async () => {
    await expect.poll(() => panel().locator('[data-testid="compare-label"]').count(), { timeout: 30_000 }).toBeGreaterThan(8);
    const link = page.locator('[data-testid="right-panel-head"] button[data-section="compare"]');
    expect(await link.textContent()).toBe('Compare');
    await page.locator('[data-testid="right-panel-head"] button[data-section="label-panel"]').click();
    await link.click();
    const right = (await page.locator('[data-testid="right-panel"]').boundingBox())!;
    const head = (await page.locator('[data-testid="right-panel-head"]').boundingBox())!;
    // Scrolled to the panel's top, just under the head (its scroll padding); the head keeps one row of links.
    expect(head.height, 'title row + one row of section links').toBeLessThan(60);
    await expect.poll(async () => (await panel().boundingBox())!.y).toBeGreaterThanOrEqual(head.y + head.height - 0.5);
    expect((await panel().boundingBox())!.y).toBeLessThanOrEqual(head.y + head.height + 10);
    // The list scrolls inside itself: at most 30 % of the window high, so the label panel follows within one column.
    const rows = await panel().locator('[data-testid="compare-label"]').count();
    expect(await panel().locator('[data-testid="compare-labels-title"]').textContent()).toBe(`Labels that differ (${rows}), worst first`);
    const list = (await panel().locator('[data-testid="compare-labels"]').boundingBox())!;
    expect(list.height).toBeLessThanOrEqual(0.3 * 768 + 1);
    const labels = (await page.locator('[data-testid="label-panel"]').boundingBox())!;
    expect(labels.y - list.y).toBeLessThan(right.height);
    await shots('compare-many-labels');
  }, 120_000);

  it('reaches a disagreement by keyboard: Tab to its name, Enter puts the crosshair on main\'s focus voxel', async () => {
    const row = panel().locator('[data-testid="compare-label"]').nth(1);
    const label = Number(await row.getAttribute('data-label'));
    const agr = await app.ws.service.seriesAgreement({ seriesId, a: 'reader:Reader One', b: 'reader:Reader Two' });
    const focus = agr.labels.find((l) => l.value === label)!.focus!;
    // From the B selector, Tab walks the panel's controls to that row's name.
    await panel().locator('[data-testid="compare-b"]').focus();
    const target = row.locator('button.compare-name');
    for (let i = 0; i < 12 && !(await target.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await target.evaluate((e) => e === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    const spacing = (await app.ws.service.openSeries({ seriesId })).image.geometry.spacing;
    await expect.poll(async () => {
      const c = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
      return Math.max(...[0, 1, 2].map((i) => Math.abs(c[i]! - focus.world[i]!) - spacing[i]! / 2));
    }).toBeLessThanOrEqual(1e-6);
    // Tab on to its "Edited" and Enter: decided by hand.
    const edited = row.locator('[data-testid="compare-edited"]');
    for (let i = 0; i < 4 && !(await edited.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => row.locator('[data-testid="compare-decided"]').textContent(), { timeout: 20_000 }).toMatch(/^✓ edited · Adj · /);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }, 120_000);

  it('shows a label taken from B and then undone as undone, not as decided', async () => {
    const row = panel().locator('[data-testid="compare-label"]').first();
    const label = await row.getAttribute('data-label');
    await row.locator('[data-testid="compare-take-b"]').click();
    const same = panel().locator(`[data-testid="compare-label"][data-label="${label}"]`);
    await expect.poll(() => same.locator('[data-testid="compare-decided"]').textContent(), { timeout: 30_000 }).toMatch(/^✓ B \(Reader Two\) · Adj · /);
    expect(await same.locator('[data-testid="compare-take-b"]').getAttribute('class')).toBe('chosen');
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.ws.service.history({ seriesId })).edits.at(-1)!.state, { timeout: 20_000 }).toBe('undone');
    await expect.poll(() => same.locator('[data-testid="compare-decided"]').getAttribute('data-undone'), { timeout: 20_000 }).toBe('undone');
    expect(await same.locator('[data-testid="compare-decided"]').textContent()).toBe('↶ B (Reader Two) taken, then undone: decide again');
    expect(await same.locator('[data-testid="compare-take-b"]').getAttribute('class')).toBe('');
    expect(await same.getAttribute('class')).not.toContain('is-decided');
    await shots('compare-undone');
    // Redo: decided again.
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => same.locator('[data-testid="compare-decided"]').textContent(), { timeout: 20_000 }).toMatch(/^✓ B \(Reader Two\)/);
  }, 120_000);

  it('follows imports made while the series is open: a new reader is offered, a replaced one compared anew', async () => {
    const dialog = page.locator('[data-testid="import-annotations"]');
    const importFile = async (file: string): Promise<void> => {
      await menu('import-annotations');
      await dialog.waitFor();
      await dialog.locator('[data-testid="import-file"]').setInputFiles(file);
      await dialog.locator('[data-testid="import-start"]').click();
      await dialog.locator('[data-testid="import-result"], [data-testid="import-error"]').first().waitFor({ timeout: 60_000 });
      const refused = dialog.locator('[data-testid="import-error"]');
      if ((await refused.count()) > 0) {
        expect(await refused.getAttribute('data-code')).toBe('conflict');
        await dialog.locator('[data-testid="import-replace"]').click();
        await dialog.locator('[data-testid="import-result"]').waitFor({ timeout: 60_000 });
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached', timeout: 5_000 });
    };
    await importFile(await reader('Reader Three', 9));
    await expect.poll(() => panel().locator('[data-testid="compare-b"] option').allTextContents(), { timeout: 20_000 }).toContain('Reader Three');
    // The pair being adjudicated stays (the new set's default pair would be One vs Three).
    expect([await panel().locator('[data-testid="compare-a"]').inputValue(), await panel().locator('[data-testid="compare-b"]').inputValue()]).toEqual(['reader:Reader One', 'reader:Reader Two']);
    // Reader Two erases more: a newer package of the same reader, imported with Replace.
    await new Promise((r) => setTimeout(r, 1100));
    await importFile(await reader('Reader Two', 3));
    const agr = await app.ws.service.seriesAgreement({ seriesId, a: 'reader:Reader One', b: 'reader:Reader Two' });
    const worst = agr.labels.filter((l) => l.dice < 1).sort((x, y) => x.dice - y.dice || x.value - y.value)[0]!;
    const row = panel().locator(`[data-testid="compare-label"][data-label="${worst.value}"]`);
    await expect.poll(() => row.locator('[data-testid="compare-dice"]').textContent(), { timeout: 30_000 }).toBe(`Dice ${worst.dice.toFixed(3)}`);
    expect(await page.evaluate(() => window.__spine!.lastOpen!.seriesId)).toBe(seriesId);
    // The label taken from Reader Two's earlier package (the undo test's redo) no longer holds, as main counts it.
    const taken = panel().locator('[data-testid="compare-decided"][data-undone="replaced"]');
    expect(await taken.count()).toBe(1);
    expect(await taken.textContent()).toBe('B (Reader Two) taken from an earlier package of Reader Two: decide again');
    const progress = await app.ws.service.adjudicationProgress({ a: 'reader:Reader One', b: 'reader:Reader Two' });
    expect(await panel().locator('[data-testid="compare-progress"]').textContent()).toBe(`Labels ${progress.labels.decided}/${progress.labels.total} decided · Levels ${progress.levels.decided}/${progress.levels.total}`);
    expect(await panel().locator('.compare-row.is-decided').count()).toBe(progress.labels.decided + progress.levels.decided);
    await shots('compare-after-replace');
  }, 180_000);
});
