// Write → read round trips through real files: every pixel type, raw and compressed, .mha and .mhd + .raw/.zraw,
// with geometry and voxels compared exactly; plus what the writer puts on disk (field order, atomic replace).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVEL, encodeMetaImage, readMetaImage, readMetaImageHeader, writeMetaImage } from '../../../main/core/mha/index.js';
import { GEOMETRY, PIXEL_TYPES, expectProblem, expectSameGeometry, expectSameVoxels, sampleImage, tempDir } from './fixtures.js';

const dir = tempDir();

describe('round trip', () => {
  for (const type of PIXEL_TYPES) {
    for (const compress of [false, true]) {
      for (const ext of ['mha', 'mhd'] as const) {
        it(`${type}, ${compress ? 'compressed' : 'raw'}, .${ext}`, async () => {
          const image = sampleImage(type);
          const file = join(dir, `rt-${type}-${compress}.${ext}`);
          await writeMetaImage(file, image, { compress });
          const back = await readMetaImage(file);
          expect(back.pixelType).toBe(type);
          expectSameGeometry(back.geometry, image.geometry);
          expectSameVoxels(back.data, image.data);
          expect(back.header.compressed).toBe(compress);
          expect(back.header.elementDataFile).toBe(ext === 'mha' ? 'LOCAL' : `rt-${type}-${compress}.${compress ? 'zraw' : 'raw'}`);
        });
      }
    }
  }

  it('keeps awkward doubles and negative zero in the geometry exactly', async () => {
    const image = sampleImage('int16', {
      size: [3, 2, 1],
      spacing: [0.1 + 0.2, 1 / 3, 1e-7],
      origin: [-0, 123456789.12345679, -1e21],
      direction: [Math.SQRT1_2, Math.SQRT1_2, -0, -Math.SQRT1_2, Math.SQRT1_2, 0, 0, -0, 1],
    });
    const file = join(dir, 'awkward.mha');
    await writeMetaImage(file, image, { compress: true });
    expectSameGeometry((await readMetaImage(file)).geometry, image.geometry);
  });

  it('writes a 1×1×1 volume and volumes whose data sits at odd header lengths', async () => {
    for (const type of PIXEL_TYPES) {
      const image = sampleImage(type, { ...GEOMETRY, size: [1, 1, 1] });
      for (const compress of [false, true]) {
        const file = join(dir, `one-${type}-${compress}.mha`);
        await writeMetaImage(file, image, { compress, anatomicalOrientation: 'X'.repeat(1 + PIXEL_TYPES.indexOf(type)) });
        expectSameVoxels((await readMetaImage(file)).data, image.data);
      }
    }
  });
});

describe('writer output', () => {
  it('writes the fields in ITK order with the ITK-style AnatomicalOrientation', async () => {
    const file = join(dir, 'order.mha');
    await writeMetaImage(file, sampleImage('int16'), { compress: true });
    const h = await readMetaImageHeader(file);
    expect(Object.keys(h.fields)).toEqual([
      'ObjectType',
      'NDims',
      'BinaryData',
      'BinaryDataByteOrderMSB',
      'CompressedData',
      'CompressedDataSize',
      'TransformMatrix',
      'Offset',
      'CenterOfRotation',
      'AnatomicalOrientation',
      'ElementSpacing',
      'DimSize',
      'ElementType',
      'ElementDataFile',
    ]);
    expect(h.fields).toMatchObject({
      ObjectType: 'Image',
      NDims: '3',
      BinaryData: 'True',
      BinaryDataByteOrderMSB: 'False',
      CompressedData: 'True',
      TransformMatrix: '0 1 0 0 0 -1 -1 0 0',
      Offset: '-12.3 45.6 -78.9',
      CenterOfRotation: '0 0 0',
      AnatomicalOrientation: 'ASL', // ITK names PIR (pointing-to) by where the axes come from
      ElementSpacing: '0.5006 0.625 3.321',
      DimSize: '7 5 3',
      ElementType: 'MET_SHORT',
      ElementDataFile: 'LOCAL',
    });
    expect(Number(h.fields['CompressedDataSize'])).toBe(readFileSync(file).length - h.dataOffset);
    expect(h.anatomicalOrientation).toBe('ASL');
  });

  it('omits CompressedDataSize when not compressed, and takes an explicit AnatomicalOrientation', async () => {
    const file = join(dir, 'plain.mha');
    await writeMetaImage(file, sampleImage('uint8', { ...GEOMETRY, direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] }));
    const h = await readMetaImageHeader(file);
    expect(h.fields['CompressedData']).toBe('False');
    expect(h.fields).not.toHaveProperty('CompressedDataSize');
    expect(h.anatomicalOrientation).toBe('RAI');
    await writeMetaImage(file, sampleImage('uint8'), { anatomicalOrientation: 'PIR' });
    expect((await readMetaImageHeader(file)).anatomicalOrientation).toBe('PIR');
  });

  it('encodeMetaImage gives exactly the bytes writeMetaImage puts in a .mha', async () => {
    for (const compress of [false, true]) {
      const image = sampleImage('float32');
      const file = join(dir, `enc-${compress}.mha`);
      await writeMetaImage(file, image, { compress, level: DEFAULT_LEVEL });
      expect(encodeMetaImage(image, { compress }).equals(readFileSync(file))).toBe(true);
    }
  });

  it('honours the zlib level', async () => {
    const image = sampleImage('int16', { ...GEOMETRY, size: [64, 64, 8] });
    const sizes = [0, 9].map((level) => encodeMetaImage(image, { compress: true, level }).length);
    expect(sizes[0]).toBeGreaterThan(sizes[1]!);
  });

  it('replaces an existing file atomically and leaves no temporary files', async () => {
    const folder = dir;
    const file = join(folder, 'replace.mhd');
    writeFileSync(file, 'old header');
    await writeMetaImage(file, sampleImage('int32'));
    await writeMetaImage(file, sampleImage('int32'), { compress: true });
    const names = readdirSync(folder).filter((n) => n.startsWith('replace') || n.includes('.tmp'));
    expect(names.sort()).toEqual(['replace.mhd', 'replace.raw', 'replace.zraw']);
    expectSameVoxels((await readMetaImage(file)).data, sampleImage('int32').data);
  });

  it('refuses images it cannot write, before touching the disk', async () => {
    const file = join(dir, 'bad.mha');
    const good = sampleImage('int16');
    await expectProblem(writeMetaImage(file, { ...good, data: new Uint16Array(good.data.length) }), 'invalid_image', file, 'invalid_request');
    await expectProblem(writeMetaImage(file, { ...good, data: new Int16Array(3) }), 'invalid_image', file, 'invalid_request');
    const badSpacing = { ...good, geometry: { ...good.geometry, spacing: [1, 0, 1] as [number, number, number] } };
    await expectProblem(writeMetaImage(file, badSpacing), 'invalid_image', file, 'invalid_request');
    const badOrigin = { ...good, geometry: { ...good.geometry, origin: [NaN, 0, 0] as [number, number, number] } };
    await expectProblem(writeMetaImage(file, badOrigin), 'invalid_image', file, 'invalid_request');
    await expectProblem(writeMetaImage(file, good, { compress: true, level: 11 }), 'invalid_image', file, 'invalid_request');
    await expectProblem(writeMetaImage(file, good, { anatomicalOrientation: 'R\nA' }), 'invalid_image', file, 'invalid_request');
    expect(readdirSync(dir)).not.toContain('bad.mha');
  });

  it('reports a missing target folder as not_found', async () => {
    const file = join(dir, 'no-such-folder', 'x.mha');
    await expectProblem(writeMetaImage(file, sampleImage('uint8')), 'not_found', file, 'not_found');
  });
});
