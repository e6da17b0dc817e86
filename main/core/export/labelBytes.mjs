// @ts-check
// Mask voxels → one byte per voxel (SPIDER label values are integers 0–255). One conversion for the workstation
// (main/core/workstation.ts toLabelBytes, which opens a series) and the export worker (compressWorker.mjs, which
// converts the original masks). Plain JavaScript, type-checked (@ts-check, types in labelBytes.d.mts): the
// worker thread imports it without a TypeScript loader. Pure: no I/O, no imports.

/**
 * A new uint8 volume with the labels of `data`, or the first value that is not an integer from 0 to 255 and its
 * voxel index. Always a copy (also for a Uint8Array).
 * @param {import('./labelBytes.mjs').LabelSource} data
 * @returns {import('./labelBytes.mjs').LabelBytesResult}
 */
export function labelBytesOf(data) {
  const n = data.length;
  const out = new Uint8Array(n);
  if (data instanceof Uint8Array) {
    out.set(data);
    return { labels: out };
  }
  if ((data instanceof Int16Array || data instanceof Uint16Array) && data.byteOffset % 4 === 0) {
    // SPIDER masks are int16. Every value is in 0–255 exactly when every high byte is zero, which one OR over
    // the buffer as 32-bit words tells (two voxels per word); the conversion itself is a native typed-array copy.
    const words = new Uint32Array(data.buffer, data.byteOffset, n >> 1);
    let acc = 0;
    for (let i = 0; i < words.length; i++) acc |= /** @type {number} */ (words[i]);
    if (n & 1) acc |= /** @type {number} */ (data[n - 1]) & 0xffff;
    if ((acc & 0xff00ff00) === 0) {
      out.set(data);
      return { labels: out };
    }
  }
  for (let i = 0; i < n; i++) {
    const v = /** @type {number} */ (data[i]);
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) return { bad: v, index: i };
    out[i] = v;
  }
  return { labels: out };
}
