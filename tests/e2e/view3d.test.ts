// The 3-D label view (issue 13, item 2) in Chromium against the real web server: the 2×2 layout's fourth cell shows
// one shaded surface per label in the label list's colours, hidden labels lose their actor, a brush stroke and its
// undo re-mesh only the label they changed (each surface equal to a full build's), and a click on a surface moves
// the crosshair onto that surface. The view exists only in the 2×2 layout. Screenshots in test-results/view3d/ (and /tmp/helper3D-*.png).
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worldToIndex, type Vec3 } from '../../common/geometry.js';
import { labelInfo } from '../../common/labels.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { labelPoint, WorkstationPage } from './support/workstationPage.js';
import { decodePng, type Pixels } from './viewer/png.js';

let app: AppFixture;
let page: Page;
let ws: WorkstationPage;
const SERIES = '1_t1';
const HOST = '[data-three-d-host]';
const VIEW = '[data-view3d]';

const mask = (): string => join(app.dataset, 'masks', `${SERIES}.mha`);

beforeAll(async () => {
  app = await startApp({ patients: 1, seed: 'view3d' });
  page = await app.newPage({ width: 1600, height: 900 });
  ws = new WorkstationPage(page, WorkstationPage.shots('view3d'));
  await page.waitForSelector(`[data-series="${SERIES}"]`);
  await openFromWorklist(page, SERIES);
}, 120_000);
afterAll(async () => app?.close());

/** Switches the layout with its toolbar button, as a user does. */
async function setKind(kind: '1×3' | '2×2'): Promise<void> {
  await page.getByRole('button', { name: kind, exact: true }).click();
}

/** Waits until the 3-D view has answered every request and drawn its latest state. */
async function settled(): Promise<void> {
  await page.waitForFunction(
    (sel) => {
      const el = document.querySelector<HTMLElement>(sel);
      return !!el && el.dataset['status'] === 'ready' && el.dataset['version'] === el.dataset['drawn'];
    },
    VIEW,
    { timeout: 60_000 },
  );
}

const saved = (): Promise<unknown> =>
  page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.textContent?.startsWith('saved'), null, { timeout: 30_000 });
/** Per label: the digest of its surface on screen (data-digests). */
const digestsOf = (s: string | undefined): Record<number, number> =>
  Object.fromEntries((s ? s.split(',') : []).map((kv) => kv.split(':').map(Number) as [number, number]));
/** The label list as the app holds it: value and voxel count per label. */
const labelRows = (): Promise<Array<{ value: number; voxels: number }>> =>
  page.evaluate(() => window.__spine!.store.get().labelRows.map((r) => ({ value: r.value, voxels: r.voxels })));
const data = async (): Promise<Record<string, string>> =>
  page.locator(VIEW).evaluate((el: HTMLElement) => ({ ...el.dataset }) as Record<string, string>);
const list = (s: string | undefined): number[] => (s ? s.split(',').map(Number) : []);
const rebuildCounts = (s: string | undefined): Record<number, number> =>
  Object.fromEntries((s ? s.split(',') : []).map((kv) => kv.split(':').map(Number) as [number, number]));

/** The 3-D cell's pixels and its page offset. */
async function cellPixels(name: string): Promise<{ px: Pixels; x: number; y: number }> {
  await settled();
  const box = (await page.locator(HOST).boundingBox())!;
  const png = await page.screenshot({ clip: box });
  writeFileSync(join(ws.shotsDir, `${name}.png`), png);
  return { px: decodePng(png), x: box.x, y: box.y };
}

/**
 * The label whose colour a pixel shows (shaded: same direction in RGB, darker or lighter), or 0. Background
 * (dark) and grey pixels (text, crosshair marker, specular highlights) match nothing.
 */
function labelOf(r: number, g: number, b: number, labels: readonly number[]): number {
  if (r + g + b < 60 || Math.max(r, g, b) - Math.min(r, g, b) < 20) return 0;
  let best = 0;
  let bestCos = 0.995;
  for (const l of labels) {
    const [cr, cg, cb] = labelInfo(l).color;
    const cos = (r * cr + g * cg + b * cb) / (Math.hypot(r, g, b) * Math.hypot(cr, cg, cb));
    if (cos > bestCos) [best, bestCos] = [l, cos];
  }
  return best;
}

/** Pixels per label (by colour). */
function colourCounts(px: Pixels, labels: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (let p = 0; p < px.width * px.height; p++) {
    const l = labelOf(px.data[p * 4]!, px.data[p * 4 + 1]!, px.data[p * 4 + 2]!, labels);
    if (l) out.set(l, (out.get(l) ?? 0) + 1);
  }
  return out;
}

describe('3-D label view', () => {
  it('exists only in the 2×2 layout and shows every label as a surface in its colour', async () => {
    expect(await page.locator(VIEW).count(), 'no 3-D view (no worker, no context) in the 1×3 layout').toBe(0);
    await setKind('2×2');
    await settled();
    const d = await data();
    const meshed = list(d['meshed']);
    const rows = await page.locator('.label-table tr[data-label]').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-label'))));
    expect(meshed).toEqual(rows); // one surface per label of the list
    expect(list(d['shown'])).toEqual(rows);
    expect(Number(d['fullBuilds'])).toBe(1);
    const { px } = await cellPixels('2x2');
    const counts = colourCounts(px, meshed);
    const coloured = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(coloured / (px.width * px.height), 'a good part of the cell shows surfaces').toBeGreaterThan(0.03);
    const seen = meshed.filter((l) => (counts.get(l) ?? 0) >= 30);
    expect(seen.length, `labels drawn in their colour: ${[...counts].map(([l, n]) => `${l}:${n}`).join(' ')}`).toBeGreaterThanOrEqual(Math.min(4, meshed.length));
  });

  it('hiding a label in the list removes its actor, showing it brings it back', async () => {
    const before = await cellPixels('before-hide');
    const meshed = list((await data())['meshed']);
    const counts = colourCounts(before.px, meshed);
    // The label with the most pixels on screen.
    const target = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const toggle = page.locator(`input[aria-label="Show ${labelInfo(target).name}"]`);
    await toggle.uncheck();
    await expect.poll(async () => list((await data())['shown'])).toEqual(meshed.filter((l) => l !== target));
    expect(list((await data())['meshed'])).toEqual(meshed); // the mesh is kept, only not drawn
    const hidden = await cellPixels('hidden');
    expect(colourCounts(hidden.px, meshed).get(target) ?? 0).toBeLessThan((counts.get(target) ?? 0) * 0.05);
    await toggle.check();
    await expect.poll(async () => list((await data())['shown'])).toEqual(meshed);
    const again = await cellPixels('shown-again');
    expect(colourCounts(again.px, meshed).get(target) ?? 0).toBeGreaterThan((counts.get(target) ?? 0) * 0.8);
  });

  it('a brush stroke re-meshes only the label it painted, as a full build would; undo re-meshes only that label too', async () => {
    const label = 3;
    const before = await data();
    const digests0 = digestsOf(before['digests']);
    const rows0 = await labelRows();
    const rebuildsBefore = rebuildCounts(before['rebuilds']);
    const fullBefore = Number(before['fullBuilds']);
    await page.locator('select[aria-label="Active label"]').selectOption(String(label));
    const p = await labelPoint(mask(), label);
    await ws.setCrosshair(p);
    // A stroke in soft tissue in front of the vertebra (background), on its sagittal slice.
    const a: Vec3 = [p[0], p[1] - 22, p[2] - 4];
    const b: Vec3 = [p[0], p[1] - 22, p[2] + 4];
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    const [x0, y0] = await ws.toPage('sagittal', a);
    const [x1, y1] = await ws.toPage('sagittal', b);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 4 });
    await page.mouse.up();
    await saved();
    await expect.poll(async () => rebuildCounts((await data())['rebuilds'])[label] ?? 0, { timeout: 30_000 }).toBe((rebuildsBefore[label] ?? 0) + 1);
    await settled();
    const after = await data();
    expect(list(after['lastRebuilt'])).toEqual([label]);
    expect(rebuildCounts(after['rebuilds'])).toEqual({ ...rebuildsBefore, [label]: (rebuildsBefore[label] ?? 0) + 1 });
    expect(Number(after['fullBuilds'])).toBe(fullBefore);
    const digests1 = digestsOf(after['digests']);
    expect(digests1[label]).not.toBe(digests0[label]);
    expect({ ...digests1, [label]: 0 }).toEqual({ ...digests0, [label]: 0 }); // the other surfaces were kept
    await cellPixels('after-stroke');

    // The re-meshed surface is the one a full build of these labels makes: the view mounted afresh.
    await setKind('1×3');
    await expect.poll(() => page.locator(VIEW).count()).toBe(0);
    await setKind('2×2');
    await settled();
    const fresh = await data();
    expect(Number(fresh['fullBuilds'])).toBe(1);
    expect(digestsOf(fresh['digests'])).toEqual(digests1);

    // Undo reports the voxels it changed: only the label it touched is re-meshed (no full rebuild), and the result
    // is the first full build's surface of that label (the labels are back to what they were).
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+z');
    await saved();
    await expect.poll(async () => rebuildCounts((await data())['rebuilds'])[label] ?? 0, { timeout: 30_000 }).toBe(1);
    await settled();
    const undone = await data();
    expect(list(undone['lastRebuilt'])).toEqual([label]);
    expect(rebuildCounts(undone['rebuilds'])).toEqual({ [label]: 1 });
    expect(Number(undone['fullBuilds'])).toBe(1);
    expect(digestsOf(undone['digests'])).toEqual(digests0);
    // The label list followed the undo's diff (no recount): the counts are the volume's, as before the stroke.
    await expect.poll(labelRows).toEqual(rows0);
    expect(await page.evaluate(() => {
      const counts = new Map<number, number>();
      for (const v of window.__spine!.store.get().opened!.labels) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
      return [...counts].sort((x, y) => x[0] - y[0]).map(([value, voxels]) => ({ value, voxels }));
    })).toEqual(rows0);
  });

  it('a click on a surface moves the crosshair onto that surface', async () => {
    const meshed = list((await data())['meshed']);
    const { px, x, y } = await cellPixels('before-click');
    // A pixel well inside one label's projection: its 7×7 neighbourhood shows that label only.
    let hit: { px: number; py: number; label: number } | null = null;
    const cx = px.width / 2;
    const cy = px.height / 2;
    const candidates: Array<[number, number]> = [];
    for (let py = 4; py < px.height - 4; py += 3) for (let qx = 4; qx < px.width - 4; qx += 3) candidates.push([qx, py]);
    candidates.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
    const at = (qx: number, qy: number): number => {
      const o = (qy * px.width + qx) * 4;
      return labelOf(px.data[o]!, px.data[o + 1]!, px.data[o + 2]!, meshed);
    };
    for (const [qx, qy] of candidates) {
      const l = at(qx, qy);
      if (!l) continue;
      let same = true;
      for (let dy = -3; dy <= 3 && same; dy++) for (let dx = -3; dx <= 3 && same; dx++) same = at(qx + dx, qy + dy) === l;
      if (same) {
        hit = { px: qx, py: qy, label: l };
        break;
      }
    }
    expect(hit, 'a surface on screen').not.toBeNull();
    const before = await page.evaluate(() => window.__spine!.viewer!.getCrosshair());
    await page.mouse.click(x + hit!.px, y + hit!.py);
    await expect.poll(() => page.evaluate(() => window.__spine!.viewer!.getCrosshair())).not.toEqual(before);
    // The new crosshair lies on the clicked label's boundary: within 2 voxels there is that label and something else.
    const { geometry, world } = await page.evaluate(() => ({
      geometry: window.__spine!.store.get().opened!.info.image.geometry,
      world: window.__spine!.viewer!.getCrosshair(),
    }));
    const ijk = worldToIndex(geometry, world).map(Math.round) as Vec3;
    const near = await page.evaluate(
      ({ label, ijk }) => {
        const s = window.__spine!.store.get().opened!;
        const [nx, ny, nz] = s.info.image.geometry.size;
        let self = 0;
        let other = 0;
        for (let dk = -2; dk <= 2; dk++) for (let dj = -2; dj <= 2; dj++) for (let di = -2; di <= 2; di++) {
          const [i, j, k] = [ijk[0] + di, ijk[1] + dj, ijk[2] + dk];
          if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) continue;
          if (s.labels[i + nx * (j + ny * k)] === label) self++;
          else other++;
        }
        return { self, other, ijk };
      },
      { label: hit!.label, ijk },
    );
    expect(near.self, `label ${hit!.label} voxels near the picked point ${near.ijk.join(',')}`).toBeGreaterThan(0);
    expect(near.other, 'the picked point is on the surface, not deep inside').toBeGreaterThan(0);
    await ws.shot('after-click');
  });

  it('leaving the 2×2 layout disposes the view', async () => {
    await setKind('1×3');
    await expect.poll(() => page.locator(VIEW).count()).toBe(0);
  });

  for (const [w, h] of [[1366, 768], [1920, 1080]] as const) {
    it(`screenshot at ${w}×${h} in the 2×2 layout`, async () => {
      const p = await app.newPage({ width: w, height: h });
      const shots = new WorkstationPage(p, ws.shotsDir);
      await p.waitForSelector(`[data-series="${SERIES}"]`, { timeout: 60_000 });
      await openFromWorklist(p, SERIES);
      await p.getByRole('button', { name: '2×2', exact: true }).click();
      await p.waitForFunction(
        (sel) => {
          const el = document.querySelector<HTMLElement>(sel);
          return !!el && el.dataset['status'] === 'ready' && el.dataset['version'] === el.dataset['drawn'];
        },
        VIEW,
        { timeout: 60_000 },
      );
      await shots.shot(`${w}x${h}`);
      copyFileSync(join(ws.shotsDir, `${w}x${h}.png`), `/tmp/helper3D-${w}x${h}.png`);
      await p.close();
    }, 120_000);
  }
});
