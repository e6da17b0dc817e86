// Sole entry point of renderer/interpolation: fill between slices (issue 13 item 1). interpolateLabel computes,
// in a Web Worker, which voxels morphological contour interpolation adds to one label between the slices the
// user drew across one axis; applyInterpolation turns them into a VoxelDiff under the current locks and paint
// mode, which the caller applies (applyDiff) and commits through the edit session like any stroke.
//
//   const r = await interpolateLabel(vol.labels, vol.size, label, axis, { signal });
//   const diff = applyInterpolation(vol.labels, r.fill, label, { mode, locked });
//   applyDiff(vol.labels, diff, 'forward'); await session.commit({ diff, tool: 'interpolate', ... });
//
// Only the label's bounding box (plus a margin in the slice plane) is copied to the worker, as a 0/1 mask; only
// the new voxels come back (ascending volume indices). No DOM beyond Worker/URL, no Node, no vtk.js.
import type { Axis, Vec3 } from '../../common/geometry.js';
import type { LabelValue } from '../../common/labels.js';
import { DEFAULT_MARGIN, assertDims, prepareJob, type Box } from './core.js';
import { createWorkerClient } from '../platform/workerClient.js';
import type { WorkerRequest, WorkerResponse } from './protocol.js';

export { applyInterpolation, DEFAULT_MARGIN, type Box } from './core.js';

/**
 * Folder, next to the renderer's index.html, holding the pipeline's .js and .wasm.zst. vite.config.ts copies
 * them there (dist/renderer/itk-pipelines/) and serves them there in dev; keep the two names in step.
 */
export const PIPELINES_DIR = 'itk-pipelines';

export interface InterpolateOptions {
  /** Aborting rejects with an AbortError and terminates the worker (the next call starts a fresh one). */
  signal?: AbortSignal;
  /** Voxels added around the label's bounding box in the slice plane. Default DEFAULT_MARGIN. */
  margin?: number;
  /** Where the pipeline files are; default `<document base>/itk-pipelines`. */
  pipelinesBaseUrl?: string;
}

export interface InterpolationResult {
  /**
   * Volume indices (ascending) of the voxels that should become the label: inside slices across the axis that
   * hold none of it, strictly between the first and last slice that does. Empty when there is nothing to fill
   * (label absent, in fewer than two slices, or in consecutive slices only).
   */
  fill: Uint32Array;
  /** The box sent to the worker (null: nothing was sent). */
  box: Box | null;
  /** Main-thread cut of the box, time in the worker (interpolation + mapping back), whole call; milliseconds. */
  timings: { prepareMs: number; workerMs: number; totalMs: number };
}

function abortError(): DOMException {
  return new DOMException('Fill between slices was cancelled', 'AbortError');
}

// Vite bundles the worker (and what it imports) from this exact `new Worker(new URL(...))` form.
const client = createWorkerClient<WorkerResponse>(
  () => new Worker(new URL('./interpolate.worker.ts', import.meta.url), { type: 'module', name: 'interpolation' }),
  'Fill between slices',
);

/** Stops the worker; calls in flight reject with `reason`. The next interpolateLabel starts a new worker. */
export function disposeInterpolationWorker(reason: unknown = abortError()): void {
  client.dispose(reason);
}

function defaultPipelinesBaseUrl(): string {
  return new URL(PIPELINES_DIR, document.baseURI).href;
}

/**
 * Starts the worker and loads the pipeline (fetch, decompress, compile: about a second, paid once per worker)
 * ahead of the first fill, e.g. when the fill-between-slices tool is chosen. Resolves once it is loaded.
 */
export async function warmUpInterpolation(opts: Pick<InterpolateOptions, 'pipelinesBaseUrl' | 'signal'> = {}): Promise<void> {
  // Two one-voxel slices with a gap: the smallest job that runs the pipeline.
  const tiny = new Uint8Array(3);
  tiny[0] = 1;
  tiny[2] = 1;
  await interpolateLabel(tiny, [1, 1, 3], 1, 2, { ...opts, margin: 0 });
}

/**
 * Which voxels morphological contour interpolation adds to `label` between the slices across `axis` that hold it
 * (ITK MorphologicalContourInterpolator, via itk-wasm, in a worker). `volume` is the label volume, x fastest then
 * y then z, `dims` its size; it is read synchronously during the call (the answer describes it as it was then)
 * and never written. Locks and paint mode are not applied here: see applyInterpolation.
 */
export async function interpolateLabel(
  volume: Uint8Array,
  dims: Vec3,
  label: LabelValue,
  axis: Axis,
  opts: InterpolateOptions = {},
): Promise<InterpolationResult> {
  const t0 = performance.now();
  const { signal } = opts;
  if (signal?.aborted) throw abortError();
  assertDims(volume, dims);
  const job = prepareJob(volume, dims, label, axis, opts.margin ?? DEFAULT_MARGIN);
  const prepareMs = performance.now() - t0;
  performance.measure('interpolation:prepare', { start: t0 }); // names the step in a profile (bench/previewFrames)
  performance.clearMeasures('interpolation:prepare');
  if (!job) return { fill: new Uint32Array(0), box: null, timings: { prepareMs, workerMs: 0, totalMs: performance.now() - t0 } };

  // The wasm call cannot be interrupted: aborting stops the worker (other calls in flight reject too; the UI runs
  // one at a time).
  const pipelinesBaseUrl = opts.pipelinesBaseUrl ?? defaultPipelinesBaseUrl();
  const res = await client.call((id): WorkerRequest => ({ id, job, pipelinesBaseUrl }), [job.mask.buffer], signal, abortError);
  if (!res.ok) throw new Error(`Fill between slices failed: ${res.message}`);
  return { fill: res.fill, box: job.box, timings: { prepareMs, workerMs: res.ms, totalMs: performance.now() - t0 } };
}
