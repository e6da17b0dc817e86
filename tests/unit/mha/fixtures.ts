// Shared test material for the MetaImage tests: temp folders, a SPIDER-like geometry, images of every pixel
// type with extreme values, hand-built files, and exact comparisons (bytes for voxels, Object.is for numbers).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect } from 'vitest';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { MetaImageError, pixelArrayFor, type MetaImage, type MetaImageProblem, type PixelArray, type PixelType } from '../../../main/core/mha/index.js';

export const PIXEL_TYPES: PixelType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'];

export const ELEMENT_TYPE: Record<PixelType, string> = {
  uint8: 'MET_UCHAR',
  int8: 'MET_CHAR',
  uint16: 'MET_USHORT',
  int16: 'MET_SHORT',
  uint32: 'MET_UINT',
  int32: 'MET_INT',
  float32: 'MET_FLOAT',
  float64: 'MET_DOUBLE',
};

/** SPIDER group B ("PIR") direction, non-trivial spacing and origin, odd sizes. */
export const GEOMETRY: VolumeGeometry = {
  size: [7, 5, 3],
  spacing: [0.5006, 0.625, 3.321],
  origin: [-12.3, 45.6, -78.9],
  direction: [0, 1, 0, 0, 0, -1, -1, 0, 0],
};

/** A fresh temp folder, removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'mha-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const EXTREMES: Record<PixelType, number[]> = {
  uint8: [0, 255, 1, 128],
  int8: [-128, 127, 0, -1],
  uint16: [0, 65535, 1, 32768],
  int16: [-32768, 32767, 0, -1],
  uint32: [0, 4294967295, 1, 2147483648],
  int32: [-2147483648, 2147483647, 0, -1],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38, NaN, -0, Infinity, -Infinity, 1.401298464324817e-45, 0.1],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE, NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, 0.1],
};

/** A volume of `type` whose first voxels are the type's extremes (NaN, -0, ±Infinity for floats), the rest a pattern. */
export function sampleImage(type: PixelType, geometry: VolumeGeometry = GEOMETRY): MetaImage {
  const n = geometry.size[0] * geometry.size[1] * geometry.size[2];
  const data = pixelArrayFor(type, n);
  for (let i = 0; i < n; i++) data[i] = type.startsWith('float') ? (i - n / 2) * 1.37 : ((i * 37) % 251) - (type.startsWith('int') ? 125 : 0);
  EXTREMES[type].forEach((v, i) => (data[i] = v));
  return { geometry: structuredClone(geometry), pixelType: type, data };
}

export function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Voxels equal bit for bit (so NaN and -0 count). */
export function expectSameVoxels(actual: PixelArray | ArrayBufferView, expected: PixelArray): void {
  expect(actual.constructor).toBe(expected.constructor);
  expect(bytesOf(actual).equals(bytesOf(expected))).toBe(true);
}

/** Every number identical under Object.is (so -0 ≠ 0 and nothing is "close enough"). */
export function expectSameGeometry(actual: VolumeGeometry, expected: VolumeGeometry): void {
  const flat = (g: VolumeGeometry) => [...g.size, ...g.spacing, ...g.origin, ...g.direction];
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((x, i) => expect(Object.is(x, e[i]), `geometry number ${i}: ${x} vs ${e[i]}`).toBe(true));
}

/** Header text from lines, LF-terminated. */
export function header(lines: string[]): Buffer {
  return Buffer.from(lines.join('\n') + '\n', 'latin1');
}

/** A minimal valid 3-D header for `type`, with overrides (value undefined = drop the field). */
export function headerLines(type: PixelType, size: number[], overrides: Record<string, string | undefined> = {}): string[] {
  const base: Record<string, string | undefined> = {
    ObjectType: 'Image',
    NDims: '3',
    BinaryData: 'True',
    BinaryDataByteOrderMSB: 'False',
    CompressedData: 'False',
    TransformMatrix: '1 0 0 0 1 0 0 0 1',
    Offset: '0 0 0',
    ElementSpacing: '1 1 1',
    DimSize: size.join(' '),
    ElementType: ELEMENT_TYPE[type],
    ElementDataFile: 'LOCAL',
  };
  const merged = { ...base, ...overrides };
  const dataFile = merged.ElementDataFile;
  delete merged.ElementDataFile;
  const lines = Object.entries(merged).flatMap(([k, v]) => (v === undefined ? [] : [`${k} = ${v}`]));
  return dataFile === undefined ? lines : [...lines, `ElementDataFile = ${dataFile}`];
}

/** Writes a file from parts and returns its path. */
export function put(dir: string, name: string, ...parts: Uint8Array[]): string {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

export function deflate(bytes: Uint8Array): Buffer {
  return zlib.deflateSync(bytes);
}

/** Asserts that `promise` rejects with a MetaImageError of `problem` about `file` (named in the message). */
export async function expectProblem(
  promise: Promise<unknown>,
  problem: MetaImageProblem,
  file: string,
  code: MetaImageError['code'] = 'invalid_file',
): Promise<MetaImageError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a MetaImageError '${problem}'`).toBeInstanceOf(MetaImageError);
  const e = err as MetaImageError;
  expect({ problem: e.problem, code: e.code, file: e.file }).toEqual({ problem, code, file });
  expect(e.message).toContain(file.split(/[\\/]/).pop()!);
  return e;
}
