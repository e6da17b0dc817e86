// Page object for the workstation in e2e tests: anatomical positions from the mask files, world -> page pixels,
// render-settled screenshots and colour checks. Shared by the app and editing specs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { indexToWorld } from '../../../common/geometry.js';
import { labelInfo } from '../../../common/labels.js';
import { readMetaImage } from '../../../main/core/mha/index.js';
import { decodePng, near, pixelAt, type Pixels, type Rgb } from '../viewer/png.js';

export type ViewId = 'sagittal' | 'coronal' | 'axial';

export const colour = (v: number): Rgb => labelInfo(v).color;
export const isGrey = (c: Rgb): boolean => Math.max(...c) - Math.min(...c) <= 8;
/** The crosshair lines run through the point itself, so look at four pixels diagonally around it. */
const OFFSETS = [[-2, -2], [2, -2], [-2, 2], [2, 2]] as const;
export const OFFSET_LIST = OFFSETS;

export function colourAround(px: Pixels, x: number, y: number, c: Rgb): boolean {
  return OFFSETS.filter(([dx, dy]) => near(pixelAt(px, x + dx, y + dy), c, 10)).length >= 3;
}
export function greyAround(px: Pixels, x: number, y: number): boolean {
  return OFFSETS.filter(([dx, dy]) => isGrey(pixelAt(px, x + dx, y + dy))).length >= 3;
}

/**
 * A voxel of `label` near the label's centroid (world mm), read from a mask file with our reader. Interior
 * voxels (all six neighbours carry the same label) are preferred, so the point never sits on a border.
 */
export async function labelPoint(maskFile: string, label: number): Promise<Vec3> {
  const m = await readMetaImage(maskFile);
  const g: VolumeGeometry = m.geometry;
  const [nx, ny] = g.size;
  const pts: Vec3[] = [];
  const strides = [1, nx, nx * ny];
  const interior = (p: number): boolean => strides.every((s) => m.data[p - s] === label && m.data[p + s] === label);
  for (let p = 0; p < m.data.length; p++) if (m.data[p] === label && interior(p)) pts.push([p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))]);
  if (!pts.length) throw new Error(`no interior voxel of label ${label} in ${maskFile}`);
  const c = pts.reduce((a, q) => [a[0] + q[0] / pts.length, a[1] + q[1] / pts.length, a[2] + q[2] / pts.length] as Vec3, [0, 0, 0] as Vec3);
  const best = pts.reduce((a, q) => (Math.hypot(q[0] - c[0], q[1] - c[1], q[2] - c[2]) < Math.hypot(a[0] - c[0], a[1] - c[1], a[2] - c[2]) ? q : a));
  return indexToWorld(g, best);
}

export class WorkstationPage {
  constructor(readonly page: Page, readonly shotsDir: string) {
    mkdirSync(shotsDir, { recursive: true });
  }

  static shots(name: string): string {
    return resolve(import.meta.dirname, '../../../test-results', name);
  }

  /** Page coordinates of a world point in a view (the viewer reports container-relative CSS pixels). */
  async toPage(view: ViewId, world: Vec3): Promise<[number, number]> {
    const box = (await this.page.locator('[data-testid="viewer"]').boundingBox())!;
    const d = await this.page.evaluate(([v, w]) => window.__spine!.viewer!.worldToDisplay(v, w), [view, world] as const);
    if (!d) throw new Error(`${world.join(',')} not visible in the ${view} view`);
    return [box.x + d[0], box.y + d[1]];
  }

  async settle(): Promise<void> {
    await this.page.evaluate(() => window.__spine!.viewer!.rendered());
  }

  async shot(name: string): Promise<Pixels> {
    await this.settle();
    const png = await this.page.screenshot();
    writeFileSync(join(this.shotsDir, `${name}.png`), png);
    return decodePng(png);
  }

  async setOpacity(value: number): Promise<void> {
    await this.page.locator('input[aria-label="Label opacity"]').fill(String(value));
  }

  async setCrosshair(world: Vec3): Promise<void> {
    await this.page.evaluate((w) => window.__spine!.viewer!.setCrosshair(w), world);
    await this.settle();
  }

  /** Voxel count shown in the label list for a value (0 when the label is absent). */
  async labelVoxels(value: number): Promise<number> {
    const row = this.page.locator(`.label-table tr[data-label="${value}"] td.num`).nth(1);
    if ((await row.count()) === 0) return 0;
    return Number((await row.textContent())!.replace(/,/g, ''));
  }
}
