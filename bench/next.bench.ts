// "Next" bench (issue 14, item 4): opening the next series to do from the prefetch against a cold open of a series
// of the same size, interleaved. Real server, real SQLite store, Debian Chromium, realistic SPIDER-sized series.
//
//   node bin/run-ts.mjs bench/next.bench.ts [--rounds N]
//
// Three series of equal size are the only ones to do (P, Q, R: the largest size with three series); main keeps
// one series in its cache, so whatever is not prefetched is read from its files again (OS page cache, as in the
// viewer bench). Each round: cold open of P (double-click, nothing prefetched for it, no prefetch in flight), wait
// until Q (the next to do) is prefetched, press N (opens Q), then wait until R is prefetched (which evicts P in main).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ensureRendererBuilt } from '../main/cli/build.js';
import { generateSample } from '../main/core/sample/index.js';
import { openWorkstation } from '../main/core/workstation.js';
import { startWebServer } from '../main/server/http.js';
import { CHROMIUM_ARGS } from '../tests/e2e/support/app.js';
import { installTestHook } from '../tests/e2e/support/testHook.js';
import { figure, machineLine, median, writeResults } from './lib/report.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;
const dir = mkdtempSync(join(tmpdir(), 'spine-bench-next-'));

interface Open {
  totalMs: number;
  openMs: number;
  transferMs: number;
  firstRenderMs: number;
  prefetched: boolean;
  /** From the click / key press in Node to the page reporting the render. */
  wallMs: number;
}

async function lastOpen(page: Page, id: string, t0: number): Promise<Open> {
  await page.waitForFunction((sid) => window.__spine?.lastOpen?.seriesId === sid, id, { timeout: 120_000, polling: 'raf' });
  const wallMs = performance.now() - t0;
  const o = (await page.evaluate(() => window.__spine!.lastOpen)) as unknown as Omit<Open, 'wallMs'>;
  return { ...o, wallMs };
}

/** Waits until the page holds `id`'s bytes for Next (the review panel's data-prefetched). */
async function prefetched(page: Page, id: string): Promise<void> {
  await page.waitForSelector(`[data-testid="review"][data-prefetched="${id}"]`, { timeout: 120_000 });
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
try {
  console.log('generating a realistic dataset …');
  await generateSample({ out: join(dir, 'ds'), patients: 4, profile: 'realistic', seed: 'bench-next' });
  const staticDir = await ensureRendererBuilt();
  const ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'bench', cacheSeries: 1 });
  // The three series to do: the largest matrix that three series share, in worklist order.
  const bySize = new Map<string, string[]>();
  for (const s of ws.index.series) {
    const key = s.image!.geometry.size.join('×');
    bySize.set(key, [...(bySize.get(key) ?? []), s.id]);
  }
  const voxels = (k: string): number => k.split('×').reduce((a, b) => a * Number(b), 1);
  const [size, ids] = [...bySize].filter(([, v]) => v.length >= 3).sort((a, b) => voxels(b[0]) - voxels(a[0]))[0]!;
  const [P, Q, R] = ids as [string, string, string];
  const pixelType = ws.index.series.find((s) => s.id === P)!.image!.pixelType;
  for (const s of ws.index.series) {
    if (![P, Q, R].includes(s.id)) await ws.service.setSeriesStatus({ seriesId: s.id, status: 'done' });
  }
  const server = await startWebServer({ service: ws.service, volumes: ws, staticDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await installTestHook(page);
  await page.goto(server.url);
  await page.waitForSelector(`[data-series="${P}"]`);

  const loadBefore = load();
  const cold: Open[] = [];
  const next: Open[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    const [coldId, nextId] = [P, Q];
    let t0 = performance.now();
    await page.locator(`[data-series="${coldId}"]`).dblclick();
    const c = await lastOpen(page, coldId, t0);
    if (c.prefetched) throw new Error(`cold open of ${coldId} came from the prefetch`);
    await prefetched(page, nextId);
    await page.locator('[data-testid="viewer"]').hover();
    t0 = performance.now();
    await page.keyboard.press('n');
    const n = await lastOpen(page, nextId, t0);
    if (!n.prefetched) throw new Error(`Next to ${nextId} did not use the prefetch`);
    await prefetched(page, R); // nothing in flight before the next cold open; main now holds R, not P
    if (r > 0) {
      // Round 0 warms the page (first WebGL upload, code paths) and is not counted.
      cold.push(c);
      next.push(n);
    }
    console.log(`round ${r}: cold ${coldId} ${c.totalMs.toFixed(0)} ms (wall ${c.wallMs.toFixed(0)}), next ${nextId} ${n.totalMs.toFixed(0)} ms (wall ${n.wallMs.toFixed(0)})`);
  }
  await browser.close();
  await server.close();
  ws.close();

  const m = (xs: Open[], k: keyof Omit<Open, 'prefetched'>): number => median(xs.map((x) => x[k]));
  const ratio = m(next, 'totalMs') / m(cold, 'totalMs');
  const wallRatio = m(next, 'wallMs') / m(cold, 'wallMs');
  const figures = [
    figure('next-open-prefetched', 'ms', m(next, 'totalMs'), m(cold, 'totalMs'), next.length, {
      series: `${P} / ${Q}`, size, pixelType,
      coldReadMs: m(cold, 'openMs'), coldTransferMs: m(cold, 'transferMs'), coldRenderMs: m(cold, 'firstRenderMs'),
      nextReadMs: m(next, 'openMs'), nextTransferMs: m(next, 'transferMs'), nextRenderMs: m(next, 'firstRenderMs'),
      wallColdMs: m(cold, 'wallMs'), wallNextMs: m(next, 'wallMs'), wallRatio,
    }),
  ];
  const row = (name: string, xs: Open[]): string =>
    `| ${name} | ${m(xs, 'openMs').toFixed(0)} | ${m(xs, 'transferMs').toFixed(0)} | ${m(xs, 'firstRenderMs').toFixed(0)} | **${m(xs, 'totalMs').toFixed(0)}** | ${m(xs, 'wallMs').toFixed(0)} |`;
  const md = `## Next series to do: prefetched open vs cold open (web mode, Chromium, software GL)

Command: \`node bin/run-ts.mjs bench/next.bench.ts --rounds ${rounds}\` — ${machineLine()}; load average ${loadBefore} before, ${load()} after
(other jobs shared the 2 cores); Debian Chromium with \`--use-angle=gl-egl\`.
Three realistic series of equal size (\`${P}\`, \`${Q}\`, \`${R}\`, ${size} ${pixelType}, with their masks) are the only ones to
do; main keeps one series in its cache. Each of ${rounds} rounds (after one warm-up round) cold-opens \`${P}\` by double-click
(read from its files again, nothing prefetched, no prefetch in flight), waits until \`${Q}\`, the next to do, has been
prefetched in the background (its \`openSeries\` answer and both volumes, started ≥ 0.8 s after the render when the window is
idle), presses N, which shows it from the prefetched bytes while \`openSeries\` confirms the label revision, and waits
until \`${R}\` is prefetched in turn (so main no longer holds \`${P}\`). Medians; *open* = from the opener's start to the
first complete render (the app's own timing), *wall* = from the click / key press in Node to the page reporting it.

| Open | read (openSeries, ms) | transfer (ms) | render (ms) | open (ms) | wall (ms) |
|---|---:|---:|---:|---:|---:|
${row('cold (double-click)', cold)}
${row('Next (prefetched)', next)}

Next / cold: **${ratio.toFixed(2)}×** (wall ${wallRatio.toFixed(2)}×); goal ≤ 0.25×: **${ratio <= 0.25 ? 'met' : 'not met'}**.
`;
  writeResults('next', figures, md);
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
