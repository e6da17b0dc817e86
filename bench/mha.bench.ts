// Bench: MetaImage read and write of a 512×512×50 int16 volume, raw and zlib-compressed, against a bare baseline
// (fs.readFile [+ zlib inflate] / zlib deflate + fs.writeFile) and itk-wasm (@itk-wasm/image-io in Node).
// Run: node bin/run-ts.mjs bench/mha.bench.ts   (MHA_BENCH_RUNS=n to change the repetitions, default 9)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { readImageNode, writeImageNode } from '@itk-wasm/image-io';
import type { VolumeGeometry } from '../common/geometry.js';
import { DEFAULT_LEVEL, readMetaImage, readMetaImageHeader, writeMetaImage, type MetaImage } from '../main/core/mha/index.js';
import { figure, interleave, machineLine, median, writeResults, type BenchFigure } from './lib/report.js';
import { createRandom } from '../main/core/sample/random.js';

type ItkImage = Parameters<typeof writeImageNode>[0];

const RUNS = Math.max(7, Number(process.env.MHA_BENCH_RUNS ?? 9));
const SIZE: VolumeGeometry['size'] = [512, 512, 50];
const COMMAND = 'node bin/run-ts.mjs bench/mha.bench.ts';
const GOAL_VS_BARE = 1.3; // ours ≤ 1.3 × bare
const GOAL_VS_ITK = 1.5; // itk-wasm ≥ 1.5 × ours

/** Deterministic PRNG in [0, 1): the sample generator's, seeded with a number. */
const prng = (seed: number): (() => number) => createRandom(`prng:${seed}`);

/**
 * A sagittal-spine-like phantom: a body ellipse with smooth intensity shading, a column of brighter "vertebrae"
 * separated by darker "discs", approximately Gaussian noise inside the body and low Rician-like noise outside.
 * Compresses about as well as real MR (roughly 2:1), unlike an all-zero or pure-noise volume.
 */
function phantom(): Int16Array {
  const [nx, ny, nz] = SIZE;
  const out = new Int16Array(nx * ny * nz);
  const rnd = prng(42);
  const gauss = () => rnd() + rnd() + rnd() + rnd() - 2; // ~N(0, 1/3)
  for (let k = 0; k < nz; k++) {
    const dz = (k - nz / 2) / (nz * 0.55);
    for (let j = 0; j < ny; j++) {
      const dy = (j - ny / 2) / (ny * 0.45);
      const level = Math.floor(j / 40);
      const inDisc = j % 40 < 8;
      for (let i = 0; i < nx; i++) {
        const dx = (i - nx / 2) / (nx * 0.4);
        const r = dx * dx + dy * dy + dz * dz;
        let v: number;
        if (r < 1) {
          v = 600 + 250 * Math.cos(i / 37) * Math.sin(j / 53) + 120 * (1 - r);
          const spine = Math.abs(i - nx / 2 - 40 * Math.sin(j / 90)) < 45 && Math.abs(k - nz / 2) < 14;
          if (spine) v = inDisc ? 350 + 10 * level : 1100 + 15 * level;
          v += gauss() * 45;
        } else {
          v = Math.abs(gauss() * 12);
        }
        out[i + nx * (j + ny * k)] = Math.round(v);
      }
    }
  }
  return out;
}

function toItk(image: MetaImage): ItkImage {
  const g = image.geometry;
  // itk-wasm's direction is ITK's matrix in row-major order, whose columns are the axis vectors: the transpose
  // of TransformMatrix order (see tests/unit/mha/itkwasm.test.ts).
  const d = g.direction;
  return {
    imageType: { dimension: 3, componentType: 'int16', pixelType: 'Scalar', components: 1 },
    name: 'phantom',
    origin: [...g.origin],
    spacing: [...g.spacing],
    direction: new Float64Array([d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8]]),
    size: [...g.size],
    metadata: new Map(),
    data: image.data,
  };
}

function sameVoxels(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const ms = (x: number) => x.toFixed(1);
const times = (x: number) => `${x.toFixed(2)}×`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'mha-bench-'));
  try {
    const image: MetaImage = {
      geometry: { size: SIZE, spacing: [0.5006, 0.625, 3.321], origin: [-12.3, 45.6, -78.9], direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] },
      pixelType: 'int16',
      data: phantom(),
    };
    const rawBytes = image.data.byteLength;
    const files = { raw: join(dir, 'raw.mha'), compressed: join(dir, 'compressed.mha') };
    await writeMetaImage(files.raw, image);
    await writeMetaImage(files.compressed, image, { compress: true });
    const dataOffset = (await readMetaImageHeader(files.compressed)).dataOffset;
    const compressedSize = statSync(files.compressed).size - dataOffset;

    // Sanity: all three readers see the same voxels before anything is timed.
    for (const f of Object.values(files)) {
      const ours = await readMetaImage(f);
      const itk = await readImageNode(f);
      if (!sameVoxels(ours.data, image.data) || !itk.data || !sameVoxels(itk.data, image.data)) throw new Error(`voxel mismatch in ${f}`);
    }

    const itkImage = toItk(image);
    const level = DEFAULT_LEVEL;
    const rawView = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    const cases = {
      'read raw': {
        ours: () => readMetaImage(files.raw),
        bare: () => readFile(files.raw),
        itk: () => readImageNode(files.raw),
      },
      'read compressed': {
        ours: () => readMetaImage(files.compressed),
        bare: async () => zlib.inflateSync((await readFile(files.compressed)).subarray(dataOffset)),
        itk: () => readImageNode(files.compressed),
      },
      'write raw': {
        ours: () => writeMetaImage(join(dir, 'w-ours.mha'), image),
        bare: () => writeFile(join(dir, 'w-bare.raw'), rawView),
        itk: () => writeImageNode(itkImage, join(dir, 'w-itk.mha'), { useCompression: false }),
      },
      'write compressed': {
        ours: () => writeMetaImage(join(dir, 'wc-ours.mha'), image, { compress: true }),
        bare: () => writeFile(join(dir, 'wc-bare.zraw'), zlib.deflateSync(rawView, { level })),
        itk: () => writeImageNode(itkImage, join(dir, 'wc-itk.mha'), { useCompression: true }),
      },
    };

    const figures: BenchFigure[] = [];
    const rows: string[] = [];
    const goals: string[] = [];
    const details = { size: SIZE.join('×'), pixelType: 'int16', rawBytes, compressedBytes: compressedSize, zlibLevel: level };
    for (const [label, fns] of Object.entries(cases)) {
      const samples = await interleave(fns, RUNS);
      const ours = median(samples.ours!);
      const bare = median(samples.bare!);
      const itk = median(samples.itk!);
      const slug = label.replace(' ', '-');
      figures.push(figure(`mha-${slug}-vs-bare`, 'ms', ours, bare, RUNS, details));
      figures.push(figure(`mha-${slug}-vs-itkwasm`, 'ms', ours, itk, RUNS, details));
      rows.push(`| ${label} | ${ms(ours)} | ${ms(bare)} | ${ms(itk)} | ${times(ours / bare)} | ${times(itk / ours)} |`);
      console.log(`${label}: ours ${ms(ours)} ms, bare ${ms(bare)} ms, itk-wasm ${ms(itk)} ms`);
      if (label.startsWith('read')) {
        const metBare = ours <= GOAL_VS_BARE * bare;
        const metItk = itk >= GOAL_VS_ITK * ours;
        goals.push(
          `- ${label}: ours is ${times(ours / bare)} bare (goal ≤ ${GOAL_VS_BARE}×: **${metBare ? 'met' : 'not met'}**); ` +
            `itk-wasm takes ${times(itk / ours)} ours (goal ≥ ${GOAL_VS_ITK}×: **${metItk ? 'met' : 'not met'}**)`,
        );
      }
    }

    const md = [
      '## MetaImage read/write (512×512×50 int16)',
      '',
      `Command: \`${COMMAND}\` — ${machineLine()}; ${RUNS} interleaved repetitions after one warm-up, median milliseconds.`,
      '',
      `Volume: a smooth spine-like phantom with noise, ${(rawBytes / 2 ** 20).toFixed(1)} MiB of voxels; compressed (zlib level ${level}, as MetaIO) ` +
        `${(compressedSize / 2 ** 20).toFixed(1)} MiB (${((100 * compressedSize) / rawBytes).toFixed(0)} %). ` +
        '"ours" = `readMetaImage` / `writeMetaImage` from `main/core/mha`; "bare" = `fs.readFile` (+ `zlib.inflateSync`) / ' +
        '(`zlib.deflateSync` +) `fs.writeFile` of the voxel bytes only; "itk-wasm" = `readImageNode` / `writeImageNode` from `@itk-wasm/image-io`.',
      '',
      '| Operation | ours (ms) | bare (ms) | itk-wasm (ms) | ours / bare | itk-wasm / ours |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Goals (read): ours within ${GOAL_VS_BARE}× of the bare read (+ inflate), and itk-wasm at least ${GOAL_VS_ITK}× slower than ours.`,
      ...goals,
      '',
      'Writes have no goal; for context: ours writes a temporary file beside the target and renames it over the old one ' +
        '(atomic replace). On ext4 a rename over an existing file starts writeback of the new data (auto_da_alloc), which ' +
        'the bare in-place `fs.writeFile` does not pay in the same way; compressed writes are dominated by deflate in both.',
    ].join('\n');
    writeResults('mha', figures, md);
    console.log(`\n${md}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
