// "Next" bench (issue 14, item 4): opening the next series to do from the prefetch against a cold open of a series
// of the same size, interleaved. Real server, real SQLite store, Debian Chromium, realistic SPIDER-sized series.
//
//   node bin/run-ts.mjs bench/next.bench.ts [--rounds N]
//
// Three series of equal size are the only ones to do (P, Q, R: the largest size with three series); main keeps
// one series in its cache, so whatever is not prefetched is read from its files again (OS page cache, as in the
// viewer bench). Each round: cold open of P (double-click, nothing prefetched for it, no prefetch in flight), wait
// until Q (the next to do) is prefetched, press N (opens Q), then wait until R is prefetched (which evicts P in main).
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import type { Workstation } from '../main/core/workstation.js';
import { startBenchApp } from './lib/app.js';
import { figure, machineLine, median, writeResults } from './lib/report.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;

interface Open {
  totalMs: number;
  openMs: number;
  transferMs: number;
  firstRenderMs: number;
  prefetched: boolean;
  /** From the click / key press in Node to the page reporting the render. */
  wallMs: number;
  /** Prefetched opens: from taking the prefetch until main confirmed the label revision (shown and editable before). */
  confirmMs?: number;
}

/** Runs `act` (a click or key press) and waits for the open of `id` it causes; a new record, even for the same series. */
async function timedOpen(page: Page, id: string, act: () => Promise<void>): Promise<Open> {
  const before = await page.evaluate(() => JSON.stringify(window.__spine?.lastOpen ?? null));
  const t0 = performance.now();
  await act();
  await page.waitForFunction(([sid, b]) => window.__spine?.lastOpen?.seriesId === sid && JSON.stringify(window.__spine.lastOpen) !== b, [id, before] as const, {
    timeout: 120_000,
    polling: 'raf',
  });
  const wallMs = performance.now() - t0;
  const o = (await page.evaluate(() => window.__spine!.lastOpen)) as unknown as Omit<Open, 'wallMs'>;
  if (!o.prefetched) return { ...o, wallMs };
  // The revision check runs on after the render: wait for it, so that it is not still in flight in the next phase.
  const handle = await page.waitForFunction(() => (window.__spine!.store.get().opened?.timing as { confirmMs?: number } | undefined)?.confirmMs, null, { timeout: 60_000 });
  const confirmMs = (await handle.jsonValue()) as number;
  return { ...o, wallMs, confirmMs };
}

/** Waits until the page holds `id`'s bytes for Next (the review panel's data-prefetched). */
async function prefetched(page: Page, id: string): Promise<void> {
  await page.waitForSelector(`[data-testid="review"][data-prefetched="${id}"]`, { timeout: 120_000 });
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
const voxels = (k: string): number => k.split('×').reduce((a, b) => a * Number(b), 1);
/** The three series to do: the largest matrix that three series share, in worklist order. */
function pickThree(ws: Workstation): { size: string; ids: [string, string, string] } {
  const bySize = new Map<string, string[]>();
  for (const s of ws.index.series) {
    const key = s.image!.geometry.size.join('×');
    bySize.set(key, [...(bySize.get(key) ?? []), s.id]);
  }
  const [size, ids] = [...bySize].filter(([, v]) => v.length >= 3).sort((a, b) => voxels(b[0]) - voxels(a[0]))[0]!;
  return { size, ids: ids.slice(0, 3) as [string, string, string] };
}

const app = await startBenchApp({
  name: 'next', patients: 4, seed: 'bench-next', cacheSeries: 1,
  prepare: async (ws) => {
    const { ids } = pickThree(ws);
    for (const s of ws.index.series) {
      if (!ids.includes(s.id)) await ws.service.setSeriesStatus({ seriesId: s.id, status: 'done' });
    }
  },
});
try {
  const { page, ws } = app;
  const { size, ids: [P, Q, R] } = pickThree(ws);
  const pixelType = ws.index.series.find((s) => s.id === P)!.image!.pixelType;
  await page.waitForSelector(`[data-series="${P}"]`);

  const loadBefore = load();
  const cold: Open[] = [];
  const next: Open[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    const [coldId, nextId] = [P, Q];
    const c = await timedOpen(page, coldId, () => page.locator(`[data-series="${coldId}"]`).dblclick());
    if (c.prefetched) throw new Error(`cold open of ${coldId} came from the prefetch`);
    await prefetched(page, nextId);
    await page.locator('[data-testid="viewer"]').hover();
    const n = await timedOpen(page, nextId, () => page.keyboard.press('n'));
    if (!n.prefetched) throw new Error(`Next to ${nextId} did not use the prefetch`);
    await prefetched(page, R); // nothing in flight before the next cold open; main now holds R, not P
    if (r > 0) {
      // Round 0 warms the page (first WebGL upload, code paths) and is not counted.
      cold.push(c);
      next.push(n);
    }
    console.log(`round ${r}: cold ${coldId} ${c.totalMs.toFixed(0)} ms (wall ${c.wallMs.toFixed(0)}), next ${nextId} ${n.totalMs.toFixed(0)} ms (wall ${n.wallMs.toFixed(0)})`);
  }

  // Phase 2: the largest series (one per dataset), the same series both ways. To do: X (a small one) and BIG, with BIG
  // right after X. Each round: open X (not timed), wait until BIG is prefetched, N (timed), wait until X is prefetched
  // (main drops BIG), double-click BIG (cold, timed), wait until X is prefetched again.
  const big = [...ws.index.series].sort((a, b) => voxels(b.image!.geometry.size.join('×')) - voxels(a.image!.geometry.size.join('×')))[0]!;
  const order = ws.index.series.map((s) => s.id);
  const x = order[(order.indexOf(big.id) - 1 + order.length) % order.length]!;
  for (const s of ws.index.series) {
    await ws.service.setSeriesStatus({ seriesId: s.id, status: s.id === big.id || s.id === x ? 'todo' : 'done' });
  }
  await page.reload();
  await page.waitForSelector(`[data-series="${big.id}"]`);
  const bigCold: Open[] = [];
  const bigNext: Open[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    await timedOpen(page, x, () => page.locator(`[data-series="${x}"]`).dblclick());
    await prefetched(page, big.id);
    await page.locator('[data-testid="viewer"]').hover();
    const n = await timedOpen(page, big.id, () => page.keyboard.press('n'));
    if (!n.prefetched) throw new Error(`Next to ${big.id} did not use the prefetch`);
    await prefetched(page, x);
    const c = await timedOpen(page, big.id, () => page.locator(`[data-series="${big.id}"]`).dblclick());
    if (c.prefetched) throw new Error(`cold open of ${big.id} came from the prefetch`);
    await prefetched(page, x);
    if (r > 0) {
      bigCold.push(c);
      bigNext.push(n);
    }
    console.log(`round ${r}: ${big.id} next ${n.totalMs.toFixed(0)} ms, cold ${c.totalMs.toFixed(0)} ms`);
  }
  const bigSize = `${big.image!.geometry.size.join('×')} ${big.image!.pixelType}`;
  await app.close();

  const m = (xs: Open[], k: keyof Omit<Open, 'prefetched'>): number => median(xs.map((x) => x[k] ?? NaN));
  const ratio = m(next, 'totalMs') / m(cold, 'totalMs');
  const wallRatio = m(next, 'wallMs') / m(cold, 'wallMs');
  const figures = [
    figure('next-open-prefetched', 'ms', m(next, 'totalMs'), m(cold, 'totalMs'), next.length, {
      series: `${P} / ${Q}`, size, pixelType,
      coldReadMs: m(cold, 'openMs'), coldTransferMs: m(cold, 'transferMs'), coldRenderMs: m(cold, 'firstRenderMs'),
      nextReadMs: m(next, 'openMs'), nextTransferMs: m(next, 'transferMs'), nextRenderMs: m(next, 'firstRenderMs'),
      wallColdMs: m(cold, 'wallMs'), wallNextMs: m(next, 'wallMs'), wallRatio,
      nextConfirmMs: m(next, 'confirmMs'), confirmRatio: m(next, 'confirmMs') / m(cold, 'totalMs'),
    }),
    figure('next-open-prefetched-largest', 'ms', m(bigNext, 'totalMs'), m(bigCold, 'totalMs'), bigNext.length, {
      series: big.id, size: bigSize, coldReadMs: m(bigCold, 'openMs'), coldRenderMs: m(bigCold, 'firstRenderMs'), nextRenderMs: m(bigNext, 'firstRenderMs'),
      nextConfirmMs: m(bigNext, 'confirmMs'),
    }),
  ];
  const bigRatio = m(bigNext, 'totalMs') / m(bigCold, 'totalMs');
  const row = (name: string, xs: Open[]): string =>
    `| ${name} | ${m(xs, 'openMs').toFixed(0)} | ${m(xs, 'transferMs').toFixed(0)} | ${m(xs, 'firstRenderMs').toFixed(0)} | **${m(xs, 'totalMs').toFixed(0)}** | ${xs[0]?.prefetched ? m(xs, 'confirmMs').toFixed(0) : '–'} | ${m(xs, 'wallMs').toFixed(0)} |`;
  const md = `## Next series to do: prefetched open vs cold open (web mode, Chromium, software GL)

Command: \`node bin/run-ts.mjs bench/next.bench.ts --rounds ${rounds}\` — ${machineLine()}; load average ${loadBefore} before, ${load()} after
(other jobs shared the 2 cores); Debian Chromium with \`--use-angle=gl-egl\`.
Three realistic series of equal size (\`${P}\`, \`${Q}\`, \`${R}\`, ${size} ${pixelType}, with their masks) are the only ones to
do; main keeps one series in its cache. Each of ${rounds} rounds (after one warm-up round) cold-opens \`${P}\` by double-click
(read from its files again, nothing prefetched, no prefetch in flight), waits until \`${Q}\`, the next to do, has been
prefetched in the background (its \`openSeries\` answer and both volumes, started ≥ 0.8 s after the render when the window is
idle), presses N, which shows and publishes it from the prefetched bytes at once while \`openSeries\` confirms the label
revision in parallel (main's labels replace them should it have moved on), and waits until \`${R}\` is prefetched in turn (so
main no longer holds \`${P}\`). Medians; *open* = from the opener's start to the first complete render, when the series is
shown (the app's own timing); *confirmed* = until the confirming \`openSeries\` answered, when a prefetched series is
published and becomes editable (what *open* measured before 2026-12-01); *wall* = from the click / key press in Node
to the page reporting the open.

| Open | read (openSeries, ms) | transfer (ms) | render (ms) | open (ms) | confirmed (ms) | wall (ms) |
|---|---:|---:|---:|---:|---:|---:|
${row('cold (double-click)', cold)}
${row('Next (prefetched)', next)}

Next / cold: **${ratio.toFixed(2)}×** (wall ${wallRatio.toFixed(2)}×; until confirmed ${(m(next, 'confirmMs') / m(cold, 'totalMs')).toFixed(2)}×); goal ≤ 0.25×: **${ratio <= 0.25 ? 'met' : 'not met'}**.

The dataset's largest series, \`${big.id}\` (${bigSize}), the same series both ways: to do are only it and the series before
it; each round opens that one, presses N once \`${big.id}\` is prefetched, waits until the other is prefetched (main drops
\`${big.id}\`), then double-clicks \`${big.id}\` (cold):

| Open | read (openSeries, ms) | transfer (ms) | render (ms) | open (ms) | confirmed (ms) | wall (ms) |
|---|---:|---:|---:|---:|---:|---:|
${row(`cold \`${big.id}\``, bigCold)}
${row(`Next \`${big.id}\``, bigNext)}

Next / cold: **${bigRatio.toFixed(2)}×** (until confirmed ${(m(bigNext, 'confirmMs') / m(bigCold, 'totalMs')).toFixed(2)}×); goal ≤ 0.25×: **${bigRatio <= 0.25 ? 'met' : 'not met'}**.
`;
  writeResults('next', figures, md);
  console.log(md);
} finally {
  await app.close();
}
