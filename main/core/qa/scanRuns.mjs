// @ts-check
// The voxel pass of the label checks, plain JavaScript so that the QA worker threads (qaWorker.mjs) load it
// without a TypeScript loader; main/core/qa/scan.ts wraps it for the main thread. Types: scanRuns.d.mts.
// Runs of equal values along i give each label's voxel count, centroid sums and bounding box, its connected
// components (union-find over runs, 26- or 6-connectivity) and the face contacts between different labels.

/** @typedef {import('./scanRuns.d.mts').RawScan} RawScan */
/** @typedef {import('./scanRuns.d.mts').RawComponent} RawComponent */

class Growable {
  /** @param {number} cap */
  constructor(cap) {
    this.a = new Int32Array(cap);
    this.n = 0;
  }
  /** @param {number} v */
  push(v) {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
}

/**
 * Rows (j, k) that may hold a non-zero voxel, found 4 bytes at a time (most of a mask is background): a row is
 * marked when any 32-bit word overlapping it has a bit set. A superset (a float -0 marks its row), never fewer.
 * @param {import('./scanRuns.d.mts').LabelData} data @param {number} nx @param {number} rows
 */
function occupiedRows(data, nx, rows) {
  const out = new Uint8Array(rows);
  const bpe = data.BYTES_PER_ELEMENT;
  if (data.byteOffset % 4 !== 0 || data.byteLength % 4 !== 0) return out.fill(1);
  const words = new Int32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  const rowBytes = nx * bpe;
  for (let w = 0; w < words.length; w++) {
    if (words[w] === 0) continue;
    const first = ((4 * w) / rowBytes) | 0;
    const last = ((4 * w + 3) / rowBytes) | 0;
    out[first] = 1;
    if (last < rows) out[last] = 1;
  }
  return out;
}

/**
 * Scans `data` on a grid of `size` (voxel (i, j, k) at i + nx * (j + ny * k)).
 * @param {import('./scanRuns.d.mts').LabelData} data
 * @param {[number, number, number]} size
 * @param {6 | 26} connectivity
 * @param {number[]} runsFor label values whose runs are returned
 * @returns {RawScan}
 */
export function scanRuns(data, size, connectivity = 26, runsFor = []) {
  const [nx, ny, nz] = size;
  const rows = ny * nz;
  const cap = Math.max(1024, rows);
  const rStart = new Growable(cap), rEnd = new Growable(cap), rSlot = new Growable(cap);
  const rowFirst = new Int32Array(rows + 1);
  let parent = new Int32Array(cap);
  /** @type {Map<number, number>} */
  const slotOf = new Map();
  /** @type {number[]} */
  const values = [];
  /** @type {Map<number, number>} */
  const contactCounts = new Map(); // slotA * 65536 + slotB
  const tol = connectivity === 26 ? 1 : 0;

  /** @param {number} x */
  const find = (x) => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]]; // path halving
      x = parent[x];
    }
    return x;
  };
  /** @param {number} a @param {number} b */
  const union = (a, b) => {
    const ra = find(a), rb = find(b);
    if (ra < rb) parent[rb] = ra;
    else if (rb < ra) parent[ra] = rb;
  };
  /** @param {number} sa @param {number} sb @param {number} n */
  const contact = (sa, sb, n) => {
    const key = sa < sb ? sa * 65536 + sb : sb * 65536 + sa;
    contactCounts.set(key, (contactCounts.get(key) ?? 0) + n);
  };
  /**
   * Sweeps the runs of row `cur` against those of an earlier row `prev`; `face`: the rows share faces. Runs of a
   * row are sorted and disjoint; the widened current runs may overlap each other, so every current run scans the
   * previous row's runs from the first one that does not end before it.
   * @param {number} cur @param {number} prev @param {boolean} face
   */
  const link = (cur, prev, face) => {
    let q0 = rowFirst[prev];
    const pEnd = rStart.n, qEnd = rowFirst[prev + 1];
    const t = face ? tol : 1;
    const s = rStart.a, e = rEnd.a, l = rSlot.a;
    for (let p = rowFirst[cur]; p < pEnd; p++) {
      const as = s[p] - t, ae = e[p] + t;
      while (q0 < qEnd && e[q0] < as) q0++;
      for (let q = q0; q < qEnd && s[q] <= ae; q++) {
        if (l[p] === l[q]) union(p, q);
        else if (face) {
          const ov = Math.min(e[p], e[q]) - Math.max(s[p], s[q]) + 1;
          if (ov > 0) contact(l[p], l[q], ov);
        }
      }
    }
  };

  const occupied = occupiedRows(data, nx, rows);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = j + ny * k;
      rowFirst[row] = rStart.n;
      if (!occupied[row]) continue;
      const base = row * nx;
      let prevEnd = -2, prevSlot = -1;
      for (let i = 0; i < nx; i++) {
        const v = data[base + i];
        if (v === 0) continue;
        const start = i;
        while (i + 1 < nx && data[base + i + 1] === v) i++;
        let slot = slotOf.get(v);
        if (slot === undefined) {
          slot = values.length;
          slotOf.set(v, slot);
          values.push(v);
        }
        if (prevEnd === start - 1 && prevSlot !== slot) contact(prevSlot, slot, 1);
        prevEnd = i;
        prevSlot = slot;
        const id = rStart.n;
        rStart.push(start);
        rEnd.push(i);
        rSlot.push(slot);
        if (id >= parent.length) {
          const np = new Int32Array(parent.length * 2);
          np.set(parent);
          parent = np;
        }
        parent[id] = id;
      }
      if (rStart.n === rowFirst[row]) continue;
      if (connectivity === 26) {
        if (j > 0) link(row, row - 1, true);
        if (k > 0) {
          if (j > 0) link(row, row - ny - 1, false);
          link(row, row - ny, true);
          if (j + 1 < ny) link(row, row - ny + 1, false);
        }
      } else {
        if (j > 0) link(row, row - 1, true);
        if (k > 0) link(row, row - ny, true);
      }
    }
  }
  rowFirst[rows] = rStart.n;

  // Per label: totals, bounding box, components (by union-find root).
  const nRuns = rStart.n;
  const runRow = new Int32Array(nRuns);
  for (let r = 0; r < rows; r++) for (let x = rowFirst[r]; x < rowFirst[r + 1]; x++) runRow[x] = r;
  const stats = values.map((value) => ({
    value,
    voxels: 0,
    /** @type {[number, number, number]} */ sum: [0, 0, 0],
    /** @type {[number, number, number]} */ min: [Infinity, Infinity, Infinity],
    /** @type {[number, number, number]} */ max: [-Infinity, -Infinity, -Infinity],
    /** @type {Map<number, RawComponent>} */ comps: new Map(),
    runs: 0,
  }));
  for (let x = 0; x < nRuns; x++) {
    const st = stats[rSlot.a[x]];
    const s = rStart.a[x], e = rEnd.a[x], len = e - s + 1;
    const row = runRow[x];
    const j = row % ny, k = (row - j) / ny;
    const si = ((s + e) * len) / 2, sj = j * len, sk = k * len;
    st.voxels += len;
    st.runs++;
    st.sum[0] += si; st.sum[1] += sj; st.sum[2] += sk;
    if (s < st.min[0]) st.min[0] = s;
    if (e > st.max[0]) st.max[0] = e;
    if (j < st.min[1]) st.min[1] = j;
    if (j > st.max[1]) st.max[1] = j;
    if (k < st.min[2]) st.min[2] = k;
    if (k > st.max[2]) st.max[2] = k;
    const root = find(x);
    let c = st.comps.get(root);
    if (!c) st.comps.set(root, (c = { voxels: 0, sum: [0, 0, 0] }));
    c.voxels += len;
    c.sum[0] += si; c.sum[1] += sj; c.sum[2] += sk;
  }
  const labels = stats
    .map((st) => ({ value: st.value, voxels: st.voxels, sum: st.sum, min: st.min, max: st.max, components: [...st.comps.values()].sort((a, b) => b.voxels - a.voxels) }))
    .sort((a, b) => a.value - b.value);
  /** @type {[number, number, number][]} */
  const contacts = [];
  for (const [key, n] of contactCounts) {
    const a = values[Math.floor(key / 65536)], b = values[key % 65536];
    contacts.push(a < b ? [a, b, n] : [b, a, n]);
  }
  /** @type {RawScan['runs']} */
  const runs = [];
  for (const value of runsFor) {
    const slot = values.indexOf(value);
    const count = slot < 0 ? 0 : stats[slot].runs;
    const out = { value, row: new Int32Array(count), start: new Int32Array(count), end: new Int32Array(count), count };
    let n = 0;
    for (let x = 0; x < nRuns && n < count; x++) {
      if (rSlot.a[x] !== slot) continue;
      out.row[n] = runRow[x];
      out.start[n] = rStart.a[x];
      out.end[n] = rEnd.a[x];
      n++;
    }
    runs.push(out);
  }
  return { size, labels, contacts, runs };
}
