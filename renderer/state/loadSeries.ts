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
  /** `prefetched`: the volumes came from the prefetch (`maskRefetched`: the labels changed since, so not the mask). */
  timing: { openMs: number; transferMs: number; prefetched: boolean; maskRefetched: boolean };
  /**
   * Prefetched only: whether the bytes are still current. Resolves to null when they are (same label revision), else
   * to the series loaded again (mask refetched). The opener renders the prefetched bytes meanwhile and publishes the
   * series only once this has settled, so nothing is edited on a stale label volume.
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
    if (sameImage && sameMask) return null;
    const t1 = performance.now();
    const [imageBuf, maskBuf] = await Promise.all([
      sameImage ? pre.image : fetchVolume(pre.seriesId, 'image'),
      fetchVolume(pre.seriesId, 'mask'),
    ]);
    return wrap(info, imageBuf, maskBuf, { openMs, transferMs: performance.now() - t1, prefetched: true, maskRefetched: true });
  });
  const opened: OpenedSeries = { ...wrap(pre.info, pre.image, pre.mask, { openMs: 0, transferMs: 0, prefetched: true, maskRefetched: false }), confirm };
  return opened;
}

function wrap(info: OpenSeriesResponse, imageBuf: ArrayBuffer, maskBuf: ArrayBuffer, timing: OpenedSeries['timing']): OpenedSeries {
  if (imageBuf.byteLength !== info.image.byteLength || maskBuf.byteLength !== info.mask.byteLength) {
    throw new Error(`Volume of ${info.seriesId} arrived incomplete (${imageBuf.byteLength}/${info.image.byteLength} image bytes, ${maskBuf.byteLength}/${info.mask.byteLength} label bytes)`);
  }
  return { info, image: typedArray(imageBuf, info.image.pixelType), labels: new Uint8Array(maskBuf), timing };
}
