// Compare and adjudicate in the viewer (issue 16 items 2–3): two readers' packages are made with the real service
// (two workstations with their own store files on the app's sample: "Reader A" grades one level, "Reader B" removes
// the superior half of a vertebra in one series and grades the same level otherwise) and imported into the app's
// store (adjudicator "Adj"). In Chromium: the Compare panel defaults to A = Reader A, B = Reader B; B's labels are
// outlined (pixels of the vertebra's colour only where B has it: below the cut, none where only A has it); a click on
// the disagreement puts the crosshair on main's focus voxel (which lies in the removed half); "B" writes ONE
// 'adjudicate' journal entry by Adj after which main's labels equal B's voxel by voxel; a level taken from A sets
// A's grade; the progress line follows. Screenshots at 1366×768 and 1920×1080 in test-results/compare/.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexToWorld, type Vec3, type VolumeGeometry } from '../../common/geometry.js';
import { encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { openWorkstation } from '../../main/core/workstation.js';
import { startApp, type AppFixture } from './support/app.js';
import { colour, WorkstationPage } from './support/workstationPage.js';
import { near, pixelAt, type Pixels, type Rgb } from './viewer/png.js';
import { compareColor } from '../../renderer/viewer/compareAppearance.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
let seriesId = '';
let patientId = 0;
let geometry: VolumeGeometry;
/** The vertebra the readers disagree on, the original labels and Reader B's. */
const LABEL = 3;
let original: Uint8Array;
let readerB: Uint8Array;
/** The level both readers graded, and their Pfirrmann grades. */
let level = 0;
let gradeA = 0;
let gradeB = 0;

function diffOf(from: Uint8Array, to: Uint8Array): VoxelDiff {
  const idx: number[] = [];
  for (let i = 0; i < from.length; i++) if (from[i] !== to[i]) idx.push(i);
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => from[i]!), after: Uint8Array.from(idx, (i) => to[i]!) };
}

/** One reader's store on the app's dataset: `work` edits it; then its package goes into the app's store. */
async function reader(name: string, work: (w: Awaited<ReturnType<typeof openWorkstation>>) => Promise<void>): Promise<void> {
  const w = await openWorkstation({ datasetRoot: app.dataset, storeFile: join(app.dir, `${name}.sqlite`), annotator: name });
  try {
    await work(w);
    const pkg = await w.service.exportAnnotations({ annotator: name });
    const res = await app.ws.service.importAnnotations({ fileName: pkg.fileName, data: pkg.data });
    expect(res.reader.name).toBe(name);
  } finally {
    w.close();
  }
}

beforeAll(async () => {
  app = await startApp({ annotator: 'Adj' });
  // A series without injected faults whose labels hold the vertebra.
  const faulty = new Set(app.sample.faults.map((f) => f.seriesId));
  for (const s of app.sample.series.filter((x) => !faulty.has(x.id))) {
    const o = await app.ws.service.openSeries({ seriesId: s.id });
    const v = (await app.ws.volumeBytes(s.id, 'mask')).slice();
    if (!v.includes(LABEL)) continue;
    seriesId = s.id;
    patientId = o.patientId;
    geometry = o.image.geometry;
    original = v;
    break;
  }
  expect(seriesId).not.toBe('');
  // Reader B: the vertebra's voxels superior to its centroid (LPS z above the mean) become background.
  const [nx, ny] = geometry.size;
  const zs: number[] = [];
  for (let p = 0; p < original.length; p++) if (original[p] === LABEL) zs.push(indexToWorld(geometry, [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))])[2]);
  const zMean = zs.reduce((s, z) => s + z, 0) / zs.length;
  readerB = original.slice();
  for (let p = 0; p < original.length; p++) {
    if (original[p] === LABEL && indexToWorld(geometry, [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))])[2] > zMean) readerB[p] = 0;
  }
  const levels = (await app.ws.service.getGradings({ patientId })).levels.filter((l) => l.ivdLabel >= 1);
  level = levels[0]!.ivdLabel;
  const baseline = levels[0]!.baseline.pfirrmann;
  const others = [1, 2, 3, 4, 5].filter((v) => v !== baseline);
  gradeA = others[0]!;
  gradeB = others[1]!;
  await reader('Reader A', async (w) => {
    await w.service.setGrading({ patientId, ivdLabel: level, field: 'pfirrmann', value: gradeA });
  });
  await reader('Reader B', async (w) => {
    const o = await w.service.openSeries({ seriesId });
    await w.service.commitEdit({ seriesId, baseRevision: o.revision, tool: 'eraser', label: 0, description: 'scripted cut', diff: encodeDiff(diffOf(original, readerB)) });
    await w.service.setGrading({ patientId, ivdLabel: level, field: 'pfirrmann', value: gradeB });
  });
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('compare'));
}, 240_000);
afterAll(async () => {
  await page?.close();
  await app?.close();
});

const panel = () => page.locator('[data-testid="compare"]');
const labelRow = () => panel().locator(`[data-testid="compare-label"][data-label="${LABEL}"]`);
const progress = () => panel().locator('[data-testid="compare-progress"]').textContent();
const crosshair = (): Promise<Vec3> => page.evaluate(() => window.__spine!.viewer!.getCrosshair());

/** Page pixels of colour `c` (default: the vertebra's compare outline) in the sagittal view, with their bounding rows. */
async function labelPixels(px: Pixels, c: Rgb = compareColor(LABEL)): Promise<{ count: number; top: number; bottom: number }> {
  const box = (await page.locator('[data-view="sagittal"]').boundingBox())!;
  let count = 0, top = Infinity, bottom = -Infinity;
  for (let y = Math.ceil(box.y); y < box.y + box.height; y++) {
    for (let x = Math.ceil(box.x); x < box.x + box.width; x++) {
      if (!near(pixelAt(px, x, y), c, 12)) continue;
      count++;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return { count, top, bottom };
}

describe('Compare panel', () => {
  it('defaults to the two readers and lists the vertebra they disagree on, with the progress', async () => {
    await page.waitForSelector('[data-testid="worklist"]');
    await page.locator(`[data-series="${seriesId}"]`).dblclick();
    await page.waitForFunction((id) => window.__spine?.lastOpen?.seriesId === id, seriesId, { timeout: 60_000 });
    await expect.poll(() => page.locator('[data-testid="compare-a"]').inputValue(), { timeout: 30_000 }).toBe('reader:Reader A');
    expect(await page.locator('[data-testid="compare-b"]').inputValue()).toBe('reader:Reader B');
    await expect.poll(() => labelRow().count(), { timeout: 30_000 }).toBe(1);
    // Dice of the vertebra between A (= original) and B, counted here.
    let a = 0, b = 0, both = 0;
    for (let p = 0; p < original.length; p++) {
      const x = original[p] === LABEL, y = readerB[p] === LABEL;
      if (x) a++;
      if (y) b++;
      if (x && y) both++;
    }
    expect(await labelRow().locator('[data-testid="compare-dice"]').textContent()).toBe(`Dice ${((2 * both) / (a + b)).toFixed(3)}`);
    expect(await panel().locator('[data-testid="compare-label"]').count()).toBe(1); // nothing else differs
    expect(await panel().locator(`[data-testid="compare-level"][data-level="${level}"]`).textContent()).toContain(`Pfirrmann grade: ${['', 'I', 'II', 'III', 'IV', 'V'][gradeA]} vs ${['', 'I', 'II', 'III', 'IV', 'V'][gradeB]}`);
    await expect.poll(progress, { timeout: 30_000 }).toBe('Labels 0/1 decided · Levels 0/1');
  });

  it('a click on the disagreement puts the crosshair on main\'s focus voxel, inside the removed half', async () => {
    const agr = await app.ws.service.seriesAgreement({ seriesId, a: 'reader:Reader A', b: 'reader:Reader B' });
    const focus = agr.labels.find((l) => l.value === LABEL)!.focus!;
    const [nx, ny] = geometry.size;
    const p = focus.ijk[0] + nx * (focus.ijk[1] + ny * focus.ijk[2]);
    expect([original[p], readerB[p]]).toEqual([LABEL, 0]);
    const before = await crosshair();
    await labelRow().locator('.compare-name').click();
    const after = await crosshair();
    expect(Math.hypot(after[0] - before[0], after[1] - before[1], after[2] - before[2])).toBeGreaterThan(1);
    for (const i of [0, 1, 2] as const) expect(Math.abs(after[i] - focus.world[i]), `axis ${i}`).toBeLessThanOrEqual(Math.max(...geometry.spacing) / 2 + 1e-6);
  });

  it('outlines B\'s labels: the vertebra\'s rim only where B has it, none where only A has it', async () => {
    const focus = await crosshair();
    await page.keyboard.press('c'); // crosshair lines off: nothing but labels and outlines in colour
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('h'); // the filled (local) labels hidden: what is left in colour is the outline
    const focusY = (await ws.toPage('sagittal', focus))[1];
    await expect.poll(async () => (await labelPixels(await ws.shot('outline-only'))).count, { timeout: 20_000 }).toBeGreaterThan(20);
    const outlined = await labelPixels(await ws.shot('outline-only'));
    // B's vertebra is the inferior half only: its rim starts below the focus (which lies in the removed half).
    expect(outlined.top).toBeGreaterThan(focusY);
    await panel().locator('[data-testid="compare-outline"]').uncheck();
    await expect.poll(async () => (await labelPixels(await ws.shot('outline-off'))).count).toBe(0);
    // The local labels as outlines instead: the whole vertebra, so its rim reaches above the focus.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // keys go to the views again
    await page.keyboard.press('h');
    await page.keyboard.press('o');
    await ws.setOpacity(1); // rims in the label's own colour, not blended
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const local = await labelPixels(await ws.shot('local-outline'), colour(LABEL));
    expect(local.top).toBeLessThan(focusY);
    await ws.setOpacity(0.5);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('o');
    await page.keyboard.press('c');
    await panel().locator('[data-testid="compare-outline"]').check();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await ws.shot('compare-1366x768');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await ws.shot('compare-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
    // The right column never covers the label panel: both lie inside it, the label panel fully reachable.
    const right = (await page.locator('[data-testid="right-panel"]').boundingBox())!;
    const cmp = (await panel().boundingBox())!;
    expect(cmp.x).toBeGreaterThanOrEqual(right.x - 1);
    expect(cmp.x + cmp.width).toBeLessThanOrEqual(right.x + right.width + 1);
  });

  it('"B" takes B\'s vertebra as one adjudicate entry by Adj; main\'s labels then equal B\'s; progress follows', async () => {
    const before = (await app.ws.service.history({ seriesId })).edits.length;
    await labelRow().locator('[data-testid="compare-take-b"]').click();
    await expect.poll(progress, { timeout: 30_000 }).toBe('Labels 1/1 decided · Levels 0/1');
    const edits = (await app.ws.service.history({ seriesId })).edits;
    expect(edits.length).toBe(before + 1);
    expect(edits.at(-1)).toMatchObject({ tool: 'adjudicate', annotator: 'Adj', label: LABEL, state: 'active' });
    expect(edits.at(-1)!.description).toMatch(/^Adjudicate L3: Reader B, [\d,]+ voxels$/);
    const now = await app.ws.volumeBytes(seriesId, 'mask');
    let mismatches = 0;
    for (let p = 0; p < now.length; p++) if (now[p] !== readerB[p]) mismatches++;
    expect(mismatches).toBe(0);
    await expect.poll(() => labelRow().locator('[data-testid="compare-decided"]').textContent()).toMatch(/^✓ B \(Reader B\) · Adj · /);
    await expect.poll(() => page.locator('[data-testid="history"] li[data-seq] .history-desc').first().textContent()).toMatch(/^Adjudicate L3: Reader B/);
  });

  it('a click on a differing level selects it in the grading dock', async () => {
    await panel().locator(`[data-testid="compare-level"][data-level="${level}"] .compare-name`).click();
    await expect.poll(() => page.locator('.grading-table tr.selected').getAttribute('data-level')).toBe(String(level));
  });

  it('a level taken from A gets A\'s grade; undo of the label edit is the ordinary Ctrl+Z', async () => {
    await panel().locator(`[data-testid="compare-level"][data-level="${level}"] [data-testid="compare-take-a"]`).click();
    await expect.poll(progress, { timeout: 30_000 }).toBe('Labels 1/1 decided · Levels 1/1');
    const lv = (await app.ws.service.getGradings({ patientId })).levels.find((l) => l.ivdLabel === level)!;
    expect(lv.values.pfirrmann).toBe(gradeA);
    await expect.poll(() => panel().locator(`[data-testid="compare-level"][data-level="${level}"] [data-testid="compare-decided"]`).textContent()).toMatch(/^✓ A \(Reader A\) · Adj · /);
    await ws.shot('compare-decided');
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await app.ws.service.history({ seriesId })).edits.at(-1)!.state, { timeout: 20_000 }).toBe('undone');
    const now = await app.ws.volumeBytes(seriesId, 'mask');
    let mismatches = 0;
    for (let p = 0; p < now.length; p++) if (now[p] !== original[p]) mismatches++;
    expect(mismatches).toBe(0);
  });

  it('with A = you: "A" keeps your labels (a decision, no journal entry); a locked label refuses "B" by name', async () => {
    await panel().locator('[data-testid="compare-a"]').selectOption('local');
    expect(await panel().locator('[data-testid="compare-a"] option:checked').textContent()).toBe('You (Adj)');
    await expect.poll(() => labelRow().count(), { timeout: 30_000 }).toBe(1);
    const before = (await app.ws.service.history({ seriesId })).edits.length;
    await labelRow().locator('[data-testid="compare-take-a"]').click();
    await expect.poll(() => labelRow().locator('[data-testid="compare-decided"]').textContent(), { timeout: 30_000 }).toMatch(/^✓ A \(You \(Adj\)\) · Adj · /);
    expect((await app.ws.service.history({ seriesId })).edits.length).toBe(before);
    const latest = app.ws.store.readers.latestDecisions().find((d) => d.kind === 'label' && d.seriesId === seriesId && d.label === LABEL)!;
    expect(latest).toMatchObject({ from: 'local', editSeq: null, annotator: 'Adj' });
    // Locked L3: taking B's is refused by name, nothing written.
    const lock = page.getByRole('checkbox', { name: 'Lock L3', exact: true });
    await lock.check();
    await labelRow().locator('[data-testid="compare-take-b"]').click();
    await expect.poll(() => panel().locator('[data-testid="compare-error"]').textContent()).toBe('Label 3 (L3) is locked: unlock it to take it from another reader');
    expect((await app.ws.service.history({ seriesId })).edits.length).toBe(before);
    await lock.uncheck();
    // "Edited": decided by hand.
    await labelRow().locator('[data-testid="compare-edited"]').click();
    await expect.poll(() => labelRow().locator('[data-testid="compare-decided"]').textContent(), { timeout: 30_000 }).toMatch(/^✓ edited · Adj · /);
    await ws.shot('compare-you-vs-b');
  });
});
