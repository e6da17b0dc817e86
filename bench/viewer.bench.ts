// Viewer bench (issue #3): time from opening a series to its first complete render, split into file read
// (openSeries), transfer (raw bytes) and first render; slice-scroll frame time against an idle frame; renderer
// memory for an open series against the voxel bytes. Real server, real SQLite store, Debian Chromium.
//
//   node bin/run-ts.mjs bench/viewer.bench.ts [--runs N]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ensureRendererBuilt } from '../main/cli/build.js';
import { readMetaImageHeaderSync } from '../main/core/mha/index.js';
import { generateSample } from '../main/core/sample/index.js';
import { openWorkstation } from '../main/core/workstation.js';
import { startWebServer } from '../main/server/http.js';
import { CHROMIUM_ARGS } from '../tests/e2e/support/app.js';
import { installTestHook } from '../tests/e2e/support/testHook.js';
import { figure, machineLine, median, writeResults, type BenchFigure } from './lib/report.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const dir = mkdtempSync(join(tmpdir(), 'spine-bench-viewer-'));

/** The bare cost of getting the voxels of a .mha into memory: read the file, inflate if compressed. */
function bareRead(file: string): number {
  const t0 = performance.now();
  const h = readMetaImageHeaderSync(file);
  const buf = readFileSync(file);
  if (h.compressed) inflateSync(buf.subarray(h.dataOffset));
  return performance.now() - t0;
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

try {
  console.log('generating datasets …');
  await generateSample({ out: join(dir, 'tiny'), patients: 1, seed: 'bench' });
  await generateSample({ out: join(dir, 'realistic'), patients: 1, profile: 'realistic', seed: 'bench' });
  const staticDir = await ensureRendererBuilt();
  const figures: BenchFigure[] = [];
  const rows: string[] = [];
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const cdp = await browser.newBrowserCDPSession();

  for (const [profile, target, other] of [['tiny', '1_t1', '1_t2'], ['realistic', '1_t2_SPACE', '1_t1']] as const) {
    const root = join(dir, profile);
    // cacheSeries 1 + alternating series: every timed open reads its files again (from the OS page cache, like the baseline).
    const ws = await openWorkstation({ datasetRoot: root, storeFile: join(dir, `${profile}.sqlite`), annotator: 'bench', cacheSeries: 1 });
    const server = await startWebServer({ service: ws.service, volumes: ws, staticDir });
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await installTestHook(page); // the page offers its store to the test hook (window.__spine)
    await page.goto(server.url);
    await page.waitForSelector(`[data-series="${target}"]`);
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    const rendererPids = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    const gc = async (): Promise<void> => {
      const s = await page.context().newCDPSession(page);
      await s.send('HeapProfiler.collectGarbage');
      await s.detach();
    };
    /** JS heap + embedder (DOM) heap + ArrayBuffer backing stores of the page, after a full GC. */
    const heapBytes = async (): Promise<number> => {
      const s = await page.context().newCDPSession(page);
      await s.send('HeapProfiler.collectGarbage');
      const u = (await s.send('Runtime.getHeapUsage')) as { usedSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number };
      await s.detach();
      return u.usedSize + (u.embedderHeapUsedSize ?? 0) + (u.backingStorageSize ?? 0);
    };
    await gc();
    const rssBefore = rendererPids.reduce((a, p) => a + rssKiB(p), 0);
    const heapBefore = await heapBytes();

    const open = async (id: string): Promise<{ openMs: number; transferMs: number; firstRenderMs: number; totalMs: number }> => {
      await page.locator(`[data-series="${id}"]`).dblclick();
      await page.waitForFunction((sid) => window.__spine?.lastOpen?.seriesId === sid, id, { timeout: 120_000 });
      return page.evaluate(() => window.__spine!.lastOpen!);
    };
    const idleFrame = (): Promise<number> =>
      page.evaluate(async () => {
        const v = window.__spine!.viewer!;
        const wl = v.getWindowLevel();
        await v.rendered();
        const t0 = performance.now();
        // Re-renders all three views with no visible change (a window change of one part in a million).
        v.setWindowLevel(wl.window * (1 + 1e-6), wl.level);
        await v.rendered();
        return performance.now() - t0;
      });
    const scrollFrame = (dir: 1 | -1): Promise<number> =>
      page.evaluate(async (d) => {
        const v = window.__spine!.viewer!;
        await v.rendered();
        const t0 = performance.now();
        v.scrollSlice('sagittal', d);
        await v.rendered();
        return performance.now() - t0;
      }, dir);

    const imageFile = join(root, 'images', `${target}.mha`);
    const maskFile = join(root, 'masks', `${target}.mha`);
    const samples = { open: [] as number[], read: [] as number[], transfer: [] as number[], render: [] as number[], bare: [] as number[] };
    for (let r = 0; r < runs; r++) {
      await open(other);
      const t = await open(target);
      samples.open.push(t.totalMs);
      samples.read.push(t.openMs);
      samples.transfer.push(t.transferMs);
      samples.render.push(t.firstRenderMs);
      samples.bare.push(bareRead(imageFile) + bareRead(maskFile));
    }
    await gc();
    const rssAfter = rendererPids.reduce((a, p) => a + rssKiB(p), 0);
    const heapAfter = await heapBytes();
    const scroll: number[] = [];
    const idle: number[] = [];
    for (let r = 0; r < runs * 4; r++) {
      scroll.push(await scrollFrame(r % 2 ? 1 : -1));
      idle.push(await idleFrame());
    }
    // Painting: a brush stroke with the real mouse in the sagittal view, each pointer move until its frame is
    // rendered, against the idle frames above (the stroke is committed to the journal at the end).
    await page.keyboard.press('b');
    const box = (await page.locator('[data-testid="viewer"]').boundingBox())!;
    const centre = await page.evaluate(() => window.__spine!.viewer!.worldToDisplay('sagittal', window.__spine!.viewer!.getCrosshair()));
    const px0 = box.x + (centre?.[0] ?? 100) - 40, py0 = box.y + (centre?.[1] ?? 100);
    const paint: number[] = [];
    await page.mouse.move(px0, py0);
    await page.mouse.down();
    for (let r = 0; r < runs * 4; r++) {
      const t0 = performance.now();
      await page.mouse.move(px0 + (r % 20) * 3, py0 + Math.floor(r / 20) * 3);
      await page.evaluate(() => window.__spine!.viewer!.rendered());
      paint.push(performance.now() - t0);
    }
    await page.mouse.up();
    await page.keyboard.press('Escape');
    const h = readMetaImageHeaderSync(imageFile);
    const voxels = h.geometry.size[0] * h.geometry.size[1] * h.geometry.size[2];
    const voxelBytes = voxels * ({ uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 } as const)[h.pixelType] + voxels;
    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof samples, number>;
    // One frame = the median idle frame (three views re-rendered, nothing changed) of the scroll loop above.
    const frame = median(idle);
    const baseline = m.bare + frame;
    const size = h.geometry.size.join('×');
    figures.push(figure(`open-to-first-render-${profile}`, 'ms', m.open, baseline, runs, { series: target, size, pixelType: h.pixelType, readMs: m.read, transferMs: m.transfer, firstRenderMs: m.render, bareReadInflateMs: m.bare, idleFrameMs: frame }));
    figures.push(figure(`slice-scroll-frame-${profile}`, 'ms', median(scroll), median(idle), scroll.length, { series: target }));
    figures.push(figure(`painting-frame-${profile}`, 'ms', median(paint), median(idle), paint.length, { series: target, note: 'pointer move to rendered frame, measured from Node (includes the CDP round trip)' }));
    const deltaBytes = heapAfter - heapBefore;
    const rssDelta = (rssAfter - rssBefore) * 1024;
    figures.push(figure(`renderer-memory-${profile}`, 'bytes', deltaBytes, voxelBytes, 1, { series: target, heapBefore, heapAfter, rssDeltaBytes: rssDelta }));
    rows.push(
      `| ${profile} \`${target}\` ${size} ${h.pixelType} | ${m.read.toFixed(0)} | ${m.transfer.toFixed(0)} | ${m.render.toFixed(0)} | **${m.open.toFixed(0)}** | ${m.bare.toFixed(0)} + ${frame.toFixed(0)} = ${baseline.toFixed(0)} | ${(m.open / baseline).toFixed(2)}× | ${median(scroll).toFixed(1)} / ${median(idle).toFixed(1)} = ${(median(scroll) / median(idle)).toFixed(2)}× | ${median(paint).toFixed(1)} / ${median(idle).toFixed(1)} = ${(median(paint) / median(idle)).toFixed(2)}× | ${(deltaBytes / 2 ** 20).toFixed(0)} MiB / ${(voxelBytes / 2 ** 20).toFixed(0)} MiB = ${(deltaBytes / voxelBytes).toFixed(2)}× (RSS +${(rssDelta / 2 ** 20).toFixed(0)} MiB) |`,
    );
    console.log(rows.at(-1));
    await page.close();
    await server.close();
    ws.close();
  }
  await browser.close();
  const md = `## Viewer: open series, scroll, memory (web mode, Chromium, software GL)

Command: \`node bin/run-ts.mjs bench/viewer.bench.ts --runs ${runs}\` — ${machineLine()}; Debian Chromium with \`--use-angle=gl-egl\` (Mesa llvmpipe, no GPU). Medians of ${runs} opens (each after opening another series, so files are read again) and ${runs * 4} scroll/idle frame pairs.

- **Open** = double-click in the worklist → first complete render of the three views, split into *read* (\`openSeries\`: file read + inflate + label conversion + intensity percentiles in main, JSON round trip), *transfer* (image and label bytes over \`GET /volume\`) and *render* (vtkImageData set-up + first render).
- **Baseline for open** = bare \`fs.readFile\` + \`zlib.inflateSync\` of the image and mask files in Node + one idle frame (all three views re-rendered with nothing changed), measured in the same run. Goal: open ≤ 1.5 × baseline.
- **Scroll** = \`scrollSlice('sagittal', ±1)\` → rendered, against an idle frame in the same page.
- **Painting** = one pointer move of a brush stroke (real mouse events through Playwright, so the CDP round trip is included in both) → its frame rendered, against an idle frame. Goal (issue #4): ≤ 1.3×.
- **Memory** = the page's JS heap + DOM heap + ArrayBuffer backing stores (CDP \`Runtime.getHeapUsage\`, after a full GC) with the series open, minus the same with the app loaded and nothing open, against image + label bytes (the label volume is one byte per voxel). Goal: ≤ 2×. The renderer process's RSS growth is given for context; it also holds freed pages the allocator has not returned yet.

| Series | read (ms) | transfer (ms) | render (ms) | open (ms) | bare read+inflate + idle frame (ms) | open / baseline | scroll / idle frame (ms) | painting / idle frame (ms) | renderer memory / voxel bytes |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Goals: ${figures
    .filter((f) => f.name.startsWith('open-') || f.name.startsWith('renderer-memory-') || f.name.startsWith('painting-'))
    .map((f) => {
      const limit = f.name.startsWith('open-') ? 1.5 : f.name.startsWith('painting-') ? 1.3 : 2;
      return `${f.name} ${f.ratio.toFixed(2)}× (goal ≤ ${limit}×: **${f.ratio <= limit ? 'met' : 'not met'}**)`;
    })
    .join('; ')}. For the tiny series, memory is dominated by a fixed ~3 MiB of viewer state (vtk.js objects, slice
textures' CPU copies, React) that does not grow with the volume; the goal is meant for real series.
`;
  writeResults('viewer', figures, md);
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
