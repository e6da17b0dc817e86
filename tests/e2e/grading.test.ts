// Grading e2e (issue 5) on the real web server, a real SQLite store and Chromium: the annotator is asked once
// and remembered; a whole disc level is graded by keyboard alone (the panel focused with D, ↓ to the level,
// 1–5, M 0–3, the six finding keys, Enter = reviewed) and read back after a server restart; rows and views are
// linked both ways (a row moves the crosshair onto its disc, a click on a disc selects its row); the CSV's odd
// rows (IVD label 0, graded but not segmented) are shown with warnings; undo and per-level history; the
// worklist's graded count.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradingLevel } from '../../common/contract.js';
import { worldToIndex } from '../../common/geometry.js';
import { GRADING_FIELDS, type GradingField } from '../../common/gradings.js';
import { fileAnnotatorMemory } from '../../main/core/identity.js';
import { readMetaImage } from '../../main/core/mha/index.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { labelPoint, WorkstationPage } from './support/workstationPage.js';

const SERIES = '1_t1';
const PATIENT = 1;
const LEVEL = 2; // L4/L5
const FINDINGS: ReadonlyArray<[string, GradingField]> = [
  ['u', 'upEndplate'], ['l', 'lowEndplate'], ['s', 'spondylolisthesis'], ['h', 'herniation'], ['n', 'narrowing'], ['b', 'bulging'],
];

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;

const memoryFile = join(process.env.TMPDIR ?? '/tmp', `spine-e2e-settings-${process.pid}-${Date.now()}.json`);

beforeAll(async () => {
  app = await startApp({
    patients: 2,
    annotator: null,
    annotatorMemory: fileAnnotatorMemory(memoryFile),
    // The released CSV's odd rows: an IVD label 0 row and a level no mask holds (the sample has 7 discs).
    prepare: (dataset) => {
      const file = join(dataset, 'radiological_gradings.csv');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace(/\r\n$/, '\r\n1,0,0,0,0,0,0,0,0,2\r\n1,9,1,1,0,0,0,1,1,4\r\n'));
    },
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
  rmSync(memoryFile, { force: true });
});

const mask = (): string => join(app.dataset, 'masks', `${SERIES}.mha`);
const row = (k: number) => page.locator(`[data-testid="grading-panel"] tr[data-level="${k}"]`);
const cell = (k: number, f: GradingField) => row(k).locator(`td[data-field="${f}"]`);

async function level(k: number): Promise<GradingLevel> {
  return (await app.ws.service.getGradings({ patientId: PATIENT })).levels.find((l) => l.ivdLabel === k)!;
}

async function waitSaved(): Promise<void> {
  await expect.poll(() => page.locator('[data-testid="grading-save"]').textContent(), { timeout: 20_000 }).toMatch(/^saved/);
}

/** The mask value under the viewer's crosshair (read from the mask file with our reader). */
async function labelAtCrosshair(): Promise<number> {
  const m = await readMetaImage(mask());
  const world = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
  const [i, j, k] = worldToIndex(m.geometry, world).map(Math.round) as [number, number, number];
  const [nx, ny] = m.geometry.size;
  return Number(m.data[i + nx * (j + ny * k)]);
}

async function boot(): Promise<void> {
  page = await app.newPage({ width: 1920, height: 1200 });
  ws = new WorkstationPage(page, WorkstationPage.shots('grading'));
}

describe('grading', () => {
  it('asks who is annotating once, before anything can be written', async () => {
    await boot();
    const dialog = page.locator('[data-testid="annotator-dialog"]');
    await dialog.waitFor();
    expect(await app.ws.service.getSession({})).toMatchObject({ annotator: null });
    // Escape does not dismiss the first question.
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    await page.locator('input[aria-label="Annotator name"]').fill('Dr Grader');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="annotator"]').textContent()).toBe('Dr Grader');
    expect((await app.ws.service.getSession({})).annotator).toBe('Dr Grader');
  });

  it('shows every level with the CSV baseline, warnings for the odd rows, and hints from the masks', async () => {
    await openFromWorklist(page, SERIES);
    await row(1).waitFor();
    const levels = (await app.ws.service.getGradings({ patientId: PATIENT })).levels;
    // Cranial first, the IVD label 0 row last; none dropped.
    const shown = await page.locator('[data-testid="grading-panel"] tbody tr[data-level]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-level'))));
    expect(shown).toEqual([9, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(shown.sort()).toEqual(levels.map((l) => l.ivdLabel).sort());
    expect(await row(1).locator('td.level-name').textContent()).toBe('L5/S1');
    expect(await row(0).getAttribute('class')).toContain('readonly');
    expect(await row(0).locator('.grading-warn').getAttribute('aria-label')).toContain('IVD label 0');
    expect(await row(9).locator('.grading-warn').getAttribute('aria-label')).toContain('graded but not segmented');
    const l2 = levels.find((l) => l.ivdLabel === LEVEL)!;
    expect(await cell(LEVEL, 'pfirrmann').textContent()).toBe(String(l2.values.pfirrmann));
    expect(await page.locator('td.edited').count()).toBe(0);
    // Height hint of a segmented level, as the service measured it.
    expect(await page.locator(`[data-testid="hint-${LEVEL}"]`).textContent()).toContain(`${l2.hint!.heightMm!.toFixed(1)} mm`);
    // …named with the series it was measured in (a clinician could not tell).
    expect(await page.locator(`[data-testid="hint-${LEVEL}"]`).getAttribute('title')).toBe(`Measured in ${l2.hint!.seriesId}`);
    const sequence = l2.hint!.seriesId.replace(/^\d+_/, '').replace(/_/g, ' ').toUpperCase();
    expect((await page.locator('[data-testid="height-head"]').textContent())!.toUpperCase()).toContain(`HEIGHT · ${sequence}`);
    await ws.shot('panel-baseline');
  });

  it('grades a whole level by keyboard alone, stored at once with the annotator', async () => {
    const before = await level(LEVEL);
    const pf = before.values.pfirrmann === 3 ? 4 : 3;
    const modic = before.values.modic === 2 ? 1 : 2;
    // D focuses the panel; ↓ walks from the top row to L4/L5, moving the crosshair onto each disc.
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('d');
    const order = [9, 7, 6, 5, 4, 3, 2];
    for (let i = 1; i < order.length; i++) await page.keyboard.press('ArrowDown');
    await expect.poll(() => row(LEVEL).getAttribute('class')).toContain('selected');
    await expect.poll(labelAtCrosshair).toBe(200 + LEVEL);

    await page.keyboard.press(String(pf));
    await page.keyboard.press('m');
    await page.locator('[data-testid="modic-armed"]').waitFor();
    await page.keyboard.press(String(modic));
    for (const [key] of FINDINGS) await page.keyboard.press(key);
    await waitSaved();
    const graded = await level(LEVEL);
    expect(graded.values.pfirrmann).toBe(pf);
    expect(graded.values.modic).toBe(modic);
    for (const [, f] of FINDINGS) expect(graded.values[f]).toBe(before.values[f] === 1 ? 0 : 1);
    expect(graded.edited.sort()).toEqual(GRADING_FIELDS.map((f) => f.field).sort());
    // H and S went to the panel, not to the viewer (hide labels, next series).
    expect(await page.locator('[data-testid="open-series"]').textContent()).toBe(SERIES);
    // Every edited cell is marked.
    await expect.poll(() => row(LEVEL).locator('td.edited').count()).toBe(8);

    // Enter: reviewed, and on to the next level (L5/S1), whose disc the crosshair moves to.
    await page.keyboard.press('Enter');
    await waitSaved();
    expect((await level(LEVEL)).reviewed).toBe(true);
    await expect.poll(() => row(1).getAttribute('class')).toContain('selected');
    await expect.poll(labelAtCrosshair).toBe(201);

    const events = (await app.ws.service.gradingHistory({ patientId: PATIENT, ivdLabel: LEVEL })).events;
    expect(events).toHaveLength(9);
    expect(new Set(events.map((e) => e.annotator))).toEqual(new Set(['Dr Grader']));
    await ws.shot('panel-graded');
  });

  it('refuses values out of range: the keys do nothing and the service refuses them typed', async () => {
    await page.keyboard.press('ArrowUp'); // back to L4/L5
    await expect.poll(() => row(LEVEL).getAttribute('class')).toContain('selected');
    const before = await level(LEVEL);
    const historyBefore = (await app.ws.service.gradingHistory({ patientId: PATIENT, ivdLabel: LEVEL })).events.length;
    await page.keyboard.press('6');
    await page.keyboard.press('0');
    await page.keyboard.press('m');
    await page.keyboard.press('7');
    // The panel handles keys in order, and a change it accepts is queued (save state "saving") at once: once the
    // ↓ after them has moved the selection, any change they made is queued, and "saved" means it reached the store.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => row(1).getAttribute('class')).toContain('selected');
    expect(await page.locator('[data-testid="modic-armed"]').count()).toBe(0); // M 7 left Modic disarmed
    await waitSaved();
    expect((await level(LEVEL)).values).toEqual(before.values);
    expect((await app.ws.service.gradingHistory({ patientId: PATIENT, ivdLabel: LEVEL })).events).toHaveLength(historyBefore);
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => row(LEVEL).getAttribute('class')).toContain('selected');
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/setGrading', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: 6 }) });
      return r.json() as Promise<{ ok: boolean; error?: { code: string; message: string } }>;
    });
    expect(res.ok).toBe(false);
    expect(res.error!.code).toBe('invalid_request');
    expect(res.error!.message).toContain('Pfirrmann');
  });

  it('undoes with Ctrl+Z in the panel and lists every change in the level history', async () => {
    const before = await level(LEVEL);
    await page.keyboard.press('Control+z'); // the last change: reviewed
    await waitSaved();
    expect((await level(LEVEL)).reviewed).toBe(false);
    expect((await level(LEVEL)).values).toEqual(before.values);
    const items = page.locator('[data-testid="grading-history"] li');
    await expect.poll(() => items.count()).toBe(10); // 9 changes + the undo's restoration
    expect(await items.first().textContent()).toContain('Undo: Reviewed yes → no');
    expect(await items.nth(1).textContent()).toContain('(undone)');
    expect(await items.nth(1).textContent()).toContain('Dr Grader');
    await page.keyboard.press('Enter');
    await waitSaved();
    expect((await level(LEVEL)).reviewed).toBe(true);
  });

  it('selects the row of a disc clicked in a view, and marks clickable fields', async () => {
    const p = await labelPoint(mask(), 204);
    await ws.setCrosshair(p);
    const [x, y] = await ws.toPage('sagittal', p);
    await page.mouse.click(x + 1, y);
    await expect.poll(() => row(4).getAttribute('class')).toContain('selected');
    expect(await page.locator('[data-testid="grading-detail"] .grading-detail-title').textContent()).toContain('L2/L3');
    // A click on a yes/no cell of another level only selects that level: selecting never changes a grading.
    const other = (await level(3)).values.bulging;
    await cell(3, 'bulging').click();
    await expect.poll(() => row(3).getAttribute('class')).toContain('selected');
    expect((await level(3)).values.bulging).toBe(other);
    await row(4).locator('td.level-name').click();
    await expect.poll(() => row(4).getAttribute('class')).toContain('selected');
    // A click on a yes/no cell of the selected level toggles it.
    const was = (await level(4)).values.bulging;
    await cell(4, 'bulging').click();
    await waitSaved();
    expect((await level(4)).values.bulging).toBe(was === 1 ? 0 : 1);
    // Pfirrmann by its buttons in the detail pane; the IVD label 0 row has none enabled.
    await page.locator('[data-testid="grading-detail"] [aria-label="Pfirrmann grade"] button', { hasText: /^5$/ }).click();
    await waitSaved();
    expect((await level(4)).values.pfirrmann).toBe(5);
    await row(0).locator('td.level-name').click();
    expect(await page.locator('[data-testid="grading-detail"] button[role="radio"]:not([disabled])').count()).toBe(0);
  });

  it('shows in the worklist how many of the patient\'s levels a person reviewed and how many are still to review', async () => {
    const progress = (await app.ws.service.gradingProgress({})).find((p) => p.patientId === PATIENT)!;
    expect(progress.reviewed).toBe(1);
    // Edited or marked reviewed here counts; levels with CSV values only are still to review.
    expect(progress.personReviewed).toBeGreaterThanOrEqual(1);
    expect(progress.personReviewed).toBeLessThan(progress.levels);
    const toReview = progress.levels - progress.personReviewed;
    await expect
      .poll(() => page.locator(`[data-testid="graded-${PATIENT}"]`).textContent())
      .toBe(`${toReview} to review · ${progress.personReviewed}/${progress.levels} reviewed`);
    expect(await page.locator(`[data-testid="graded-${PATIENT}"]`).getAttribute('title')).toContain(`${progress.csvOnly} with values from radiological_gradings.csv only`);
  });

  it('reads the graded level back after a server restart, without asking the annotator again', async () => {
    const before = await level(LEVEL);
    await page.close();
    await app.restart();
    await boot();
    await page.locator('[data-testid="annotator"]').waitFor();
    expect(await page.locator('[data-testid="annotator-dialog"]').count()).toBe(0);
    expect(await page.locator('[data-testid="annotator"]').textContent()).toBe('Dr Grader');
    await openFromWorklist(page, SERIES);
    await row(LEVEL).waitFor();
    for (const f of GRADING_FIELDS) expect(await cell(LEVEL, f.field).textContent()).toBe(before.values[f.field] === null ? '–' : f.field === 'pfirrmann' || f.field === 'modic' ? String(before.values[f.field]) : before.values[f.field] === 1 ? '✓' : '·');
    expect(await row(LEVEL).getAttribute('class')).toContain('reviewed');
    expect(await row(LEVEL).locator('td.edited').count()).toBe(8);
    await row(LEVEL).locator('td.level-name').click();
    await expect.poll(() => page.locator('[data-testid="grading-history"] li').count()).toBe(11);
    expect((await level(LEVEL)).values).toEqual(before.values);
    await ws.shot('after-restart');
  });

  it('runs the desktop menu commands (as the native menu sends them) with the same actions as the keys', async () => {
    const menu = (c: string) => page.evaluate((cmd) => window.__spine!.menu(cmd as never), c);
    await menu('shortcuts');
    await page.locator('[data-testid="shortcuts"]').waitFor();
    expect(await page.locator('[data-testid="shortcuts"]').textContent()).toContain('Modic type');
    await page.keyboard.press('Escape');
    await menu('about');
    const version = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    expect(await page.locator('[data-testid="about"]').textContent()).toContain(`Spine Workstation ${version}`);
    await page.keyboard.press('Escape');
    await page.locator('[data-testid="about"]').waitFor({ state: 'detached' });
    // Undo from the menu while the grading dock has focus undoes the last grading change.
    await row(LEVEL).locator('td.level-name').click();
    const was = (await level(LEVEL)).values.bulging;
    await page.keyboard.press('b');
    await waitSaved();
    expect((await level(LEVEL)).values.bulging).not.toBe(was);
    await menu('undo');
    await waitSaved();
    expect((await level(LEVEL)).values.bulging).toBe(was);
    // The dock collapses to its title bar (the views grow) and D brings it back, focused.
    const viewerHeight = async (): Promise<number> => (await page.locator('[data-testid="viewer"]').boundingBox())!.height;
    const tall = await viewerHeight();
    await page.locator('[data-testid="grading-collapse"]').click();
    await expect.poll(viewerHeight).toBeGreaterThan(tall + 150);
    expect(await page.locator('[data-testid="grading-panel"] table').count()).toBe(0);
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('d');
    await row(LEVEL).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('grading-panel');
    await menu('export');
    await page.locator('[data-testid="export-dialog"]').waitFor();
  });
});
