// Opens a series: geometry from the contract, voxels as raw bytes (never JSON), wrapped in typed arrays
// without copying. Records the time of each step for the open-to-first-render benchmark. A series prefetched for
// "Next" (prefetch.ts) takes its bytes from there: the image as is, the mask only if the label revision is unchanged.
import type { OpenSeriesResponse, VolumeInfo } from '../../common/contract.js';
import { call, fetchVolume } from '../platform/api.js';
import type { ImageScalars } from '../viewer/index.js';
import { takePrefetched, type Prefetched } from './prefetch.js';

export interface OpenedSeries {
  info: OpenSeriesResponse;
  image: ImageScalars;
  labels: Uint8Array;
  /**
   * `prefetched`: the volumes came from the prefetch (`maskRefetched`: the labels changed since, so not the mask).
   * `confirmMs` (prefetched only, set once `confirm` settled): from the start of the open until main confirmed the
   * revision (or the refetched mask arrived).
   */
  timing: { openMs: number; transferMs: number; prefetched: boolean; maskRefetched: boolean; confirmMs?: number };
  /**
   * Prefetched only: whether the bytes are still current. Resolves to null when they are (same label revision), else
   * to the series loaded again (mask refetched). The opener renders and publishes the prefetched bytes at once and
   * hands this to settlePrefetched, which swaps in main's labels should they have moved on.
   */
  confirm?: Promise<OpenedSeries | null>;
}

function typedArray(buf: ArrayBuffer, type: VolumeInfo['pixelType']): ImageScalars {
  switch (type) {
    case 'uint8': return new Uint8Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint16': return new Uint16Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'uint32': return new Uint32Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
  }
}

export async function loadSeries(seriesId: string): Promise<OpenedSeries> {
  const pre = await takePrefetched(seriesId);
  if (pre) return fromPrefetch(pre);
  const t0 = performance.now();
  // All three requests go out at once: main reads the files once (the volume requests wait on the same load),
  // and the bytes start flowing as soon as they are ready.
  let t1 = t0;
  const infoP = call('openSeries', { seriesId }).then((i) => {
    t1 = performance.now();
    return i;
  });
  const [info, imageBuf, maskBuf] = await Promise.all([infoP, fetchVolume(seriesId, 'image'), fetchVolume(seriesId, 'mask')]);
  const t2 = performance.now();
  return wrap(info, imageBuf, maskBuf, { openMs: t1 - t0, transferMs: t2 - t1, prefetched: false, maskRefetched: false });
}

/**
 * Opens from the prefetched bytes at once; `confirm` asks main for the current state meanwhile (cheap: the series is in
 * its cache). The image never changes; the labels are current only at the same revision (an edit or undo elsewhere
 * bumps it), else the mask (and, should the image differ, the image) is fetched again.
 */
function fromPrefetch(pre: Prefetched): OpenedSeries {
  const t0 = performance.now();
  const confirm = call('openSeries', { seriesId: pre.seriesId }).then(async (info): Promise<OpenedSeries | null> => {
    const openMs = performance.now() - t0;
    opened.timing.openMs = openMs;
    const sameImage = info.image.byteLength === pre.image.byteLength && info.image.pixelType === pre.info.image.pixelType;
    const sameMask = info.revision === pre.info.revision && info.mask.byteLength === pre.mask.byteLength;
    if (sameImage && sameMask) {
      opened.timing.confirmMs = performance.now() - t0;
      return null;
    }
    const t1 = performance.now();
    const [imageBuf, maskBuf] = await Promise.all([
      sameImage ? pre.image : fetchVolume(pre.seriesId, 'image'),
      fetchVolume(pre.seriesId, 'mask'),
    ]);
    const t2 = performance.now();
    const fresh = wrap(info, imageBuf, maskBuf, { openMs, transferMs: t2 - t1, prefetched: true, maskRefetched: true, confirmMs: t2 - t0 });
    opened.timing.confirmMs = t2 - t0;
    return fresh;
  });
  const opened: OpenedSeries = { ...wrap(pre.info, pre.image, pre.mask, { openMs: 0, transferMs: 0, prefetched: true, maskRefetched: false }), confirm };
  return opened;
}

/** A series' volumes from the fetched bytes, as typed arrays over them (no copy); refuses bytes of the wrong length. */
export function seriesVolumes(info: OpenSeriesResponse, imageBuf: ArrayBuffer, maskBuf: ArrayBuffer): Pick<OpenedSeries, 'info' | 'image' | 'labels'> {
  if (imageBuf.byteLength !== info.image.byteLength || maskBuf.byteLength !== info.mask.byteLength) {
    throw new Error(`Volume of ${info.seriesId} arrived incomplete (${imageBuf.byteLength}/${info.image.byteLength} image bytes, ${maskBuf.byteLength}/${info.mask.byteLength} label bytes)`);
  }
  return { info, image: typedArray(imageBuf, info.image.pixelType), labels: new Uint8Array(maskBuf) };
}

function wrap(info: OpenSeriesResponse, imageBuf: ArrayBuffer, maskBuf: ArrayBuffer, timing: OpenedSeries['timing']): OpenedSeries {
  return { ...seriesVolumes(info, imageBuf, maskBuf), timing };
}

/** What settlePrefetched needs of the opener. */
export interface SettleHooks {
  /** The viewer's label volume swap (same grid): keeps the views' slices, zoom and crosshair. */
  setLabels(labels: { geometry: OpenSeriesResponse['mask']['geometry']; scalars: Uint8Array }): void;
  /** A full show (image and labels), for the case the image itself changed. */
  show(o: OpenedSeries): Promise<void>;
  /** The series currently published (appStore opened). */
  current(): OpenedSeries | null;
  publish(o: OpenedSeries): void;
  fail(message: string): void;
}

/**
 * After the opener showed a prefetched series: waits for its `confirm`. Same label revision: nothing to do. Main's
 * labels moved on since the prefetch (an edit, undo or redo in another window): main's current labels go on screen
 * and are handed to `publish`. The opener publishes (makes editable) only after this settled, so no stroke is ever
 * drawn on labels main has moved past. Nothing happens when `current()` is no longer this series.
 */
export async function settlePrefetched(opened: OpenedSeries, hooks: SettleHooks): Promise<void> {
  if (!opened.confirm) return;
  let fresh: OpenedSeries | null;
  try {
    fresh = await opened.confirm;
  } catch (e) {
    if (hooks.current() === opened) {
      hooks.fail(`Could not confirm that the labels of ${opened.info.seriesId} are current: ${e instanceof Error ? e.message : String(e)}. Edits are saved only at main's revision.`);
    }
    return;
  }
  if (!fresh || hooks.current() !== opened) return;
  if (fresh.image.buffer === opened.image.buffer) hooks.setLabels({ geometry: fresh.info.mask.geometry, scalars: fresh.labels });
  else await hooks.show(fresh);
  hooks.publish(fresh);
}
