// The worker of the label morphology operations (grow, shrink, open, close, median): runs the pure
// morphologyInBox of renderer/labelmap on the box the main thread cut out and answers with the diff, so a
// radius of several mm on a large label never blocks a UI frame.
import { morphologyInBox } from '../labelmap/index.js';
import type { MorphologyRequest, MorphologyResponse } from './protocol.js';

function reply(message: MorphologyResponse): void {
  if (message.ok) globalThis.postMessage(message, { transfer: [message.indices.buffer, message.before.buffer, message.after.buffer] });
  else globalThis.postMessage(message);
}

globalThis.addEventListener('message', (event: MessageEvent<MorphologyRequest>) => {
  const { id, cut, box, volumeSize, spacing, label, op, mode, locked } = event.data;
  const t0 = performance.now();
  try {
    const res = morphologyInBox(cut, box, volumeSize, spacing, label, op, { mode, locked: new Set(locked) });
    if (res.ok) reply({ id, ok: true, ...res.diff, added: res.added, removed: res.removed, ms: performance.now() - t0 });
    else reply({ id, ok: false, refused: true, message: res.message });
  } catch (e) {
    reply({ id, ok: false, refused: false, message: e instanceof Error ? e.message : String(e) });
  }
});
