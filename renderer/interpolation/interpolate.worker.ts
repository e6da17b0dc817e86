// The worker of fill between slices: runs ITK's MorphologicalContourInterpolator (itk-wasm) on the label box the
// main thread sends and answers with the volume indices to fill. The pipeline runs in this thread (webWorker:
// false: no nested itk-wasm worker) and its .js + .wasm.zst come from the app's own files (the folder Vite copies
// them to, see vite.config.ts), never from the package's default CDN.
import { morphologicalContourInterpolation, setPipelinesBaseUrl } from '@itk-wasm/morphological-contour-interpolation';
import { runJob, type PipelineRunner } from './core.js';
import type { WorkerRequest, WorkerResponse } from './protocol.js';

const runHere: PipelineRunner = async (image, options) => {
  const { outputImage } = await morphologicalContourInterpolation(image, { ...options, webWorker: false, noCopy: true });
  if (!(outputImage.data instanceof Uint8Array)) throw new Error('interpolation returned no uint8 image');
  return outputImage.data;
};

function reply(message: WorkerResponse): void {
  // DedicatedWorkerGlobalScope.postMessage(message, { transfer }); the renderer's types are the DOM lib's.
  if (message.ok) globalThis.postMessage(message, { transfer: [message.fill.buffer] });
  else globalThis.postMessage(message);
}

// One job at a time: the wasm call is synchronous once started, so jobs queue in arrival order anyway.
let queue: Promise<void> = Promise.resolve();

globalThis.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const { id, job, pipelinesBaseUrl } = event.data;
  queue = queue.then(async () => {
    const t0 = performance.now();
    try {
      setPipelinesBaseUrl(pipelinesBaseUrl);
      const fill = await runJob(job, runHere);
      reply({ id, ok: true, fill, ms: performance.now() - t0 });
    } catch (e) {
      reply({ id, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  });
});
