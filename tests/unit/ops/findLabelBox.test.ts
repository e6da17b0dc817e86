// findLabelBox (renderer/ops): the time-sliced, indexOf-based bounding-box scan the previewed operations start with
// must give exactly the box of the plain scan in renderer/labelmap, wherever the label lies (first / last column,
// row, slice; one voxel; absent), and stop with an AbortError when cancelled.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../common/geometry.js';
import { labelBox, type LabelmapVolume } from '../../../renderer/labelmap/index.js';
import { findLabelBox } from '../../../renderer/ops/index.js';

const SIZE: Vec3 = [23, 17, 11];
const N = SIZE[0] * SIZE[1] * SIZE[2];
const at = (i: number, j: number, k: number): number => i + SIZE[0] * (j + SIZE[1] * k);
const vol = (labels: Uint8Array): LabelmapVolume => ({ size: SIZE, spacing: [1, 1, 1], labels, image: new Uint16Array(N) });

/** Deterministic pseudo-random bytes (a small LCG), so a failure can be replayed. */
function noise(seed: number, values: number[], density: number): Uint8Array {
  const out = new Uint8Array(N);
  let s = seed;
  for (let x = 0; x < N; x++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    if (s / 2 ** 32 < density) out[x] = values[s % values.length]!;
  }
  return out;
}

describe('findLabelBox', () => {
  it('matches the plain scan on random volumes of several densities', async () => {
    for (const [seed, density] of [[1, 0.001], [2, 0.02], [3, 0.3], [4, 0.9]] as const) {
      const labels = noise(seed, [1, 2, 3, 208], density);
      for (const label of [1, 2, 3, 208, 7]) {
        expect(await findLabelBox(vol(labels), label), `seed ${seed} label ${label}`).toEqual(labelBox(labels, SIZE, label));
      }
    }
  });

  it('finds a label on the volume edges and a single voxel; null when absent', async () => {
    const labels = new Uint8Array(N);
    labels[at(SIZE[0] - 1, 0, SIZE[2] - 1)] = 5;
    labels[at(0, SIZE[1] - 1, 0)] = 5;
    expect(await findLabelBox(vol(labels), 5)).toEqual({ origin: [0, 0, 0], size: SIZE });
    const one = new Uint8Array(N);
    one[at(4, 16, 3)] = 9;
    expect(await findLabelBox(vol(one), 9)).toEqual({ origin: [4, 16, 3], size: [1, 1, 1] });
    expect(await findLabelBox(vol(one), 8)).toBeNull();
  });

  it('rejects with an AbortError when cancelled, and a RangeError on a wrong voxel count', async () => {
    const c = new AbortController();
    c.abort();
    await expect(findLabelBox(vol(new Uint8Array(N)), 1, c.signal)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(findLabelBox({ ...vol(new Uint8Array(N)), labels: new Uint8Array(N - 1) }, 1)).rejects.toBeInstanceOf(RangeError);
  });
});
