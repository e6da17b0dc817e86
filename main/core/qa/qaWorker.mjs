// @ts-check
// Worker thread of the label checks (main/core/qa/runner.ts): runs the voxel pass (scanRuns.mjs) on a mask handed
// over by transfer and posts the plain scan back, moving its run arrays. Plain JavaScript so it starts without a
// TypeScript loader under tsx, vitest and the bundled CLI alike.
import { parentPort } from 'node:worker_threads';
import { scanRuns } from './scanRuns.mjs';

/** @typedef {{ id: number; buffer: ArrayBuffer; byteOffset: number; length: number; type: string; size: [number, number, number]; runsFor: number[] }} ScanTask */

const TYPES = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };

const port = parentPort;
if (!port) throw new Error('qaWorker.mjs runs as a worker thread');
port.on('message', (/** @type {ScanTask} */ task) => {
  try {
    const Ctor = TYPES[/** @type {keyof typeof TYPES} */ (task.type)];
    if (!Ctor) throw new Error(`unsupported pixel type ${task.type}`);
    const data = new Ctor(task.buffer, task.byteOffset, task.length);
    const raw = scanRuns(data, task.size, 26, task.runsFor);
    const transfer = raw.runs.flatMap((r) => [r.row.buffer, r.start.buffer, r.end.buffer]);
    port.postMessage({ id: task.id, ok: true, raw }, /** @type {ArrayBuffer[]} */ (transfer));
  } catch (err) {
    port.postMessage({ id: task.id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
