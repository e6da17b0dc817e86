// Bench: JavaScript cost of painting on a 1024×1024×40 uint8 label volume (spacing 0.3×0.3×4 mm) — per pointer
// event of a fast 200-event stroke, each event interpolated into several dabs and recorded into one diff —
// against the bare cost of writing the same voxels with TypedArray.fill, interleaved in the same run. Also the
// stroke's finish + encode cost and size, and the 'rle-u8-v1' codec on a 1M-voxel stroke diff.
// Run: node bin/run-ts.mjs bench/paint.bench.ts   (PAINT_BENCH_STROKES=n strokes per brush, default 3)
import type { Vec3 } from '../common/geometry.js';
import { applyDiff, base64ToBytes, bytesToBase64, decodeDiff, encodeDiff, type VoxelDiff } from '../common/labelDiff.js';
import { DiffRecorder, paintStencil, strokeSegment, type BrushOptions, type LabelmapVolume } from '../renderer/labelmap/index.js';
import { figure, interleave, machineLine, median, writeResults, type BenchFigure } from './lib/report.js';

const COMMAND = 'node bin/run-ts.mjs bench/paint.bench.ts';
const SIZE: Vec3 = [1024, 1024, 40];
const SPACING: Vec3 = [0.3, 0.3, 4];
const EVENTS_PER_STROKE = 200;
const STROKES = Math.max(2, Number(process.env.PAINT_BENCH_STROKES ?? 3));
/** Pointer samples this many brush radii apart: a fast drag, so every event interpolates several dabs. */
const EVENT_STEP_RADII = 2;
const GOAL_MS = 2;
const CODEC_RUNS = 9;

interface Brush {
  name: string;
  opts: BrushOptions;
}

const BRUSHES: Brush[] = [
  { name: '2-D circle, r = 3 mm', opts: { shape: 'circle', sliceAxis: 2, radiusMm: 3, value: 5 } },
  { name: '2-D circle, r = 10 mm', opts: { shape: 'circle', sliceAxis: 2, radiusMm: 10, value: 5 } },
  { name: '3-D sphere, r = 5 mm, 3 slices', opts: { shape: 'sphere', sliceAxis: 2, radiusMm: 5, throughPlaneSlices: 3, value: 5 } },
];

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

/** A label volume with some anatomy-like content (a block of label 2 per slice), so writes meet other labels. */
function makeVolume(): LabelmapVolume {
  const labels = new Uint8Array(SIZE[0] * SIZE[1] * SIZE[2]);
  for (let k = 0; k < SIZE[2]; k++) {
    for (let j = 400; j < 600; j++) labels.fill(2, 300 + SIZE[0] * (j + SIZE[1] * k), 700 + SIZE[0] * (j + SIZE[1] * k));
  }
  return { size: SIZE, spacing: SPACING, labels };
}

/** Pointer samples `step` voxels apart along a Lissajous loop over the middle slice (overlaps itself). */
function strokePath(stepVoxels: number, offset: number): Vec3[] {
  const at = (t: number): Vec3 => [512 + 400 * Math.cos(t + offset), 512 + 380 * Math.sin(1.5 * t + offset), 20];
  const out: Vec3[] = [at(0)];
  let t = 0;
  while (out.length < EVENTS_PER_STROKE + 1) {
    const p = out[out.length - 1]!;
    let q = at(t);
    while (Math.hypot(q[0] - p[0], q[1] - p[1]) < stepVoxels) q = at((t += 0.0005));
    out.push(q);
  }
  return out;
}

/** The same dabs as strokeSegment would place, written with TypedArray.fill over each dab's rows: the bare cost. */
function bareSegment(vol: LabelmapVolume, from: Vec3, to: Vec3, opts: BrushOptions): void {
  const ru = opts.radiusMm / SPACING[0];
  const rv = opts.radiusMm / SPACING[1];
  const dabs = Math.max(1, Math.ceil(Math.hypot((to[0] - from[0]) / Math.max(1, ru), (to[1] - from[1]) / Math.max(1, rv)) / 0.5));
  const half = opts.shape === 'sphere' ? Math.floor((opts.throughPlaneSlices ?? 1) / 2) : 0;
  for (let s = 1; s <= dabs; s++) {
    const cu = from[0] + ((to[0] - from[0]) * s) / dabs;
    const cv = from[1] + ((to[1] - from[1]) * s) / dabs;
    for (let dw = -half; dw <= half; dw++) {
      const taper = half === 0 ? 1 : Math.sqrt(1 - (dw / (half + 0.5)) ** 2);
      const k = 20 + dw;
      for (let j = Math.ceil(cv - rv * taper); j <= Math.floor(cv + rv * taper); j++) {
        const dv = (j - cv) / (rv * taper);
        const hw = ru * taper * Math.sqrt(Math.max(0, 1 - dv * dv));
        const row = SIZE[0] * (j + SIZE[1] * k);
        vol.labels.fill(opts.value, row + Math.ceil(cu - hw), row + Math.floor(cu + hw) + 1);
      }
    }
  }
}

interface BrushResult {
  brush: Brush;
  ours: number[];
  bare: number[];
  dabs: number;
  events: number;
  voxelsPerDab: number;
  finishMs: number[];
  encodeMs: number[];
  encodedBytes: number[];
  diffVoxels: number[];
}

async function benchBrush(brush: Brush): Promise<BrushResult> {
  const vol = makeVolume();
  const bareVol = makeVolume();
  const radiusVoxels = brush.opts.radiusMm / SPACING[0];
  const paths = Array.from({ length: STROKES + 1 }, (_, s) => strokePath(EVENT_STEP_RADII * radiusVoxels, s * 0.7));
  const result: BrushResult = { brush, ours: [], bare: [], dabs: 0, events: 0, voxelsPerDab: 0, finishMs: [], encodeMs: [], encodedBytes: [], diffVoxels: [] };

  // Each call handles the next pointer event of its own stroke; the 200th also ends the stroke.
  let recorder = new DiffRecorder(vol.labels);
  let ourStroke = 0;
  let ourEvent = 0;
  const ours = (): void => {
    const path = paths[ourStroke % paths.length]!;
    if (ourEvent === 0) paintStencil(vol, recorder, path[0]!, brush.opts);
    result.dabs += strokeSegment(vol, recorder, path[ourEvent]!, path[ourEvent + 1]!, brush.opts);
    result.events++;
    if (++ourEvent < EVENTS_PER_STROKE) return;
    const t0 = performance.now();
    const diff = recorder.finish();
    const t1 = performance.now();
    const bytes = encodeDiff(diff);
    const t2 = performance.now();
    result.finishMs.push(t1 - t0);
    result.encodeMs.push(t2 - t1);
    result.encodedBytes.push(bytes.length);
    result.diffVoxels.push(diff.indices.length);
    applyDiff(vol.labels, diff, 'backward'); // next stroke starts from the same volume
    recorder = new DiffRecorder(vol.labels);
    ourStroke++;
    ourEvent = 0;
  };
  let bareStroke = 0;
  let bareEvent = 0;
  const bare = (): void => {
    const path = paths[bareStroke % paths.length]!;
    bareSegment(bareVol, path[bareEvent]!, path[bareEvent + 1]!, brush.opts);
    if (++bareEvent < EVENTS_PER_STROKE) return;
    bareStroke++;
    bareEvent = 0;
  };
  const samples = await interleave({ ours, bare }, STROKES * EVENTS_PER_STROKE - 1);
  result.ours = samples.ours!;
  result.bare = samples.bare!;

  // Voxels per dab: one dab on an empty volume.
  const empty: LabelmapVolume = { size: SIZE, spacing: SPACING, labels: new Uint8Array(vol.labels.length) };
  result.voxelsPerDab = paintStencil(empty, new DiffRecorder(empty.labels), [512, 512, 20], brush.opts);
  return result;
}

/** A stroke diff of at least 1M voxels: the 3-D r = 10 mm brush over 3 slices, 200 events one radius apart. */
function millionVoxelDiff(): VoxelDiff {
  const vol = makeVolume();
  const recorder = new DiffRecorder(vol.labels);
  const opts: BrushOptions = { shape: 'sphere', sliceAxis: 2, radiusMm: 10, throughPlaneSlices: 3, value: 7 };
  for (let s = 0; recorder.touched < 1_000_000; s++) {
    const path = strokePath(10 / SPACING[0], s);
    paintStencil(vol, recorder, path[0]!, opts);
    for (let e = 0; e < EVENTS_PER_STROKE && recorder.touched < 1_000_000; e++) strokeSegment(vol, recorder, path[e]!, path[e + 1]!, opts);
  }
  return recorder.finish();
}

async function benchCodec(): Promise<{ diff: VoxelDiff; bytes: number; samples: Record<string, number[]> }> {
  const diff = millionVoxelDiff();
  const voxelCount = SIZE[0] * SIZE[1] * SIZE[2];
  const bytes = encodeDiff(diff);
  const text = bytesToBase64(bytes);
  const samples = await interleave(
    {
      encode: () => encodeDiff(diff),
      decode: () => decodeDiff(bytes, voxelCount),
      // Bare: copying the diff's three arrays once, the least any encoder or decoder has to touch.
      copy: () => [diff.indices.slice(), diff.before.slice(), diff.after.slice()],
      toBase64: () => bytesToBase64(bytes),
      fromBase64: () => base64ToBytes(text),
    },
    CODEC_RUNS,
  );
  return { diff, bytes: bytes.length, samples };
}

const fmt = (ms: number): string => (ms < 0.1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

async function main(): Promise<void> {
  const figures: BenchFigure[] = [];
  const rows: string[] = [];
  const verdicts: string[] = [];
  for (const brush of BRUSHES) {
    const r = await benchBrush(brush);
    const ours = median(r.ours);
    const bare = median(r.bare);
    const p95 = percentile(r.ours, 0.95);
    const bareP95 = percentile(r.bare, 0.95);
    const dabsPerEvent = r.dabs / r.events;
    const perDab = ours / dabsPerEvent;
    const met = p95 <= GOAL_MS;
    console.log(`${brush.name}: ours ${fmt(ours)} ms (p95 ${fmt(p95)}) per event of ${dabsPerEvent.toFixed(1)} dabs, bare ${fmt(bare)} ms (p95 ${fmt(bareP95)})`);
    figures.push(
      figure(`paint.event.${brush.opts.shape}${brush.opts.radiusMm}mm`, 'ms', ours, bare, r.ours.length, {
        brush: brush.name, p95Ms: p95, bareP95Ms: bareP95, dabsPerEvent, msPerDab: perDab, voxelsPerDab: r.voxelsPerDab,
        strokeFinishMs: median(r.finishMs), strokeEncodeMs: median(r.encodeMs), strokeEncodedBytes: median(r.encodedBytes),
        strokeDiffVoxels: median(r.diffVoxels), goalMs: GOAL_MS, goalMet: met,
      }),
    );
    rows.push(
      `| ${brush.name} | ${r.voxelsPerDab} | ${dabsPerEvent.toFixed(1)} | ${fmt(ours)} / ${fmt(p95)} | ${fmt(perDab)} | ${fmt(bare)} / ${fmt(bareP95)} | ${(ours / bare).toFixed(2)}× | ` +
        `${median(r.diffVoxels).toLocaleString('en')} | ${fmt(median(r.finishMs))} | ${fmt(median(r.encodeMs))} | ${median(r.encodedBytes).toLocaleString('en')} |`,
    );
    verdicts.push(`- ${brush.name}: p95 ${fmt(p95)} ms per pointer event (${dabsPerEvent.toFixed(1)} dabs) — goal ≤ ${GOAL_MS} ms per dab: **${met ? 'met' : 'not met'}**`);
  }

  const codec = await benchCodec();
  const enc = median(codec.samples.encode!);
  const dec = median(codec.samples.decode!);
  const copy = median(codec.samples.copy!);
  const n = codec.diff.indices.length;
  figures.push(
    figure('paint.codec.1M', 'ms', enc + dec, copy, CODEC_RUNS, {
      diffVoxels: n, encodedBytes: codec.bytes, encodeMs: enc, decodeMs: dec,
      toBase64Ms: median(codec.samples.toBase64!), fromBase64Ms: median(codec.samples.fromBase64!), goalMs: 50, goalMet: enc + dec < 50,
    }),
  );
  console.log(`codec: ${n} voxels → ${codec.bytes} bytes, encode ${fmt(enc)} ms, decode ${fmt(dec)} ms (copy ${fmt(copy)} ms)`);

  const md = [
    '## Painting: JavaScript cost per dab (1024×1024×40)',
    '',
    `Command: \`${COMMAND}\` — ${machineLine()}; ${STROKES} strokes × ${EVENTS_PER_STROKE} pointer events per brush, interleaved with the bare baseline after one warm-up call, milliseconds per pointer event.`,
    '',
    `Volume: 1024×1024×40 uint8 labels, spacing 0.3×0.3×4 mm, painted in a 1024×1024 slice (sliceAxis 2). Each pointer event lies ${EVENT_STEP_RADII} brush radii from the previous one (a fast drag along a self-overlapping loop), so \`strokeSegment\` interpolates several dabs per event (spacing ≤ half a radius); every write goes through the \`DiffRecorder\`; the 200th event ends the stroke with \`finish()\` + \`encodeDiff\`. "ours" = \`strokeSegment\` (interpolation, paint-mode/lock table, stencil rows, recording); "bare" = the same dabs written row by row with \`Uint8Array.fill\`, no checks, no recording.`,
    '',
    '| Brush | voxels per dab | dabs per event | ours median / p95 (ms per event) | ours per dab (ms) | bare median / p95 (ms) | ours / bare | stroke diff (voxels) | finish (ms) | encode (ms) | encoded (bytes) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Goal: at most ${GOAL_MS} ms of JavaScript per dab (judged on the p95 of a whole pointer event, which holds several dabs).`,
    ...verdicts,
    '',
    `Codec ('rle-u8-v1'): a ${n.toLocaleString('en')}-voxel stroke diff (3-D brush r = 10 mm) encodes to ${codec.bytes.toLocaleString('en')} bytes; encode ${fmt(enc)} ms + decode ${fmt(dec)} ms = ${fmt(enc + dec)} ms (target well under 50 ms: **${enc + dec < 50 ? 'met' : 'not met'}**; bare copy of the three arrays ${fmt(copy)} ms). base64 of it: ${fmt(median(codec.samples.toBase64!))} ms to text, ${fmt(median(codec.samples.fromBase64!))} ms back; median of ${CODEC_RUNS}.`,
  ].join('\n');
  writeResults('paint', figures, md);
  console.log('\n' + md);
}

await main();
