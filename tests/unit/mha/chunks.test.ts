// readMetaImageChunks (the voxels in pieces while a compressed file inflates) against readMetaImage on the same
// files: every pixel type, both byte orders, compressed or not, chunk sizes that cut voxels; and every kind of bad
// compressed data gives the same MetaImageError as the whole-volume reader.
import { describe, expect, it } from 'vitest';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { readMetaImage, readMetaImageChunks, type MetaImageError, type PixelArray, type PixelType } from '../../../main/core/mha/index.js';
import { bytesOf, deflate, expectSameVoxels, header, headerLines, PIXEL_TYPES, put, sampleImage, tempDir } from './fixtures.js';

const dir = tempDir();
const GRID: VolumeGeometry = { size: [13, 11, 9], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };

/** The pieces of a chunked read glued together, checking that each starts where the last one ended. */
async function readPieces(file: string, chunkBytes: number): Promise<{ data: Buffer; pieces: number; ctor: unknown }> {
  const parts: Buffer[] = [];
  let next = 0;
  let ctor: unknown = null;
  await readMetaImageChunks(
    file,
    (h) => (data: PixelArray, first: number) => {
      expect(h.file).toBe(file);
      expect(first).toBe(next);
      next += data.length;
      ctor = data.constructor;
      parts.push(Buffer.from(bytesOf(data))); // a copy: a piece is valid only during the call
    },
    { chunkBytes },
  );
  return { data: Buffer.concat(parts), pieces: parts.length, ctor };
}

function swapped(bytes: Uint8Array, size: number): Buffer {
  const b = Buffer.from(bytes);
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
  else if (size === 8) b.swap64();
  return b;
}

const SIZES: Record<PixelType, number> = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

describe('readMetaImageChunks', () => {
  for (const type of PIXEL_TYPES) {
    for (const compressed of [true, false]) {
      for (const msb of [false, true]) {
        it(`${type}, ${compressed ? 'compressed' : 'raw'}, ${msb ? 'MSB' : 'LSB'}: the same voxels as readMetaImage`, async () => {
          const image = sampleImage(type, GRID);
          const stored = msb ? swapped(bytesOf(image.data), SIZES[type]) : bytesOf(image.data);
          const body = compressed ? deflate(stored) : stored;
          const overrides = { CompressedData: compressed ? 'True' : 'False', BinaryDataByteOrderMSB: msb ? 'True' : 'False', CompressedDataSize: compressed ? String(body.length) : undefined };
          const file = put(dir, `${type}-${compressed}-${msb}.mha`, header(headerLines(type, GRID.size, overrides)), body);
          const whole = await readMetaImage(file);
          expectSameVoxels(whole.data, image.data);
          // 64 and 100 bytes: chunks that end inside a voxel of 4 and 8 bytes (and of 8 for 100).
          for (const chunkBytes of [64, 100, 1 << 20]) {
            const { data, pieces, ctor } = await readPieces(file, chunkBytes);
            expect(ctor).toBe(image.data.constructor);
            expect(data.equals(bytesOf(image.data))).toBe(true);
            expect(pieces).toBe(compressed ? Math.ceil(image.data.byteLength / chunkBytes) : 1); // one per zlib chunk
          }
        });
      }
    }
  }

  const VOX = Buffer.alloc(13 * 11 * 9 * 2);
  for (let i = 0; i < VOX.length; i += 2) VOX.writeInt16LE(i % 7 === 0 ? 201 : 0, i);
  const Z = deflate(VOX);
  const bad: [string, Buffer, Record<string, string | undefined>][] = [
    ['a stream cut short', Z.subarray(0, Z.length - 20), {}],
    ['a stream cut short, CompressedDataSize says so', Z.subarray(0, Z.length - 20), { CompressedDataSize: String(Z.length - 20) }],
    ['garbage after the stream', Buffer.concat([Z, Buffer.from('garbage!')]), {}],
    ['a stream of fewer voxels', deflate(VOX.subarray(0, VOX.length - 2)), {}],
    ['a stream of more voxels', deflate(Buffer.concat([VOX, Buffer.alloc(4096)])), {}],
    ['corrupt data', Buffer.concat([Z.subarray(0, 2), Buffer.alloc(40, 0xff), Z.subarray(42)]), {}],
  ];
  for (const [what, body, overrides] of bad) {
    it(`${what}: the same MetaImageError as readMetaImage`, async () => {
      const file = put(dir, `bad-${what.replace(/\W+/g, '-')}.mha`, header(headerLines('int16', GRID.size, { CompressedData: 'True', ...overrides })), body);
      const errOf = (p: Promise<unknown>): Promise<MetaImageError> => p.then(() => expect.fail(`${what}: read`), (e: MetaImageError) => e);
      const whole = await errOf(readMetaImage(file));
      for (const chunkBytes of [64, 1 << 20]) {
        const pieces = await errOf(readMetaImageChunks(file, () => () => undefined, { chunkBytes }));
        expect({ code: pieces.code, problem: pieces.problem, message: pieces.message }).toEqual({ code: whole.code, problem: whole.problem, message: whole.message });
      }
    });
  }

  it('stops and rejects with the error the consumer throws', async () => {
    const file = put(dir, 'consumer.mha', header(headerLines('int16', GRID.size, { CompressedData: 'True' })), Z);
    let calls = 0;
    const stop = new Error('enough');
    await expect(
      readMetaImageChunks(
        file,
        () => () => {
          calls++;
          throw stop;
        },
        { chunkBytes: 64 },
      ),
    ).rejects.toBe(stop);
    expect(calls).toBe(1);
  });
});
