// The sample generator writes a real SPIDER-layout dataset: checked here through our reader, through
// itk-wasm as an independent oracle, and through the anatomy a person would expect to see.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageNode } from '@itk-wasm/image-io';
import type { Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { indexToWorld } from '../../../common/geometry.js';
import { GRADINGS_HEADER } from '../../../common/gradings.js';
import { isKnownLabel } from '../../../common/labels.js';
import { readMetaImage } from '../../../main/core/mha/index.js';
import { generateSample, type SampleResult } from '../../../main/core/sample/index.js';
import { OVERVIEW_HEADER } from '../../../main/core/sample/csv.js';

let dir: string;
let sample: SampleResult;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-sample-'));
  sample = await generateSample({ out: join(dir, 'ds'), seed: 'test' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[r] = createHash('sha256').update(readFileSync(join(root, r))).digest('hex');
    }
  };
  walk('');
  return out;
}

/** Centroid (world mm) of every label value in a mask. */
function centroids(g: VolumeGeometry, labels: ArrayLike<number>): Map<number, Vec3> {
  const sums = new Map<number, [number, number, number, number]>();
  const [nx, ny] = g.size;
  for (let p = 0; p < labels.length; p++) {
    const v = labels[p]!;
    if (v === 0) continue;
    const w = indexToWorld(g, [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))]);
    const s = sums.get(v) ?? [0, 0, 0, 0];
    s[0] += w[0]; s[1] += w[1]; s[2] += w[2]; s[3]++;
    sums.set(v, s);
  }
  return new Map([...sums].map(([v, s]) => [v, [s[0] / s[3], s[1] / s[3], s[2] / s[3]] as Vec3]));
}

describe('sample dataset generator', () => {
  it('writes the exact SPIDER layout with paired file names', () => {
    const images = readdirSync(join(dir, 'ds', 'images')).sort();
    const masks = readdirSync(join(dir, 'ds', 'masks')).sort();
    expect(images).toEqual(masks);
    expect(images).toEqual(sample.series.map((s) => `${s.id}.mha`).sort());
    expect(images).toContain('1_t2_SPACE.mha');
    expect(readdirSync(join(dir, 'ds')).sort()).toEqual(['images', 'masks', 'overview.csv', 'radiological_gradings.csv']);
  });

  it('writes both CSVs with CRLF and the released headers', () => {
    const overview = readFileSync(join(dir, 'ds', 'overview.csv'), 'latin1');
    const gradings = readFileSync(join(dir, 'ds', 'radiological_gradings.csv'), 'latin1');
    for (const text of [overview, gradings]) {
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    }
    expect(overview.split('\r\n')[0]).toBe(OVERVIEW_HEADER.join(','));
    expect(OVERVIEW_HEADER).toHaveLength(39);
    expect(overview.split('\r\n')[0]).toBe(readFileSync(join(import.meta.dirname, '../dataset/fixtures/overview_excerpt.csv'), 'latin1').split(/\r?\n/)[0]);
    expect(gradings.split('\r\n')[0]).toBe(GRADINGS_HEADER.join(','));
    // Rows sorted by file name as strings, like the released file.
    const ids = overview.trim().split('\r\n').slice(1).map((l) => l.split(',')[0]!);
    expect(ids).toEqual([...ids].sort());
    expect(overview).toContain('"[0.625, 0.625]"');
  });

  it('covers both orientation conventions and int16, uint16 and float32 images', () => {
    expect(new Set(sample.series.map((s) => s.orientation))).toEqual(new Set(['LPS', 'PIR']));
    expect(new Set(sample.series.map((s) => s.pixelType))).toEqual(new Set(['int16', 'uint16', 'float32']));
    expect(new Set(sample.series.map((s) => s.compressedImage))).toEqual(new Set([true, false]));
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const again = await generateSample({ out: join(dir, 'again'), seed: 'test' });
    expect(hashTree(join(dir, 'again'))).toEqual(hashTree(join(dir, 'ds')));
    expect(again.faults).toEqual(sample.faults);
    await generateSample({ out: join(dir, 'other'), seed: 'other', patients: 1 });
    expect(hashTree(join(dir, 'other'))['masks/1_t1.mha']).not.toBe(hashTree(join(dir, 'ds'))['masks/1_t1.mha']);
  });

  it('never writes into a non-empty folder', async () => {
    const target = join(dir, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'mine');
    await expect(generateSample({ out: target })).rejects.toMatchObject({ code: 'conflict' });
    expect(readdirSync(target)).toEqual(['keep.txt']);
  });

  it('writes int16 masks on the image grid with SPIDER values only, readable by itk-wasm', async () => {
    for (const s of sample.series) {
      const img = await readMetaImage(join(dir, 'ds', 'images', `${s.id}.mha`));
      const mask = await readMetaImage(join(dir, 'ds', 'masks', `${s.id}.mha`));
      expect(mask.pixelType).toBe('int16');
      expect(img.pixelType).toBe(s.pixelType);
      expect(mask.geometry).toEqual(img.geometry);
      const values = new Set(mask.data);
      for (const v of values) expect(isKnownLabel(v), `${s.id} value ${v}`).toBe(true);
      const oracle = await readImageNode(join(dir, 'ds', 'masks', `${s.id}.mha`));
      expect(Array.from(oracle.size)).toEqual(mask.geometry.size);
      expect(Buffer.from((oracle.data as Int16Array).buffer).equals(Buffer.from(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength))).toBe(true);
    }
  });

  it('places the anatomy right: discs between their vertebrae, canal behind, in both conventions', async () => {
    for (const s of sample.series) {
      const mask = await readMetaImage(join(dir, 'ds', 'masks', `${s.id}.mha`));
      const c = centroids(mask.geometry, mask.data);
      if (sample.faults.some((f) => f.seriesId === s.id && f.kind === 'swapped_labels')) continue; // checked below
      expect(c.has(6), `${s.id} has at least 6 vertebrae`).toBe(true);
      for (let n = 1; c.has(n); n++) {
        const v = c.get(n)!, d = c.get(200 + n)!, above = c.get(n + 1) ?? [0, 0, Infinity];
        expect(v, `${s.id} vertebra ${n}`).toBeDefined();
        // Disc 200+n lies below vertebra n (world z is superior in LPS).
        expect(d[2], `${s.id} disc ${200 + n} below vertebra ${n}`).toBeLessThan(v[2]);
        expect(above[2], `${s.id} vertebra ${n + 1} above ${n}`).toBeGreaterThan(v[2]);
        // The canal is posterior (world +y in LPS) of every vertebral body.
        expect(c.get(100)![1], `${s.id} canal behind vertebra ${n}`).toBeGreaterThan(v[1]);
      }
    }
  });

  it('plants the documented label faults', async () => {
    expect(sample.faults.map((f) => `${f.seriesId}:${f.kind}`)).toEqual(['2_t1:swapped_labels', '3_t1:stray_island', '3_t2:missing_disc_slice']);
    const t1 = await readMetaImage(join(dir, 'ds', 'masks', '2_t1.mha'));
    const t2 = await readMetaImage(join(dir, 'ds', 'masks', '2_t2.mha'));
    // Swapped: in 2_t1 label 2 sits above label 3; in its sibling it is the other way round.
    const c1 = centroids(t1.geometry, t1.data), c2 = centroids(t2.geometry, t2.data);
    expect(c1.get(2)![2]).toBeGreaterThan(c1.get(3)![2]);
    expect(c2.get(2)![2]).toBeLessThan(c2.get(3)![2]);
    // Missing disc slice: disc 203 is absent on exactly one sagittal slice between slices that have it.
    const m = await readMetaImage(join(dir, 'ds', 'masks', '3_t2.mha'));
    const [nx, ny, nz] = m.geometry.size;
    const perSlice = new Array<number>(nx).fill(0); // group A: slice axis = i
    for (let p = 0; p < m.data.length; p++) if (m.data[p] === 203) perSlice[p % nx]!++;
    const empty = perSlice.map((n, i) => (n === 0 ? i : -1)).filter((i) => i >= 0 && i > 0 && i < nx - 1 && perSlice[i - 1]! > 0 && perSlice[i + 1]! > 0);
    expect(empty).toEqual([Math.floor(nx / 2)]);
    expect(nz * ny).toBeGreaterThan(0);
  });

  it('keeps overview counts and gradings consistent with the masks', async () => {
    const overview = readFileSync(join(dir, 'ds', 'overview.csv'), 'latin1').trim().split('\r\n').slice(1);
    const gradings = readFileSync(join(dir, 'ds', 'radiological_gradings.csv'), 'latin1').trim().split('\r\n').slice(1).map((l) => l.split(',').map(Number));
    for (const s of sample.series.filter((x) => !sample.faults.some((f) => f.seriesId === x.id))) {
      const row = overview.find((l) => l.startsWith(`${s.id},`))!.split(',');
      const mask = await readMetaImage(join(dir, 'ds', 'masks', `${s.id}.mha`));
      const values = [...new Set(mask.data)];
      expect(Number(row[1])).toBe(values.filter((v) => v >= 1 && v <= 25).length);
      expect(Number(row[2])).toBe(values.filter((v) => v > 200).length);
      const graded = gradings.filter((g) => g[0] === s.patientId).map((g) => 200 + g[1]!).sort();
      expect(graded).toEqual(values.filter((v) => v > 200).sort());
    }
  });
});
