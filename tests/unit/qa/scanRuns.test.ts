// The run-length voxel pass (scanRuns.mjs) against a plain voxel-by-voxel reference written here: flood fill for
// the components, every voxel pair for the face contacts, per-voxel sums and bounding boxes. Random small label
// volumes of every pixel type (some unaligned in their buffer), both connectivities, both run axes (along i and,
// for 8/16-bit masks, along j). Then the per-series checks read the same findings whichever axis the scan used.
import { describe, expect, it } from 'vitest';
import { checkScan } from '../../../main/core/qa/checks.js';
import { fromRaw, RUNS_KEPT } from '../../../main/core/qa/scan.js';
import { RunScanner, scanRuns, type LabelData, type RawScan } from '../../../main/core/qa/scanRuns.mjs';
import { createScanPool } from '../../../main/core/qa/workers.js';
import { canalBox, rasterise, spine, type Box, type Convention } from './craft.js';

type Size = [number, number, number];

interface RefLabel {
  value: number;
  voxels: number;
  sum: number[];
  min: number[];
  max: number[];
  components: { voxels: number; sum: number[] }[];
}

/** Voxel-by-voxel scan: BFS components (first voxel order for ties), face contacts by pairs. */
function reference(data: LabelData, size: Size, conn: 6 | 26): { labels: RefLabel[]; contacts: string[]; voxelsOf: (v: number) => number[] } {
  const [nx, ny, nz] = size;
  const n = nx * ny * nz;
  const comp = new Int32Array(n).fill(-1);
  const labels = new Map<number, RefLabel & { order: number[] }>();
  const offsets: number[][] = [];
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) {
        const faces = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
        if (faces > 0 && (conn === 26 || faces === 1)) offsets.push([di, dj, dk]);
      }
  const contacts = new Map<string, number>();
  for (let p = 0; p < n; p++) {
    const v = data[p]!;
    if (v === 0) continue;
    const i = p % nx, j = Math.floor(p / nx) % ny, k = Math.floor(p / (nx * ny));
    let l = labels.get(v);
    if (!l) labels.set(v, (l = { value: v, voxels: 0, sum: [0, 0, 0], min: [i, j, k], max: [i, j, k], components: [], order: [] }));
    l.voxels++;
    [i, j, k].forEach((c, a) => {
      l.sum[a]! += c;
      l.min[a] = Math.min(l.min[a]!, c);
      l.max[a] = Math.max(l.max[a]!, c);
    });
    // face contacts with the later neighbour along each axis
    for (const [di, dj, dk] of [[1, 0, 0], [0, 1, 0], [0, 0, 1]] as const) {
      if (i + di >= nx || j + dj >= ny || k + dk >= nz) continue;
      const w = data[p + di + nx * (dj + ny * dk)]!;
      if (w === 0 || w === v) continue;
      const key = v < w ? `${v}:${w}` : `${w}:${v}`;
      contacts.set(key, (contacts.get(key) ?? 0) + 1);
    }
    if (comp[p] !== -1) continue;
    const c = { voxels: 0, sum: [0, 0, 0] };
    l.components.push(c);
    comp[p] = 1;
    const stack = [p];
    while (stack.length) {
      const q = stack.pop()!;
      const qi = q % nx, qj = Math.floor(q / nx) % ny, qk = Math.floor(q / (nx * ny));
      c.voxels++;
      c.sum[0]! += qi;
      c.sum[1]! += qj;
      c.sum[2]! += qk;
      for (const [di, dj, dk] of offsets) {
        const a = qi + di!, b = qj + dj!, d = qk + dk!;
        if (a < 0 || b < 0 || d < 0 || a >= nx || b >= ny || d >= nz) continue;
        const r = a + nx * (b + ny * d);
        if (comp[r] === -1 && data[r] === v) {
          comp[r] = 1;
          stack.push(r);
        }
      }
    }
  }
  const out = [...labels.values()]
    .map(({ order: _o, ...l }) => ({ ...l, components: [...l.components].sort((a, b) => b.voxels - a.voxels) }))
    .sort((a, b) => a.value - b.value);
  const voxelsOf = (v: number): number[] => {
    const list: number[] = [];
    for (let p = 0; p < n; p++) if (data[p] === v) list.push(p);
    return list;
  };
  return { labels: out, contacts: [...contacts].map(([k, c]) => `${k}=${c}`).sort(), voxelsOf };
}

/** The voxel indices covered by the runs of a scan. */
function runVoxels(raw: RawScan, value: number): number[] {
  const r = raw.runs.find((x) => x.value === value)!;
  const [nx, ny] = raw.size;
  const out: number[] = [];
  for (let x = 0; x < r.count; x++) {
    for (let t = r.start[x]!; t <= r.end[x]!; t++) {
      if (r.axis === 0) out.push(t + nx * r.row[x]!);
      else {
        const i = r.row[x]! % nx, k = (r.row[x]! - i) / nx;
        out.push(i + nx * (t + ny * k));
      }
    }
  }
  return out.sort((a, b) => a - b);
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

const TYPES = [Int16Array, Uint8Array, Uint16Array, Int8Array, Int32Array, Uint32Array, Float32Array, Float64Array] as const;

describe('scanRuns', () => {
  it('matches a voxel-by-voxel reference on random label volumes (every type, both connectivities and run axes)', () => {
    const rnd = random(14);
    let compared = 0;
    for (let t = 0; t < 300; t++) {
      const T = TYPES[t % TYPES.length]!;
      // Thin volumes along i too, so that the default picks the run axis j for some 8/16-bit ones.
      const size: Size = [1 + Math.floor(rnd() * (t % 3 === 0 ? 3 : 12)), 1 + Math.floor(rnd() * 14), 1 + Math.floor(rnd() * 6)];
      const n = size[0] * size[1] * size[2];
      const offset = Math.floor(rnd() * 3); // unaligned views take the voxel-by-voxel path
      const data = new T(n + offset + 3).subarray(offset, offset + n) as LabelData;
      const density = rnd(), kinds = 1 + Math.floor(rnd() * 4);
      for (let p = 0; p < n; p++) if (rnd() < density) data[p] = [100, 7, 201, 3][Math.floor(rnd() * kinds)]!;
      for (const conn of [26, 6] as const) {
        const ref = reference(data, size, conn);
        for (const alongJ of [false, true, undefined]) {
          const raw = scanRuns(data, size, conn, [100, 7], alongJ === undefined ? {} : { alongJ });
          const where = `${T.name} ${size.join('×')} ${conn} alongJ=${alongJ}`;
          expect(raw.labels, where).toEqual(ref.labels);
          expect(raw.contacts.map(([a, b, c]) => `${a}:${b}=${c}`).sort(), where).toEqual(ref.contacts);
          for (const v of [100, 7]) expect(runVoxels(raw, v), where).toEqual(ref.voxelsOf(v));
          compared++;
        }
      }
    }
    expect(compared).toBe(300 * 6);
  });

  it('gives the same scan fed in pieces of any length (stretches and rows cut by a piece end), scans interleaved', () => {
    const rnd = random(7);
    let compared = 0;
    for (let t = 0; t < 200; t++) {
      const T = TYPES[t % TYPES.length]!;
      const size: Size = [1 + Math.floor(rnd() * (t % 3 === 0 ? 3 : 12)), 1 + Math.floor(rnd() * 14), 1 + Math.floor(rnd() * 6)];
      const n = size[0] * size[1] * size[2];
      const data = new T(n) as LabelData;
      // Long stretches of one value, so that piece ends cut them (and whole pieces lie inside one).
      let v = 0;
      for (let p = 0; p < n; p++) {
        if (rnd() < 0.15) v = rnd() < 0.4 ? 0 : [100, 7, 201][Math.floor(rnd() * 3)]!;
        data[p] = v;
      }
      for (const alongJ of [false, true]) {
        const whole = scanRuns(data, size, 26, [100, 7], { alongJ });
        // Two scanners of the same volume fed in alternation, each in pieces of random lengths (some empty).
        const scanners = [0, 1].map(() => new RunScanner(size, data.BYTES_PER_ELEMENT, 26, { alongJ }));
        const at = [0, 0];
        while (at[0]! < n || at[1]! < n) {
          for (const x of [0, 1]) {
            const len = Math.floor(rnd() * rnd() * (n + 1));
            const piece = data.slice(at[x], Math.min(n, at[x]! + len));
            scanners[x]!.feed(piece);
            at[x] = Math.min(n, at[x]! + len);
          }
        }
        for (const sc of scanners) {
          expect(sc.fed).toBe(n);
          expect(sc.result([100, 7]), `${T.name} ${size.join('×')} alongJ=${alongJ}`).toEqual(whole);
          compared++;
        }
      }
    }
    expect(compared).toBe(200 * 4);
  });

  it('runs along j only for 8/16-bit masks that are thin along i (unless forced)', () => {
    const d16 = new Int16Array(4 * 40 * 2).fill(5);
    expect(scanRuns(d16, [4, 40, 2], 26, [5]).runs[0]!.axis).toBe(1);
    expect(scanRuns(d16, [40, 4, 2], 26, [5]).runs[0]!.axis).toBe(0);
    expect(scanRuns(new Float32Array(4 * 40 * 2).fill(5), [4, 40, 2], 26, [5], { alongJ: true }).runs[0]!.axis).toBe(0);
    expect(scanRuns(d16, [4, 40, 2], 26, [5], { alongJ: false }).runs[0]!.axis).toBe(0);
  });

  it('orders components of equal size by their first voxel in memory order on both axes', () => {
    // Two single voxels of label 9: (3, 0, 0) comes first in memory, (0, 5, 0) first in column order.
    const size: Size = [4, 8, 1];
    const d = new Int16Array(32);
    d[3] = 9;
    d[0 + 4 * 5] = 9;
    d[1 + 4 * 2] = 9;
    d[2 + 4 * 2] = 9;
    for (const alongJ of [false, true]) {
      const l = scanRuns(d, size, 26, [], { alongJ }).labels[0]!;
      expect(l.components).toEqual([
        { voxels: 2, sum: [3, 4, 0] },
        { voxels: 1, sum: [3, 0, 0] },
        { voxels: 1, sum: [0, 5, 0] },
      ]);
    }
  });
});

describe('checks on either run axis', () => {
  const box = (label: number, min: Box['min'], max: Box['max']): Box => ({ label, min, max });
  const cases: [string, Box[]][] = [
    ['clean spine', spine()],
    ['cut canal', [...spine(), box(0, [-6, 15, 80], [6, 25, 90])]],
    ['short canal', spine().map((b) => (b.label === 100 ? { ...canalBox(), max: [5, 24, 120] as Box['max'] } : b))],
    ['stray island', [...spine(), { label: 4, min: [-3, -40, 118], max: [3, -36, 122] }]],
  ];
  for (const c of ['A', 'B'] as Convention[]) {
    for (const [what, boxes] of cases) {
      it(`${c}: ${what} gives the same findings and summary`, () => {
        const { geometry, data } = rasterise(c, boxes);
        const input = { seriesId: 's', patientId: 1, sequence: 't2', geometry, data };
        const run = (alongJ: boolean): ReturnType<typeof checkScan> => checkScan(input, fromRaw(scanRuns(data, geometry.size, 26, [...RUNS_KEPT], { alongJ })));
        const alongI = run(false);
        expect(run(true)).toEqual(alongI);
        if (what === 'cut canal') expect(alongI.findings.map((f) => f.code)).toContain('canal_gap');
      });
    }
  }
});

describe('scan pool', () => {
  it('scans on a worker as on this thread; moves only a buffer the caller owns', async () => {
    const { geometry, data } = rasterise('B', spine());
    const big = new Int16Array(data.length * 2); // > 64 KiB, its own allocation
    big.set(data);
    const mask = { geometry, pixelType: 'int16' as const, data: big.subarray(0, data.length) };
    const expected = scanRuns(mask.data, geometry.size, 26, [...RUNS_KEPT]);
    const pool = createScanPool(1);
    try {
      // Not owned (a reader's cache, the live labels): copied, the caller's volume stays whole.
      expect(await pool.scan(mask, RUNS_KEPT, false)).toEqual(expected);
      expect(big.buffer.byteLength).toBe(big.length * 2);
      expect(mask.data[mask.data.length - 1]).toBe(data[data.length - 1]);
      // Owned: moved to the worker (detached here).
      expect(await pool.scan(mask, RUNS_KEPT, true)).toEqual(expected);
      expect(big.buffer.byteLength).toBe(0);
    } finally {
      await pool.terminate();
    }
  });
});
