// Worker thread of the export (main/core/export/workerPool.ts). Plain JavaScript on purpose: it needs no
// TypeScript loader, so it starts the same way under `node bin/spine-ws.mjs` (tsx), vitest and a bundled app.
// It only does CPU work on bytes handed to it (compare, convert, remap, zlib, SHA-256) plus copy-and-hash of
// files; it never opens the annotation store and never decides what to write.
import { createHash } from 'node:crypto';
import { constants, copyFileSync, openSync, readSync, closeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';

const CTORS = {
  uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
  uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};
const RANGE = { int8: 127, uint8: 255 };

/**
 * Per-label counts of original vs current: origCount[v], added[v], removed[v] for v in 0..255. Walks both volumes
 * four voxels at a time: equal all-background words (most of a mask) cost one comparison.
 */
function labelStats(original, current) {
  const origCount = new Float64Array(256);
  const added = new Float64Array(256);
  const removed = new Float64Array(256);
  const n = current.length;
  let changed = 0;
  if (original === null) {
    for (let i = 0; i < n; i++) {
      const b = current[i];
      if (b !== 0) { added[b]++; removed[0]++; changed++; }
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
    const x = wa[w];
    if (x === wb[w]) {
      if (x === 0) continue;
      for (let i = w << 2, end = i + 4; i < end; i++) {
        const a = original[i];
        if (a !== 0) { origCount[a]++; nonZero++; }
      }
      continue;
    }
    for (let i = w << 2, end = i + 4; i < end; i++) {
      const a = original[i];
      const b = current[i];
      if (a !== 0) { origCount[a]++; nonZero++; }
      if (a !== b) { removed[a]++; added[b]++; changed++; }
    }
  }
  for (let i = words << 2; i < n; i++) {
    const a = original[i];
    const b = current[i];
    if (a !== 0) { origCount[a]++; nonZero++; }
    if (a !== b) { removed[a]++; added[b]++; changed++; }
  }
  origCount[0] = n - nonZero;
  return { changed, origCount: Array.from(origCount), added: Array.from(added), removed: Array.from(removed) };
}

function bytesOf(a) {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function hashOf(parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

function maskTask(t) {
  const stats = labelStats(t.original, t.current);
  if (stats.changed === 0 && t.original !== null) return { result: { stats } };
  const limit = RANGE[t.pixelType];
  if (limit !== undefined) {
    for (let i = 0; i < t.current.length; i++) {
      if (t.current[i] > limit) return { result: { stats, overflow: t.current[i] } };
    }
  }
  const Ctor = CTORS[t.pixelType];
  let raw;
  if (Ctor === Uint8Array) raw = t.current;
  else {
    const typed = new Ctor(t.current.length);
    typed.set(t.current);
    raw = bytesOf(typed);
  }
  const data = t.compress ? zlib.deflateSync(raw, { level: t.level }) : raw;
  const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { result: { stats, data: out }, transfer: ownsBuffer(out) ? [out.buffer] : [] };
}

function ownsBuffer(u8) {
  return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength;
}

/** SPIDER values → contiguous labels (remap[v] = -1: not a SPIDER value). Counts folded values per source value. */
function remapTask(t) {
  const remap = t.remap;
  const n = t.current.length;
  const out = new Uint8Array(n);
  const seen = new Float64Array(256);
  for (let i = 0; i < n; i++) {
    const v = t.current[i];
    const m = remap[v];
    if (m < 0) return { result: { unknown: v, index: i } };
    seen[v]++;
    out[i] = m;
  }
  const gz = gzipParts([t.header, out], t.level);
  return { result: { data: gz, sha256: hashOf([gz]), counts: Array.from(seen) }, transfer: ownsBuffer(gz) ? [gz.buffer] : [] };
}

function gzipParts(parts, level) {
  const whole = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  const gz = zlib.gzipSync(whole, { level });
  return new Uint8Array(gz.buffer, gz.byteOffset, gz.byteLength);
}

function gzipTask(t) {
  const gz = gzipParts(t.parts, t.level);
  return { result: { data: gz, sha256: hashOf([gz]) }, transfer: ownsBuffer(gz) ? [gz.buffer] : [] };
}

/** Copies src to dst (copy-on-write clone where the filesystem supports it, never a hard link) and hashes dst. */
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
 * journal replays onto), or the first value outside 0–255.
 */
function labelsTask(t) {
  const Ctor = CTORS[t.pixelType];
  const n = t.bytes.byteLength / Ctor.BYTES_PER_ELEMENT;
  const out = new Uint8Array(n);
  if (t.pixelType === 'uint8') out.set(t.bytes);
  else if ((t.pixelType === 'int16' || t.pixelType === 'uint16') && t.bytes.byteOffset % 4 === 0) {
    // 0–255 exactly when every high byte is zero; then the labels are the low bytes.
    const words = new Uint32Array(t.bytes.buffer, t.bytes.byteOffset, n >> 1);
    let acc = 0;
    for (let i = 0; i < words.length; i++) acc |= words[i];
    if (n & 1) acc |= t.bytes[2 * n - 1] << 8;
    if ((acc & 0xff00ff00) !== 0) return generic(t, Ctor, n, out);
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (w === 0) continue;
      out[2 * i] = w & 0xff;
      out[2 * i + 1] = (w >>> 16) & 0xff;
    }
    if (n & 1) out[n - 1] = t.bytes[2 * n - 2];
  } else {
    return generic(t, Ctor, n, out);
  }
  const copy = out.slice();
  return { result: { original: out, copy }, transfer: [out.buffer, copy.buffer] };
}

function generic(t, Ctor, n, out) {
  const src = t.bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0 ? new Ctor(t.bytes.buffer, t.bytes.byteOffset, n) : new Ctor(t.bytes.slice().buffer);
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (!(v >= 0 && v <= 255 && Number.isInteger(v))) return { result: { bad: v, index: i } };
    out[i] = v;
  }
  const copy = out.slice();
  return { result: { original: out, copy }, transfer: [out.buffer, copy.buffer] };
}

const TASKS = { mask: maskTask, remap: remapTask, gzip: gzipTask, copy: copyTask, labels: labelsTask };

parentPort.on('message', (msg) => {
  try {
    const fn = TASKS[msg.task.kind];
    if (!fn) throw new Error(`unknown export task ${msg.task.kind}`);
    const { result, transfer } = fn(msg.task);
    parentPort.postMessage({ id: msg.id, ok: true, result }, transfer ?? []);
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: { message: err && err.message ? err.message : String(err), code: err && err.code } });
  }
});
