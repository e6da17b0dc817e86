// e2e: the vtk.js slice viewer in real Chromium (software GL) on a block phantom, in BOTH SPIDER orientation
// conventions (A: identity/LPS, B: PIR). Assertions are on pixels where a person would look: which label colour
// is above / right of which, what a click or a wheel notch changes. Screenshots: test-results/viewer/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../common/geometry.js';
import { worldToIndex } from '../../../common/geometry.js';
import { CANAL_LABEL, discLabel, labelInfo, vertebraLabel } from '../../../common/labels.js';
import { blockCenter, phantomGeometry, type Group } from '../../../renderer/viewer/harness/phantom.js';
import { colorStats, near, pixelAt, type Rgb } from './png.js';
import { startHarness, ViewerPage, type HarnessSession } from './session.js';

const COLOR = {
  l5: labelInfo(vertebraLabel(1)).color as Rgb,
  disc: labelInfo(discLabel(2)).color as Rgb,
  l4: labelInfo(vertebraLabel(2)).color as Rgb,
  marker: labelInfo(vertebraLabel(3)).color as Rgb,
  canal: labelInfo(CANAL_LABEL).color as Rgb,
};
/** Centre of the L5 block: every view's slice goes through L5 there. */
const L5: Vec3 = blockCenter('L5');
const FILL = { opacity: 1, mode: 'fill' as const };

let session: HarnessSession;
beforeAll(async () => {
  session = await startHarness();
});
afterAll(async () => {
  await session?.close();
});

const openAtL5 = (group: Group): Promise<ViewerPage> => ViewerPage.openAt(session, group, L5);

const isGrey = (c: Rgb): boolean => Math.abs(c[0] - c[1]) <= 3 && Math.abs(c[1] - c[2]) <= 3;

describe.each(['A', 'B'] as const)('viewer, orientation group %s', (group) => {
  it('sagittal: head up, anterior on the left (disc above L5, canal posterior = right)', async () => {
    const vp = await openAtL5(group);
    const px = await vp.shot('sagittal');
    const rect = await vp.viewRect('sagittal');
    const l5 = colorStats(px, rect, COLOR.l5);
    const disc = colorStats(px, rect, COLOR.disc);
    const canal = colorStats(px, rect, COLOR.canal);
    expect(l5.count).toBeGreaterThan(1000);
    expect(disc.count).toBeGreaterThan(300);
    expect(canal.count).toBeGreaterThan(1000);
    expect(disc.cy).toBeLessThan(l5.cy - 20);
    expect(canal.cx).toBeGreaterThan(l5.cx + 20);
    // The overlay's world → display mapping lands on the colour vtk.js drew there.
    const at = await vp.toDisplay('sagittal', [L5[0], L5[1] + 6, L5[2] + 6]);
    expect(near(pixelAt(px, ...at), COLOR.l5)).toBe(true);
    expect(await vp.letters('sagittal')).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
    expect(vp.errors).toEqual([]);
    await vp.close();
  });

  it("coronal: head up, patient's right on screen left", async () => {
    const vp = await openAtL5(group);
    const px = await vp.shot('coronal');
    const rect = await vp.viewRect('coronal');
    const l5 = colorStats(px, rect, COLOR.l5);
    const disc = colorStats(px, rect, COLOR.disc);
    const marker = colorStats(px, rect, COLOR.marker);
    expect(marker.count).toBeGreaterThan(200);
    expect(disc.cy).toBeLessThan(l5.cy - 20);
    expect(marker.cx).toBeLessThan(l5.cx - 20);
    expect(await vp.letters('coronal')).toEqual({ left: 'R', right: 'L', top: 'S', bottom: 'I' });
    await vp.close();
  });

  it("axial: anterior up (vertebra above canal), patient's right on screen left", async () => {
    const vp = await openAtL5(group);
    const px = await vp.shot('axial');
    const rect = await vp.viewRect('axial');
    const l5 = colorStats(px, rect, COLOR.l5);
    const canal = colorStats(px, rect, COLOR.canal);
    const marker = colorStats(px, rect, COLOR.marker);
    expect(canal.count).toBeGreaterThan(500);
    expect(l5.cy).toBeLessThan(canal.cy - 20);
    expect(marker.cx).toBeLessThan(l5.cx - 20);
    expect(await vp.letters('axial')).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    await vp.close();
  });

  it("a click in the sagittal view moves the axial view's slice to the clicked point", async () => {
    const vp = await openAtL5(group);
    const axialRect = await vp.viewRect('axial');
    const before = await vp.shot('click-before');
    expect(colorStats(before, axialRect, COLOR.l5).count).toBeGreaterThan(1000);
    const target = blockCenter('L4/L5');
    const [x, y] = await vp.toPage('sagittal', target);
    await vp.page.mouse.click(x, y);
    await vp.settle();
    const crosshair = await vp.crosshair();
    expect(Math.abs(crosshair[2] - target[2])).toBeLessThan(1); // S–I picked within a pixel or two
    expect(Math.abs(crosshair[1] - target[1])).toBeLessThan(1);
    const after = await vp.shot('click-after');
    expect(colorStats(after, axialRect, COLOR.disc).count).toBeGreaterThan(1000);
    expect(colorStats(after, axialRect, COLOR.l5).count).toBe(0);
    await vp.close();
  });

  it('window/level changes the displayed grey values (API and right-drag)', async () => {
    const vp = await openAtL5(group);
    const probe: Vec3 = [0, 30, 30]; // posterior soft tissue: no label
    const at = await vp.toDisplay('sagittal', probe);
    const wl0 = await vp.page.evaluate(() => window.__viewer!.getWindowLevel());
    const grey0 = pixelAt(await vp.shot('wl-before'), ...at);
    // Level at the probe's intensity: it turns mid-grey.
    const probeValue = group === 'A' ? 200 + 4 * 80 : Math.round(0.3 * (200 + 4 * 80));
    await vp.page.evaluate(([w, l]) => window.__viewer!.setWindowLevel(w, l), [wl0.window / 4, probeValue] as const);
    const grey1 = pixelAt(await vp.shot('wl-after'), ...at);
    expect(isGrey(grey0) && isGrey(grey1)).toBe(true);
    expect(grey1[0]).toBeGreaterThan(grey0[0] + 40);
    expect(Math.abs(grey1[0] - 128)).toBeLessThan(12);
    // Right-drag: horizontal = window, vertical = level.
    const [x, y] = await vp.toPage('sagittal', probe);
    await vp.page.mouse.move(x, y);
    await vp.page.mouse.down({ button: 'right' });
    await vp.page.mouse.move(x + 40, y + 20, { steps: 4 });
    await vp.page.mouse.up({ button: 'right' });
    const wl2 = await vp.page.evaluate(() => window.__viewer!.getWindowLevel());
    expect(wl2.window).toBeGreaterThan(wl0.window / 4);
    expect(wl2.level).toBeGreaterThan(probeValue);
    await vp.close();
  });

  it('a hidden label loses its colour; all hidden shows none', async () => {
    const vp = await openAtL5(group);
    await vp.setLabelDisplay({ ...FILL, hidden: [discLabel(2)] });
    const px = await vp.shot('hidden-disc');
    const rect = await vp.viewRect('sagittal');
    expect(colorStats(px, rect, COLOR.disc).count).toBe(0);
    expect(colorStats(px, rect, COLOR.l5).count).toBeGreaterThan(1000);
    await vp.setLabelDisplay({ ...FILL, allHidden: true });
    const none = await vp.shot('all-hidden');
    for (const c of Object.values(COLOR)) expect(colorStats(none, { x: 0, y: 0, width: none.width, height: none.height }, c).count).toBe(0);
    await vp.close();
  });

  it('outline mode colours label borders only (interior shows the image); hidden labels get no outline', async () => {
    const vp = await openAtL5(group);
    const rect = await vp.viewRect('sagittal');
    const fill = colorStats(await vp.shot('fill'), rect, COLOR.l5).count;
    await vp.setLabelDisplay({ opacity: 1, mode: 'outline', hidden: [discLabel(2)] });
    const px = await vp.shot('outline');
    const outline = colorStats(px, rect, COLOR.l5).count;
    expect(outline).toBeGreaterThan(100);
    expect(outline).toBeLessThan(fill / 4);
    expect(colorStats(px, rect, COLOR.disc).count).toBe(0);
    const inside = pixelAt(px, ...(await vp.toDisplay('sagittal', [L5[0], L5[1] + 6, L5[2] + 6])));
    expect(isGrey(inside)).toBe(true);
    await vp.close();
  });

  it('labelsModified redraws voxels written into the shared label array, in one render', async () => {
    const vp = await openAtL5(group);
    const rendersBefore = await vp.page.evaluate(() => window.__viewer!.renderCount);
    const bytesBefore = await vp.uploadedBytes();
    await vp.page.evaluate(() => {
      const labels = window.__harness!.labels;
      for (let i = 0; i < labels.length; i++) if (labels[i] === 1) labels[i] = 202; // L5 becomes disc
      window.__viewer!.labelsModified();
      return window.__viewer!.rendered();
    });
    expect(await vp.page.evaluate(() => window.__viewer!.renderCount)).toBe(rendersBefore + 1);
    // Only the displayed label slice of each view goes to the GPU (plus a few KiB of lookup tables), not the volume.
    const g = phantomGeometry(group);
    const [nx, ny, nz] = g.size;
    const slices = ny * nz + nx * nz + nx * ny;
    const uploaded = (await vp.uploadedBytes()) - bytesBefore;
    expect(uploaded).toBeGreaterThanOrEqual(slices);
    expect(uploaded).toBeLessThan(slices + 16 * 1024);
    expect(uploaded).toBeLessThan(nx * ny * nz / 2);
    const px = await vp.shot('relabelled');
    const all = { x: 0, y: 0, width: px.width, height: px.height };
    expect(colorStats(px, all, COLOR.l5).count).toBe(0);
    expect(colorStats(px, await vp.viewRect('axial'), COLOR.disc).count).toBeGreaterThan(1000);
    await vp.close();
  });

  it('wheel notches and PageUp/PageDown move one slice; the cursor reports file-order voxels', async () => {
    const vp = await openAtL5(group);
    const g = phantomGeometry(group);
    const [x, y] = await vp.toPage('axial', L5);
    await vp.page.mouse.move(x, y);
    const z0 = (await vp.crosshair())[2];
    await vp.page.mouse.wheel(0, -100); // wheel up = next slice = superior; the crosshair snaps to slice centres
    await vp.settle();
    const z1 = (await vp.crosshair())[2];
    expect(z1 - z0).toBeGreaterThan(0.6);
    expect(z1 - z0).toBeLessThan(1.9);
    await vp.page.focus('[data-viewer-root]'); // keys go to the focused viewer (a click in a view also focuses it)
    await vp.page.keyboard.press('PageDown');
    await vp.page.keyboard.press('PageDown');
    await vp.settle();
    expect((await vp.crosshair())[2]).toBeCloseTo(z1 - 2 * 1.25, 3);
    // Cursor over the sagittal view at a known point: voxel index in the file's own axis order.
    await vp.page.evaluate(() => {
      const w = window as unknown as { __lastCursor: unknown };
      window.__viewer!.onCursor((c) => (w.__lastCursor = c));
    });
    const probe: Vec3 = [L5[0], L5[1] + 6, L5[2] + 6];
    const [px, py] = await vp.toPage('sagittal', probe);
    await vp.page.mouse.move(px, py);
    const cursor = await vp.page.evaluate(() => (window as unknown as { __lastCursor: { ijk: Vec3; inside: boolean; view: string } }).__lastCursor);
    const crosshair = await vp.crosshair();
    const expected = worldToIndex(g, [crosshair[0], probe[1], probe[2]]).map(Math.round);
    expect(cursor.view).toBe('sagittal');
    expect(cursor.inside).toBe(true);
    cursor.ijk.forEach((v, a) => expect(Math.abs(v - expected[a]!)).toBeLessThanOrEqual(1));
    expect(cursor.ijk[g.size.indexOf(10)]).toBe(expected[g.size.indexOf(10)]); // the L–R slice index is exact
    await vp.close();
  });
});

describe('viewer, shared behaviour', () => {
  it('coalesces many changes into one render per frame and renders nothing when idle', async () => {
    const vp = await openAtL5('A');
    const counts = await vp.page.evaluate(async () => {
      const v = window.__viewer!;
      const start = v.renderCount;
      for (let i = 0; i < 20; i++) v.setCrosshair([0, -20 + i, -28]);
      for (let i = 0; i < 10; i++) v.setWindowLevel(1000 + i, 500);
      await v.rendered();
      const afterBurst = v.renderCount;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return { start, afterBurst, idle: v.renderCount };
    });
    expect(counts.afterBurst).toBe(counts.start + 1);
    expect(counts.idle).toBe(counts.afterBurst);
    await vp.close();
  });

  it('switches series on the same viewer (A → B → A → B) and keeps the anatomy right', async () => {
    const vp = await ViewerPage.open(session, 'A');
    for (const group of ['B', 'A', 'B'] as const) {
      await vp.page.evaluate((g) => window.__harness!.load(g), group);
      await vp.settle();
    }
    // setVolumes resets the crosshair to the volume centre: the sagittal slice still cuts through every block.
    await vp.shot('switched-default-display'); // labels at 50 % over the image: looked at by eye
    await vp.setLabelDisplay(FILL);
    const px = await vp.shot('switched');
    const rect = await vp.viewRect('sagittal');
    const l4 = colorStats(px, rect, COLOR.l4);
    const canal = colorStats(px, rect, COLOR.canal);
    expect(l4.count).toBeGreaterThan(500);
    expect(canal.cx).toBeGreaterThan(l4.cx + 20);
    expect(await vp.page.evaluate(() => window.__viewer!.getCrosshair())).toEqual([0, 0, 0]);
    expect(vp.errors).toEqual([]);
    await vp.close();
  });

  it('maximises one view, resets zoom/pan, and disposes everything', async () => {
    const vp = await openAtL5('B');
    await vp.page.evaluate(() => window.__viewer!.setLayout({ maximised: 'axial' }));
    await vp.settle();
    const rect = await vp.viewRect('axial');
    expect(rect.width).toBeGreaterThan(1100);
    expect(await vp.page.evaluate(() => window.__viewer!.worldToDisplay('sagittal', [0, 0, 0]))).toBeNull();
    const px = await vp.shot('layout-axial');
    const l5 = colorStats(px, rect, COLOR.l5);
    const canal = colorStats(px, rect, COLOR.canal);
    expect(l5.cy).toBeLessThan(canal.cy);
    // Ctrl+wheel zooms about the pointer; resetViews brings the fit back.
    const [x, y] = await vp.toPage('axial', L5);
    const before = await vp.toDisplay('axial', blockCenter('canal'));
    await vp.page.mouse.move(x, y);
    await vp.page.keyboard.down('Control');
    await vp.page.mouse.wheel(0, -100);
    await vp.page.keyboard.up('Control');
    await vp.settle();
    const zoomed = await vp.toDisplay('axial', blockCenter('canal'));
    const pinned = await vp.toPage('axial', L5); // the point under the pointer stays put
    expect(Math.hypot(pinned[0] - x, pinned[1] - y)).toBeLessThan(1);
    expect(Math.hypot(zoomed[0] - x, zoomed[1] - y)).toBeGreaterThan(Math.hypot(before[0] - x, before[1] - y) * 1.1);
    await vp.page.evaluate(() => window.__viewer!.resetViews());
    expect(await vp.toDisplay('axial', blockCenter('canal'))).toEqual(before);
    await vp.page.evaluate(() => window.__viewer!.setLayout({ maximised: null }));
    await vp.settle();
    const left = await vp.page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      window.__viewer!.dispose();
      return { children: document.getElementById('viewer')!.childElementCount, glStillWorks: !!gl };
    });
    expect(left).toEqual({ children: 0, glStillWorks: true });
    expect(vp.errors).toEqual([]);
    await vp.close();
  });
});
