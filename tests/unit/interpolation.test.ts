// Fill between slices (renderer/interpolation). The worker's browser build cannot run in Node, so the shared core
// runs here with itk-wasm's Node build of the same pipeline (same .wasm, same options); interpolateLabel's message
// plumbing and cancellation run against a stand-in Worker that does the same. The real worker (Vite bundle, local
// pipeline files) is left to an end-to-end test.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { morphologicalContourInterpolationNode } from '@itk-wasm/morphological-contour-interpolation';
import type { Axis, Vec3 } from '../../common/geometry.js';
import { applyDiff } from '../../common/labelDiff.js';
import { applyInterpolation, axisOrder, labelBounds, prepareJob, runJob, type PipelineRunner } from '../../renderer/interpolation/core.js';
import { disposeInterpolationWorker, interpolateLabel, warmUpInterpolation } from '../../renderer/interpolation/index.js';
import type { WorkerRequest, WorkerResponse } from '../../renderer/interpolation/protocol.js';

const runNode: PipelineRunner = async (image, options) => {
  const { outputImage } = await morphologicalContourInterpolationNode(image, options);
  return outputImage.data as Uint8Array;
};

const DISC = 201;
const CANAL = 100;
const DIMS: Vec3 = [48, 40, 36];
const FIRST = 8;
const LAST = 18; // 10 slices apart

/** Voxel index of (u, v) in slice `s` across `axis` (u, v: the two other axes in memory order). */
function at(axis: Axis, s: number, u: number, v: number): number {
  const [a, b] = axisOrder(axis);
  const ijk: Vec3 = [0, 0, 0];
  ijk[axis] = s;
  ijk[a] = u;
  ijk[b] = v;
  return ijk[0] + DIMS[0] * (ijk[1] + DIMS[1] * ijk[2]);
}

/** In-plane extent of slices across `axis`. */
function plane(axis: Axis): [number, number] {
  const [a, b] = axisOrder(axis);
  return [DIMS[a], DIMS[b]];
}

/** A filled ellipse of `value` in slice `s` across `axis`, centre (cu, cv), radii (ru, rv). */
function ellipse(labels: Uint8Array, axis: Axis, s: number, cu: number, cv: number, ru: number, rv: number, value: number): void {
  const [nu, nv] = plane(axis);
  for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) if (((u - cu) / ru) ** 2 + ((v - cv) / rv) ** 2 <= 1) labels[at(axis, s, u, v)] = value;
}

/** (s, u, v) of a volume index for slices across `axis`. */
function suv(axis: Axis, index: number): [number, number, number] {
  const ijk: Vec3 = [index % DIMS[0], Math.floor(index / DIMS[0]) % DIMS[1], Math.floor(index / (DIMS[0] * DIMS[1]))];
  const [a, b] = axisOrder(axis);
  return [ijk[axis], ijk[a], ijk[b]];
}

/** Two painted disc slices 10 apart: a small ellipse at FIRST and a larger, shifted one at LAST. */
function twoDiscSlices(axis: Axis): Uint8Array {
  const labels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
  const [nu, nv] = plane(axis);
  ellipse(labels, axis, FIRST, nu / 2 - 3, nv / 2, 7, 4, DISC);
  ellipse(labels, axis, LAST, nu / 2 + 3, nv / 2 + 1, 11, 6, DISC);
  return labels;
}

function countIn(labels: Uint8Array, axis: Axis, s: number, value: number): number {
  const [nu, nv] = plane(axis);
  let n = 0;
  for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) if (labels[at(axis, s, u, v)] === value) n++;
  return n;
}

describe('fill between slices: core (itk-wasm Node build)', () => {
  for (const axis of [0, 1, 2] as const) {
    it(`fills every slice between two painted disc slices across axis ${axis}, and nothing else`, async () => {
      const labels = twoDiscSlices(axis);
      const original = labels.slice();
      const job = prepareJob(labels, DIMS, DISC, axis);
      expect(job).not.toBeNull();
      const fill = await runJob(job!, runNode);
      expect(fill.length).toBeGreaterThan(0);
      for (let e = 1; e < fill.length; e++) expect(fill[e]!).toBeGreaterThan(fill[e - 1]!);

      // Only slices strictly between, only voxels that are not the disc already, all inside the union of the
      // two drawn ellipses' in-plane bounding boxes (the interpolated shapes lie between the drawn ones).
      const [nu, nv] = plane(axis);
      const uLo = Math.floor(nu / 2 - 3 - 7), uHi = Math.ceil(nu / 2 + 3 + 11);
      const vLo = Math.floor(nv / 2 - 6), vHi = Math.ceil(nv / 2 + 1 + 6);
      const misplaced = [...fill].filter((index) => {
        const [s, u, v] = suv(axis, index);
        return s <= FIRST || s >= LAST || u < uLo || u > uHi || v < vLo || v > vHi || labels[index] !== 0;
      });
      expect(misplaced).toEqual([]);

      const diff = applyInterpolation(labels, fill, DISC, { mode: 'overwrite', locked: new Set() });
      applyDiff(labels, diff, 'forward');
      const areaFirst = countIn(labels, axis, FIRST, DISC);
      const areaLast = countIn(labels, axis, LAST, DISC);
      let previous = areaFirst;
      for (let s = FIRST + 1; s < LAST; s++) {
        const area = countIn(labels, axis, s, DISC);
        // Non-empty, between the two drawn areas, and growing from the small ellipse towards the large one.
        expect(area).toBeGreaterThanOrEqual(areaFirst);
        expect(area).toBeLessThanOrEqual(areaLast);
        expect(area).toBeGreaterThanOrEqual(previous);
        previous = area;
      }
      // The drawn slices and everything outside the slices between are exactly as before.
      let changedOutside = 0;
      for (let index = 0; index < labels.length; index++) {
        const s = suv(axis, index)[0];
        if ((s <= FIRST || s >= LAST) && labels[index] !== original[index]) changedOutside++;
      }
      expect(changedOutside).toBe(0);
    });
  }

  it('keeps the bounding box plus margin as the job, transposed so the interpolation axis is last', () => {
    const labels = twoDiscSlices(0);
    const bounds = labelBounds(labels, DIMS, DISC)!;
    expect(bounds.origin[0]).toBe(FIRST);
    expect(bounds.size[0]).toBe(LAST - FIRST + 1);
    const job = prepareJob(labels, DIMS, DISC, 0, 2)!;
    expect(job.box.origin).toEqual([FIRST, bounds.origin[1] - 2, bounds.origin[2] - 2]);
    expect(job.maskSize).toEqual([bounds.size[1] + 4, bounds.size[2] + 4, LAST - FIRST + 1]);
    expect(job.mask.reduce((a, b) => a + b, 0)).toBe(countIn(labels, 0, FIRST, DISC) + countIn(labels, 0, LAST, DISC));
  });

  it('has nothing to do for an absent label, a single slice, or slices without a gap', () => {
    const labels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
    expect(prepareJob(labels, DIMS, DISC, 2)).toBeNull();
    ellipse(labels, 2, 5, 20, 20, 5, 3, DISC);
    expect(prepareJob(labels, DIMS, DISC, 2)).toBeNull();
    ellipse(labels, 2, 6, 20, 20, 5, 3, DISC);
    expect(prepareJob(labels, DIMS, DISC, 2)).toBeNull();
    // Across another axis the same label spans many slices with no gaps either.
    expect(prepareJob(labels, DIMS, DISC, 0)).toBeNull();
    expect(() => prepareJob(labels, DIMS, 0, 2)).toThrow(RangeError);
    expect(() => prepareJob(labels, [1, 2, 3], DISC, 2)).toThrow(RangeError);
  });

  it('leaves a slice the user drew between the ends alone', async () => {
    const labels = twoDiscSlices(2);
    ellipse(labels, 2, 13, 24, 20, 3, 3, DISC); // a small drawn slice in the middle
    const before13 = countIn(labels, 2, 13, DISC);
    const fill = await runJob(prepareJob(labels, DIMS, DISC, 2)!, runNode);
    expect(fill.some((i) => suv(2, i)[0] === 13)).toBe(false);
    expect(fill.some((i) => suv(2, i)[0] === 10)).toBe(true);
    expect(fill.some((i) => suv(2, i)[0] === 16)).toBe(true);
    applyDiff(labels, applyInterpolation(labels, fill, DISC, {}), 'forward');
    expect(countIn(labels, 2, 13, DISC)).toBe(before13);
  });
});

describe('applyInterpolation: locks and paint mode', () => {
  /** Disc slices across axis 2 with a canal bar crossing the slices between them. */
  async function withCanal(): Promise<{ labels: Uint8Array; fill: Uint32Array; canalHit: number }> {
    const labels = twoDiscSlices(2);
    for (let k = FIRST + 1; k < LAST; k++) for (let j = 18; j <= 22; j++) for (let i = 20; i <= 28; i++) labels[at(2, k, i, j)] = CANAL;
    const fill = await runJob(prepareJob(labels, DIMS, DISC, 2)!, runNode);
    const canalHit = [...fill].filter((i) => labels[i] === CANAL).length;
    expect(canalHit).toBeGreaterThan(0);
    return { labels, fill, canalHit };
  }

  it('overwrites other labels in overwrite mode, never a locked one', async () => {
    const { labels, fill, canalHit } = await withCanal();
    const free = applyInterpolation(labels, fill, DISC, { mode: 'overwrite' });
    expect(free.indices.length).toBe(fill.length);
    expect([...free.before].filter((b) => b === CANAL).length).toBe(canalHit);
    expect(free.after.every((a) => a === DISC)).toBe(true);

    const locked = applyInterpolation(labels, fill, DISC, { mode: 'overwrite', locked: new Set([CANAL]) });
    expect(locked.indices.length).toBe(fill.length - canalHit);
    expect(locked.before.every((b) => b === 0)).toBe(true);
    const canalBefore = labels.filter((v) => v === CANAL).length;
    applyDiff(labels, locked, 'forward');
    expect(labels.filter((v) => v === CANAL).length).toBe(canalBefore);
  });

  it('writes only background in background-only mode, and only inside a label in inside mode', async () => {
    const { labels, fill, canalHit } = await withCanal();
    const empty = applyInterpolation(labels, fill, DISC, { mode: 'background-only' });
    expect(empty.indices.length).toBe(fill.length - canalHit);
    const inside = applyInterpolation(labels, fill, DISC, { mode: { inside: CANAL } });
    expect(inside.indices.length).toBe(canalHit);
  });

  it('is pure and refuses indices that are unsorted or outside the volume', () => {
    const labels = new Uint8Array(10);
    const d = applyInterpolation(labels, new Uint32Array([1, 3]), DISC, {});
    expect([...d.indices]).toEqual([1, 3]);
    expect(labels.every((v) => v === 0)).toBe(true);
    expect(() => applyInterpolation(labels, new Uint32Array([3, 1]), DISC, {})).toThrow(RangeError);
    expect(() => applyInterpolation(labels, new Uint32Array([10]), DISC, {})).toThrow(RangeError);
  });
});

/** Stands in for the browser Worker: answers like interpolate.worker.ts, with the Node build of the pipeline. */
class FakeWorker extends EventTarget {
  static instances: FakeWorker[] = [];
  static hold = false;
  terminated = false;
  received: WorkerRequest[] = [];
  constructor() {
    super();
    FakeWorker.instances.push(this);
  }
  postMessage(request: WorkerRequest): void {
    this.received.push(request);
    if (FakeWorker.hold) return; // never answers: a long job
    void runJob(request.job, runNode).then((fill) => {
      if (this.terminated) return;
      const data: WorkerResponse = { id: request.id, ok: true, fill, ms: 1 };
      this.dispatchEvent(new MessageEvent('message', { data }));
    });
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('interpolateLabel (stand-in worker)', () => {
  afterEach(() => {
    disposeInterpolationWorker();
    FakeWorker.instances = [];
    FakeWorker.hold = false;
    vi.unstubAllGlobals();
  });

  it('sends only the box to the worker and resolves with the new voxels', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const labels = twoDiscSlices(1);
    const r = await interpolateLabel(labels, DIMS, DISC, 1, { pipelinesBaseUrl: 'http://localhost/itk-pipelines' });
    expect(r.fill.length).toBeGreaterThan(0);
    const sent = FakeWorker.instances[0]!.received[0]!;
    expect(sent.job.mask.length).toBeLessThan(labels.length / 4);
    expect(sent.pipelinesBaseUrl).toBe('http://localhost/itk-pipelines');
    expect(r.box).toEqual(sent.job.box);
    expect([...r.fill]).toEqual([...(await runJob(prepareJob(labels, DIMS, DISC, 1)!, runNode))]);
  });

  it('warms up by running the smallest job through the worker', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    await warmUpInterpolation({ pipelinesBaseUrl: 'x' });
    expect(FakeWorker.instances.length).toBe(1);
    expect(FakeWorker.instances[0]!.received[0]!.job.mask.length).toBe(3);
  });

  it('resolves empty without a worker when there is nothing to fill', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const r = await interpolateLabel(new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]), DIMS, DISC, 2, { pipelinesBaseUrl: 'x' });
    expect(r.fill.length).toBe(0);
    expect(FakeWorker.instances.length).toBe(0);
  });

  it('cancels: rejects with AbortError and terminates the worker; the next call uses a new one', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    FakeWorker.hold = true;
    const labels = twoDiscSlices(2);
    const controller = new AbortController();
    const running = interpolateLabel(labels, DIMS, DISC, 2, { signal: controller.signal, pipelinesBaseUrl: 'x' });
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeWorker.instances[0]!.terminated).toBe(true);
    await expect(interpolateLabel(labels, DIMS, DISC, 2, { signal: controller.signal, pipelinesBaseUrl: 'x' })).rejects.toMatchObject({ name: 'AbortError' });

    FakeWorker.hold = false;
    const r = await interpolateLabel(labels, DIMS, DISC, 2, { pipelinesBaseUrl: 'x' });
    expect(r.fill.length).toBeGreaterThan(0);
    expect(FakeWorker.instances.length).toBe(2);
  });
});
