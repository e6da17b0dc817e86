// Several readers in the app (issue 16): two readers' packages are made with the real service (two workstations
// with their own store files on the same sample, scripted label edits and gradings, exportAnnotations), imported
// through File ▸ Import annotations… (the file input), again (already imported) and as a newer package of the same
// reader (conflict → Replace). The Agreement page then shows Cohen's κ equal to the value computed here from the
// scripted grades by the definition, the confusion matrix cells equal to the scripted pairs, the lowest-Dice series
// with the Dice counted here over the volumes, and its plots; a row opens its series. File ▸ Export annotations…
// downloads a package, and the export dialog sends the chosen source. Real server, real SQLite, Debian Chromium.
// Screenshots at 1366×768 and 1920×1080 in test-results/ (checked by eye).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MenuCommand } from '../../common/commands.js';
import { encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { gradingFieldSpec, type GradingField } from '../../common/gradings.js';
import { fmtKappa } from '../../common/plots/index.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

let app: AppFixture;
/** Package files on disk, as a person would pick them. */
const files: Record<'a' | 'b' | 'a2', string> = { a: '', b: '', a2: '' };
/** The volumes each reader ended with, per edited series. */
const volumes = new Map<string, { a: Uint8Array; b: Uint8Array }>();
/** The grades each reader set: key `${patient}:${level}:${field}`. */
const gradesA = new Map<string, number>();
const gradesB = new Map<string, number>();

function diffOf(from: Uint8Array, to: Uint8Array): VoxelDiff {
  const idx: number[] = [];
  for (let i = 0; i < from.length; i++) if (from[i] !== to[i]) idx.push(i);
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => from[i]!), after: Uint8Array.from(idx, (i) => to[i]!) };
}

/** The most frequent disc label of a volume (what the scripted readers disagree on). */
function discLabel(v: Uint8Array): number {
  const h = new Map<number, number>();
  for (const x of v) if (x > 200) h.set(x, (h.get(x) ?? 0) + 1);
  return [...h].sort((p, q) => q[1] - p[1])[0]![0];
}

/** A legal value of `field` other than `baseline`, chosen by `t` (so a reader's grade is always its own entry). */
function gradeValue(field: GradingField, baseline: number | null, t: number): number {
  const legal = gradingFieldSpec(field).values.filter((v) => v !== baseline);
  return legal[t % legal.length]!;
}

/** A reader: its own store on the app's dataset, label edits on `series` (`edit` maps the live volume to the reader's),
 *  grades on every level of the patients, then its package written to disk. Returns the package path. */
async function scriptedReader(
  name: string,
  series: readonly string[],
  edit: (v: Uint8Array, label: number) => Uint8Array,
  grade: (t: number, field: GradingField, baseline: number | null) => number,
  into: Map<string, number>,
  which: 'a' | 'b',
): Promise<{ ws: Workstation; file: string }> {
  const ws = await openWorkstation({ datasetRoot: app.dataset, storeFile: join(app.dir, `${name}.sqlite`), annotator: name });
  for (const id of series) {
    const opened = await ws.service.openSeries({ seriesId: id });
    const live = (await ws.volumeBytes(id, 'mask')).slice();
    const label = discLabel(live);
    const target = edit(live, label);
    const d = diffOf(live, target);
    expect(d.indices.length).toBeGreaterThan(0);
    await ws.service.commitEdit({
      seriesId: id, baseRevision: opened.revision, tool: 'brush', label: which === 'a' ? label : 0, description: `scripted ${name}`, diff: encodeDiff(d),
    });
    const entry = volumes.get(id) ?? { a: new Uint8Array(0), b: new Uint8Array(0) };
    entry[which] = target;
    volumes.set(id, entry);
  }
  let t = 0;
  for (const patientId of app.sample.patients) {
    const { levels } = await ws.service.getGradings({ patientId });
    for (const l of levels.filter((x) => x.ivdLabel >= 1)) {
      for (const field of ['pfirrmann', 'modic'] as const) {
        const value = grade(t++, field, l.baseline[field]);
        await ws.service.setGrading({ patientId, ivdLabel: l.ivdLabel, field, value });
        into.set(`${patientId}:${l.ivdLabel}:${field}`, value);
      }
    }
  }
  return { ws, file: await pack(ws, name) };
}

async function pack(ws: Workstation, name: string): Promise<string> {
  const pkg = await ws.service.exportAnnotations({ annotator: name });
  const file = join(app.dir, `${name.replace(/\W/g, '_')}-${Date.now()}.spinepkg`);
  writeFileSync(file, Buffer.from(pkg.data, 'base64'));
  return file;
}

/** Cohen's κ from the definition: po = Σ w_ij p_ij, pe = Σ w_ij r_i c_j, κ = (po − pe) / (1 − pe); quadratic
 *  weights w_ij = 1 − (i − j)² / (k − 1)², else w_ij = [i = j]. Written here, independent of the app's code. */
function kappa(pairs: [number, number][], cats: readonly number[], quadratic: boolean): { kappa: number | null; confusion: number[][] } {
  const k = cats.length;
  const confusion = cats.map(() => cats.map(() => 0));
  for (const [x, y] of pairs) confusion[cats.indexOf(x)]![cats.indexOf(y)]!++;
  const n = pairs.length;
  const w = (i: number, j: number): number => (quadratic ? 1 - (i - j) ** 2 / (k - 1) ** 2 : i === j ? 1 : 0);
  let po = 0;
  let pe = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const row = confusion[i]!.reduce((s, c) => s + c, 0) / n;
      const col = confusion.reduce((s, r) => s + r[j]!, 0) / n;
      po += (w(i, j) * confusion[i]![j]!) / n;
      pe += w(i, j) * row * col;
    }
  }
  return { kappa: n === 0 || pe === 1 ? null : (po - pe) / (1 - pe), confusion };
}

function pairsOf(field: GradingField): [number, number][] {
  const out: [number, number][] = [];
  for (const [key, a] of gradesA) {
    if (!key.endsWith(`:${field}`)) continue;
    const b = gradesB.get(key);
    if (b !== undefined) out.push([a, b]);
  }
  return out;
}

/** Per series the lowest Dice over the labels present in A or B, counted here over the two volumes. */
function worstDice(a: Uint8Array, b: Uint8Array): number {
  const na = new Map<number, number>();
  const nb = new Map<number, number>();
  const both = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    na.set(a[i]!, (na.get(a[i]!) ?? 0) + 1);
    nb.set(b[i]!, (nb.get(b[i]!) ?? 0) + 1);
    if (a[i] === b[i]) both.set(a[i]!, (both.get(a[i]!) ?? 0) + 1);
  }
  let worst = 1;
  for (const l of new Set([...na.keys(), ...nb.keys()])) {
    if (l === 0) continue;
    worst = Math.min(worst, (2 * (both.get(l) ?? 0)) / ((na.get(l) ?? 0) + (nb.get(l) ?? 0)));
  }
  return worst;
}

let edited: string[] = [];

beforeAll(async () => {
  app = await startApp({ patients: 3, annotator: 'Adj' });
  const listed = await app.ws.service.listSeries({});
  const withMask = listed.filter((s) => s.hasMask && s.openable);
  edited = [withMask[0]!.id, withMask.find((s) => s.patientId !== withMask[0]!.patientId)!.id];
  // Reader A grows the disc by one voxel along i where background touches it; B erases every other voxel of it.
  const a = await scriptedReader(
    'Reader A', edited,
    (v, l) => {
      const out = v.slice();
      for (let i = 1; i < v.length; i++) if (v[i] === l && v[i - 1] === 0) out[i - 1] = l;
      return out;
    },
    (t, field, base) => gradeValue(field, base, t),
    gradesA, 'a',
  );
  files.a = a.file;
  // A newer package of the same reader (another creation time, so another file): importing it is a conflict.
  await new Promise((r) => setTimeout(r, 1100));
  files.a2 = await pack(a.ws, 'Reader A');
  a.ws.close();
  const b = await scriptedReader(
    'Reader B', edited,
    (v, l) => {
      const out = v.slice();
      let seen = 0;
      for (let i = 0; i < v.length; i++) if (v[i] === l && seen++ % 2 === 0) out[i] = 0;
      return out;
    },
    // B agrees with A on every third grade and picks another legal value otherwise.
    (t, field, base) => gradeValue(field, base, t % 3 === 0 ? t : t + 1),
    gradesB, 'b',
  );
  files.b = b.file;
  b.ws.close();
}, 300_000);
afterAll(async () => app?.close());

async function openPage(width: number, height: number): Promise<{ page: Page; console: string[] }> {
  const page = await app.newPage({ width, height });
  const console: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) console.push(m.text());
  });
  await page.waitForSelector(`[data-series="${edited[0]}"]`);
  return { page, console };
}

const menu = (page: Page, c: MenuCommand): Promise<void> => page.evaluate((cmd) => window.__spine!.menu(cmd as never), c);

/** Imports a package file through File ▸ Import annotations…; returns the result element's attributes and text. */
async function importFile(page: Page, file: string): Promise<{ reader: string | null; already: string | null; text: string }> {
  await menu(page, 'import-annotations');
  const dialog = page.locator('[data-testid="import-annotations"]');
  await dialog.waitFor();
  await dialog.locator('[data-testid="import-file"]').setInputFiles(file);
  await dialog.locator('[data-testid="import-start"]').click();
  const result = dialog.locator('[data-testid="import-result"], [data-testid="import-error"]');
  await result.first().waitFor({ timeout: 60_000 });
  const out = { reader: await result.getAttribute('data-reader'), already: await result.getAttribute('data-already'), text: (await result.textContent()) ?? '' };
  if (out.reader === null) return out; // an error: the caller decides
  await dialog.locator('[data-testid="import-close"]').click();
  await dialog.waitFor({ state: 'detached' });
  return out;
}

describe('several readers in the app', () => {
  it('says plainly when no reader is imported yet', async () => {
    const { page, console } = await openPage(1366, 768);
    await page.keyboard.press('Shift+K');
    const dialog = page.locator('[data-testid="agreement"]');
    await dialog.locator('[data-testid="agreement-no-readers"]').waitFor();
    expect(await dialog.locator('[data-testid="agreement-a"]').inputValue()).toBe('local');
    expect(await dialog.locator('[data-testid="agreement-b"]').inputValue()).toBe('original');
    await dialog.locator('[data-testid="agreement-close"]').click();
    await dialog.waitFor({ state: 'detached' });
    expect(console).toEqual([]);
    await page.close();
  }, 120_000);

  it('imports both packages through the file input: once, again (already imported), a newer one (conflict → Replace)', async () => {
    const { page, console } = await openPage(1366, 768);
    const a = await importFile(page, files.a);
    expect(a).toMatchObject({ reader: 'Reader A', already: 'false' });
    expect(a.text).toContain(`Imported reader Reader A: ${edited.length} series with labels`);
    expect(await importFile(page, files.a)).toMatchObject({ reader: 'Reader A', already: 'true' });
    expect((await importFile(page, files.b)).reader).toBe('Reader B');

    const conflict = await importFile(page, files.a2);
    expect(conflict.reader).toBeNull();
    const dialog = page.locator('[data-testid="import-annotations"]');
    expect(await dialog.locator('[data-testid="import-error"]').getAttribute('data-code')).toBe('conflict');
    writeFileSync(WorkstationPage.shots('agreement-import-conflict-1366x768.png'), await page.screenshot());
    await dialog.locator('[data-testid="import-replace"]').click();
    await dialog.locator('[data-testid="import-result"]').waitFor({ timeout: 60_000 });
    expect(await dialog.locator('[data-testid="import-result"]').textContent()).toContain('Replaced reader Reader A');
    await dialog.locator('[data-testid="import-close"]').click();
    const readers = (await app.ws.service.listReaders({})).readers;
    expect(readers.map((r) => r.name)).toEqual(['Reader A', 'Reader B']);
    expect(readers[0]!.sha256).not.toBe(readers[1]!.sha256);
    expect(console).toEqual([]);
    await page.close();
  }, 180_000);

  it('refuses a damaged package and one of another dataset, typed, naming the problem; nothing is written', async () => {
    const { page, console } = await openPage(1366, 768);
    const before = (await app.ws.service.listReaders({})).readers;
    // One byte flipped in the middle of a valid package.
    const bytes = readFileSync(files.b);
    bytes[bytes.length >> 1]! ^= 0xff;
    const damaged = join(app.dir, 'damaged.spinepkg');
    writeFileSync(damaged, bytes);
    // A valid package of another dataset (another sample seed).
    const other = join(app.dir, 'other');
    await generateSample({ out: other, patients: 2, seed: 'another' });
    const ws = await openWorkstation({ datasetRoot: other, storeFile: join(app.dir, 'other.sqlite'), annotator: 'Reader C' });
    const level = (await ws.service.getGradings({ patientId: 1 })).levels.find((l) => l.ivdLabel >= 1)!;
    await ws.service.setGrading({ patientId: 1, ivdLabel: level.ivdLabel, field: 'pfirrmann', value: gradeValue('pfirrmann', level.values.pfirrmann, 0) });
    const foreign = await pack(ws, 'Reader C');
    ws.close();

    const dialog = page.locator('[data-testid="import-annotations"]');
    for (const [file, code] of [[damaged, 'invalid_file'], [foreign, 'invalid_request']] as const) {
      const r = await importFile(page, file);
      expect(r.reader, file).toBeNull();
      const err = dialog.locator('[data-testid="import-error"]');
      expect(await err.getAttribute('data-code')).toBe(code);
      if (code === 'invalid_file') expect(await err.textContent()).toContain('damaged.spinepkg');
      expect(await dialog.locator('[data-testid="import-replace"]').count()).toBe(0);
      if (code === 'invalid_request') writeFileSync(WorkstationPage.shots('agreement-import-foreign-1366x768.png'), await page.screenshot());
      await dialog.locator('[data-testid="import-close"]').click();
      await dialog.waitFor({ state: 'detached' });
    }
    expect((await app.ws.service.listReaders({})).readers).toEqual(before);
    expect(console).toEqual([]);
    await page.close();
  }, 180_000);

  it('the Agreement page shows κ and confusion matrices equal to the scripted grades, the lowest Dice, plots (1366×768)', async () => {
    const { page, console } = await openPage(1366, 768);
    await page.locator('[data-testid="agreement-open"]').click();
    const dialog = page.locator('[data-testid="agreement"]');
    await dialog.locator('[data-testid="agreement-report"]').waitFor({ timeout: 120_000 });
    expect(await dialog.locator('[data-testid="agreement-a"]').inputValue()).toBe('reader:Reader A');
    expect(await dialog.locator('[data-testid="agreement-b"]').inputValue()).toBe('reader:Reader B');
    expect(await dialog.locator('[data-testid="agreement-readers"] li').count()).toBe(2);

    for (const [field, quadratic] of [['pfirrmann', true], ['modic', false]] as const) {
      const pairs = pairsOf(field);
      expect(pairs.length).toBeGreaterThan(5);
      const expected = kappa(pairs, gradingFieldSpec(field).values, quadratic);
      const row = dialog.locator(`[data-testid="agreement-kappa"] tr[data-field="${field}"]`);
      expect(Number(await row.getAttribute('data-n'))).toBe(pairs.length);
      expect(Number(await row.getAttribute('data-kappa'))).toBeCloseTo(expected.kappa!, 9);
      expect(await row.locator('td.kappa').textContent()).toBe(fmtKappa(Math.round(expected.kappa! * 100) / 100));
      // The confusion matrix plot: every cell holds the scripted count (rows A, columns B).
      const cells = await dialog.locator(`#agree-confusion-${field} .cell`).evaluateAll((els) =>
        els.map((e) => [Number(e.getAttribute('data-a')), Number(e.getAttribute('data-b')), Number(e.getAttribute('data-count'))]));
      const cats = gradingFieldSpec(field).values;
      expect(cells).toHaveLength(cats.length ** 2);
      for (const [x, y, c] of cells) expect(c, `${field} ${x}→${y}`).toBe(expected.confusion[cats.indexOf(x!)]![cats.indexOf(y!)]);
    }
    // Per-level κ and the Dice distribution are drawn, and nothing says "No data".
    expect(await dialog.locator('#agree-kappa-pfirrmann .level').count()).toBeGreaterThan(0);
    expect(await dialog.locator('#agree-dice .point').count()).toBeGreaterThan(0);
    expect(await dialog.locator('#agree-confusion-pfirrmann .no-data, #agree-dice .no-data').count()).toBe(0);

    // Lowest Dice: exactly the edited series, with the Dice counted here.
    const rows = dialog.locator('[data-testid="agreement-worst"] tbody tr');
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-series')));
    expect([...ids].sort()).toEqual([...edited].sort());
    for (const id of edited) {
      const v = volumes.get(id)!;
      const dice = await dialog.locator(`[data-testid="agreement-worst"] tr[data-series="${id}"] td.num`).first().textContent();
      expect(dice).toBe(worstDice(v.a, v.b).toFixed(3));
    }
    // Every plot lies inside the window horizontally with readable text.
    const boxes = await dialog.locator('svg.plot').evaluateAll((els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { id: e.id, left: r.left, right: r.right, scale: r.width / Number(e.getAttribute('width')) };
    }));
    for (const b of boxes) {
      expect(b.left, b.id).toBeGreaterThanOrEqual(0);
      expect(b.right, b.id).toBeLessThanOrEqual(1366);
      expect(b.scale, b.id).toBeGreaterThan(0.85);
    }
    writeFileSync(WorkstationPage.shots('agreement-1366x768.png'), await page.screenshot());
    await dialog.locator('#agree-confusion-pfirrmann').scrollIntoViewIfNeeded();
    writeFileSync(WorkstationPage.shots('agreement-1366x768-plots.png'), await page.screenshot());
    await dialog.locator('[data-testid="agreement-worst"]').scrollIntoViewIfNeeded();
    writeFileSync(WorkstationPage.shots('agreement-1366x768-worst.png'), await page.screenshot());
    expect(console).toEqual([]);

    // A row opens its series (the page closes).
    await rows.first().locator('button').click();
    await dialog.waitFor({ state: 'detached' });
    await page.waitForFunction((id) => window.__spine?.lastOpen?.seriesId === id, ids[0], { timeout: 60_000 });
    // The header holds the Agreement button beside the open series' controls.
    const header = await page.locator('header.toolbar').boundingBox();
    const button = await page.locator('[data-testid="agreement-open"]').boundingBox();
    expect(button!.y + button!.height).toBeLessThanOrEqual(header!.y + header!.height + 1);
    writeFileSync(WorkstationPage.shots('agreement-header-1366x768.png'), await page.screenshot());
    await page.close();
  }, 240_000);

  it('at 1920×1080 the plots sit side by side; A vs the original lists the readers as sources', async () => {
    const { page, console } = await openPage(1920, 1080);
    await page.locator('[data-testid="agreement-open"]').click();
    const dialog = page.locator('[data-testid="agreement"]');
    await dialog.locator('[data-testid="agreement-report"]').waitFor({ timeout: 120_000 });
    const cm = await dialog.locator('#agree-confusion-pfirrmann').boundingBox();
    const pl = await dialog.locator('#agree-kappa-pfirrmann').boundingBox();
    expect(Math.abs(cm!.y - pl!.y)).toBeLessThan(4);
    writeFileSync(WorkstationPage.shots('agreement-1920x1080.png'), await page.screenshot());
    const options = await dialog.locator('[data-testid="agreement-b"] option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options).toEqual(['local', 'original', 'reader:Reader A', 'reader:Reader B']);
    // While main computes, the page says so (the answer is held back until that has been seen).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/agreement', async (route) => {
      await held;
      await route.continue();
    });
    await dialog.locator('[data-testid="agreement-b"]').selectOption('original');
    await dialog.locator('[data-testid="agreement-computing"]').waitFor({ timeout: 10_000 });
    expect(await dialog.locator('[data-testid="agreement-report"]').count()).toBe(0);
    release();
    await dialog.locator('[data-testid="agreement-report"]').waitFor({ timeout: 120_000 });
    await expect.poll(() => dialog.locator('[data-testid="agreement-label-summary"]').textContent(), { timeout: 120_000 }).toMatch(/series compared: 2 differ/);
    expect(console).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.close();
  }, 240_000);

  it('File ▸ Export annotations… downloads the package; the export dialog sends the chosen source', async () => {
    const { page, console } = await openPage(1366, 768);
    // The adjudicator has nothing of their own yet: refused, typed.
    await menu(page, 'export-annotations');
    const dialog = page.locator('[data-testid="export-annotations"]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-testid="export-annotator"]').inputValue()).toBe('Adj');
    await dialog.locator('[data-testid="export-annotations-start"]').click();
    await dialog.locator('[data-testid="export-annotations-error"]').waitFor({ timeout: 60_000 });
    // One grade of their own, then the package downloads under the name main chose.
    const level = (await app.ws.service.getGradings({ patientId: 1 })).levels.find((l) => l.ivdLabel >= 1)!;
    await app.ws.service.setGrading({ patientId: 1, ivdLabel: level.ivdLabel, field: 'modic', value: gradeValue('modic', level.values.modic, 1) });
    const download = page.waitForEvent('download');
    await dialog.locator('[data-testid="export-annotations-start"]').click();
    const d = await download;
    const shown = await dialog.locator('[data-testid="export-annotations-result"]').getAttribute('data-file');
    expect(d.suggestedFilename()).toBe(shown);
    expect(shown).toMatch(/Adj.*\.spinepkg$/);
    const saved = join(app.dir, 'downloaded.spinepkg');
    await d.saveAs(saved);
    expect(readFileSync(saved).length).toBeGreaterThan(32);
    await dialog.locator('button', { hasText: 'Done' }).click();

    // The export dialog: the readers are offered as sources and the chosen one is sent.
    await menu(page, 'export');
    const exp = page.locator('[data-testid="export-dialog"]');
    await exp.waitFor();
    await expect.poll(() => exp.locator('[data-testid="export-source"] option').count()).toBe(4);
    await exp.locator('[data-testid="export-source"]').selectOption('reader:Reader B');
    await exp.locator('[data-testid="export-out"]').fill(join(app.dir, 'export-b'));
    writeFileSync(WorkstationPage.shots('agreement-export-source-1366x768.png'), await page.screenshot());
    const sent = page.waitForRequest('**/api/startExport');
    await exp.locator('[data-testid="export-start"]').click();
    expect(JSON.parse((await sent).postData() ?? '{}')).toMatchObject({ source: 'reader:Reader B' });
    await exp.locator('[data-testid="export-result"]').waitFor({ timeout: 120_000 });
    expect(console).toEqual([]);
    await page.close();
  }, 240_000);
});
