// Cross-check against an independent MetaImage implementation: ITK's MetaImageIO compiled to WebAssembly
// (@itk-wasm/image-io, in Node, offline). Files we write must read back identically through itk-wasm, and files
// itk-wasm writes must read back identically through ours — every pixel type, compressed and not.
//
// Direction order (determined empirically below with the non-symmetric SPIDER "PIR" matrix): itk-wasm's
// `image.direction` is ITK's direction matrix flattened row by row, and ITK's matrix has the axis vectors as its
// *columns*. So it is the transpose of TransformMatrix order (ours, common/geometry.ts: axis vectors one after the
// other):  itk.direction[3 * row + col] === ours.direction[3 * col + row].
// E.g. TransformMatrix 0 1 0 0 0 -1 -1 0 0 reads as itk.direction [0, 0, -1, 1, 0, 0, 0, -1, 0].
import { join } from 'node:path';
import { readImageNode, writeImageNode } from '@itk-wasm/image-io';
import { describe, expect, it } from 'vitest';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { readMetaImage, readMetaImageHeader, writeMetaImage, type MetaImage } from '../../../main/core/mha/index.js';
import { GEOMETRY, PIXEL_TYPES, bytesOf, expectSameGeometry, expectSameVoxels, header, headerLines, put, sampleImage, tempDir } from './fixtures.js';

type ItkImage = Parameters<typeof writeImageNode>[0];

const dir = tempDir();

/** itk-wasm types direction as any TypedArray (bigint ones included); it is a Float64Array in practice. */
function numbers(a: ItkImage['direction']): number[] {
  return [...a].map(Number);
}

function transpose(d: ArrayLike<number>): VolumeGeometry['direction'] {
  return [d[0]!, d[3]!, d[6]!, d[1]!, d[4]!, d[7]!, d[2]!, d[5]!, d[8]!];
}

/** Our image as an itk-wasm Image (direction transposed, see the file header). */
function toItk(image: MetaImage): ItkImage {
  const g = image.geometry;
  return {
    imageType: { dimension: 3, componentType: image.pixelType, pixelType: 'Scalar', components: 1 },
    name: 'image',
    origin: [...g.origin],
    spacing: [...g.spacing],
    direction: new Float64Array(transpose(g.direction)),
    size: [...g.size],
    metadata: new Map(),
    data: image.data,
  };
}

/** Asserts an itk-wasm Image equals ours exactly: size, spacing, origin, direction, component type, voxel bytes. */
function expectItkEquals(itk: ItkImage, image: MetaImage): void {
  expect(itk.imageType).toMatchObject({ dimension: 3, componentType: image.pixelType, components: 1 });
  expectSameGeometry(
    { size: itk.size as VolumeGeometry['size'], spacing: itk.spacing as VolumeGeometry['spacing'], origin: itk.origin as VolumeGeometry['origin'], direction: transpose(numbers(itk.direction)) },
    image.geometry,
  );
  expect(itk.data).not.toBeNull();
  expect(bytesOf(itk.data!).equals(bytesOf(image.data))).toBe(true);
}

/** An oblique (non-axis-aligned) rotation: 17-digit numbers must survive both writers. */
const OBLIQUE: VolumeGeometry = {
  ...GEOMETRY,
  direction: [0.8660254037844387, 0.49999999999999994, 0, -0.35355339059327373, 0.6123724356957945, 0.7071067811865476, 0.3535533905932738, -0.6123724356957946, 0.7071067811865475],
};

describe('direction order', () => {
  it('itk-wasm direction is the transpose of TransformMatrix order', async () => {
    const voxels = new Int16Array(12);
    const file = put(dir, 'pir.mha', header(headerLines('int16', [3, 2, 2], { TransformMatrix: '0 1 0 0 0 -1 -1 0 0' })), bytesOf(voxels));
    const itk = await readImageNode(file);
    expect(numbers(itk.direction)).toEqual([0, 0, -1, 1, 0, 0, 0, -1, 0]);
    expect((await readMetaImage(file)).geometry.direction).toEqual([0, 1, 0, 0, 0, -1, -1, 0, 0]);
  });
});

describe('ours → itk-wasm', () => {
  for (const type of PIXEL_TYPES) {
    for (const compress of [false, true]) {
      it(`${type}, ${compress ? 'compressed' : 'raw'}`, async () => {
        const image = sampleImage(type);
        const file = join(dir, `ours-${type}-${compress}.mha`);
        await writeMetaImage(file, image, { compress });
        expectItkEquals(await readImageNode(file), image);
      });
    }
  }

  it('.mhd + .raw / .zraw and an oblique direction', async () => {
    for (const compress of [false, true]) {
      const image = sampleImage('float32', OBLIQUE);
      const file = join(dir, `ours-split-${compress}.mhd`);
      await writeMetaImage(file, image, { compress });
      expectItkEquals(await readImageNode(file), image);
    }
  });
});

describe('itk-wasm → ours', () => {
  for (const type of PIXEL_TYPES) {
    for (const compress of [false, true]) {
      it(`${type}, ${compress ? 'compressed' : 'raw'}`, async () => {
        const image = sampleImage(type);
        const file = join(dir, `itk-${type}-${compress}.mha`);
        await writeImageNode(toItk(image), file, { useCompression: compress });
        const back = await readMetaImage(file);
        expect(back.pixelType).toBe(type);
        expect(back.header.compressed).toBe(compress);
        expectSameGeometry(back.geometry, image.geometry);
        expectSameVoxels(back.data, image.data);
      });
    }
  }

  it('.mhd + .raw / .zraw and an oblique direction', async () => {
    for (const compress of [false, true]) {
      const image = sampleImage('int16', OBLIQUE);
      const file = join(dir, `itk-split-${compress}.mhd`);
      await writeImageNode(toItk(image), file, { useCompression: compress });
      const h = await readMetaImageHeader(file);
      expect(h.elementDataFile).toBe(`itk-split-${compress}.${compress ? 'zraw' : 'raw'}`);
      const back = await readMetaImage(file);
      expectSameGeometry(back.geometry, image.geometry);
      expectSameVoxels(back.data, image.data);
    }
  });

  it('writes the same AnatomicalOrientation as ITK', async () => {
    const image = sampleImage('uint8');
    const theirs = join(dir, 'ao-itk.mha');
    const ours = join(dir, 'ao-ours.mha');
    await writeImageNode(toItk(image), theirs);
    await writeMetaImage(ours, image);
    expect((await readMetaImageHeader(ours)).anatomicalOrientation).toBe((await readMetaImageHeader(theirs)).anatomicalOrientation);
  });
});
