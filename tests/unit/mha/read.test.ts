// Reading hand-built files the way other writers make them: big-endian voxels, alias field names, CRLF,
// tolerant booleans, separate data files with HeaderSize, and reading the header without the voxels.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetaImage, readMetaImageHeader, readMetaImageHeaderSync, writeMetaImage, type PixelType } from '../../../main/core/mha/index.js';
import { bytesOf, deflate, expectSameGeometry, expectSameVoxels, header, headerLines, put, sampleImage, tempDir } from './fixtures.js';

const dir = tempDir();
const SIZE = [3, 2, 2];

/** The voxels of `sampleImage(type)` on a 3×2×2 grid, stored big-endian. */
function bigEndian(type: PixelType): { expected: ReturnType<typeof sampleImage>; bytes: Buffer } {
  const expected = sampleImage(type, { size: [3, 2, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const bytes = Buffer.from(bytesOf(expected.data));
  const size = expected.data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return { expected, bytes };
}

describe('byte order', () => {
  for (const type of ['uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'] as const) {
    for (const compress of [false, true]) {
      it(`reads big-endian ${type}${compress ? ', compressed' : ''}`, async () => {
        const { expected, bytes } = bigEndian(type);
        const data = compress ? deflate(bytes) : bytes;
        const lines = headerLines(type, SIZE, {
          BinaryDataByteOrderMSB: 'True',
          CompressedData: compress ? 'True' : 'False',
          CompressedDataSize: compress ? String(data.length) : undefined,
        });
        const file = put(dir, `msb-${type}-${compress}.mha`, header(lines), data);
        const image = await readMetaImage(file);
        expect(image.header.byteOrderMSB).toBe(true);
        expectSameVoxels(image.data, expected.data);
      });
    }
  }

  it('accepts ElementByteOrderMSB as the byte-order field', async () => {
    const { expected, bytes } = bigEndian('int16');
    const lines = headerLines('int16', SIZE, { BinaryDataByteOrderMSB: undefined, ElementByteOrderMSB: 'True' });
    expectSameVoxels((await readMetaImage(put(dir, 'emsb.mha', header(lines), bytes))).data, expected.data);
  });

  it('leaves one-byte types alone when MSB is set', async () => {
    const image = sampleImage('int8', { size: [3, 2, 2], spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    const file = put(dir, 'msb-int8.mha', header(headerLines('int8', SIZE, { BinaryDataByteOrderMSB: 'True' })), bytesOf(image.data));
    expectSameVoxels((await readMetaImage(file)).data, image.data);
  });
});

describe('field aliases and tolerant syntax', () => {
  const voxels = new Int16Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

  it.each([
    ['Position', 'Orientation'],
    ['Origin', 'Rotation'],
    ['Offset', 'TransformMatrix'],
  ])('reads origin from %s and direction from %s', async (originKey, directionKey) => {
    const lines = headerLines('int16', SIZE, {
      Offset: undefined,
      TransformMatrix: undefined,
      [originKey]: '-12.3 45.6 -78.9',
      [directionKey]: '0 1 0 0 0 -1 -1 0 0',
      ElementSpacing: undefined,
      ElementSize: '0.5006 0.625 3.321',
    });
    const image = await readMetaImage(put(dir, `alias-${originKey}.mha`, header(lines), bytesOf(voxels)));
    expectSameGeometry(image.geometry, {
      size: [3, 2, 2],
      spacing: [0.5006, 0.625, 3.321],
      origin: [-12.3, 45.6, -78.9],
      direction: [0, 1, 0, 0, 0, -1, -1, 0, 0],
    });
    expectSameVoxels(image.data, voxels);
  });

  it('prefers ElementSpacing over ElementSize and defaults origin and direction', async () => {
    const lines = headerLines('int16', SIZE, { Offset: undefined, TransformMatrix: undefined, ElementSize: '9 9 9', ElementSpacing: '1 2 3' });
    const image = await readMetaImage(put(dir, 'defaults.mha', header(lines), bytesOf(voxels)));
    expectSameGeometry(image.geometry, { size: [3, 2, 2], spacing: [1, 2, 3], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  });

  it('reads CRLF headers, blank lines, odd spacing around "=", true/1 booleans and ITK 17-digit numbers', async () => {
    const compressed = deflate(bytesOf(voxels));
    const text = [
      'ObjectType = Image',
      '',
      'NDims=3',
      'BinaryData =  true',
      'BinaryDataByteOrderMSB = 0',
      'CompressedData = 1',
      `CompressedDataSize = ${compressed.length}`,
      'Offset = -12.300000000000001 45.600000000000001 -78.900000000000006',
      'ElementSpacing\t=\t0.50060000000000004 0.625 3.3210000000000002',
      'ITK_InputFilterName = MetaImageIO',
      'DimSize = 3   2 2 ',
      'ElementType = MET_SHORT',
      'ElementDataFile = LOCAL',
    ].join('\r\n');
    const file = put(dir, 'crlf.mha', Buffer.from(text + '\r\n'), compressed);
    const image = await readMetaImage(file);
    expectSameVoxels(image.data, voxels);
    expectSameGeometry(image.geometry, { size: [3, 2, 2], spacing: [0.5006, 0.625, 3.321], origin: [-12.3, 45.6, -78.9], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    expect(image.header.fields['ITK_InputFilterName']).toBe('MetaImageIO');
  });

  it('tolerates bytes after the voxels (raw) and after CompressedDataSize (compressed)', async () => {
    const raw = put(dir, 'tail-raw.mha', header(headerLines('int16', SIZE)), bytesOf(voxels), Buffer.from('trailer'));
    expectSameVoxels((await readMetaImage(raw)).data, voxels);
    const z = deflate(bytesOf(voxels));
    const lines = headerLines('int16', SIZE, { CompressedData: 'True', CompressedDataSize: String(z.length) });
    const comp = put(dir, 'tail-z.mha', header(lines), z, Buffer.from('trailer'));
    expectSameVoxels((await readMetaImage(comp)).data, voxels);
  });

  it('reads a compressed stream without CompressedDataSize (to the end of the file)', async () => {
    const lines = headerLines('int16', SIZE, { CompressedData: 'True' });
    const file = put(dir, 'nocds.mha', header(lines), deflate(bytesOf(voxels)));
    expectSameVoxels((await readMetaImage(file)).data, voxels);
  });
});

describe('separate data files', () => {
  const voxels = new Float32Array([0.5, -1, 2, NaN, -0, 5, 6, 7, 8, 9, 10, 11]);

  it('reads ElementDataFile relative to the header, with HeaderSize bytes skipped', async () => {
    put(dir, 'skip.raw', Buffer.from('0123456789abcdef'), bytesOf(voxels));
    const file = put(dir, 'skip.mhd', header(headerLines('float32', SIZE, { HeaderSize: '16', ElementDataFile: 'skip.raw' })));
    const image = await readMetaImage(file);
    expectSameVoxels(image.data, voxels);
    expect(image.header).toMatchObject({ elementDataFile: 'skip.raw', dataOffset: 16 });
  });

  it('HeaderSize = -1 means the voxels are the last bytes of the data file (raw and compressed)', async () => {
    put(dir, 'tail.raw', Buffer.from('some leading junk of any length'), bytesOf(voxels));
    const raw = put(dir, 'tail.mhd', header(headerLines('float32', SIZE, { HeaderSize: '-1', ElementDataFile: 'tail.raw' })));
    expectSameVoxels((await readMetaImage(raw)).data, voxels);
    expect((await readMetaImageHeader(raw)).dataOffset).toBe(31);

    const z = deflate(bytesOf(voxels));
    put(dir, 'tailz.zraw', Buffer.from('junk'), z);
    const lines = headerLines('float32', SIZE, { HeaderSize: '-1', CompressedData: 'True', CompressedDataSize: String(z.length), ElementDataFile: 'tailz.zraw' });
    const comp = put(dir, 'tailz.mhd', header(lines));
    expectSameVoxels((await readMetaImage(comp)).data, voxels);
    expect(readMetaImageHeaderSync(comp).dataOffset).toBe(4);
  });
});

describe('header only', () => {
  it('reads the header without needing the voxels, async and sync alike', async () => {
    // DimSize promises far more voxels than the file has: the header reader must not care.
    const file = put(dir, 'hdr.mha', header(headerLines('uint16', [512, 512, 50], { AnatomicalOrientation: 'RAI' })), Buffer.alloc(10));
    const h = await readMetaImageHeader(file);
    expect(h).toMatchObject({
      file,
      pixelType: 'uint16',
      compressed: false,
      compressedDataSize: undefined,
      byteOrderMSB: false,
      anatomicalOrientation: 'RAI',
      elementDataFile: 'LOCAL',
      dataOffset: header(headerLines('uint16', [512, 512, 50], { AnatomicalOrientation: 'RAI' })).length,
    });
    expect(h.geometry.size).toEqual([512, 512, 50]);
    expect(readMetaImageHeaderSync(file)).toEqual(h);
  });

  it('finds the header end in files larger than the header window', async () => {
    const big = new Uint8Array(200_000);
    const file = put(dir, 'big.mha', header(headerLines('uint8', [200_000, 1, 1])), big);
    expect((await readMetaImageHeader(file)).geometry.size).toEqual([200_000, 1, 1]);
    expect((await readMetaImage(file)).data.length).toBe(200_000);
  });

  it('shares no state between reads (mutating one result does not affect the next)', async () => {
    const image = sampleImage('int16');
    const file = join(dir, 'fresh.mha');
    await writeMetaImage(file, image);
    const a = await readMetaImage(file);
    a.data.fill(0);
    a.geometry.origin[0] = 999;
    const b = await readMetaImage(file);
    expectSameVoxels(b.data, image.data);
    expectSameGeometry(b.geometry, image.geometry);
  });
});
