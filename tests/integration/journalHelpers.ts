// Shared helpers of the label-journal tests: a seeded PRNG, brush-like random diffs built against a known label
// volume, folder fingerprints, and the original label volume of a sample series read straight from its file.
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import type { Workstation } from '../../main/core/workstation.js';
import { join, relative } from 'node:path';
import { applyDiff, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { readMetaImage } from '../../main/core/mha/index.js';
import { toLabelBytes } from '../../main/core/workstation.js';
import { createRandom } from '../../main/core/sample/random.js';

/** Deterministic PRNG in [0, 1): the sample generator's, seeded with a number. */
export const prng = (seed: number): (() => number) => createRandom(`prng:${seed}`);

const LABELS = [0, 1, 2, 3, 4, 5, 100, 201, 202, 203, 204];

/**
 * A brush stroke as the renderer would commit it: a disc of radius 1–`maxRadius` voxels in one slice (k = const)
 * of a volume of `size`, painted with a random label, recorded against `volume` (before = current values).
 * Never empty.
 */
export function brushDiff(volume: Uint8Array, size: readonly [number, number, number], rnd: () => number, maxRadius = 6): { diff: VoxelDiff; label: number } {
  const [nx, ny, nz] = size;
  for (;;) {
    const label = LABELS[Math.floor(rnd() * LABELS.length)]!;
    const r = 1 + Math.floor(rnd() * maxRadius);
    const ci = Math.floor(rnd() * nx);
    const cj = Math.floor(rnd() * ny);
    const k = Math.floor(rnd() * nz);
    const indices: number[] = [];
    for (let j = Math.max(0, cj - r); j <= Math.min(ny - 1, cj + r); j++) {
      for (let i = Math.max(0, ci - r); i <= Math.min(nx - 1, ci + r); i++) {
        if ((i - ci) ** 2 + (j - cj) ** 2 > r * r) continue;
        const v = i + nx * (j + ny * k);
        if (volume[v] !== label) indices.push(v);
      }
    }
    if (indices.length === 0) continue;
    return {
      label,
      diff: {
        indices: Uint32Array.from(indices),
        before: Uint8Array.from(indices, (v) => volume[v]!),
        after: new Uint8Array(indices.length).fill(label),
      },
    };
  }
}

/** A diff as commitEdit takes it: the encoded bytes. */
export function diffBytes(d: VoxelDiff): Uint8Array {
  return encodeDiff(d);
}

/** Applies `d` forwards to a copy of `volume`. */
export function applied(volume: Uint8Array, d: VoxelDiff): Uint8Array {
  const out = volume.slice();
  applyDiff(out, d, 'forward');
  return out;
}

/** Every file under `dir` (recursively) with its SHA-256: equal maps mean nothing was created, removed or changed. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** The original label volume of a series, one byte per voxel, read from `masks/<id>.mha` itself. */
export async function originalLabels(datasetRoot: string, seriesId: string): Promise<Uint8Array> {
  const file = join('masks', `${seriesId}.mha`);
  const mask = await readMetaImage(join(datasetRoot, file));
  return toLabelBytes(mask.data, file).slice();
}

/** Equal bytes, compared without a per-element diff in the failure message (volumes are large). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * Per-test copies of a pristine sample dataset, and the workstations a test opens on them (closed after each
 * test). `root` and `pristine` are read when a case is made, so they may be set in a beforeAll.
 */
export function workstationCases(dirs: () => { root: string; pristine: string }): {
  open: Workstation[];
  fresh: () => { dataset: string; storeFile: string };
} {
  let caseNo = 0;
  const open: Workstation[] = [];
  afterEach(() => {
    for (const ws of open.splice(0)) ws.close();
  });
  return {
    open,
    fresh() {
      const { root, pristine } = dirs();
      const dir = join(root, `case-${++caseNo}`);
      cpSync(pristine, join(dir, 'ds'), { recursive: true });
      return { dataset: join(dir, 'ds'), storeFile: join(dir, 'annotations.sqlite') };
    },
  };
}
