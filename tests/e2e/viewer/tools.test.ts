// e2e: the viewer's way in for editing tools, in real Chromium on the block phantom of both orientation groups:
// pointer modes (tool gestures vs navigation), the brush cursor overlay, the preview layer, and render coalescing
// while a tool paints. Screenshots: test-results/viewer/<group>-tool-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../common/geometry.js';
import { indexToWorld, worldToIndex } from '../../../common/geometry.js';
import { discLabel, labelInfo, vertebraLabel } from '../../../common/labels.js';
import { blockCenter, phantomGeometry, type Group } from '../../../renderer/viewer/harness/phantom.js';
import type { ToolPointerEvent, ViewId } from '../../../renderer/viewer/index.js';
import { colorStats, near, pixelAt, type Pixels, type Rect, type Rgb } from './png.js';
import { startHarness, ViewerPage, type HarnessSession } from './session.js';

const L5: Vec3 = blockCenter('L5');
const L5_COLOR = labelInfo(vertebraLabel(1)).color as Rgb;
const DISC = discLabel(2);
const DISC_COLOR = labelInfo(DISC).color as Rgb;
const MAGENTA: Rgb = [255, 0, 255];

let session: HarnessSession;
beforeAll(async () => {
  session = await startHarness();
});
afterAll(async () => {
  await session?.close();
});

const openAtL5 = (group: Group): Promise<ViewerPage> => ViewerPage.openAt(session, group, L5);

/** The file index axis the sagittal view slices (the L–R axis: 10 voxels of 4 mm in both groups). */
const sagittalAxis = (group: Group): number => phantomGeometry(group).size.indexOf(10);
const whole = (p: Pixels): Rect => ({ x: 0, y: 0, width: p.width, height: p.height });
const dist = (a: Vec3, b: Vec3): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** CSS px per mm of a view, measured through the public world → display mapping along an in-plane direction. */
async function pixelsPerMm(vp: ViewerPage, view: ViewId, at: Vec3, inPlane: Vec3): Promise<number> {
  const a = await vp.toDisplay(view, at);
  const b = await vp.toDisplay(view, [at[0] + 10 * inPlane[0], at[1] + 10 * inPlane[1], at[2] + 10 * inPlane[2]]);
  return Math.hypot(b[0] - a[0], b[1] - a[1]) / 10;
}

/**
 * Radius of a ring drawn between two screenshots, from the pixels that changed along the row and the column
 * through its centre: half the distance between the middles of the first and last changed runs.
 */
function ringRadius(before: Pixels, after: Pixels, centre: [number, number]): { horizontal: number; vertical: number } {
  const changed = (x: number, y: number): boolean => {
    const o = (y * before.width + x) * 4;
    return [0, 1, 2].some((c) => Math.abs(before.data[o + c]! - after.data[o + c]!) > 24);
  };
  const span = (coords: number[], hit: (c: number) => boolean): number => {
    const runs: Array<[number, number]> = [];
    for (const c of coords) {
      if (!hit(c)) continue;
      const last = runs[runs.length - 1];
      if (last && last[1] === c - 1) last[1] = c;
      else runs.push([c, c]);
    }
    if (runs.length < 2) return NaN;
    const mid = (r: [number, number]): number => (r[0] + r[1]) / 2;
    return (mid(runs[runs.length - 1]!) - mid(runs[0]!)) / 2;
  };
  const [cx, cy] = [Math.round(centre[0]), Math.round(centre[1])];
  const xs = Array.from({ length: before.width }, (_, i) => i);
  const ys = Array.from({ length: before.height }, (_, i) => i);
  return { horizontal: span(xs, (x) => changed(x, cy)), vertical: span(ys, (y) => changed(cx, y)) };
}

/** Views whose brush outline is shown. */
async function visibleBrushes(vp: ViewerPage): Promise<string[]> {
  return vp.page.evaluate(() =>
    [...document.querySelectorAll<SVGSVGElement>('[data-brush-cursor]')]
      .filter((el) => el.style.display !== 'none')
      .map((el) => el.dataset['brushCursor']!),
  );
}

describe.each(['A', 'B'] as const)('editing tools hook, orientation group %s', (group) => {
  const g = phantomGeometry(group);
  const axis = sagittalAxis(group);
  // Two points in the sagittal plane through L5, in posterior soft tissue and up through L4.
  const from: Vec3 = [L5[0], L5[1] + 4, L5[2] - 6];
  const to: Vec3 = [L5[0], L5[1] + 10, L5[2] + 36];

  it('tool mode: a left drag in the sagittal view reaches the tool on the slice plane and leaves the crosshair', async () => {
    const vp = await openAtL5(group);
    await vp.setPointerMode('tool');
    await vp.recordToolEvents();
    const crosshair = await vp.crosshair();
    const slice = Math.round(worldToIndex(g, crosshair)[axis]!);
    const sliceX = indexToWorld(g, worldToIndex(g, crosshair).map((v, a) => (a === axis ? slice : v)) as Vec3)[0];
    const steps = 12;
    await vp.drag(await vp.toPage('sagittal', from), await vp.toPage('sagittal', to), { steps });
    const events = await vp.takeToolEvents();
    const phases = events.map((e) => e.phase);
    expect(phases[0]).toBe('down');
    expect(phases[phases.length - 1]).toBe('up');
    expect(phases.slice(1, -1).every((p) => p === 'move')).toBe(true);
    expect(phases.length - 2).toBeGreaterThanOrEqual(steps); // every pointer sample between down and up
    for (const e of events) {
      expect(e.view).toBe('sagittal');
      expect(e.sliceAxis).toBe(axis);
      expect(e.ijk[axis]).toBe(slice); // on the displayed slice plane, exactly
      expect(e.button).toBe(0);
      expect(e.ctrlKey || e.shiftKey || e.metaKey || e.altKey).toBe(false);
      expect(dist(worldToIndex(g, e.world), e.ijk)).toBeLessThan(1e-6); // ijk and world name one point
      expect(Math.abs(e.world[0] - sliceX)).toBeLessThan(1e-6);
    }
    // Continuous index of the pressed and released points (1 CSS px is about 0.25 mm here).
    const first = events[0]!;
    const last = events[events.length - 1]!;
    expect(dist(first.world, [sliceX, from[1], from[2]])).toBeLessThan(0.5);
    expect(dist(last.world, [sliceX, to[1], to[2]])).toBeLessThan(0.5);
    expect(first.ijk.some((v, a) => a !== axis && !Number.isInteger(v))).toBe(true);
    // Dense samples: no gap much larger than one drag step.
    const gaps = events.slice(1).map((e, i) => dist(e.world, events[i]!.world));
    expect(Math.max(...gaps)).toBeLessThan(dist(from, to) / steps + 1);
    expect(await vp.crosshair()).toEqual(crosshair);
    await vp.shot('tool-drag');
    expect(vp.errors).toEqual([]);
    await vp.close();
  });

  it('navigate mode: the same drag moves the crosshair and reaches no tool', async () => {
    const vp = await openAtL5(group);
    await vp.recordToolEvents();
    await vp.setPointerMode('tool');
    await vp.setPointerMode('navigate');
    await vp.drag(await vp.toPage('sagittal', from), await vp.toPage('sagittal', to));
    expect(await vp.takeToolEvents()).toEqual([]);
    const crosshair = await vp.crosshair();
    expect(Math.abs(crosshair[1] - to[1])).toBeLessThan(0.5);
    expect(Math.abs(crosshair[2] - to[2])).toBeLessThan(0.5);
    await vp.close();
  });

  it('tool mode: Ctrl+click and Shift+drag reach the tool; right, middle and wheel still navigate', async () => {
    const vp = await openAtL5(group);
    await vp.setPointerMode('tool');
    await vp.recordToolEvents();
    const crosshair = await vp.crosshair();
    const anchor = await vp.toDisplay('sagittal', L5);
    const [x, y] = await vp.toPage('sagittal', from);

    // Ctrl+click (pick label under cursor): down/up with ctrlKey, no pan, no crosshair move.
    await vp.page.keyboard.down('Control');
    await vp.page.mouse.click(x, y);
    await vp.page.keyboard.up('Control');
    await vp.settle();
    let events = await vp.takeToolEvents();
    expect(events.map((e) => [e.phase, e.ctrlKey])).toEqual([
      ['down', true],
      ['up', true],
    ]);
    expect(Math.round(events[0]!.ijk[axis]!)).toBe(events[0]!.ijk[axis]);

    // Shift+drag: the tool's, not zoom.
    await vp.drag([x, y], [x + 30, y - 40], { modifiers: ['Shift'] });
    events = await vp.takeToolEvents();
    expect(events[0]!.phase).toBe('down');
    expect(events.every((e) => e.shiftKey)).toBe(true);
    expect(await vp.toDisplay('sagittal', L5)).toEqual(anchor);
    expect(await vp.crosshair()).toEqual(crosshair);

    // Right drag = window/level.
    const wl0 = await vp.page.evaluate(() => window.__viewer!.getWindowLevel());
    await vp.drag([x, y], [x + 40, y + 20], { button: 'right' });
    const wl1 = await vp.page.evaluate(() => window.__viewer!.getWindowLevel());
    expect(wl1.window).toBeGreaterThan(wl0.window);
    expect(wl1.level).toBeGreaterThan(wl0.level);

    // Middle drag = pan.
    await vp.drag([x, y], [x + 25, y + 15], { button: 'middle' });
    const panned = await vp.toDisplay('sagittal', L5);
    expect(panned[0] - anchor[0]).toBeCloseTo(25, 0);
    expect(panned[1] - anchor[1]).toBeCloseTo(15, 0);

    // Ctrl+wheel = zoom about the pointer; plain wheel = slice.
    await vp.page.mouse.move(x, y);
    const ppm0 = await pixelsPerMm(vp, 'sagittal', L5, [0, 0, 1]);
    await vp.page.keyboard.down('Control');
    await vp.page.mouse.wheel(0, -100);
    await vp.page.keyboard.up('Control');
    await vp.settle();
    expect((await pixelsPerMm(vp, 'sagittal', L5, [0, 0, 1])) / ppm0).toBeCloseTo(1.15, 3);
    await vp.page.mouse.wheel(0, -100);
    await vp.settle();
    expect((await vp.crosshair())[0]).not.toBe(crosshair[0]);

    expect(await vp.takeToolEvents()).toEqual([]); // none of the navigation reached the tool
    expect(vp.errors).toEqual([]);
    await vp.close();
  });

  it('the brush cursor is a circle of radiusMm × pixels-per-mm at a known zoom (sagittal and axial)', async () => {
    const vp = await openAtL5(group);
    await vp.setPointerMode('tool');
    const radiusMm = 10;
    const cases: Array<{ view: ViewId; at: Vec3; inPlane: Vec3 }> = [
      { view: 'sagittal', at: [L5[0], L5[1] + 5, L5[2] + 7], inPlane: [0, 0, 1] },
      { view: 'axial', at: [L5[0] + 5, L5[1] + 5, L5[2]], inPlane: [0, 1, 0] },
    ];
    for (const { view, at, inPlane } of cases) {
      await vp.page.evaluate(() => window.__viewer!.resetViews());
      await vp.settle();
      const [x, y] = await vp.toPage(view, at);
      await vp.page.mouse.move(x, y);
      const ppmFit = await pixelsPerMm(vp, view, at, inPlane);
      // Known zoom: one Ctrl+wheel notch = × 1.15 about the pointer (the point under it stays put).
      await vp.page.keyboard.down('Control');
      await vp.page.mouse.wheel(0, -100);
      await vp.page.keyboard.up('Control');
      await vp.settle();
      const ppm = await pixelsPerMm(vp, view, at, inPlane);
      expect(ppm / ppmFit).toBeCloseTo(1.15, 3);
      await vp.page.evaluate(() => window.__viewer!.setBrushCursor(null));
      const without = await vp.shot(`tool-brush-${view}-off`);
      await vp.page.evaluate((r) => window.__viewer!.setBrushCursor({ radiusMm: r, shape: 'circle' }), radiusMm);
      const renders = await vp.page.evaluate(() => window.__viewer!.renderCount);
      const withBrush = await vp.shot(`tool-brush-${view}`);
      // Moving the brush is SVG only: no vtk render.
      expect(await vp.page.evaluate(() => window.__viewer!.renderCount)).toBe(renders);
      const centre = await vp.toDisplay(view, at);
      const r = ringRadius(without, withBrush, centre);
      expect(Math.abs(r.horizontal - radiusMm * ppm)).toBeLessThan(1.5);
      expect(Math.abs(r.vertical - radiusMm * ppm)).toBeLessThan(1.5);
      expect(await visibleBrushes(vp)).toEqual([view]); // only in the hovered view
    }
    // Sphere: a dashed circle; leaving the view hides it.
    await vp.page.evaluate(() => window.__viewer!.setBrushCursor({ radiusMm: 6, shape: 'sphere' }));
    await vp.shot('tool-brush-sphere');
    await vp.page.mouse.move(5, 455); // below the viewer
    expect(await visibleBrushes(vp)).toEqual([]);
    await vp.close();
  });

  it('setPreview shows its colour on the masked voxels only, re-uploads one slice per change, and nothing when null', async () => {
    const vp = await openAtL5(group);
    const before = await vp.shot('tool-preview-before');
    expect(colorStats(before, whole(before), MAGENTA).count).toBe(0);
    const textures0 = await vp.liveTextures();
    // Box y ∈ [20, 32], z ∈ [10, 30] mm through every sagittal slice (posterior soft tissue, no label).
    const [nx, ny, nz] = g.size;
    const box: number[] = [];
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const w = indexToWorld(g, [i, j, k]);
          if (w[1] >= 20 && w[1] <= 32 && w[2] >= 10 && w[2] <= 30) box.push(i + nx * (j + ny * k));
        }
      }
    }
    await vp.page.evaluate(
      ([n, idx]) => {
        const mask = new Uint8Array(n);
        for (const i of idx) mask[i] = 1;
        (window as unknown as { __mask: Uint8Array }).__mask = mask;
        window.__viewer!.setPreview({ mask, color: [255, 0, 255], opacity: 1 });
      },
      [nx * ny * nz, box] as const,
    );
    const shown = await vp.shot('tool-preview');
    const sagittal = await vp.viewRect('sagittal');
    const stats = colorStats(shown, sagittal, MAGENTA);
    const ppm = await pixelsPerMm(vp, 'sagittal', L5, [0, 0, 1]);
    const expectedArea = 12 * 20 * ppm * ppm; // voxel-covered box: exactly 12 × 20 mm on both grids
    expect(stats.count).toBeGreaterThan(expectedArea * 0.9);
    expect(stats.count).toBeLessThan(expectedArea * 1.1);
    const centre = await vp.toDisplay('sagittal', [L5[0], 26, 20]);
    expect(Math.abs(stats.cx - centre[0])).toBeLessThan(2);
    expect(Math.abs(stats.cy - centre[1])).toBeLessThan(2);
    expect(colorStats(shown, whole(shown), MAGENTA).count).toBe(stats.count); // the other slices miss the box
    expect(colorStats(shown, sagittal, L5_COLOR).count).toBeGreaterThan(1000); // labels still drawn
    expect(await vp.liveTextures()).toBeGreaterThan(textures0); // the counter sees the preview's own textures

    // The tool writes the current slice only and calls previewModified: one slice per view is uploaded.
    const slice = Math.round(worldToIndex(g, await vp.crosshair())[axis]!);
    const extra: number[] = [];
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const ijk: Vec3 = [i, j, k];
          const w = indexToWorld(g, ijk);
          if (ijk[axis] === slice && w[1] >= -36 && w[1] <= -32 && w[2] >= 36 && w[2] <= 44) extra.push(i + nx * (j + ny * k));
        }
      }
    }
    const bytes0 = await vp.uploadedBytes();
    await vp.page.evaluate((idx) => {
      const mask = (window as unknown as { __mask: Uint8Array }).__mask;
      for (const i of idx) mask[i] = 1;
      window.__viewer!.previewModified();
    }, extra);
    await vp.settle();
    const slices = ny * nz + nx * nz + nx * ny;
    expect((await vp.uploadedBytes()) - bytes0).toBeGreaterThanOrEqual(slices);
    expect((await vp.uploadedBytes()) - bytes0).toBeLessThan(slices + 16 * 1024);
    const modified = await vp.shot('tool-preview-modified');
    expect(near(pixelAt(modified, ...(await vp.toDisplay('sagittal', [L5[0], -34, 40]))), MAGENTA)).toBe(true);

    // Translucent, as the threshold tools use it: the image shows through (looked at by eye as well).
    await vp.page.evaluate(() => {
      const mask = (window as unknown as { __mask: Uint8Array }).__mask;
      window.__viewer!.setPreview({ mask, color: [80, 200, 255], opacity: 0.35 });
    });
    const translucent = pixelAt(await vp.shot('tool-preview-translucent'), ...centre);
    expect(translucent[2]).toBeGreaterThan(translucent[0] + 30);
    expect(near(translucent, [80, 200, 255], 20)).toBe(false);

    // Null: nothing drawn, its textures given back, labels unaffected.
    await vp.page.evaluate(() => window.__viewer!.setPreview(null));
    const cleared = await vp.shot('tool-preview-cleared');
    expect(colorStats(cleared, whole(cleared), MAGENTA).count).toBe(0);
    expect(pixelAt(cleared, ...centre)).toEqual(pixelAt(before, ...centre));
    expect(await vp.liveTextures()).toBe(textures0);

    // On and off again, then dispose with a preview shown: no errors, nothing left behind.
    for (let n = 0; n < 3; n++) {
      await vp.page.evaluate(() => {
        const mask = (window as unknown as { __mask: Uint8Array }).__mask;
        window.__viewer!.setPreview({ mask, color: [255, 0, 255], opacity: 0.5 });
      });
      await vp.settle();
      await vp.page.evaluate(() => window.__viewer!.setPreview(null));
      await vp.settle();
    }
    expect(await vp.liveTextures()).toBe(textures0);
    await expect(vp.page.evaluate(() => window.__viewer!.setPreview({ mask: new Uint8Array(7), color: [1, 2, 3], opacity: 1 }))).rejects.toThrow(
      /preview mask/,
    );
    const left = await vp.page.evaluate(async () => {
      const mask = (window as unknown as { __mask: Uint8Array }).__mask;
      window.__viewer!.setPreview({ mask, color: [255, 0, 255], opacity: 0.5 });
      await window.__viewer!.rendered();
      window.__viewer!.dispose();
      return document.getElementById('viewer')!.childElementCount;
    });
    expect(left).toBe(0);
    expect(vp.errors).toEqual([]);
    await vp.close();
  });
});

describe('editing tools hook, shared behaviour', () => {
  it('labelsModified: a burst of 50 edits renders once; a painting drag renders at most once per animation frame', async () => {
    const vp = await openAtL5('A');
    const g = phantomGeometry('A');
    const [nx, ny, nz] = g.size;
    const bytes0 = await vp.uploadedBytes();
    const burst = await vp.page.evaluate(async (disc) => {
      const v = window.__viewer!;
      const labels = window.__harness!.labels;
      await v.rendered();
      const start = v.renderCount;
      for (let n = 0; n < 50; n++) {
        labels[n * 37] = disc;
        v.labelsModified();
      }
      await v.rendered();
      const after = v.renderCount;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return { start, after, idle: v.renderCount };
    }, DISC);
    expect(burst.after).toBe(burst.start + 1);
    expect(burst.idle).toBe(burst.after);
    // One upload of the displayed label slice per view for the whole burst, not one per call.
    expect((await vp.uploadedBytes()) - bytes0).toBeLessThan(nx * ny + ny * nz + nx * nz + 16 * 1024);

    // A stand-in tool paints a 3×3 dab of disc at every sample and calls labelsModified each time; a frame counter
    // records how many renders each animation frame saw.
    await vp.setPointerMode('tool');
    await vp.page.evaluate(
      ([disc, size]) => {
        const v = window.__viewer!;
        const labels = window.__harness!.labels;
        const w = window as unknown as { __paint: { samples: number; perFrame: number[]; running: boolean } };
        const paint = { samples: 0, perFrame: [] as number[], running: false };
        w.__paint = paint;
        let last = 0;
        const tick = (): void => {
          paint.perFrame.push(v.renderCount - last);
          last = v.renderCount;
          if (paint.running) requestAnimationFrame(tick);
        };
        v.onToolPointer((e: ToolPointerEvent) => {
          if (e.phase === 'down') {
            paint.running = true;
            last = v.renderCount;
            requestAnimationFrame(tick);
          }
          if (e.phase === 'up' || e.phase === 'cancel') {
            paint.running = false;
            return;
          }
          paint.samples++;
          const c = e.ijk.map(Math.round);
          for (let d1 = -1; d1 <= 1; d1++) {
            for (let d2 = -1; d2 <= 1; d2++) {
              const ijk = [...c];
              const inPlane = [0, 1, 2].filter((a) => a !== e.sliceAxis);
              ijk[inPlane[0]!] = ijk[inPlane[0]!]! + d1;
              ijk[inPlane[1]!] = ijk[inPlane[1]!]! + d2;
              if (ijk.some((x, a) => x < 0 || x >= size[a]!)) continue;
              labels[ijk[0]! + size[0] * (ijk[1]! + size[1] * ijk[2]!)] = disc;
            }
          }
          v.labelsModified();
        });
      },
      [DISC, g.size] as const,
    );
    const from: Vec3 = [L5[0], 24, -40];
    const to: Vec3 = [L5[0], 24, 40];
    const before = await vp.shot('tool-paint-before');
    await vp.drag(await vp.toPage('sagittal', from), await vp.toPage('sagittal', to), { steps: 50 });
    const paint = await vp.page.evaluate(() => (window as unknown as { __paint: { samples: number; perFrame: number[] } }).__paint);
    expect(paint.samples).toBeGreaterThanOrEqual(51); // down + 50 moves, each a labelsModified
    expect(Math.max(...paint.perFrame)).toBeLessThanOrEqual(1);
    // Renders never outnumber the samples. (Whether several samples share one frame depends on how fast the
    // machine delivers them — on a loaded CI box each can get its own frame — so that is not asserted here; the
    // burst above proves coalescing deterministically.)
    expect(paint.perFrame.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(paint.samples);
    // The stroke is there: a continuous disc-coloured line from z = -40 to 40 in the sagittal view.
    const after = await vp.shot('tool-paint');
    const rect = await vp.viewRect('sagittal');
    expect(colorStats(after, rect, DISC_COLOR).count).toBeGreaterThan(colorStats(before, rect, DISC_COLOR).count + 500);
    for (let z = -38; z <= 38; z += 4) {
      expect(near(pixelAt(after, ...(await vp.toDisplay('sagittal', [L5[0], 24, z]))), DISC_COLOR)).toBe(true);
    }
    await vp.close();
  });

  it('a gesture cut short (mode switch, new series, dispose) ends with cancel', async () => {
    const vp = await openAtL5('B');
    await vp.setPointerMode('tool');
    await vp.recordToolEvents();
    const mouse = vp.page.mouse;
    const [x, y] = await vp.toPage('sagittal', [L5[0], L5[1] + 4, L5[2]]);
    const crosshair = await vp.crosshair();

    await mouse.move(x, y);
    await mouse.down();
    await mouse.move(x + 10, y + 10, { steps: 2 });
    await vp.setPointerMode('navigate');
    await mouse.move(x + 20, y + 20, { steps: 2 });
    await mouse.up();
    await vp.settle();
    expect((await vp.takeToolEvents()).map((e) => e.phase)).toEqual(['down', 'move', 'move', 'cancel']);
    expect(await vp.crosshair()).toEqual(crosshair); // the rest of the gesture did not turn into a crosshair drag

    await vp.setPointerMode('tool');
    await mouse.move(x, y);
    await mouse.down();
    await vp.page.evaluate(() => window.__harness!.load('A'));
    await mouse.up();
    expect((await vp.takeToolEvents()).map((e) => e.phase)).toEqual(['down', 'cancel']);

    await mouse.down();
    const phases = await vp.page.evaluate(() => {
      const w = window as unknown as { __toolEvents: ToolPointerEvent[] };
      window.__viewer!.dispose();
      return w.__toolEvents.map((e) => e.phase);
    });
    await mouse.up();
    expect(phases).toEqual(['down', 'cancel']);
    expect(vp.errors).toEqual([]);
    await vp.close();
  });
});
