// The kept label boxes (renderer/ops/labelBoxes.ts): built in the background they equal each label's exact box;
// edits (forward diffs) make them grow to hold the new voxels, also edits made while the build runs; a reload
// drops them; findLabelBox answers from them once built.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../common/geometry.js';
import { labelBox, type LabelmapVolume } from '../../../renderer/labelmap/index.js';
import { buildLabelBoxes, findLabelBox, forgetLabelBoxes, noteLabelEdit } from '../../../renderer/ops/index.js';
import { keptLabelBox } from '../../../renderer/ops/labelBoxes.js';

const SIZE: Vec3 = [64, 48, 40];
const N = SIZE[0] * SIZE[1] * SIZE[2];
const at = (i: number, j: number, k: number): number => i + SIZE[0] * (j + SIZE[1] * k);

function volume(): LabelmapVolume {
  const labels = new Uint8Array(N);
  let s = 7;
  for (let x = 0; x < N; x++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    if (s / 2 ** 32 < 0.01) labels[x] = [1, 2, 3, 201][s % 4]!;
  }
  return { size: SIZE, spacing: [1, 1, 1], labels, image: new Uint16Array(N) };
}

describe('kept label boxes', () => {
  it('are the exact boxes once built, and findLabelBox answers from them', async () => {
    const vol = volume();
    expect(keptLabelBox(vol, 1)).toBeUndefined();
    await buildLabelBoxes(vol);
    for (const v of [1, 2, 3, 201, 9]) expect(keptLabelBox(vol, v), `label ${v}`).toEqual(labelBox(vol.labels, SIZE, v));
    // Proof that findLabelBox uses the kept box: a voxel written without telling the boxes is not seen.
    vol.labels[at(63, 47, 39)] = 9;
    expect(await findLabelBox(vol, 9)).toBeNull();
  });

  it('grow with edits, keep holding erased labels, and are dropped on a reload', async () => {
    const vol = volume();
    await buildLabelBoxes(vol);
    const x = at(0, 0, 0);
    const diff = { indices: Uint32Array.of(x, at(5, 6, 7)), before: Uint8Array.of(vol.labels[x]!, vol.labels[at(5, 6, 7)]!), after: Uint8Array.of(7, 7) };
    vol.labels[x] = 7;
    vol.labels[at(5, 6, 7)] = 7;
    noteLabelEdit(vol, diff);
    expect(keptLabelBox(vol, 7)).toEqual({ origin: [0, 0, 0], size: [6, 7, 8] });
    // Erasing leaves the box as it was: still a box that holds every voxel of the label.
    vol.labels[x] = 0;
    noteLabelEdit(vol, { indices: Uint32Array.of(x), before: Uint8Array.of(7), after: Uint8Array.of(0) });
    expect(keptLabelBox(vol, 7)).toEqual({ origin: [0, 0, 0], size: [6, 7, 8] });
    forgetLabelBoxes(vol);
    expect(keptLabelBox(vol, 7)).toBeUndefined();
    expect(await findLabelBox(vol, 7)).toEqual({ origin: [5, 6, 7], size: [1, 1, 1] }); // scanned again
  });

  it('fold in edits made while the build runs, and a reload during the build discards it', async () => {
    const vol = volume();
    const building = buildLabelBoxes(vol);
    // Rows already scanned or not: the voxel is in the box either way.
    vol.labels[at(1, 1, 0)] = 8;
    noteLabelEdit(vol, { indices: Uint32Array.of(at(1, 1, 0)), before: Uint8Array.of(0), after: Uint8Array.of(8) });
    await building;
    expect(keptLabelBox(vol, 8)).toEqual({ origin: [1, 1, 0], size: [1, 1, 1] });

    const other = volume();
    const second = buildLabelBoxes(other);
    forgetLabelBoxes(other);
    await second;
    expect(keptLabelBox(other, 1)).toBeUndefined();
  });
});
