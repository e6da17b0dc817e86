// @ts-check
// Worker thread of the export (main/core/export/workerPool.ts). Plain JavaScript on purpose: it needs no
// TypeScript loader, so it starts the same way under `node bin/spine-ws.mjs` (tsx), vitest and a bundled app.
// Type-checked all the same (@ts-check; the task and result types are workerPool.ts's); the label conversion is
// the workstation's (labelBytes.mjs).
// It only does CPU work on bytes handed to it (compare, convert, remap, zlib, SHA-256) plus copy-and-hash of
// files; it never opens the annotation store and never decides what to write.
import { createHash } from 'node:crypto';
import { constants, copyFileSync, openSync, readSync, closeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { labelBytesOf } from './labelBytes.mjs';
import { scanRuns } from '../qa/scanRuns.mjs';

/** @typedef {import('./workerPool.js').MaskTask} MaskTask */
/** @typedef {import('./workerPool.js').MaskResult} MaskResult */
/** @typedef {import('./workerPool.js').LabelCounts} LabelCounts */
/** @typedef {import('./workerPool.js').RemapTask} RemapTask */
/** @typedef {import('./workerPool.js').RemapResult} RemapResult */
/** @typedef {import('./workerPool.js').GzipTask} GzipTask */
/** @typedef {import('./workerPool.js').GzipResult} GzipResult */
/** @typedef {import('./workerPool.js').CopyTask} CopyTask */
/** @typedef {import('./workerPool.js').CopyResult} CopyResult */
/** @typedef {import('./workerPool.js').LabelsTask} LabelsTask */
/** @typedef {import('./workerPool.js').LabelsResult} LabelsResult */
/** @typedef {import('./labelBytes.mjs').LabelSource} TypedVolume */
/**
 * What a task returns: its result, and the buffers to move (not copy) to the pool.
 * @template R
 * @typedef {{ result: R; transfer?: ArrayBuffer[] }} Done
 */
/** @typedef {{ new (length: number): TypedVolume; new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedVolume; readonly BYTES_PER_ELEMENT: number }} TypedVolumeConstructor */

/** The typed-array class of each pixel type (main/core/mha/pixelTypes.ts has the same table; this file loads no TypeScript). @type {Record<string, TypedVolumeConstructor | undefined>} */
const CTORS = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};
/** The largest label a mask of this pixel type can hold, where it is below 255. @type {Record<string, number | undefined>} */
const RANGE = { int8: 127, uint8: 255 };

/**
 * Per-label counts of original vs current: origCount[v], added[v], removed[v] for v in 0..255. Walks both volumes
 * four voxels at a time: equal all-background words (most of a mask) cost one comparison.
 * @param {Uint8Array | null} original
 * @param {Uint8Array} current
 * @returns {LabelCounts}
 */
function labelStats(original, current) {
  const origCount = new Float64Array(256);
  const added = new Float64Array(256);
  const removed = new Float64Array(256);
  const n = current.length;
  let changed = 0;
  if (original === null) {
    for (let i = 0; i < n; i++) {
      const b = /** @type {number} */ (current[i]);
      if (b !== 0) { added[b] = /** @type {number} */ (added[b]) + 1; removed[0] = /** @type {number} */ (removed[0]) + 1; changed++; }
    }
    origCount[0] = n;
    return { changed, origCount: Array.from(origCount), added: Array.from(added), removed: Array.from(removed) };
  }
  const aligned = original.byteOffset % 4 === 0 && current.byteOffset % 4 === 0;
  const words = aligned ? n >> 2 : 0;
  const wa = new Uint32Array(original.buffer, original.byteOffset, words);
  const wb = new Uint32Array(current.buffer, current.byteOffset, words);
  let nonZero = 0;
  for (let w = 0; w < words; w++) {
    const x = /** @type {number} */ (wa[w]);
    if (x === wb[w]) {
      if (x === 0) continue;
      for (let i = w << 2, end = i + 4; i < end; i++) {
        const a = /** @type {number} */ (original[i]);
        if (a !== 0) { origCount[a] = /** @type {number} */ (origCount[a]) + 1; nonZero++; }
      }
      continue;
    }
    for (let i = w << 2, end = i + 4; i < end; i++) {
      const a = /** @type {number} */ (original[i]);
      const b = /** @type {number} */ (current[i]);
      if (a !== 0) { origCount[a] = /** @type {number} */ (origCount[a]) + 1; nonZero++; }
      if (a !== b) { removed[a] = /** @type {number} */ (removed[a]) + 1; added[b] = /** @type {number} */ (added[b]) + 1; changed++; }
    }
  }
  for (let i = words << 2; i < n; i++) {
    const a = /** @type {number} */ (original[i]);
    const b = /** @type {number} */ (current[i]);
    if (a !== 0) { origCount[a] = /** @type {number} */ (origCount[a]) + 1; nonZero++; }
    if (a !== b) { removed[a] = /** @type {number} */ (removed[a]) + 1; added[b] = /** @type {number} */ (added[b]) + 1; changed++; }
  }
  origCount[0] = n - nonZero;
  return { changed, origCount: Array.from(origCount), added: Array.from(added), removed: Array.from(removed) };
}

/**
 * @param {TypedVolume} a
 * @returns {Uint8Array}
 */
function bytesOf(a) {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * @param {Uint8Array[]} parts
 * @returns {string}
 */
function hashOf(parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/**
 * @param {MaskTask} t
 * @returns {Done<MaskResult>}
 */
function maskTask(t) {
  const stats = labelStats(t.original, t.current);
  if (stats.changed === 0 && t.original !== null) return { result: { stats } };
  const limit = RANGE[t.pixelType];
  if (limit !== undefined) {
    for (let i = 0; i < t.current.length; i++) {
      const v = /** @type {number} */ (t.current[i]);
      if (v > limit) return { result: { stats, overflow: v } };
    }
  }
  // The label QA's voxel pass, here rather than on the main thread (main/core/export/qa.ts checks the scans).
  const scan = t.scan;
  const scans = scan && { before: t.original && scanRuns(t.original, scan.size, 26, scan.runsFor), after: scanRuns(t.current, scan.size, 26, scan.runsFor) };
  const Ctor = ctorOf(t.pixelType);
  /** @type {Uint8Array} */
  let raw;
  if (Ctor === Uint8Array) raw = t.current;
  else {
    const typed = new Ctor(t.current.length);
    typed.set(t.current);
    raw = bytesOf(typed);
  }
  const data = t.compress ? zlib.deflateSync(raw, { level: t.level }) : raw;
  const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { result: { stats, data: out, ...(scans && { scans }) }, transfer: ownsBuffer(out) ? [/** @type {ArrayBuffer} */ (out.buffer)] : [] };
}

/**
 * @param {string} pixelType
 * @returns {TypedVolumeConstructor}
 */
function ctorOf(pixelType) {
  const Ctor = CTORS[pixelType];
  if (!Ctor) throw new Error(`unknown pixel type ${pixelType}`);
  return Ctor;
}

/**
 * @param {Uint8Array} u8
 * @returns {boolean}
 */
function ownsBuffer(u8) {
  return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength;
}

/**
 * SPIDER values → contiguous labels (remap[v] = -1: not a SPIDER value). Counts folded values per source value.
 * @param {RemapTask} t
 * @returns {Done<RemapResult>}
 */
function remapTask(t) {
  const remap = t.remap;
  const n = t.current.length;
  const out = new Uint8Array(n);
  const seen = new Float64Array(256);
  for (let i = 0; i < n; i++) {
    const v = /** @type {number} */ (t.current[i]);
    const m = /** @type {number} */ (remap[v]);
    if (m < 0) return { result: { unknown: v, index: i } };
    seen[v] = /** @type {number} */ (seen[v]) + 1;
    out[i] = m;
  }
  const gz = gzipParts([t.header, out], t.level);
  return { result: { data: gz, sha256: hashOf([gz]), counts: Array.from(seen) }, transfer: ownsBuffer(gz) ? [/** @type {ArrayBuffer} */ (gz.buffer)] : [] };
}

/**
 * @param {Uint8Array[]} parts
 * @param {number} level
 * @returns {Uint8Array}
 */
function gzipParts(parts, level) {
  const whole = parts.length === 1 ? /** @type {Uint8Array} */ (parts[0]) : Buffer.concat(parts);
  const gz = zlib.gzipSync(whole, { level });
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}

/**
 * @param {GzipTask} t
 * @returns {Done<GzipResult>}
 */
function gzipTask(t) {
  const gz = gzipParts(t.parts, t.level);
  return { result: { data: gz, sha256: hashOf([gz]) }, transfer: ownsBuffer(gz) ? [/** @type {ArrayBuffer} */ (gz.buffer)] : [] };
}

/**
 * Copies src to dst (copy-on-write clone where the filesystem supports it, never a hard link) and hashes dst.
 * @param {CopyTask} t
 * @returns {Done<CopyResult>}
 */
function copyTask(t) {
  copyFileSync(t.src, t.dst, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
  const h = createHash('sha256');
  const fd = openSync(t.dst, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let bytes = 0;
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      h.update(buf.subarray(0, got));
      bytes += got;
    }
  } finally {
    closeSync(fd);
  }
  return { result: { sha256: h.digest('hex'), bytes } };
}

/**
 * Original mask voxels (little-endian bytes of `pixelType`) → two uint8 label volumes (the original and a copy the
 * journal replays onto), or the first value outside 0–255. The conversion is the workstation's (labelBytes.mjs).
 * @param {LabelsTask} t
 * @returns {Done<LabelsResult>}
 */
function labelsTask(t) {
  const Ctor = ctorOf(t.pixelType);
  const n = t.bytes.byteLength / Ctor.BYTES_PER_ELEMENT;
  const voxels =
    Ctor === Uint8Array ? t.bytes
    : t.bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0 ? new Ctor(t.bytes.buffer, t.bytes.byteOffset, n)
    : new Ctor(t.bytes.slice().buffer);
  const r = labelBytesOf(voxels);
  if (r.labels === undefined) return { result: { bad: r.bad, index: r.index } };
  const out = r.labels;
  const copy = out.slice();
  return { result: { original: out, copy }, transfer: [/** @type {ArrayBuffer} */ (out.buffer), /** @type {ArrayBuffer} */ (copy.buffer)] };
}

/** @type {Record<string, ((t: never) => Done<unknown>) | undefined>} */
const TASKS = { mask: maskTask, remap: remapTask, gzip: gzipTask, copy: copyTask, labels: labelsTask };

const port = parentPort;
if (!port) throw new Error('compressWorker.mjs runs as a worker thread of workerPool.ts');
port.on('message', (/** @type {{ id: number; task: { kind: string } }} */ msg) => {
  try {
    const fn = TASKS[msg.task.kind];
    if (!fn) throw new Error(`unknown export task ${msg.task.kind}`);
    const { result, transfer } = fn(/** @type {never} */ (msg.task));
    port.postMessage({ id: msg.id, ok: true, result }, transfer ?? []);
  } catch (err) {
    const e = /** @type {{ message?: unknown; code?: unknown } | null | undefined} */ (err);
    port.postMessage({ id: msg.id, ok: false, error: { message: e && e.message ? e.message : String(err), code: e && e.code } });
  }
});
