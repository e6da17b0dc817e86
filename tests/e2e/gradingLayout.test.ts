// Grading layout e2e (issue 15 items 1–2) on the real web server, a real SQLite store and Chromium: Shift+G shows
// one sagittal view per series of the patient (T1, T2 and T2 SPACE: both on-disk orientation groups), each at its
// mid-sagittal slice (checked against the canal in the .mha mask, computed here in world terms), linked in mm
// (crosshair and zoom follow, window/level stays per view), centred on each series' own disc when a level is chosen
// in the grading dock, stepped ±1 from mid (shown in slices and mm); a click on a disc in a view selects its row in
// the dock and centres the other views on it; toggling back restores the normal views, where editing still works;
// while open, editing keys and label-writing commands are refused with a word in the status bar (navigate only),
// and while closed, ← / → / Home say that they belong to the layout. A patient's levels are graded by keyboard alone
// with the views side by side, each centred on the level's disc in its own mask.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axisVector, indexToWorld, worldToIndex, type Axis, type Vec3, type VolumeGeometry } from '../../common/geometry.js';
import { readMetaImage } from '../../main/core/mha/index.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';
import { decodePng } from './viewer/png.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
let patient: number;
let ids: string[];
let open: string;
/** Canvases in the page before the layout opened (its viewers' canvases must all go again when it closes). */
let canvasesBefore = 0;

interface Mask {
  geometry: VolumeGeometry;
  data: ArrayLike<number | bigint>;
}
const masks = new Map<string, Mask>();
async function mask(id: string): Promise<Mask> {
  if (!masks.has(id)) masks.set(id, await readMetaImage(join(app.dataset, 'masks', `${id}.mha`)));
  return masks.get(id)!;
}

/** The index axis nearest to world x, found from the direction's x components. */
function lrAxis(g: VolumeGeometry): Axis {
  const xs = [0, 1, 2].map((a) => Math.abs(g.direction[3 * a]!));
  return xs.indexOf(Math.max(...xs)) as Axis;
}

/** Mean world x of canal voxels (optionally only those with world z in [zLo, zHi]) and the slice nearest to it. */
async function canalSlice(id: string, band?: [number, number]): Promise<{ x: number; slice: number }> {
  const m = await mask(id);
  const g = m.geometry;
  const [nx, ny, nz] = g.size;
  let sx = 0;
  let n = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (Number(m.data[i + nx * (j + ny * k)]) !== 100) continue;
    const w = indexToWorld(g, [i, j, k]);
    if (band && (w[2] < band[0] || w[2] > band[1])) continue;
    sx += w[0];
    n++;
  }
  const x = sx / n;
  const axis = lrAxis(g);
  return { x, slice: Math.round(worldToIndex(g, [x, g.origin[1], g.origin[2]])[axis]) };
}

/** World z range of a disc's voxel centres. */
async function discBand(id: string, value: number): Promise<[number, number]> {
  const m = await mask(id);
  const [nx, ny, nz] = m.geometry.size;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (Number(m.data[i + nx * (j + ny * k)]) !== value) continue;
    const z = indexToWorld(m.geometry, [i, j, k])[2];
    lo = Math.min(lo, z);
    hi = Math.max(hi, z);
  }
  return [lo, hi];
}

async function labelAt(id: string, world: Vec3): Promise<number> {
  const m = await mask(id);
  const [i, j, k] = worldToIndex(m.geometry, world).map(Math.round) as Vec3;
  const [nx, ny] = m.geometry.size;
  return Number(m.data[i + nx * (j + ny * k)]);
}

interface Pane {
  id: string;
  slice: number;
  mid: number;
  offset: number;
  scope: string;
  crosshair: Vec3;
  centre: Vec3;
  window: number;
  level: number;
  mmPerPx: number;
}

async function panes(): Promise<Pane[]> {
  return page.locator('[data-testid="grading-pane"]').evaluateAll((els) =>
    els.map((e) => {
      const d = (e as HTMLElement).dataset;
      const vec = (s: string | undefined): Vec3 => (s ?? '').split(',').map(Number) as Vec3;
      return {
        id: d['paneSeries']!, slice: Number(d['slice']), mid: Number(d['mid']), offset: Number(d['offset']), scope: d['scope'] ?? '',
        crosshair: vec(d['crosshair']), centre: vec(d['centre']), window: Number(d['window']), level: Number(d['level']), mmPerPx: Number(d['mmPerPx']),
      };
    }),
  );
}
const pane = async (id: string): Promise<Pane> => (await panes()).find((p) => p.id === id)!;
const view = (id: string) => page.locator(`[data-testid="grading-pane"][data-pane-series="${id}"] .grading-pane-view`);
const status = async (): Promise<string> => (await page.locator('[data-testid="statusbar"]').textContent()) ?? '';
/** Distance between two sagittal slices of a series (mm), from its mask's grid. */
const sliceMm = async (id: string): Promise<number> => {
  const g = (await mask(id)).geometry;
  return g.spacing[lrAxis(g)];
};
/** Two animation frames: the views' coalesced render has happened. */
const frames = (): Promise<void> => page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

async function showLayout(): Promise<void> {
  await page.locator('[data-testid="viewer"]').hover();
  await page.keyboard.press('Shift+G');
  await page.locator('[data-testid="grading-layout"]').waitFor();
  await expect.poll(async () => (await panes()).every((p) => Number.isFinite(p.slice) && p.mmPerPx > 0), { timeout: 30_000 }).toBe(true);
  await frames();
}

/** Fraction of a view's pixels that are not near-black (a view that failed to draw is all black). */
async function litFraction(id: string): Promise<number> {
  const px = decodePng(await view(id).screenshot());
  let lit = 0;
  for (let p = 0; p < px.data.length; p += 4) if (px.data[p]! + px.data[p + 1]! + px.data[p + 2]! > 60) lit++;
  return lit / (px.width * px.height);
}

beforeAll(async () => {
  app = await startApp({ patients: 1, seed: 'grading-layout' });
  const first = app.sample.series.filter((s) => s.patientId === app.sample.patients[0]);
  patient = app.sample.patients[0]!;
  ids = first.map((s) => s.id);
  open = ids.find((id) => id.endsWith('_t1'))!;
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('gradingLayout'));
  await openFromWorklist(page, open);
}, 120_000);
afterAll(async () => app?.close());

describe('grading layout', () => {
  it('says so when ← / → / Home are pressed with the layout closed, and leaves the views alone', async () => {
    await page.locator('[data-testid="viewer"]').hover();
    const before = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    for (const [key, shown] of [['ArrowRight', '→'], ['ArrowLeft', '←'], ['Home', 'Home']] as const) {
      await page.keyboard.press(key);
      await expect.poll(status).toContain(`${shown}: steps the views of the grading layout, which is closed — open it with Shift+G`);
    }
    expect(await page.locator('[data-testid="grading-layout"]').count()).toBe(0);
    expect(await page.evaluate(() => window.__spine!.viewer!.getCrosshair())).toEqual(before);
  });

  it('shows one sagittal view per series of the patient, each at its mid-sagittal slice from the canal', async () => {
    expect(ids.map((id) => id.replace(/^\d+_/, '')).sort()).toEqual(['t1', 't2', 't2_SPACE']);
    canvasesBefore = await page.locator('canvas').count();
    await showLayout();
    const shown = await panes();
    expect(shown.map((p) => p.id)).toEqual([`${patient}_t1`, `${patient}_t2`, `${patient}_t2_SPACE`]);
    // A viewer of its own per series (its canvases live in its pane).
    for (const p of shown) expect(await view(p.id).locator('canvas').count(), `${p.id} viewer`).toBeGreaterThan(0);
    const groups = new Set<string>();
    for (const p of shown) {
      const expected = await canalSlice(p.id);
      expect(p.slice, `${p.id} mid-sagittal slice`).toBe(expected.slice);
      expect(p).toMatchObject({ mid: expected.slice, offset: 0, scope: 'canal' });
      groups.add((await mask(p.id)).geometry.direction.join(','));
      expect(await litFraction(p.id), `${p.id} draws`).toBeGreaterThan(0.1);
    }
    expect(groups.size, 'both orientation groups (LPS and PIR)').toBe(2);
    expect(await page.locator('[data-testid="mid-offset"]').textContent()).toBe('mid');
    await ws.shot('layout-1366x768');
  });

  it('links the crosshair and zoom in mm, each view keeping its own slice and window/level', async () => {
    const before = await panes();
    const box = (await view(before[0]!.id).boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.35);
    await expect.poll(async () => (await pane(before[0]!.id)).crosshair.join()).not.toBe(before[0]!.crosshair.join());
    const clicked = await panes();
    const c0 = clicked[0]!.crosshair;
    for (const p of clicked) {
      expect(p.crosshair[1], `${p.id} A-P follows`).toBeCloseTo(c0[1], 3);
      expect(p.crosshair[2], `${p.id} S-I follows`).toBeCloseTo(c0[2], 3);
      expect(p.slice, `${p.id} keeps its own L-R slice`).toBe(before.find((b) => b.id === p.id)!.slice);
    }
    // Ctrl+wheel zoom in the second view: every view at the same mm per pixel, all zoomed in.
    const b1 = (await view(before[1]!.id).boundingBox())!;
    await page.mouse.move(b1.x + b1.width / 2, b1.y + b1.height / 2);
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -300);
    await page.keyboard.up('Control');
    await expect.poll(async () => (await pane(before[1]!.id)).mmPerPx).toBeLessThan(before[1]!.mmPerPx);
    const zoomed = await panes();
    for (const p of zoomed) expect(p.mmPerPx / zoomed[1]!.mmPerPx, `${p.id} zoom follows`).toBeCloseTo(1, 6);
    // Middle-drag pan in the third view: the others move by the same world shift.
    const b2 = (await view(before[2]!.id).boundingBox())!;
    await page.mouse.move(b2.x + b2.width / 2, b2.y + b2.height / 2);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(b2.x + b2.width / 2 + 30, b2.y + b2.height / 2 + 40, { steps: 4 });
    await page.mouse.up({ button: 'middle' });
    await expect.poll(async () => (await pane(before[2]!.id)).centre.join()).not.toBe(zoomed[2]!.centre.join());
    const panned = await panes();
    const shift = (p: Pane, q: Pane): number[] => [1, 2].map((a) => p.centre[a]! - q.centre[a]!);
    const moved = shift(panned[2]!, zoomed[2]!);
    expect(Math.hypot(...moved)).toBeGreaterThan(1);
    for (let n = 0; n < 2; n++) shift(panned[n]!, zoomed[n]!).forEach((d, a) => expect(d, `${panned[n]!.id} pans along`).toBeCloseTo(moved[a]!, 3));
    // Right drag (window/level) in the T2 view: only that view changes.
    await page.mouse.move(b1.x + b1.width / 2, b1.y + b1.height / 2);
    await page.mouse.down({ button: 'right' });
    await page.mouse.move(b1.x + b1.width / 2 + 60, b1.y + b1.height / 2 + 20, { steps: 4 });
    await page.mouse.up({ button: 'right' });
    await expect.poll(async () => (await pane(before[1]!.id)).window).not.toBe(panned[1]!.window);
    const wl = await panes();
    for (const n of [0, 2]) expect([wl[n]!.window, wl[n]!.level], `${wl[n]!.id} keeps its window/level`).toEqual([panned[n]!.window, panned[n]!.level]);
  });

  it('centres every view on its own disc, at the mid-sagittal slice of the canal at that level', async () => {
    const row = page.locator('[data-testid="grading-panel"] tr[data-level="3"] td.level-name');
    await row.click();
    await expect.poll(async () => (await panes()).every((p) => p.scope === 'level'), { timeout: 20_000 }).toBe(true);
    for (const p of await panes()) {
      expect(await labelAt(p.id, p.crosshair), `${p.id}: crosshair on its own L3/L4 disc (203)`).toBe(203);
      expect(p.centre[1]).toBeCloseTo(p.crosshair[1], 3);
      expect(p.centre[2]).toBeCloseTo(p.crosshair[2], 3);
      const [lo, hi] = await discBand(p.id, 203);
      const g = (await mask(p.id)).geometry;
      const half = Math.max(...[0, 1, 2].map((a) => Math.abs(axisVector(g, a as Axis)[2] * g.spacing[a]!))) / 2;
      const canal = await canalSlice(p.id, [lo - half, hi + half]);
      expect(p.slice, `${p.id}: mid-sagittal at the level`).toBe(canal.slice);
      expect(p.offset).toBe(0);
    }
    await frames();
    await ws.shot('level-1366x768');
  });

  it('steps ±1 slice from mid in every view (towards the patient’s left = +), and back to mid', async () => {
    const mid = await panes();
    const sign = async (id: string): Promise<number> => {
      const g = (await mask(id)).geometry;
      return Math.sign(axisVector(g, lrAxis(g))[0]);
    };
    // Each view says its offset in slices and in mm (its own slice distance); the header in mm only when they agree.
    const mms = await Promise.all(mid.map((p) => sliceMm(p.id)));
    const header = (n: string): string => (new Set(mms.map((mm) => mm.toFixed(1))).size === 1 ? `mid ${n} (${mms[0]!.toFixed(1)} mm)` : `mid ${n}`);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('[data-testid="mid-offset"]').textContent()).toBe(header('+1'));
    expect(await page.locator('[data-testid="grading-pane"] .offset').allTextContents()).toEqual(mms.map((mm) => `mid +1 (${mm.toFixed(1)} mm)`));
    for (const p of await panes()) {
      expect(p.offset).toBe(1);
      expect(p.slice, `${p.id} one slice left`).toBe(mid.find((m) => m.id === p.id)!.slice + (await sign(p.id)));
    }
    await page.keyboard.press('ArrowLeft');
    await page.locator('[data-testid="mid-previous"]').click();
    await expect.poll(() => page.locator('[data-testid="mid-offset"]').textContent()).toBe(header('−1'));
    for (const p of await panes()) expect(p.slice).toBe(mid.find((m) => m.id === p.id)!.slice - (await sign(p.id)));
    expect(await page.locator('[data-testid="grading-pane"] .offset').allTextContents()).toEqual(mms.map((mm) => `mid −1 (${mm.toFixed(1)} mm)`));
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('[data-testid="grading-pane"] .offset').allTextContents()).toEqual(mms.map((mm) => `mid −2 (${(2 * mm).toFixed(1)} mm)`));
    // At 1366 px the three captions are narrow: each offset is shown whole, inside its pane.
    for (const el of await page.locator('[data-testid="grading-pane"]').all()) {
      const [p, o] = [(await el.boundingBox())!, (await el.locator('.offset').boundingBox())!];
      expect(o.x + o.width, 'offset inside its pane').toBeLessThanOrEqual(p.x + p.width);
      expect(await el.locator('.offset').evaluate((e) => e.scrollWidth <= e.clientWidth), 'offset not cut').toBe(true);
    }
    await ws.shot('offset-mm-1366x768');
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('[data-testid="mid-offset"]').textContent()).toBe('mid');
    expect((await panes()).map((p) => p.slice)).toEqual(mid.map((p) => p.slice));
  });

  it('selects the level of a disc clicked in a view in the dock, and centres the other views on their own disc', async () => {
    const id = `${patient}_t2`;
    const before = await pane(id);
    expect(await page.locator('[data-testid="grading-panel"] tr[data-level="4"]').getAttribute('class')).not.toContain('selected');
    // A voxel of disc 204 (L2/L3) in the slice the T2 view shows, inside the disc (its in-plane neighbours too).
    const m = await mask(id);
    const g = m.geometry;
    const axis = lrAxis(g);
    const [nx, ny, nz] = g.size;
    const at = (ijk: number[]): number => Number(m.data[ijk[0]! + nx * (ijk[1]! + ny * ijk[2]!)]);
    const inside: Vec3[] = [];
    for (let k = 1; k < nz - 1; k++) for (let j = 1; j < ny - 1; j++) for (let i = 1; i < nx - 1; i++) {
      const ijk = [i, j, k];
      if (ijk[axis] !== before.slice || at(ijk) !== 204) continue;
      const around = [0, 1, 2].filter((a) => a !== axis).flatMap((a) => [-1, 1].map((d) => ijk.map((v, b) => (b === a ? v + d : v))));
      if (around.every((n) => at(n) === 204)) inside.push(indexToWorld(g, ijk as Vec3));
    }
    expect(inside.length, 'disc 204 in the shown T2 slice').toBeGreaterThan(0);
    const mean = [0, 1, 2].map((a) => inside.reduce((t, w) => t + w[a]!, 0) / inside.length);
    const target = inside.reduce((b, w) => (Math.hypot(w[1] - mean[1]!, w[2] - mean[2]!) < Math.hypot(b[1] - mean[1]!, b[2] - mean[2]!) ? w : b));
    // Sagittal views: screen right = posterior (+y), screen up = superior (+z), about the view's centre.
    const box = (await view(id).boundingBox())!;
    await page.mouse.click(box.x + box.width / 2 + (target[1] - before.centre[1]) / before.mmPerPx, box.y + box.height / 2 - (target[2] - before.centre[2]) / before.mmPerPx);
    await expect.poll(() => page.locator('[data-testid="grading-panel"] tr[data-level="4"]').getAttribute('class')).toContain('selected');
    const after = await panes();
    const [lo, hi] = await discBand(id, 204);
    for (const p of after) {
      expect(await labelAt(p.id, p.crosshair), `${p.id}: crosshair on its own disc 204`).toBe(204);
      expect(p.scope, `${p.id}: mid-sagittal of the canal at the level`).toBe('level');
      if (p.id === id) continue;
      expect(p.centre[1], `${p.id} centred on its disc`).toBeCloseTo(p.crosshair[1], 3);
      expect(p.centre[2]).toBeCloseTo(p.crosshair[2], 3);
      expect(p.offset, `${p.id} at the level's mid-sagittal slice`).toBe(0);
    }
    // The clicked view stays where it was (no jump under the pointer); its offset is now from the level's mid.
    const clicked = after.find((p) => p.id === id)!;
    expect(clicked.centre).toEqual(before.centre);
    expect(clicked.slice).toBe(before.slice);
    const half = Math.max(...[0, 1, 2].map((a) => Math.abs(axisVector(g, a as Axis)[2] * g.spacing[a]!))) / 2;
    expect(clicked.mid).toBe((await canalSlice(id, [lo - half, hi + half])).slice);
    expect(clicked.offset).toBe((clicked.slice - clicked.mid) * Math.sign(axisVector(g, axis)[0]));
    await frames();
    await ws.shot('disc-click-1366x768');
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('[data-testid="mid-offset"]').textContent()).toBe('mid');
  });

  it('grades every level of the patient by keyboard alone with T1 and T2 side by side (issue 15)', async () => {
    if ((await page.locator('[data-testid="grading-layout"]').count()) === 0) await showLayout();
    const levels = (await app.ws.service.getGradings({ patientId: patient })).levels.filter((l) => l.ivdLabel >= 1);
    const rows = [...levels].sort((a, b) => b.ivdLabel - a.ivdLabel); // the dock lists cranial first
    await page.locator('[data-testid="grading-layout"]').hover();
    await page.keyboard.press('d');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-testid="grading-panel"]') != null)).toBe(true);
    for (let i = 0; i < rows.length; i++) await page.keyboard.press('ArrowUp'); // to the top row
    const typed = new Map<number, { pfirrmann: number; modic: number }>();
    for (const [i, l] of rows.entries()) {
      await expect.poll(() => page.locator(`[data-testid="grading-panel"] tr[data-level="${l.ivdLabel}"]`).getAttribute('class')).toContain('selected');
      // Every view is centred on this level's disc in its own mask.
      await expect.poll(async () => Promise.all((await panes()).map((p) => labelAt(p.id, p.crosshair))), { timeout: 20_000 }).toEqual(ids.map(() => 200 + l.ivdLabel));
      const v = { pfirrmann: (i % 5) + 1, modic: i % 4 };
      typed.set(l.ivdLabel, v);
      await page.keyboard.press(String(v.pfirrmann));
      await page.keyboard.press('m');
      await page.keyboard.press(String(v.modic));
      await page.keyboard.press('Enter'); // reviewed, and on to the next level
    }
    await expect
      .poll(async () => (await app.ws.service.getGradings({ patientId: patient })).levels.filter((l) => l.ivdLabel >= 1).map((l) => [l.ivdLabel, l.values.pfirrmann, l.values.modic, l.reviewed]), { timeout: 20_000 })
      .toEqual(levels.map((l) => [l.ivdLabel, typed.get(l.ivdLabel)!.pfirrmann, typed.get(l.ivdLabel)!.modic, true]));
    await ws.shot('graded-by-keys-side-by-side');
  });

  it('looks right at 1920×1080 too', async () => {
    const small = (await panes())[0]!.mmPerPx;
    await page.setViewportSize({ width: 1920, height: 1080 });
    // Larger views: a finer scale, still one scale for all (each viewer alone would keep its zoom relative to its fit).
    await expect.poll(async () => (await panes())[0]!.mmPerPx).toBeLessThan(small);
    await expect.poll(async () => new Set((await panes()).map((p) => p.mmPerPx.toFixed(6))).size).toBe(1);
    await frames();
    for (const p of await panes()) expect(await litFraction(p.id), `${p.id} draws`).toBeGreaterThan(0.1);
    await ws.shot('layout-1920x1080');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('toggles back to the normal views, frees its viewers, and editing works there', async () => {
    await page.locator('[data-testid="grading-layout-toggle"]').click();
    await expect.poll(() => page.locator('[data-testid="grading-layout"]').count()).toBe(0);
    expect(await page.locator('canvas').count(), 'the layout\'s viewers are gone').toBe(canvasesBefore);
    await ws.settle();
    // A brush stroke on the open series, in front of the L4 vertebra's centre (background soft tissue).
    const c = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    const a: Vec3 = [c[0], c[1] - 40, c[2] - 5];
    const b: Vec3 = [c[0], c[1] - 40, c[2] + 5];
    const before = app.ws.store.edits.count(open).active;
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    const [x0, y0] = await ws.toPage('sagittal', a);
    const [x1, y1] = await ws.toPage('sagittal', b);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => app.ws.store.edits.count(open).active, { timeout: 30_000 }).toBe(before + 1);
    await page.keyboard.press('Escape');
    await ws.shot('back-to-normal-1366x768');
  });

  it('is navigate-only while open: editing keys and label-writing commands are refused with a word in the status bar', async () => {
    const edits = app.ws.store.edits.count(open).active; // the brush stroke of the test above
    const brush = page.locator('[data-testid="toolbar"] [data-tool="brush"]');
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('Shift+G');
    await page.locator('[data-testid="grading-layout"]').waitFor();
    for (const [key, shown] of [['b', 'B'], ['Control+z', 'Ctrl+Z'], ['Enter', 'Enter'], [']', ']']] as const) {
      await page.keyboard.press(key);
      await expect.poll(status).toContain(`${shown}: the grading layout is navigate-only — close it with Shift+G to edit`);
    }
    expect(await brush.getAttribute('class'), 'no tool chosen').not.toContain('on');
    await new Promise((r) => setTimeout(r, 500));
    expect(app.ws.store.edits.count(open).active, 'nothing undone under the layout').toBe(edits);
    // Closed again: the same keys edit.
    await page.keyboard.press('Shift+G');
    await expect.poll(() => page.locator('[data-testid="grading-layout"]').count()).toBe(0);
    await page.keyboard.press('Control+z');
    await expect.poll(() => app.ws.store.edits.count(open).active, { timeout: 30_000 }).toBe(edits - 1);
    await page.keyboard.press('b');
    await expect.poll(() => brush.getAttribute('class')).toContain('on');
    await page.keyboard.press('Escape');
  });
});
