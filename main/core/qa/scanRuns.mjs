// @ts-check
// The voxel pass of the label checks, plain JavaScript so that the QA worker threads (qaWorker.mjs) load it
// without a TypeScript loader; main/core/qa/scan.ts wraps it for the main thread. Types: scanRuns.d.mts.
//
// One pass over the flat volume: background is skipped 8 bytes at a time (32 per step: four 64-bit words ORed); each stretch
// of equal non-zero values along i (cut at its row's end) is handled as a whole. The volume is cut into runs of
// one label along a "run axis": i (rows j + ny·k), or — for 8/16-bit masks whose rows along i are short (the
// sagittal stacks of SPIDER, 15–24 voxels along i against 320–896 along j) — j (rows i + nx·k), where runs are
// several times fewer and longer: the stretches along i then extend per-column runs along j within each slice.
// When a row's runs are complete they are linked to the earlier rows they touch: union-find over runs (26- or
// 6-connectivity) gives the components; overlaps of runs of different labels in face-sharing rows, and touching
// runs within a row, give the face contacts. Per-label counts, centroid sums and bounding boxes are summed per
// run at the end. No per-voxel allocation, Map or closure: the hot loops touch typed arrays only.

import { collect, Contacts, find } from './scanCollect.mjs';

/** @typedef {import('./scanRuns.d.mts').RawScan} RawScan */
/** @typedef {import('./scanRuns.d.mts').LabelData} LabelData */
/** @typedef {import('./scanCollect.mjs').RunStore} RunStore */

/** Runs along j when an 8/16-bit mask has rows along i at most this fraction of its rows along j. */
export const ALONG_J_RATIO = 0.25;

/** Slot + 1 per (value & 0xffff) for 8- and 16-bit integer masks; cleared after each scan. */
const table16 = new Int32Array(65536);

/**
 * The first 64-bit word, from `x` on, that is not zero; w.length when there is none. Four words are ORed per step
 * once `x` is a multiple of 4 (a BigInt64Array measured faster than OR-ing 32-bit words or comparing doubles).
 * @param {BigInt64Array} w @param {number} x
 */
function nonZeroWord(w, x) {
  const n = w.length;
  for (; x < n && (x & 3) !== 0; x++) if (w[x] !== 0n) return x;
  for (; x + 3 < n; x += 4) {
    if ((w[x] | w[x + 1] | w[x + 2] | w[x + 3]) !== 0n) {
      while (w[x] === 0n) x++;
      return x;
    }
  }
  for (; x < n; x++) if (w[x] !== 0n) return x;
  return n;
}

/** @param {Int32Array} a @param {number} n */
const grown = (a, n) => {
  const b = new Int32Array(n);
  b.set(a);
  return b;
};

/** @param {RunStore} st @param {number} s @param {number} e @param {number} slot @param {number} row */
function pushRun(st, s, e, slot, row) {
  if (st.n === st.S.length) {
    const cap = st.S.length * 2;
    st.S = grown(st.S, cap);
    st.E = grown(st.E, cap);
    st.L = grown(st.L, cap);
    st.R = grown(st.R, cap);
    st.P = grown(st.P, cap);
  }
  const x = st.n++;
  st.S[x] = s;
  st.E[x] = e;
  st.L[x] = slot;
  st.R[x] = row;
  st.P[x] = x;
}

/**
 * Links the runs of row `cur` to those of the earlier row `prev` (both sorted, disjoint within their row):
 * runs of one label whose ranges overlap, widened by `t`, join one component; in face-sharing rows (`face`) the
 * overlap of runs of two labels is their number of shared faces. Every run of `cur` scans `prev` from the first
 * run that does not end before it (widened runs may overlap each other: a plain two-pointer sweep misses pairs).
 * @param {RunStore} st @param {number} cur @param {number} prev @param {number} t @param {boolean} face
 */
function link(st, cur, prev, t, face) {
  const { S, E, L, P } = st;
  let q0 = st.rowFirst[prev];
  const qEnd = st.rowEnd[prev], pEnd = st.rowEnd[cur];
  for (let p = st.rowFirst[cur]; p < pEnd; p++) {
    const sp = S[p], ep = E[p], lp = L[p];
    while (q0 < qEnd && E[q0] + t < sp) q0++;
    for (let q = q0; q < qEnd && S[q] <= ep + t; q++) {
      if (L[q] === lp) {
        const ra = find(P, p), rb = find(P, q);
        if (ra < rb) P[rb] = ra;
        else if (rb < ra) P[ra] = rb;
      } else if (face) {
        const ov = Math.min(ep, E[q]) - Math.max(sp, S[q]) + 1;
        if (ov > 0) st.contacts.add(lp, L[q], ov);
      }
    }
  }
}

/** Ends row `row` (its runs are the last ones pushed) and links it to the earlier rows it touches. @param {RunStore} st @param {number} row */
function closeRow(st, row) {
  const { rowFirst, rowEnd, width, tol } = st;
  rowEnd[row] = st.n;
  if (rowEnd[row] === rowFirst[row]) return;
  const a = row % width, k = (row - a) / width;
  if (a > 0 && rowEnd[row - 1] > rowFirst[row - 1]) link(st, row, row - 1, tol, true);
  if (k === 0) return;
  const up = row - width;
  if (rowEnd[up] > rowFirst[up]) link(st, row, up, tol, true);
  if (tol === 0) return;
  if (a > 0 && rowEnd[up - 1] > rowFirst[up - 1]) link(st, row, up - 1, 1, false);
  if (a + 1 < width && rowEnd[up + 1] > rowFirst[up + 1]) link(st, row, up + 1, 1, false);
}

/**
 * Per-column runs along j inside one slice k (run axis j): open run per column, finished runs in order of
 * completion; `finish` sorts them by column (stably, so by j within a column) and pushes them row by row.
 */
class Columns {
  /** @param {number} nx */
  constructor(nx) {
    this.slot = new Int32Array(nx); // slot + 1 of the open run, 0: none
    this.start = new Int32Array(nx);
    this.end = new Int32Array(nx);
    this.col = new Int32Array(256);
    this.s = new Int32Array(256);
    this.e = new Int32Array(256);
    this.l = new Int32Array(256);
    this.m = 0;
    this.count = new Int32Array(nx + 1);
    this.order = new Int32Array(256);
  }
  /** @param {number} i */
  flush(i) {
    if (this.m === this.col.length) {
      const cap = this.m * 2;
      this.col = grown(this.col, cap);
      this.s = grown(this.s, cap);
      this.e = grown(this.e, cap);
      this.l = grown(this.l, cap);
    }
    const x = this.m++;
    this.col[x] = i;
    this.s[x] = this.start[i];
    this.e[x] = this.end[i];
    this.l[x] = this.slot[i] - 1;
  }
  /** Adds voxels (i0..i1, j) of label `slot`. @param {number} i0 @param {number} i1 @param {number} j @param {number} slot @param {Contacts} contacts */
  add(i0, i1, j, slot, contacts) {
    const cs = this.slot, ce = this.end, s1 = slot + 1;
    for (let i = i0; i <= i1; i++) {
      const open = cs[i];
      if (open === s1 && ce[i] === j - 1) {
        ce[i] = j;
        continue;
      }
      if (open !== 0) {
        if (ce[i] === j - 1) contacts.add(open - 1, slot, 1); // touching along j, another label
        this.flush(i);
      }
      cs[i] = s1;
      this.start[i] = j;
      ce[i] = j;
    }
  }
  /** Pushes slice k's runs, rows i + nx·k in order, and links each row. @param {RunStore} st @param {number} nx @param {number} k */
  finish(st, nx, k) {
    for (let i = 0; i < nx; i++) if (this.slot[i] !== 0) this.flush(i);
    this.slot.fill(0);
    const { count, m } = this;
    count.fill(0);
    for (let x = 0; x < m; x++) count[this.col[x] + 1]++;
    for (let i = 0; i < nx; i++) count[i + 1] += count[i];
    if (this.order.length < m) this.order = new Int32Array(this.col.length);
    const order = this.order;
    for (let x = 0; x < m; x++) order[count[this.col[x]]++] = x;
    let y = 0;
    for (let i = 0; i < nx; i++) {
      const row = i + nx * k;
      st.rowFirst[row] = st.n;
      while (y < m && this.col[order[y]] === i) {
        const x = order[y++];
        pushRun(st, this.s[x], this.e[x], this.l[x], row);
      }
      closeRow(st, row);
    }
    this.m = 0;
  }
}

/**
 * Scans `data` on a grid of `size` (voxel (i, j, k) at i + nx * (j + ny * k)).
 * @param {LabelData} data
 * @param {[number, number, number]} size
 * @param {6 | 26} connectivity
 * @param {number[]} runsFor label values whose runs are returned
 * @param {{ alongJ?: boolean }} [opts] force the run axis (default: chosen by the grid)
 * @returns {RawScan}
 */
export function scanRuns(data, size, connectivity = 26, runsFor = [], opts = {}) {
  const [nx, ny, nz] = size;
  const n = nx * ny * nz;
  const narrowInt = data.BYTES_PER_ELEMENT <= 2; // (u)int8 / (u)int16: slots from table16
  const alongJ = narrowInt && (opts.alongJ ?? nx <= ALONG_J_RATIO * ny);
  const width = alongJ ? nx : ny;
  const cap = Math.max(1024, Math.min(1 << 20, (alongJ ? nx : ny) * nz));
  /** @type {RunStore} */
  const st = {
    S: new Int32Array(cap), E: new Int32Array(cap), L: new Int32Array(cap), R: new Int32Array(cap), P: new Int32Array(cap), n: 0,
    rowFirst: new Int32Array(width * nz), rowEnd: new Int32Array(width * nz), width, tol: connectivity === 26 ? 1 : 0,
    contacts: new Contacts(),
  };
  const cols = alongJ ? new Columns(nx) : null;
  /** @type {number[]} */
  const values = [];
  /** @type {Map<number, number>} */
  const slotOf = new Map();

  // Background skip: 64-bit words (four ORed per step), when the data is 8-byte aligned.
  const bpe = data.BYTES_PER_ELEMENT;
  const aligned = data.byteOffset % 8 === 0;
  const nWords = aligned ? Math.floor(Math.min(data.byteLength, n * bpe) / 8) : 0;
  const w = new BigInt64Array(data.buffer, aligned ? data.byteOffset : 0, nWords);
  const shift = Math.log2(8 / bpe); // voxels per word = 1 << shift
  const mask = (1 << shift) - 1;
  const wordVoxels = nWords << shift;

  let row = -1, rowBase = 0, nextRow = -n, j = 0, k = -1; // nextRow: far enough back that the first row divides
  let prevEnd = -2, prevSlot = -1;
  let lastValue = 0, lastSlot = -1;
  let p = 0;
  while (p < n) {
    if ((p & mask) === 0 && p < wordVoxels) {
      p = nonZeroWord(w, p >> shift) << shift;
      if (p >= n) break;
    }
    const v = data[p];
    if (v === 0) {
      p++;
      continue;
    }
    if (p >= nextRow) {
      if (!cols && row >= 0) closeRow(st, row);
      let k1 = k;
      if (p < nextRow + nx) {
        // the next row (the common case inside a structure): no division
        row++;
        rowBase = nextRow;
        if (++j === ny) {
          j = 0;
          k1++;
        }
      } else {
        row = Math.floor(p / nx);
        rowBase = row * nx;
        j = row % ny;
        k1 = (row - j) / ny;
      }
      nextRow = rowBase + nx;
      if (cols && k1 !== k && k >= 0) cols.finish(st, nx, k);
      k = k1;
      if (!cols) st.rowFirst[row] = st.n;
      prevEnd = -2;
    }
    let q = p + 1;
    while (q < nextRow && data[q] === v) q++;
    let slot = lastSlot;
    if (v !== lastValue) {
      slot = narrowInt ? table16[v & 0xffff] - 1 : (slotOf.get(v) ?? -1);
      if (slot < 0) {
        slot = values.length;
        values.push(v);
        if (narrowInt) table16[v & 0xffff] = slot + 1;
        else slotOf.set(v, slot);
      }
      lastValue = v;
      lastSlot = slot;
    }
    const s = p - rowBase, e = q - 1 - rowBase;
    if (cols) cols.add(s, e, j, slot, st.contacts); // contacts along i: between rows i - 1 and i
    else {
      if (prevEnd === s - 1 && prevSlot !== slot) st.contacts.add(prevSlot, slot, 1);
      prevEnd = e;
      prevSlot = slot;
      pushRun(st, s, e, slot, row);
    }
    p = q;
  }
  if (cols) {
    if (k >= 0) cols.finish(st, nx, k);
  } else if (row >= 0) closeRow(st, row);
  if (narrowInt) for (const v of values) table16[v & 0xffff] = 0;
  return collect(st, values, size, alongJ, runsFor);
}
