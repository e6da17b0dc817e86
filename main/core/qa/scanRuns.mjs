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
// run at the end. No per-voxel allocation, Map or closure: the hot loops touch typed arrays only. The volume may
// come in pieces (RunScanner.feed: the chunks of a streamed inflate, scanned while still in cache).

import { collect, Contacts, find } from './scanCollect.mjs';

/** @typedef {import('./scanRuns.d.mts').RawScan} RawScan */
/** @typedef {import('./scanRuns.d.mts').LabelData} LabelData */
/** @typedef {import('./scanCollect.mjs').RunStore} RunStore */

/** Runs along j when an 8/16-bit mask has rows along i at most this fraction of its rows along j. */
export const ALONG_J_RATIO = 0.25;

/**
 * Tables of slot + 1 per (value & 0xffff) for 8- and 16-bit integer masks, one per scan in progress (several
 * streamed scans interleave on one thread); a scan clears its table and returns it here when it ends.
 * @type {Int32Array[]}
 */
const freeTables = [];

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

/** A stretch of one value that reached the end of a chunk: it may go on in the next one. */
const NONE = 0;

/**
 * The voxel pass fed in pieces: `feed` takes consecutive pieces of the flat volume in memory order (any
 * length, e.g. the chunks of a streamed inflate, scanned while they are still in cache), `result` ends the pass.
 * A stretch of one value cut by a piece's end is carried into the next piece; every other state is per row.
 */
export class RunScanner {
  /**
   * @param {[number, number, number]} size
   * @param {number} bytesPerVoxel of the pieces to come (1 and 2: 8/16-bit integer masks)
   * @param {6 | 26} connectivity
   * @param {{ alongJ?: boolean }} [opts] force the run axis (default: chosen by the grid)
   */
  constructor(size, bytesPerVoxel, connectivity = 26, opts = {}) {
    const [nx, ny, nz] = size;
    this.size = size;
    this.n = nx * ny * nz;
    this.narrowInt = bytesPerVoxel <= 2; // (u)int8 / (u)int16: slots from table16
    this.table16 = this.narrowInt ? (freeTables.pop() ?? new Int32Array(65536)) : new Int32Array(0);
    this.alongJ = this.narrowInt && (opts.alongJ ?? nx <= ALONG_J_RATIO * ny);
    const width = this.alongJ ? nx : ny;
    const cap = Math.max(1024, Math.min(1 << 20, width * nz));
    /** @type {RunStore} */
    this.st = {
      S: new Int32Array(cap), E: new Int32Array(cap), L: new Int32Array(cap), R: new Int32Array(cap), P: new Int32Array(cap), n: 0,
      rowFirst: new Int32Array(width * nz), rowEnd: new Int32Array(width * nz), width, tol: connectivity === 26 ? 1 : 0,
      contacts: new Contacts(),
    };
    this.cols = this.alongJ ? new Columns(nx) : null;
    /** @type {number[]} */
    this.values = [];
    /** @type {Map<number, number>} */
    this.slotOf = new Map();
    this.fed = 0; // voxels fed so far
    this.row = -1;
    this.rowBase = 0;
    this.nextRow = -this.n; // far enough back that the first row divides
    this.j = 0;
    this.k = -1;
    this.prevEnd = -2;
    this.prevSlot = -1;
    this.lastValue = 0;
    this.lastSlot = -1;
    this.pendValue = NONE; // value of the stretch carried over from the last piece, NONE: none
    this.pendStart = 0; // its first voxel
  }

  /** Scans the next piece: voxels fed .. fed + data.length - 1. @param {LabelData} data */
  feed(data) {
    const base = this.fed, len = Math.min(data.length, this.n - base);
    this.fed = base + len;
    let p = 0;
    if (this.pendValue !== NONE) {
      const v = this.pendValue, lim = Math.min(this.nextRow - base, len);
      while (p < lim && data[p] === v) p++;
      if (p === len && base + len < this.nextRow) return; // still going on
      this.pendValue = NONE;
      this.stretch(this.pendStart, base + p - 1, v);
    }
    // Background skip: 64-bit words (four ORed per step), when the piece is 8-byte aligned.
    const bpe = data.BYTES_PER_ELEMENT;
    const aligned = data.byteOffset % 8 === 0;
    const nWords = aligned ? Math.floor((len * bpe) / 8) : 0;
    const w = new BigInt64Array(data.buffer, aligned ? data.byteOffset : 0, nWords);
    const shift = Math.log2(8 / bpe); // voxels per word = 1 << shift
    const mask = (1 << shift) - 1;
    const wordVoxels = nWords << shift;
    while (p < len) {
      if ((p & mask) === 0 && p < wordVoxels) {
        p = nonZeroWord(w, p >> shift) << shift;
        if (p >= len) break;
      }
      const v = data[p];
      if (v === 0) {
        p++;
        continue;
      }
      const at = base + p;
      if (at >= this.nextRow) this.newRow(at);
      const lim = Math.min(this.nextRow - base, len);
      let q = p + 1;
      while (q < lim && data[q] === v) q++;
      if (q === len && base + q < this.nextRow) {
        this.pendValue = v;
        this.pendStart = at;
        return;
      }
      this.stretch(at, base + q - 1, v);
      p = q;
    }
  }

  /** Starts the row of voxel `at` (closing the last one). @param {number} at */
  newRow(at) {
    const [nx, ny] = this.size, st = this.st, cols = this.cols;
    if (!cols && this.row >= 0) closeRow(st, this.row);
    let k1 = this.k;
    if (at < this.nextRow + nx) {
      // the next row (the common case inside a structure): no division
      this.row++;
      this.rowBase = this.nextRow;
      if (++this.j === ny) {
        this.j = 0;
        k1++;
      }
    } else {
      this.row = Math.floor(at / nx);
      this.rowBase = this.row * nx;
      this.j = this.row % ny;
      k1 = (this.row - this.j) / ny;
    }
    this.nextRow = this.rowBase + nx;
    if (cols && k1 !== this.k && this.k >= 0) cols.finish(st, nx, this.k);
    this.k = k1;
    if (!cols) st.rowFirst[this.row] = st.n;
    this.prevEnd = -2;
  }

  /** Voxels first..last (flat, in the current row) hold value `v`. @param {number} first @param {number} last @param {number} v */
  stretch(first, last, v) {
    let slot = this.lastSlot;
    if (v !== this.lastValue) {
      const table16 = this.table16;
      slot = this.narrowInt ? table16[v & 0xffff] - 1 : (this.slotOf.get(v) ?? -1);
      if (slot < 0) {
        slot = this.values.length;
        this.values.push(v);
        if (this.narrowInt) table16[v & 0xffff] = slot + 1;
        else this.slotOf.set(v, slot);
      }
      this.lastValue = v;
      this.lastSlot = slot;
    }
    const st = this.st, s = first - this.rowBase, e = last - this.rowBase;
    if (this.cols) this.cols.add(s, e, this.j, slot, st.contacts); // contacts along i: between rows i - 1 and i
    else {
      if (this.prevEnd === s - 1 && this.prevSlot !== slot) st.contacts.add(this.prevSlot, slot, 1);
      this.prevEnd = e;
      this.prevSlot = slot;
      pushRun(st, s, e, slot, this.row);
    }
  }

  /**
   * Ends the pass: the labels, components, contacts, and the runs of the values in `runsFor`.
   * @param {number[]} runsFor @returns {RawScan}
   */
  result(runsFor) {
    if (this.pendValue !== NONE) {
      this.stretch(this.pendStart, this.fed - 1, this.pendValue);
      this.pendValue = NONE;
    }
    const st = this.st;
    if (this.cols) {
      if (this.k >= 0) this.cols.finish(st, this.size[0], this.k);
    } else if (this.row >= 0) closeRow(st, this.row);
    if (this.narrowInt) {
      for (const v of this.values) this.table16[v & 0xffff] = 0;
      freeTables.push(this.table16);
    }
    return collect(st, this.values, this.size, this.alongJ, runsFor);
  }
}

/**
 * Scans `data` on a grid of `size` (voxel (i, j, k) at i + nx * (j + ny * k)) in one piece.
 * @param {LabelData} data
 * @param {[number, number, number]} size
 * @param {6 | 26} connectivity
 * @param {number[]} runsFor label values whose runs are returned
 * @param {{ alongJ?: boolean }} [opts] force the run axis (default: chosen by the grid)
 * @returns {RawScan}
 */
export function scanRuns(data, size, connectivity = 26, runsFor = [], opts = {}) {
  const scanner = new RunScanner(size, data.BYTES_PER_ELEMENT, connectivity, opts);
  scanner.feed(data);
  return scanner.result(runsFor);
}
