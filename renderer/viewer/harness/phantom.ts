// Block phantom for the viewer harness and its e2e tests, defined in world space (LPS mm) and rasterised onto the
// grid of either SPIDER orientation convention, so both groups must show the same anatomy. Pure: no DOM, no vtk.
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { indexToWorld, voxelCount } from '../../../common/geometry.js';
import { CANAL_LABEL, discLabel, vertebraLabel } from '../../../common/labels.js';
import type { ImageVolume, LabelVolume } from '../types.js';

/** A: identity direction (LPS; i = L–R slice axis, j = A→P, k = I→S). B: 'PIR' (i = A→P, j = S→I, k = L→R). */
export type Group = 'A' | 'B';

export interface Block {
  name: string;
  label: number;
  /** Group A intensity; group B stores raw-scanner-like values (× 0.3, uint16). */
  intensity: number;
  /** World box (LPS mm), inclusive. */
  min: Vec3;
  max: Vec3;
}

export const BACKGROUND_INTENSITY = 200;

/** x = patient's left, y = posterior, z = superior. Later blocks win where boxes overlap (they do not here). */
export const BLOCKS: readonly Block[] = [
  { name: 'canal', label: CANAL_LABEL, intensity: 2000, min: [-6, 4, -48], max: [6, 16, 48] },
  { name: 'L5', label: vertebraLabel(1), intensity: 800, min: [-14, -30, -40], max: [14, -2, -16] },
  { name: 'L4/L5', label: discLabel(2), intensity: 1500, min: [-14, -30, -14], max: [14, -2, -4] },
  { name: 'L4', label: vertebraLabel(2), intensity: 1100, min: [-14, -30, -2], max: [14, -2, 22] },
  // On the patient's RIGHT (negative x) only: shows which screen side is the patient's right.
  { name: 'right marker', label: vertebraLabel(3), intensity: 2600, min: [-19.5, -30, -40], max: [-15, -2, -16] },
];

export function blockCenter(name: string): Vec3 {
  const b = BLOCKS.find((x) => x.name === name);
  if (!b) throw new Error(`no block ${name}`);
  return [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2];
}

/** Both grids cover x ∈ [−20, 20], y ∈ [−40, 40], z ∈ [−50, 50] mm with 4 × 0.8 × 1.25 mm voxels (L–R × A–P × S–I). */
export function phantomGeometry(group: Group): VolumeGeometry {
  if (group === 'A') {
    return { size: [10, 100, 80], spacing: [4, 0.8, 1.25], origin: [-18, -39.6, -49.375], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  }
  // TransformMatrix 0 1 0  0 0 -1  -1 0 0: i → +P, j → +I (−z), k → +R (−x); voxel 0 is anterior, superior, left.
  return { size: [100, 80, 10], spacing: [0.8, 1.25, 4], origin: [18, -39.6, 49.375], direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] };
}

export function blockAt(world: Vec3): Block | null {
  let hit: Block | null = null;
  for (const b of BLOCKS) {
    if (world.every((v, a) => v >= b.min[a]! && v <= b.max[a]!)) hit = b;
  }
  return hit;
}

/** Image (int16 for A, uint16 for B, as SPIDER stores them) and label volume of the phantom on a group's grid. */
export function buildPhantom(group: Group): { image: ImageVolume; labels: LabelVolume } {
  const geometry = phantomGeometry(group);
  const n = voxelCount(geometry);
  const image = group === 'A' ? new Int16Array(n) : new Uint16Array(n);
  const labels = new Uint8Array(n);
  const gain = group === 'A' ? 1 : 0.3;
  const [nx, ny, nz] = geometry.size;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const world = indexToWorld(geometry, [i, j, k]);
        const b = blockAt(world);
        const offset = i + nx * (j + ny * k);
        // A gentle superior-inferior ramp in the background, so window/level changes show in every view.
        image[offset] = Math.round(gain * (b ? b.intensity : BACKGROUND_INTENSITY + 4 * (world[2] + 50)));
        labels[offset] = b ? b.label : 0;
      }
    }
  }
  return { image: { geometry, scalars: image }, labels: { geometry: structuredClone(geometry), scalars: labels } };
}
