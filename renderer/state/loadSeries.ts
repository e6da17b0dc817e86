// Opens a series: geometry from the contract, voxels as raw bytes (never JSON), wrapped in typed arrays
// without copying. Records the time of each step for the open-to-first-render benchmark.
import type { OpenSeriesResponse, VolumeInfo } from '../../common/contract.js';
import { call, fetchVolume } from '../platform/api.js';
import type { ImageScalars } from '../viewer/index.js';

export interface OpenedSeries {
  info: OpenSeriesResponse;
  image: ImageScalars;
  labels: Uint8Array;
  timing: { openMs: number; transferMs: number };
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
  if (imageBuf.byteLength !== info.image.byteLength || maskBuf.byteLength !== info.mask.byteLength) {
    throw new Error(`Volume of ${seriesId} arrived incomplete (${imageBuf.byteLength}/${info.image.byteLength} image bytes, ${maskBuf.byteLength}/${info.mask.byteLength} label bytes)`);
  }
  return { info, image: typedArray(imageBuf, info.image.pixelType), labels: new Uint8Array(maskBuf), timing: { openMs: t1 - t0, transferMs: t2 - t1 } };
}
