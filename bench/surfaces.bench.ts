// Bench: 3-D label surfaces (renderer/viewer/surfaces) on a 640×512×120 spine label volume — the full build of
// every label's smoothed surface, and the one-label rebuild after a brush stroke — through SurfaceBuilder with its
// worker logic in a Node worker thread (the renderer uses a dedicated Web Worker; same code, workerCore.ts). Baseline
// in the same run, interleaved: one pass over the volume computing every label's bounding box (labelBoxes).
// Also: the longest main-thread stall while a build or rebuild is in flight (a 4 ms interval probe; what the UI
// thread would lose to copying, posting and receiving), and each label's meshing time on its own.
// Run: node bin/run-ts.mjs bench/surfaces.bench.ts [--runs N]   (default 7)
//
// This file is also the worker thread's entry: when it is not the main thread it only serves the worker protocol.
import { isMainThread, parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import type { Vec3, VolumeGeometry } from '../common/geometry.js';
import { createAnatomy, rasterise } from '../main/core/sample/phantom.js';
import { seriesGeometry, seriesPlan } from '../main/core/sample/plan.js';
import { DiffRecorder, strokeSegment, type BrushOptions } from '../renderer/labelmap/index.js';
import {
  SurfaceBuilder,
  labelBoxes,
  labelsInDiff,
  meshLabel,
  wholeBlock,
  type SurfaceWorkerPort,
  type VoxelBox,
} from '../renderer/viewer/surfaces/index.js';
import { createSurfaceWorkerCore, type FromWorker, type ToWorker } from '../renderer/viewer/surfaces/workerCore.js';
import { figure, machineLine, median, writeResults, type BenchFigure } from './lib/report.js';

const COMMAND = 'node bin/run-ts.mjs bench/surfaces.bench.ts';
const REBUILD_GOAL_MS = 1000;
const FRAME_GOAL_MS = 50;
const PROBE_MS = 4;

function nodeWorkerPort(): SurfaceWorkerPort {
  // Worker threads do not inherit the tsx loader the main thread runs under: register it there, then load this file.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const self = JSON.stringify(import.meta.url);
  const worker = new Worker(`import(${tsx}).then((m) => { m.register(); return import(${self}); });`, { eval: true });
  return {
    post: (msg, transfer) => worker.postMessage(msg, transfer as unknown as TransferListItem[]),
    listen: (handler) => worker.on('message', (msg: FromWorker) => handler(msg)),
    terminate: () => void worker.terminate(),
  };
}

/** Longest gap between ticks of a PROBE_MS interval while `fn` runs, minus the interval: main-thread stall. */
async function withStallProbe<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; maxStallMs: number }> {
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, PROBE_MS);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  maxGap = Math.max(maxGap, performance.now() - last);
  clearInterval(timer);
  return { value, ms, maxStallMs: Math.max(0, maxGap - PROBE_MS) };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const fmt = (x: number, d = 1): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const boxText = (b: VoxelBox): string => `${b.max[0] - b.min[0] + 1}×${b.max[1] - b.min[1] + 1}×${b.max[2] - b.min[2] + 1}`;

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const RUNS = Math.max(3, runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7);

  // The sample generator's realistic t2_SPACE grid (PIR, 640×512×120, 0.469×0.469×0.9 mm) and its spine phantom:
  // 5 vertebrae, 5 discs, the canal.
  const anatomy = createAnatomy({ vertebrae: 5, pfirrmann: [2, 3, 1, 2, 1], seed: 'surfaces-bench' });
  const template = seriesPlan(0, 'realistic').find((t) => t.suffix === 't2_SPACE')!;
  const geometry: VolumeGeometry = seriesGeometry(anatomy, template);
  const size = geometry.size;
  const labels = Uint8Array.from(rasterise(anatomy, geometry, 't2', 'surfaces-bench', 0).labels);
  const boxes = labelBoxes(wholeBlock(labels, size));
  console.log(`volume ${size.join('×')}, labels ${[...boxes.keys()].join(', ')}`);

  // Per label, meshed on this thread (pure function), median of RUNS.
  const perLabel: Array<{ label: number; box: VoxelBox; triangles: number; ms: number }> = [];
  for (const [label, box] of boxes) {
    const times: number[] = [];
    let triangles = 0;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      triangles = meshLabel(wholeBlock(labels, size), label, box, geometry)!.triangles.length / 3;
      times.push(performance.now() - t0);
    }
    perLabel.push({ label, box, triangles, ms: median(times) });
  }

  // The stroke: a 3-D sphere brush (r = 5 mm, 3 slices) of vertebra 3 in 'background-only' mode, 20 pointer samples
  // from the body's centre out through its anterior wall, in the slice through the centre: only label 3 changes.
  // Each rebuild run paints the stroke and the next erases it again (value 0 inside label 3), alternately.
  const target = 3;
  const tb = boxes.get(target)!;
  const centre: Vec3 = [(tb.min[0] + tb.max[0]) / 2, (tb.min[1] + tb.max[1]) / 2, Math.round((tb.min[2] + tb.max[2]) / 2)];
  const path: Vec3[] = [];
  for (let e = 0; e <= 20; e++) path.push([centre[0] - (e / 20) * ((tb.max[0] - tb.min[0]) / 2 + 25), centre[1] + 3 * Math.sin(e / 3), centre[2]]);
  const paint: BrushOptions = { shape: 'sphere', sliceAxis: 2, radiusMm: 5, throughPlaneSlices: 3, value: target, mode: 'background-only' };
  const erase: BrushOptions = { ...paint, value: 0, mode: { inside: target } };
  const vol = { size, spacing: geometry.spacing, labels };
  const stroke = (opts: BrushOptions) => {
    const rec = new DiffRecorder(labels);
    for (let e = 1; e < path.length; e++) strokeSegment(vol, rec, path[e - 1]!, path[e]!, opts);
    return rec.finish();
  };

  const builder = new SurfaceBuilder({ createPort: nodeWorkerPort });
  const samples = { baseline: [] as number[], full: [] as number[], fullStall: [] as number[], fullRequest: [] as number[] };
  const reb = { wall: [] as number[], worker: [] as number[], stall: [] as number[], request: [] as number[], answer: [] as number[], voxels: [] as number[], labels: new Set<string>() };
  let fullTriangles = 0;
  let rebuiltTriangles = 0;
  // One untimed warm-up of everything (worker start-up, JIT), then RUNS interleaved rounds.
  for (let r = -1; r < RUNS; r++) {
    const t0 = performance.now();
    labelBoxes(wholeBlock(labels, size));
    const baseline = performance.now() - t0;

    const full = await withStallProbe(() => builder.buildAll(labels, geometry));
    const meshes = full.value!;
    fullTriangles = [...meshes.values()].reduce((s, m) => s + m.triangles.length / 3, 0);
    const fullRequest = builder.mainThread.requestMs;

    for (let s = 0; s < 2; s++) {
      const diff = stroke(s === 0 ? paint : erase);
      const changed = labelsInDiff(diff);
      const u = await withStallProbe(() => builder.rebuildFromDiff(diff));
      const update = u.value!;
      if (r < 0) continue;
      reb.labels.add(changed.join('+') + ' → ' + [...update.meshes.keys()].join('+'));
      reb.wall.push(u.ms);
      reb.worker.push(update.workerMs);
      reb.stall.push(u.maxStallMs);
      reb.request.push(builder.mainThread.requestMs);
      reb.answer.push(builder.mainThread.answerMs);
      reb.voxels.push(diff.indices.length);
      rebuiltTriangles = update.meshes.get(target)!.triangles.length / 3;
    }
    if (r < 0) continue;
    samples.baseline.push(baseline);
    samples.full.push(full.ms);
    samples.fullStall.push(full.maxStallMs);
    samples.fullRequest.push(fullRequest);
  }
  // The worker's own time for a full build: one more build, read from the update.
  let fullWorkerMs = 0;
  const off = builder.onUpdate((u) => (fullWorkerMs = u.workerMs));
  await builder.buildAll(labels, geometry);
  off();
  builder.dispose();

  const base = median(samples.baseline);
  const fullMs = median(samples.full);
  const rebuildMs = median(reb.wall);
  const maxStall = Math.max(...samples.fullStall, ...reb.stall);
  const figures: BenchFigure[] = [
    figure('surfaces-full-build', 'ms', fullMs, base, RUNS, { size, labels: boxes.size, triangles: fullTriangles, workerMs: fullWorkerMs }),
    figure('surfaces-one-label-rebuild', 'ms', rebuildMs, base, 2 * RUNS, { label: target, strokeVoxels: median(reb.voxels), triangles: rebuiltTriangles, p95: percentile(reb.wall, 0.95) }),
    figure('surfaces-main-thread-max-stall', 'ms', maxStall, FRAME_GOAL_MS, 3 * RUNS, { probeMs: PROBE_MS }),
  ];

  const rows = perLabel
    .sort((a, b) => a.label - b.label)
    .map((p) => `| ${p.label} | ${boxText(p.box)} | ${p.triangles.toLocaleString('en-US')} | ${fmt(p.ms)} |`)
    .join('\n');
  const rebuildOk = percentile(reb.wall, 0.95) <= REBUILD_GOAL_MS;
  const stallOk = maxStall <= FRAME_GOAL_MS;
  const md = `## 3-D label surfaces: full build and one-label rebuild (640×512×120)

Command: \`${COMMAND}\` — ${machineLine()}; ${RUNS} rounds after one warm-up round, each round = baseline, full build,
then two strokes (paint, erase) each followed by its rebuild; medians unless marked.

Volume: the sample generator's realistic t2_SPACE grid (${size.join('×')}, PIR, spacing ${geometry.spacing.join('×')} mm) with its
spine phantom: vertebrae 1–5, discs 201–205, canal 100 (${boxes.size} labels). Surfaces: \`SurfaceBuilder\` (renderer/viewer/surfaces)
with its worker logic in a Node worker thread (the app uses a dedicated Web Worker running the same workerCore.ts); the
volume goes to the worker once, in 4 Mi-voxel chunks with a yield between them;
Surface Nets on each label's bounding box + 1 voxel, 12 Taubin iterations (λ 0.5, μ −0.53) constrained to each vertex's
cell, area-weighted normals, world-mm Float32 points. Rebuild: a 3-D sphere brush (r 5 mm, 3 slices) of label ${target}
painted (background only) along 20 pointer samples out through the body's anterior wall, then erased again;
\`rebuildFromDiff\` sends only the stroke's bounding-box block, the worker finds the changed labels (${[...reb.labels].join('; ')}).
Baseline = one pass over the volume computing every label's bounding box (\`labelBoxes\`), on the main thread.

| Measure | median (ms) | p95 (ms) | / baseline |
|---|---:|---:|---:|
| baseline: bounding boxes, one pass over ${(labels.length / 1e6).toFixed(1)} M voxels | ${fmt(base)} | ${fmt(percentile(samples.baseline, 0.95))} | 1.00× |
| full build, request → all meshes on the main thread (${fullTriangles.toLocaleString('en-US')} triangles) | ${fmt(fullMs)} | ${fmt(percentile(samples.full, 0.95))} | ${fmt(fullMs / base, 2)}× |
| … of which main thread: longest single step (copy + post of one 4 Mi-voxel chunk) | ${fmt(median(samples.fullRequest))} | ${fmt(percentile(samples.fullRequest, 0.95))} | |
| one-label rebuild after a stroke, request → mesh (${median(reb.voxels).toLocaleString('en-US')}-voxel diff, ${rebuiltTriangles.toLocaleString('en-US')} triangles) | ${fmt(rebuildMs)} | ${fmt(percentile(reb.wall, 0.95))} | ${fmt(rebuildMs / base, 2)}× |
| … of which worker (patch, box update, meshing) | ${fmt(median(reb.worker))} | ${fmt(percentile(reb.worker, 0.95))} | |
| … of which main thread: diff box + block copy + post | ${fmt(median(reb.request), 2)} | ${fmt(percentile(reb.request, 0.95), 2)} | |
| … of which main thread: receiving the answer | ${fmt(median(reb.answer), 2)} | ${fmt(percentile(reb.answer, 0.95), 2)} | |
| longest main-thread stall during any build or rebuild (${PROBE_MS} ms probe) | ${fmt(median([...samples.fullStall, ...reb.stall]))} | max ${fmt(maxStall)} | |

Each label meshed on its own (pure \`meshLabel\`, same thread, median of ${RUNS}):

| Label | box (voxels) | triangles | ms |
|---:|---|---:|---:|
${rows}

Algorithm choice (measured once on 2026-12-01, same volume and machine, busier than during the table above, with a scratch script outside the repo:
bench/ may not import vtk.js): vtk.js 37 on the same label boxes — vtkImageMarchingCubes (0.5 on a float mask,
merged points) + vtkWindowedSincPolyDataFilter (20 iterations, pass band 0.1) + vtkPolyDataNormals — against
\`meshLabel\`, interleaved, median of 5: vertebra 3 143 + 563 + 29 = 788 ms vs 88 ms (38.6 k triangles each); canal
252 + 894 + 59 = 1240 ms vs 99 ms (86.8 k); disc 203 47 + 224 + 13 = 281 ms vs 26 ms (23.7 k). Enclosed volume /
voxel volume: vtk.js 0.995, ours 0.998–0.999. vtk.js marching cubes also prints a console.time line per call.

Goals (issue 13, item 2):
- one-label rebuild ≤ ${REBUILD_GOAL_MS} ms: p95 ${fmt(percentile(reb.wall, 0.95))} ms — **${rebuildOk ? 'met' : 'not met'}**
- no UI frame > ${FRAME_GOAL_MS} ms from the surfaces: longest main-thread stall ${fmt(maxStall)} ms — **${stallOk ? 'met' : 'not met'}** (Node main thread
  as a stand-in for the renderer's; the stall includes GC and machine noise; vtk.js actor updates of the 3-D view are not built yet and not included)
`;
  console.log(md);
  writeResults('surfaces', figures, md);
}

if (!isMainThread) {
  const port = parentPort!;
  const core = createSurfaceWorkerCore((msg, transfer) => port.postMessage(msg, transfer as unknown as TransferListItem[]));
  port.on('message', (msg: ToWorker) => core.handle(msg));
} else {
  await main();
}
