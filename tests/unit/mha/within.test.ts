// ReadOptions.within: an untrusted dataset cannot make the reader open files outside its folder, whether the
// .mhd names them absolutely, with ../, or through a symlink; files inside (also through symlinks) still read.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetaImage, readMetaImageHeader, readMetaImageHeaderSync, type MetaImageError } from '../../../main/core/mha/index.js';
import { bytesOf, expectProblem, expectSameVoxels, header, headerLines, put, tempDir } from './fixtures.js';

const voxels = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
const SIZE = [3, 2, 2];

/** dataset/ (the allowed root) with images/, and outside/ next to it holding a valid voxel file and a .mha. */
function layout(): { root: string; images: string; outside: string } {
  const dir = tempDir();
  const root = join(dir, 'dataset');
  const images = join(root, 'images');
  const outside = join(dir, 'outside');
  mkdirSync(images, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.raw'), bytesOf(voxels));
  put(outside, 'secret.mha', header(headerLines('uint8', SIZE)), bytesOf(voxels));
  return { root, images, outside };
}

function mhd(dir: string, name: string, dataFile: string, extra: Record<string, string> = {}): string {
  return put(dir, name, header(headerLines('uint8', SIZE, { ...extra, ElementDataFile: dataFile })));
}

/** All three readers refuse `file` with invalid_dataset / outside_root; returns the async header reader's error. */
async function expectOutside(file: string, root: string, offending: string): Promise<MetaImageError> {
  const e = await expectProblem(readMetaImageHeader(file, { within: root }), 'outside_root', file, 'invalid_dataset');
  await expectProblem(readMetaImage(file, { within: root }), 'outside_root', file, 'invalid_dataset');
  await expectProblem(Promise.resolve().then(() => readMetaImageHeaderSync(file, { within: root })), 'outside_root', file, 'invalid_dataset');
  expect(e.message).toContain(offending);
  expect(e.message).toMatch(/outside the dataset folder/);
  return e;
}

describe('reading confined to a folder (within)', () => {
  it('refuses an absolute ElementDataFile outside the folder, naming the .mhd and the path', async () => {
    const { root, images, outside } = layout();
    const target = join(outside, 'secret.raw');
    const file = mhd(images, '1_t1.mhd', target);
    // Without the option the reader trusts the file (the behaviour this option exists to stop).
    expectSameVoxels((await readMetaImage(file)).data, voxels);
    const e = await expectOutside(file, root, target);
    expect(e.message).toContain('1_t1.mhd');
  });

  it('refuses ../ escapes, also when the data file does not exist and the header alone is read', async () => {
    const { root, images } = layout();
    const file = mhd(images, '1_t1.mhd', '../../outside/secret.raw');
    await expectOutside(file, root, '../../outside/secret.raw');
    const ghost = mhd(images, '2_t1.mhd', '../../nowhere/x.raw', { HeaderSize: '0' });
    await expectOutside(ghost, root, '../../nowhere/x.raw');
  });

  it('refuses a data file that is a symlink leading outside, and one reached through a symlinked folder', async () => {
    const { root, images, outside } = layout();
    symlinkSync(join(outside, 'secret.raw'), join(images, 'link.raw'));
    const file = mhd(images, '1_t1.mhd', 'link.raw');
    const e = await expectOutside(file, root, 'link.raw');
    expect(e.message).toContain('symbolic link');
    symlinkSync(outside, join(root, 'elsewhere'));
    await expectOutside(mhd(images, '2_t1.mhd', '../elsewhere/secret.raw'), root, '../elsewhere/secret.raw');
  });

  it('refuses a header file that is itself a symlink leading outside', async () => {
    const { root, images, outside } = layout();
    const file = join(images, '3_t1.mha');
    symlinkSync(join(outside, 'secret.mha'), file);
    expectSameVoxels((await readMetaImage(file)).data, voxels);
    const e = await expectProblem(readMetaImage(file, { within: root }), 'outside_root', file, 'invalid_dataset');
    expect(e.message).toContain('3_t1.mha');
    await expectProblem(readMetaImageHeader(file, { within: root }), 'outside_root', file, 'invalid_dataset');
  });

  it('reads data files inside the folder: beside the header, in a sibling folder, through an inner symlink', async () => {
    const { root, images } = layout();
    writeFileSync(join(images, 'plain.raw'), bytesOf(voxels));
    mkdirSync(join(root, 'raw'));
    writeFileSync(join(root, 'raw', 'other.raw'), bytesOf(voxels));
    symlinkSync(join(root, 'raw', 'other.raw'), join(images, 'inner.raw'));
    for (const [name, data] of [['a.mhd', 'plain.raw'], ['b.mhd', '../raw/other.raw'], ['c.mhd', 'inner.raw'], ['d.mhd', join(root, 'raw', 'other.raw')]] as const) {
      const file = mhd(images, name, data);
      expectSameVoxels((await readMetaImage(file, { within: root })).data, voxels);
      expect((await readMetaImageHeader(file, { within: root })).elementDataFile).toBe(data);
      expect(readMetaImageHeaderSync(file, { within: root }).elementDataFile).toBe(data);
    }
    // The root itself given through a symlink is compared by its real path.
    const viaLink = join(root, '..', 'dataset-link');
    symlinkSync(root, viaLink);
    const file = join(viaLink, 'images', 'b.mhd');
    expectSameVoxels((await readMetaImage(file, { within: viaLink })).data, voxels);
  });

  it('a missing data file inside the folder is still not_found, not a containment error', async () => {
    const { root, images } = layout();
    const file = mhd(images, 'gone.mhd', 'gone.raw');
    await expectProblem(readMetaImage(file, { within: root }), 'not_found', file, 'not_found');
  });
});
