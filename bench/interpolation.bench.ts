// Bench: fill between slices (renderer/interpolation) on a realistic 640×512×120 label volume — one disc-like
// label drawn on every 8th slice across k, interpolated across k — against a plain copy of the volume measured
// interleaved in the same run.
//   1. In the real Web Worker: a small page importing renderer/interpolation is built with the repo's Vite config
//      (so the worker and the local pipeline files are bundled exactly as in the app) into bench/tmp/, served from
//      localhost with every other host blocked, and driven in Debian Chromium.
//   2. The same core in Node (itk-wasm's Node build of the same .wasm), for a machine without Chromium.
// Run: node bin/run-ts.mjs bench/interpolation.bench.ts   (INTERPOLATION_BENCH_RUNS=n, default 9)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { morphologicalContourInterpolationNode } from '@itk-wasm/morphological-contour-interpolation';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import type { Vec3 } from '../common/geometry.js';
import { RENDERER_CSP, RENDERER_MIME } from '../common/rendererPolicy.js';
import { applyInterpolation, maskImage, prepareJob, runJob, type PipelineRunner } from '../renderer/interpolation/core.js';
import { CHROMIUM_ARGS } from '../tests/e2e/support/app.js';
import { figure, interleave, machineLine, median, writeResults, type BenchFigure } from './lib/report.js';

const COMMAND = 'node bin/run-ts.mjs bench/interpolation.bench.ts';
const SIZE: Vec3 = [640, 512, 120];
const LABEL = 205;
const OTHER = 100;
const EVERY = 8;
const RUNS = Math.max(3, Number(process.env.INTERPOLATION_BENCH_RUNS ?? 9));
const GOAL_MS = 1000;
const CHROMIUM = '/usr/bin/chromium';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = join(repo, 'bench', 'tmp', 'interpolation');
/**
 * The app's CSP plus what the wasm needs (not in RENDERER_CSP yet): 'wasm-unsafe-eval' to compile WebAssembly,
 * data: for the zstd decoder, which fetches its own embedded wasm from a data: URL.
 */
const CSP = RENDERER_CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'").replace("connect-src 'self'", "connect-src 'self' data:");

/**
 * Slices 4, 12, …, 116 hold an ellipse of LABEL that drifts and changes size from slice to slice (about a disc's
 * cross-section, 60–90 × 35–50 voxels); a bar of OTHER runs through every slice, so the volume is not empty.
 * Also built in the page: keep it free of outside names (it is sent as source text).
 */
function makeVolume(size: [number, number, number], label: number, other: number, every: number): Uint8Array {
  const [nx, ny, nz] = size;
  const labels = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 240; j < 270; j++) labels.fill(other, 100 + nx * (j + ny * k), 200 + nx * (j + ny * k));
  for (let k = every / 2; k < nz; k += every) {
    const t = k / nz;
    const cx = 320 + 40 * Math.sin(6 * t), cy = 300 + 30 * t;
    const rx = 30 + 15 * Math.sin(9 * t) ** 2, ry = 18 + 7 * Math.cos(5 * t) ** 2;
    for (let j = Math.floor(cy - ry); j <= Math.ceil(cy + ry); j++) {
      for (let i = Math.floor(cx - rx); i <= Math.ceil(cx + rx); i++) {
        if (((i - cx) / rx) ** 2 + ((j - cy) / ry) ** 2 <= 1) labels[i + nx * (j + ny * k)] = label;
      }
    }
  }
  return labels;
}

const runNode: PipelineRunner = async (image, options) => {
  const { outputImage } = await morphologicalContourInterpolationNode(image, options);
  return outputImage.data as Uint8Array;
};

function fmt(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

interface BrowserSamples {
  coldMs: number;
  total: number[];
  worker: number[];
  prepare: number[];
  copy: number[];
  fill: number;
  diff: number;
  requests: string[];
}

/** Builds the bench page with the app's Vite config, serves it, runs it in Chromium. Null without Chromium. */
async function benchBrowser(): Promise<BrowserSamples | null> {
  if (!existsSync(CHROMIUM)) return null;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./entry.ts"></script>\n');
  writeFileSync(
    join(tmp, 'entry.ts'),
    `import { applyInterpolation, interpolateLabel } from '../../../renderer/interpolation/index.js';
const makeVolume = ${makeVolume.toString()};
const labels = makeVolume([${SIZE.join(', ')}], ${LABEL}, ${OTHER}, ${EVERY});
const once = async () => {
  const r = await interpolateLabel(labels, [${SIZE.join(', ')}], ${LABEL}, 2);
  const d = applyInterpolation(labels, r.fill, ${LABEL}, { mode: 'overwrite', locked: new Set([${OTHER}]) });
  return { ...r.timings, fill: r.fill.length, diff: d.indices.length };
};
(window as unknown as { bench: unknown }).bench = async (runs: number) => {
  const t0 = performance.now();
  const first = await once();
  const coldMs = performance.now() - t0;
  const out = { coldMs, total: [] as number[], worker: [] as number[], prepare: [] as number[], copy: [] as number[], fill: first.fill, diff: first.diff };
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const x = await once();
    out.total.push(performance.now() - t);
    out.worker.push(x.workerMs);
    out.prepare.push(x.prepareMs);
    const c = performance.now();
    labels.slice();
    out.copy.push(performance.now() - c);
  }
  return out;
};
`,
  );
  await build({
    configFile: join(repo, 'vite.config.ts'),
    root: tmp,
    logLevel: 'warn',
    build: { outDir: join(tmp, 'dist'), emptyOutDir: true, sourcemap: false },
  });
  const dist = join(tmp, 'dist');
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': RENDERER_MIME[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    const requests: string[] = [];
    // Offline: anything but the page's own origin is refused (and listed, so a CDN fetch would show).
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url.startsWith(origin) ? url.slice(origin.length) : url);
      return url.startsWith(origin) ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    await page.goto(origin + '/');
    await page.waitForFunction(() => 'bench' in window);
    const samples = await page.evaluate((runs) => (window as unknown as { bench(runs: number): Promise<Omit<BrowserSamples, 'requests'>> }).bench(runs), RUNS);
    return { ...samples, requests };
  } finally {
    await browser.close();
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const figures: BenchFigure[] = [];
  const lines: string[] = [];

  const b = await benchBrowser();
  if (b) {
    const [total, worker, prepare, copy] = [median(b.total), median(b.worker), median(b.prepare), median(b.copy)];
    const met = total <= GOAL_MS;
    console.log(`browser: cold ${fmt(b.coldMs)} ms; total ${fmt(total)} ms (prepare ${fmt(prepare)}, worker ${fmt(worker)}), copy ${fmt(copy)} ms; requests: ${b.requests.join(' ')}`);
    figures.push(figure('interpolation.fill.browser.640x512x120', 'ms', total, copy, RUNS, {
      prepareMs: prepare, workerMs: worker, coldMs: b.coldMs, fillVoxels: b.fill, diffVoxels: b.diff, requests: b.requests, goalMs: GOAL_MS, goalMet: met,
    }));
    lines.push(
      `**In the Web Worker (Chromium ${(await chromiumVersion()) ?? ''})**: a page importing \`renderer/interpolation\`, built with the repo's \`vite.config.ts\` into bench/tmp/, served from 127.0.0.1 with the app's CSP plus \`'wasm-unsafe-eval'\` and \`connect-src data:\`, every other host blocked. Requests made: ${b.requests.map((r) => `\`${r}\``).join(', ')} (no CDN).`,
      '',
      '| Measure | median (ms) |',
      '|---|---:|',
      `| interpolateLabel + applyInterpolation (whole fill between slices) | ${fmt(total)} |`,
      `| of which main-thread prepare (bounding box + cut) | ${fmt(prepare)} |`,
      `| of which in the worker (interpolation + indices) | ${fmt(worker)} |`,
      `| first call of a fresh worker (loads the pipeline) | ${fmt(b.coldMs)} |`,
      `| baseline: copy of the volume (\`labels.slice()\`) | ${fmt(copy)} |`,
      '',
      `whole / copy: ${(total / copy).toFixed(1)}×; ${b.fill.toLocaleString('en')} voxels filled. Goal: ≤ ${GOAL_MS} ms — **${met ? 'met' : 'not met'}** (${fmt(total)} ms; first call of a worker ${fmt(b.coldMs)} ms).`,
      '',
    );
  } else {
    lines.push(`No Chromium at ${CHROMIUM}: the Web Worker was not measured.`, '');
  }

  // Node: the core the worker runs, with itk-wasm's Node build (which loads the pipeline on every call).
  const labels = makeVolume(SIZE, LABEL, OTHER, EVERY);
  let fillVoxels = 0;
  let boxVoxels = 0;
  const tiny = maskImage(prepareJob(new Uint8Array([1, ...new Array<number>(15).fill(0), ...new Array<number>(16).fill(0), 1, ...new Array<number>(15).fill(0)]), [4, 4, 3], 1, 2, 0)!);
  const samples = await interleave(
    {
      whole: async () => {
        const job = prepareJob(labels, SIZE, LABEL, 2)!;
        boxVoxels = job.mask.length;
        const fill = await runJob(job, runNode);
        fillVoxels = applyInterpolation(labels, fill, LABEL, { mode: 'overwrite', locked: new Set([OTHER]) }).indices.length;
      },
      load: () => runNode({ ...tiny, data: tiny.data.slice() }, { label: 1, axis: 2 }),
      copy: () => labels.slice(),
    },
    RUNS,
  );
  const [whole, load, copy] = [median(samples.whole!), median(samples.load!), median(samples.copy!)];
  console.log(`node: whole ${fmt(whole)} ms (pipeline load ${fmt(load)}), copy ${fmt(copy)} ms`);
  figures.push(figure('interpolation.fill.node.640x512x120', 'ms', whole, copy, RUNS, { pipelineLoadMs: load, boxVoxels, fillVoxels }));
  lines.push(
    `**Same core in Node** (itk-wasm's Node build of the same .wasm, which decompresses, compiles and instantiates the pipeline on every call): whole ${fmt(whole)} ms, of which about ${fmt(load)} ms is that load (the same call on a 4×4×3 mask); copy ${fmt(copy)} ms; whole / copy ${(whole / copy).toFixed(1)}×.`,
  );

  const md = [
    '## Fill between slices: morphological contour interpolation (640×512×120)',
    '',
    `Command: \`${COMMAND}\` — ${machineLine()}; load average ${os.loadavg()[0]!.toFixed(1)}; ${RUNS} repetitions after one warm-up call, each followed by the baseline, median milliseconds.`,
    '',
    `Volume: 640×512×120 uint8 labels; label ${LABEL} drawn as a drifting ellipse (60–90 × 35–50 voxels) on every ${EVERY}th slice across k (15 slices), a bar of label ${OTHER} through all slices. Fill between slices across k: \`interpolateLabel\` finds the label's bounding box on the main thread, sends the box (+ 2-voxel margin, ${boxVoxels.toLocaleString('en')} voxels) as a 0/1 mask to the worker, which runs ITK's MorphologicalContourInterpolator (\`@itk-wasm/morphological-contour-interpolation\`) and answers with the new voxels' indices; \`applyInterpolation\` then makes the diff under a lock on label ${OTHER}.`,
    '',
    ...lines,
  ].join('\n');
  writeResults('interpolation', figures, md);
  console.log('\n' + md);
}

async function chromiumVersion(): Promise<string | null> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const v = browser.version();
  await browser.close();
  return v;
}

await main();
