// Messages between renderer/interpolation/index.ts and interpolate.worker.ts (structured clone; the mask and the
// answer's indices are transferred, not copied).
import type { InterpolationJob } from './core.js';

export interface WorkerRequest {
  id: number;
  job: InterpolationJob;
  /** Absolute URL of the folder holding the pipeline's .js and .wasm.zst (no trailing slash). */
  pipelinesBaseUrl: string;
}

export type WorkerResponse =
  | { id: number; ok: true; fill: Uint32Array; ms: number }
  | { id: number; ok: false; message: string };
