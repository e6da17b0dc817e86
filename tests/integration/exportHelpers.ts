// Shared helpers of the export tests: itk-wasm geometry in our TransformMatrix order, a manifest reader, and a
// check that every file of an export is listed with its real SHA-256.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImageNode } from '@itk-wasm/image-io';
import { expect } from 'vitest';
import type { VolumeGeometry } from '../../common/geometry.js';
import type { ExportManifest } from '../../main/core/export/index.js';
import { hashTree } from './journalHelpers.js';

export type ItkImage = Awaited<ReturnType<typeof readImageNode>>;

/** itk-wasm geometry in TransformMatrix order (its direction is the transpose; tests/unit/mha/itkwasm.test.ts). */
export function itkGeometry(img: ItkImage): VolumeGeometry {
  const d = [...img.direction].map(Number);
  return {
    size: [...img.size] as VolumeGeometry['size'],
    spacing: [...img.spacing] as VolumeGeometry['spacing'],
    origin: [...img.origin] as VolumeGeometry['origin'],
    direction: [d[0]!, d[3]!, d[6]!, d[1]!, d[4]!, d[7]!, d[2]!, d[5]!, d[8]!],
  };
}

/** Equal geometry within `tol` (NIfTI stores float32: use ~1e-4 there, 0 for .mha). */
export function expectGeometry(actual: VolumeGeometry, expected: VolumeGeometry, tol: number): void {
  expect(actual.size).toEqual(expected.size);
  for (const k of ['spacing', 'origin', 'direction'] as const) {
    actual[k].forEach((x, i) => {
      const e = expected[k][i]!;
      if (tol === 0) expect(x, `${k}[${i}]`).toBe(e);
      else expect(Math.abs(x - e), `${k}[${i}] ${x} vs ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
    });
  }
}

export function readManifest(dir: string): ExportManifest {
  return JSON.parse(readFileSync(join(dir, 'export-manifest.json'), 'utf8')) as ExportManifest;
}

/** Every file in `dir` but the manifest is in the manifest with its real size and SHA-256, and nothing else is. */
export function expectManifestHashes(dir: string): void {
  const m = readManifest(dir);
  const tree = hashTree(dir);
  delete tree['export-manifest.json'];
  const listed = Object.fromEntries(m.files.map((f) => [f.path, f.sha256]));
  expect(listed).toEqual(tree);
  for (const f of m.files) expect(f.bytes).toBe(readFileSync(join(dir, f.path)).length);
  expect(readFileSync(join(dir, 'CHANGES.md'), 'utf8')).toContain(m.files.find((f) => f.path.startsWith('images') || f.path.startsWith('imagesTr'))?.sha256 ?? 'no image');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
