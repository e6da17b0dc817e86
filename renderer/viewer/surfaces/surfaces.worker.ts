// Dedicated-worker shell of the label surfaces (bundled by Vite from `new Worker(new URL(...), { type: 'module' })`
// in index.ts). All logic is in workerCore.ts / mesh.ts so that Node tests and benches run the same code.
import { createSurfaceWorkerCore, type ToWorker } from './workerCore.js';

// The renderer program has DOM types, not WebWorker ones: in a dedicated worker `self` is the worker's global
// scope, whose postMessage(message, { transfer }) has the same shape as the DOM's window.postMessage options form.
const scope = self as unknown as {
  postMessage(message: unknown, options: { transfer: Transferable[] }): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};

const core = createSurfaceWorkerCore((msg, transfer) => scope.postMessage(msg, { transfer }));
scope.onmessage = (e) => core.handle(e.data);
