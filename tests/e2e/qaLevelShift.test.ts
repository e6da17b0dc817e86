// e2e: the one-click "shift levels" QA fix (issue 14) in the real app — real server, real SQLite store, Debian
// Chromium. One series of a sample patient without injected faults gets its mask renumbered one level up on disk
// (vertebra n → n + 1, partial 100 + n → 101 + n, disc 200 + n → 201 + n); its siblings keep the true numbering.
// The Problems panel shows the sibling_levels finding with a Shift fix; Fix moves every level back in one journal
// entry, checked against the .mha files: the in-page label volume and main's equal the original mask, the entry's
// voxel count is every vertebra, partial vertebra and disc voxel of the renumbered mask. The finding goes; undo
// restores the renumbered labels and the finding. Screenshots at 1366×768 and 1920×1080 (test-results/qaLevelShift/).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISC_OFFSET, isDisc, isPartialVertebra, isVertebra, PARTIAL_VERTEBRA_OFFSET } from '../../common/labels.js';
import { readMetaImage, writeMetaImage } from '../../main/core/mha/index.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
/** The renumbered series: the first series of a patient without injected faults (chosen once the sample exists). */
let ID = '';
/** The mask as generated (true numbering) and as renumbered on disk, one byte per voxel. */
let original: Uint8Array;
let renumbered: Uint8Array;

/** Level n of a vertebra, partial vertebra or disc value, or null for anything else (canal, background). */
function levelOf(v: number): { offset: number; n: number } | null {
  if (isVertebra(v)) return { offset: 0, n: v };
  if (isPartialVertebra(v)) return { offset: PARTIAL_VERTEBRA_OFFSET, n: v - PARTIAL_VERTEBRA_OFFSET };
  if (isDisc(v)) return { offset: DISC_OFFSET, n: v - DISC_OFFSET };
  return null;
}
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  app = await startApp();
  const faulty = new Set(app.sample.faults.map((f) => app.sample.series.find((s) => s.id === f.seriesId)!.patientId));
  const clean = app.sample.series.filter((s) => !faulty.has(s.patientId));
  const patient = clean.find((s) => clean.filter((x) => x.patientId === s.patientId).length >= 2)?.patientId;
  expect(patient, 'a patient with two or more series and no injected fault').toBeDefined();
  ID = clean.find((s) => s.patientId === patient)!.id;
  const file = join(app.dataset, 'masks', `${ID}.mha`);
  const mask = await readMetaImage(file);
  original = Uint8Array.from(mask.data as ArrayLike<number>);
  const shifted = mask.data.slice();
  for (let i = 0; i < shifted.length; i++) {
    const l = levelOf(Number(shifted[i]));
    if (l) shifted[i] = l.offset + l.n + 1;
  }
  await writeMetaImage(file, { geometry: mask.geometry, pixelType: mask.pixelType, data: shifted }, { compress: mask.header.compressed });
  renumbered = Uint8Array.from(shifted as ArrayLike<number>);
  await app.restart(); // main scans the changed mask
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('qaLevelShift'));
  await page.waitForSelector('[data-testid="worklist"]');
}, 240_000);
afterAll(async () => {
  await page?.close();
  await app?.close();
});

/** SHA-256 of the label volume the page shows and edits. */
const pageLabels = (): Promise<string> =>
  page.evaluate(async () => {
    const labels = window.__spine!.store.get().opened!.labels;
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', labels as Uint8Array<ArrayBuffer>));
    return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  });
const mainLabels = async (): Promise<string> => sha(await app.ws.volumeBytes(ID, 'mask'));
const finding = () => page.locator('[data-testid="problems"] li.qa-finding[data-code="sibling_levels"]');
const historyRows = () => page.locator('[data-testid="history"] li[data-seq]');

describe('Shift levels fix in the Problems panel', () => {
  it('shows the sibling_levels finding with a shift-down fix on the renumbered series', async () => {
    expect(sha(renumbered)).not.toBe(sha(original));
    await openFromWorklist(page, ID);
    await expect.poll(() => finding().count(), { timeout: 60_000 }).toBe(1);
    const lowest = Math.min(...[...new Set(renumbered)].map(levelOf).filter((l) => l !== null).map((l) => l.n));
    const highest = Math.max(...[...new Set(renumbered)].map(levelOf).filter((l) => l !== null).map((l) => l.n));
    expect(lowest).toBe(2); // L5 (1) is now 2
    const fix = finding().locator('[data-testid="qa-fix"]');
    expect(await fix.getAttribute('title')).toMatch(new RegExp(`^Shift levels ${lowest}–${highest} down by 1: `));
    expect(await pageLabels()).toBe(sha(renumbered));
    await finding().scrollIntoViewIfNeeded();
    await ws.shot('level-shift-1366x768');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await finding().scrollIntoViewIfNeeded();
    await ws.shot('level-shift-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('Fix shifts every label back in one journal entry; the finding goes', async () => {
    const moved = renumbered.reduce((n, v) => n + (levelOf(v) ? 1 : 0), 0);
    const journalBefore = (await app.ws.service.history({ seriesId: ID })).edits.length;
    expect(await historyRows().count()).toBe(0);
    await finding().locator('[data-testid="qa-fix"]').click();
    await expect.poll(() => finding().count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => historyRows().count()).toBe(1);
    expect(await historyRows().first().locator('.history-desc').textContent()).toBe(
      `QA fix: shift levels 2–${Math.max(...[...new Set(renumbered)].map(levelOf).filter((l) => l !== null).map((l) => l.n))} down by 1, ${moved.toLocaleString('en-US')} voxels`,
    );
    const journal = (await app.ws.service.history({ seriesId: ID })).edits;
    expect(journal.length).toBe(journalBefore + 1);
    expect(journal.at(-1)).toMatchObject({ tool: 'qaShift', state: 'active', voxelCount: moved });
    // Every level back where the generator put it: in the page and in main.
    await expect.poll(() => pageLabels()).toBe(sha(original));
    expect(await mainLabels()).toBe(sha(original));
    await expect.poll(() => page.locator('[data-testid="problems"] li.qa-finding[data-severity="error"]').count()).toBe(0);
    await page.locator('[data-testid="problems"]').scrollIntoViewIfNeeded();
    await ws.shot('level-shift-fixed');
  });

  it('undo restores the renumbered labels and the finding', async () => {
    await page.locator('[data-testid="history"] button', { hasText: 'Undo' }).click();
    await expect.poll(() => finding().count(), { timeout: 60_000 }).toBe(1);
    expect((await app.ws.service.history({ seriesId: ID })).edits.at(-1)!.state).toBe('undone');
    await expect.poll(() => pageLabels()).toBe(sha(renumbered));
    expect(await mainLabels()).toBe(sha(renumbered));
  });
});
