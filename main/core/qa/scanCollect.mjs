// @ts-check
// The second half of the voxel pass (scanRuns.mjs): from the runs and their union-find forest to the plain
// result — per label voxel count, centroid sums, bounding box and components, the face contacts, and the runs
// of the labels asked for. Plain JavaScript for the worker threads, like scanRuns.mjs.

/** @typedef {import('./scanRuns.d.mts').RawScan} RawScan */
/** @typedef {import('./scanRuns.d.mts').RawComponent} RawComponent */

/**
 * The runs of one scan: start, end (inclusive, along the run axis), label slot, row, union-find parent; the
 * range of runs of each row; the row width (rows of one slice k) and the tolerance of neighbouring rows.
 * @typedef {{ S: Int32Array; E: Int32Array; L: Int32Array; R: Int32Array; P: Int32Array; n: number; rowFirst: Int32Array; rowEnd: Int32Array; width: number; tol: number; contacts: Contacts }} RunStore
 */

/** Label slots below this have their contacts in a dense matrix; pairs with a higher slot go to a Map. */
const DENSE = 64;
const KEY = 67108864;

/** The root of `x`, halving the path on the way. @param {Int32Array} parent @param {number} x */
export function find(parent, x) {
  while (parent[x] !== x) {
    const g = parent[parent[x]];
    parent[x] = g;
    x = g;
  }
  return x;
}

/** Face contacts between label slots: a dense matrix for the first DENSE slots, a Map beyond. */
export class Contacts {
  constructor() {
    this.dense = new Float64Array(DENSE * DENSE);
    /** @type {Map<number, number>} */
    this.sparse = new Map();
  }
  /** @param {number} a @param {number} b @param {number} n */
  add(a, b, n) {
    const lo = a < b ? a : b, hi = a < b ? b : a;
    if (hi < DENSE) this.dense[lo * DENSE + hi] += n;
    else this.sparse.set(lo * KEY + hi, (this.sparse.get(lo * KEY + hi) ?? 0) + n);
  }
  /** [slotA, slotB, faces] of every pair in contact. @returns {[number, number, number][]} */
  pairs() {
    /** @type {[number, number, number][]} */
    const out = [];
    for (let a = 0; a < DENSE; a++) for (let b = a + 1; b < DENSE; b++) if (this.dense[a * DENSE + b] > 0) out.push([a, b, this.dense[a * DENSE + b]]);
    for (const [key, faces] of this.sparse) out.push([Math.floor(key / KEY), key % KEY, faces]);
    return out;
  }
}

/**
 * The plain result. Components per union-find root, largest first, ties by their first voxel in memory order
 * (whatever the run axis). Runs are along i (rows j + ny·k) or, with `alongJ`, along j (rows i + nx·k).
 * @param {RunStore} st @param {number[]} values label value of each slot @param {[number, number, number]} size
 * @param {boolean} alongJ @param {number[]} runsFor
 * @returns {RawScan}
 */
export function collect(st, values, size, alongJ, runsFor) {
  const [nx, ny] = size;
  const { S, E, L, R, P, n, width } = st;
  const m = values.length;
  const vox = new Float64Array(m), sI = new Float64Array(m), sJ = new Float64Array(m), sK = new Float64Array(m);
  const lo = [0, 1, 2].map(() => new Float64Array(m).fill(Infinity));
  const hi = [0, 1, 2].map(() => new Float64Array(m).fill(-Infinity));
  const [lo0, lo1, lo2] = lo, [hi0, hi1, hi2] = hi;
  const runsOfSlot = new Int32Array(m);
  const cV = new Float64Array(n), cI = new Float64Array(n), cJ = new Float64Array(n), cK = new Float64Array(n);
  const cFirst = new Float64Array(n).fill(Infinity);
  for (let x = 0; x < n; x++) {
    const slot = L[x], s = S[x], e = E[x], len = e - s + 1, row = R[x];
    const a = row % width, k = (row - a) / width;
    const mid = ((s + e) * len) / 2, ak = a * len, kk = k * len;
    const ci = alongJ ? ak : mid, cj = alongJ ? mid : ak;
    const i0 = alongJ ? a : s, i1 = alongJ ? a : e, j0 = alongJ ? s : a, j1 = alongJ ? e : a;
    const first = i0 + nx * (j0 + ny * k);
    vox[slot] += len;
    sI[slot] += ci;
    sJ[slot] += cj;
    sK[slot] += kk;
    if (i0 < lo0[slot]) lo0[slot] = i0;
    if (i1 > hi0[slot]) hi0[slot] = i1;
    if (j0 < lo1[slot]) lo1[slot] = j0;
    if (j1 > hi1[slot]) hi1[slot] = j1;
    if (k < lo2[slot]) lo2[slot] = k;
    if (k > hi2[slot]) hi2[slot] = k;
    runsOfSlot[slot]++;
    const r = find(P, x);
    cV[r] += len;
    cI[r] += ci;
    cJ[r] += cj;
    cK[r] += kk;
    if (first < cFirst[r]) cFirst[r] = first;
  }
  /** @type {number[][]} */
  const roots = values.map(() => []);
  for (let x = 0; x < n; x++) if (P[x] === x) roots[L[x]].push(x);
  const labels = values
    .map((value, slot) => ({
      value,
      voxels: vox[slot],
      /** @type {[number, number, number]} */ sum: [sI[slot], sJ[slot], sK[slot]],
      /** @type {[number, number, number]} */ min: [lo0[slot], lo1[slot], lo2[slot]],
      /** @type {[number, number, number]} */ max: [hi0[slot], hi1[slot], hi2[slot]],
      components: roots[slot]
        .sort((a, b) => cV[b] - cV[a] || cFirst[a] - cFirst[b])
        .map((r) => /** @type {RawComponent} */ ({ voxels: cV[r], sum: [cI[r], cJ[r], cK[r]] })),
    }))
    .sort((a, b) => a.value - b.value);
  /** @type {[number, number, number][]} */
  const contacts = st.contacts.pairs().map(([a, b, faces]) => {
    const va = values[a], vb = values[b];
    return va < vb ? [va, vb, faces] : [vb, va, faces];
  });
  /** @type {RawScan['runs']} */
  const runs = [];
  for (const value of runsFor) {
    const slot = values.indexOf(value);
    const count = slot < 0 ? 0 : runsOfSlot[slot];
    /** @type {RawScan['runs'][number]} */
    const out = { value, axis: alongJ ? 1 : 0, row: new Int32Array(count), start: new Int32Array(count), end: new Int32Array(count), count };
    let y = 0;
    for (let x = 0; x < n && y < count; x++) {
      if (L[x] !== slot) continue;
      out.row[y] = R[x];
      out.start[y] = S[x];
      out.end[y] = E[x];
      y++;
    }
    runs.push(out);
  }
  return { size, labels, contacts, runs };
}
