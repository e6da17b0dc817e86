// Bad input: every way a file can be wrong gives a typed MetaImageError naming the file, without hanging and
// without allocating (or reading) what a lying header asks for. "Before allocating / reading" is checked by
// counting, not by timing: the largest single allocation (tests/fuzz/allocWatch.ts) and the bytes read through
// the file handles while the reader runs.
import { watchAllocations } from '../../fuzz/allocWatch.js'; // first: wraps the allocators before the project's modules load
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEADER_LIMIT } from '../../../main/core/mha/headerText.js';
import { readMetaImage, readMetaImageHeader, readMetaImageHeaderSync, type MetaImageProblem } from '../../../main/core/mha/index.js';
import { deflate, expectProblem, header, headerLines, put, tempDir } from './fixtures.js';

const dir = tempDir();
const SIZE = [4, 3, 2];
const VOXELS = Buffer.alloc(4 * 3 * 2 * 2, 7); // int16
const Z = deflate(VOXELS);

/** A LOCAL int16 file with header overrides and the given data bytes. */
function local(name: string, overrides: Record<string, string | undefined>, data: Uint8Array = VOXELS): string {
  return put(dir, name, header(headerLines('int16', SIZE, overrides)), data);
}

/**
 * Runs `fn` and reports the largest single allocation it made and the bytes it read through fs/promises file
 * handles (what readMetaImage reads with), so a test can tell a refusal from the header alone from one made after
 * allocating or reading the voxels.
 */
async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; largestAllocation: number; bytesRead: number }> {
  const probe = await open(import.meta.filename);
  const proto = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  // eslint-disable-next-line @typescript-eslint/unbound-method -- taken off the prototype to be restored below; always called with .apply(this, …)
  const original = proto.read;
  let bytesRead = 0;
  proto.read = async function (this: FileHandle, ...args: unknown[]) {
    const r = await (original as (...a: unknown[]) => Promise<{ bytesRead: number }>).apply(this, args);
    bytesRead += r.bytesRead;
    return r;
  } as FileHandle['read'];
  try {
    const { value, largest } = await watchAllocations(fn);
    return { value, largestAllocation: largest, bytesRead };
  } finally {
    proto.read = original;
  }
}

/** Asserts both the full reader and the header readers fail with `problem` (for header-level problems). */
async function expectHeaderProblem(file: string, problem: MetaImageProblem): Promise<void> {
  await expectProblem(readMetaImage(file), problem, file);
  await expectProblem(readMetaImageHeader(file), problem, file);
  await expectProblem(Promise.resolve().then(() => readMetaImageHeaderSync(file)), problem, file);
}

describe('truncated data', () => {
  it('raw LOCAL data shorter than DimSize × ElementType', async () => {
    const file = local('short.mha', {}, VOXELS.subarray(0, VOXELS.length - 1));
    const e = await expectProblem(readMetaImage(file), 'truncated', file);
    expect(e.message).toMatch(/47 bytes.*needs 48/);
  });

  it('a separate .raw that is too short', async () => {
    put(dir, 'short.raw', VOXELS.subarray(0, 10));
    const file = local('short-sep.mhd', { ElementDataFile: 'short.raw' }, new Uint8Array(0));
    await expectProblem(readMetaImage(file), 'truncated', file);
  });

  it('a compressed stream that ends early (with and without CompressedDataSize)', async () => {
    const cut = Z.subarray(0, Z.length - 4);
    const a = local('zcut.mha', { CompressedData: 'True' }, cut);
    await expectProblem(readMetaImage(a), 'truncated', a);
    const b = local('zcut-cds.mha', { CompressedData: 'True', CompressedDataSize: String(cut.length) }, cut);
    await expectProblem(readMetaImage(b), 'truncated', b);
  });

  it('a compressed stream far too short for DimSize is refused before inflating (nothing allocated beyond the file)', async () => {
    // 256 KiB of stream cannot inflate to the 10^9 bytes DimSize asks for (deflate expands at most ~1032:1).
    const stream = Buffer.concat([Z, Buffer.alloc(256 * 1024, 0x5a)]);
    const file = put(dir, 'zbomb.mha', header(headerLines('int16', [1000, 1000, 500], { CompressedData: 'True' })), stream);
    const m = await measure(() => expectProblem(readMetaImage(file), 'truncated', file));
    // The stream is read (its length is all the check needs to know), but no output buffer is made for it.
    expect(m.bytesRead).toBe(statSync(file).size);
    expect(m.largestAllocation).toBeLessThanOrEqual(stream.length);
  });

  it('a raw file far too short for DimSize is refused before allocating', async () => {
    const file = put(dir, 'rawbomb.mha', header(headerLines('int16', [1000, 1000, 1000])), VOXELS);
    const m = await measure(() => expectProblem(readMetaImage(file), 'truncated', file));
    expect(m.largestAllocation).toBeLessThanOrEqual(HEADER_LIMIT);
  });

  it('the measurement sees a real read: the voxel buffer is allocated and the voxels are read', async () => {
    const voxels = Buffer.alloc(256 * 1024, 3);
    const file = put(dir, 'big-ok.mha', header(headerLines('int16', [256, 256, 2])), voxels);
    const m = await measure(() => readMetaImage(file));
    expect(m.value.data.length).toBe(256 * 256 * 2);
    expect(m.largestAllocation).toBeGreaterThanOrEqual(voxels.length);
    expect(m.bytesRead).toBeGreaterThanOrEqual(voxels.length);
  });
});

describe('missing or malformed fields', () => {
  it.each([
    ['DimSize', 'missing_field'],
    ['ElementType', 'missing_field'],
    ['ElementSpacing', 'missing_field'],
    ['NDims', 'missing_field'],
  ] as const)('no %s → %s', async (field, problem) => {
    await expectHeaderProblem(local(`no-${field}.mha`, { [field]: undefined }), problem);
  });

  it.each([
    ['DimSize', '4 x 2'],
    ['DimSize', '4 3'],
    ['DimSize', '4 3 2 1'],
    ['DimSize', '4 0 2'],
    ['DimSize', '4 -3 2'],
    ['DimSize', '4 3.5 2'],
    ['DimSize', ''],
    ['ElementSpacing', '1 abc 1'],
    ['ElementSpacing', '1 1'],
    ['ElementSpacing', '1 0 1'],
    ['ElementSpacing', '1 -0.5 1'],
    ['ElementSpacing', '1 1e999 1'],
    ['Offset', '1 2'],
    ['Offset', '1 2 nan'],
    ['TransformMatrix', '1 0 0 0 1 0 0 0'],
    ['NDims', 'three'],
    ['CompressedData', 'maybe'],
    ['BinaryDataByteOrderMSB', 'sometimes'],
    ['HeaderSize', '-2'],
    ['ElementDataFile', ''],
  ])('%s = %j → malformed_field', async (field, value) => {
    const file = local(`bad-${field}-${value.replace(/\W/g, '_')}.mha`, { [field]: value });
    const e = await expectProblem(readMetaImage(file), 'malformed_field', file);
    expect(e.message).toContain(field === 'ElementDataFile' ? 'ElementDataFile' : field);
  });

  it('a text line that is not "Key = Value" inside the header → malformed_field', async () => {
    const file = put(dir, 'noeq.mha', header(['ObjectType = Image', 'NDims 3', 'ElementDataFile = LOCAL']), VOXELS);
    await expectHeaderProblem(file, 'malformed_field');
  });

  it.each(['MET_FOO', 'MET_LONG_LONG', 'MET_SHORT_ARRAY', 'met_short', ''])('ElementType %j → unknown_element_type', async (t) => {
    const file = local(`type-${t || 'empty'}.mha`, { ElementType: t });
    const e = await expectProblem(readMetaImage(file), 'unknown_element_type', file);
    expect(e.message).toContain('MET_SHORT'); // lists what is supported
  });
});

describe('unsupported images', () => {
  it.each([
    ['NDims', '2', /2-D/],
    ['NDims', '4', /4-D/],
    ['ElementNumberOfChannels', '3', /3 channels/],
  ])('%s = %s → unsupported_dimension', async (field, value, message) => {
    const file = local(`dim-${field}-${value}.mha`, { [field]: value });
    const e = await expectProblem(readMetaImage(file), 'unsupported_dimension', file);
    expect(e.message).toMatch(message);
  });

  it('ElementNumberOfChannels = 1 is fine', async () => {
    expect((await readMetaImage(local('chan1.mha', { ElementNumberOfChannels: '1' }))).data.length).toBe(24);
  });

  it.each(['LIST', 'LIST 2D', 'slice%03d.raw 1 10 1'])('ElementDataFile = %s → unsupported_data_file', async (value) => {
    await expectHeaderProblem(local(`list-${value.replace(/\W/g, '_')}.mhd`, { ElementDataFile: value }, new Uint8Array(0)), 'unsupported_data_file');
  });

  it('BinaryData = False → unsupported_encoding', async () => {
    await expectHeaderProblem(local('ascii.mha', { BinaryData: 'False' }), 'unsupported_encoding');
  });

  it('another MetaIO object type → not_metaimage', async () => {
    await expectHeaderProblem(local('tube.mha', { ObjectType: 'Tube' }), 'not_metaimage');
  });
});

describe('compressed data that lies', () => {
  it('CompressedDataSize bigger than the file', async () => {
    const file = local('cds-big.mha', { CompressedData: 'True', CompressedDataSize: String(Z.length + 1) }, Z);
    await expectProblem(readMetaImage(file), 'compressed_size_mismatch', file);
  });

  it('CompressedDataSize smaller than the stream while the file holds more', async () => {
    const file = local('cds-small.mha', { CompressedData: 'True', CompressedDataSize: String(Z.length - 3) }, Z);
    await expectProblem(readMetaImage(file), 'compressed_size_mismatch', file);
  });

  it('inflates to fewer bytes than DimSize needs', async () => {
    const z = deflate(VOXELS.subarray(0, 40));
    const file = local('inflate-short.mha', { CompressedData: 'True', CompressedDataSize: String(z.length) }, z);
    const e = await expectProblem(readMetaImage(file), 'compressed_size_mismatch', file);
    expect(e.message).toMatch(/40 bytes.*48/);
  });

  it('inflates to more bytes than DimSize needs', async () => {
    const z = deflate(Buffer.concat([VOXELS, VOXELS]));
    const file = local('inflate-long.mha', { CompressedData: 'True', CompressedDataSize: String(z.length) }, z);
    await expectProblem(readMetaImage(file), 'compressed_size_mismatch', file);
  });

  it('trailing garbage after the stream inside CompressedDataSize (or to the end of the file without it)', async () => {
    const data = Buffer.concat([Z, Buffer.from('garbage')]);
    const a = local('garbage-cds.mha', { CompressedData: 'True', CompressedDataSize: String(data.length) }, data);
    await expectProblem(readMetaImage(a), 'compressed_size_mismatch', a);
    const b = local('garbage-eof.mha', { CompressedData: 'True' }, data);
    await expectProblem(readMetaImage(b), 'compressed_size_mismatch', b);
  });

  it('a corrupt stream → decompress_failed', async () => {
    const bad = Buffer.from(Z);
    bad[0] = 0x00; // breaks the zlib header check
    const a = local('corrupt-header.mha', { CompressedData: 'True' }, bad);
    await expectProblem(readMetaImage(a), 'decompress_failed', a);
    const b = local('corrupt-body.mha', { CompressedData: 'True' }, Buffer.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    await expectProblem(readMetaImage(b), 'decompress_failed', b);
  });
});

describe('size caps', () => {
  it('DimSize 100000³ → too_large from the header alone, without allocating or reading the voxels', async () => {
    const file = put(dir, 'huge.mha', header(headerLines('int16', [100000, 100000, 100000])), Buffer.alloc(512 * 1024, 1));
    const m = await measure(() => expectProblem(readMetaImage(file), 'too_large', file, 'too_large'));
    const e = m.value;
    expect(m.bytesRead).toBeLessThanOrEqual(HEADER_LIMIT);
    expect(m.largestAllocation).toBeLessThanOrEqual(HEADER_LIMIT);
    expect(e.message).toContain('100000 × 100000 × 100000');
    // The header alone is fine to read.
    expect((await readMetaImageHeader(file)).geometry.size).toEqual([100000, 100000, 100000]);
  });

  it('honours ReadOptions.maxBytes', async () => {
    const file = local('cap.mha', {});
    await expectProblem(readMetaImage(file, { maxBytes: 47 }), 'too_large', file, 'too_large');
    expect((await readMetaImage(file, { maxBytes: 48 })).data.length).toBe(24);
  });
});

describe('not a MetaImage header', () => {
  it('binary junk → not_metaimage', async () => {
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    await expectHeaderProblem(put(dir, 'junk.mha', junk), 'not_metaimage');
  });

  it('an empty file, a PNG, a CSV → not_metaimage', async () => {
    await expectHeaderProblem(put(dir, 'empty.mha'), 'not_metaimage');
    await expectHeaderProblem(put(dir, 'png.mha', Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'latin1')), 'not_metaimage');
    await expectHeaderProblem(put(dir, 'csv.mha', Buffer.from('a,b,c\n1,2,3\n')), 'not_metaimage');
  });

  it('a header with no ElementDataFile → no_element_data_file (text only, or followed by voxels)', async () => {
    await expectHeaderProblem(local('noedf.mha', { ElementDataFile: undefined }, new Uint8Array(0)), 'no_element_data_file');
    const withVoxels = put(dir, 'noedf-bin.mha', header(headerLines('int16', SIZE, { ElementDataFile: undefined })), Buffer.from([0, 1, 2, 3, 0, 0, 9]));
    await expectHeaderProblem(withVoxels, 'no_element_data_file');
  });

  it('a header that does not end within 64 KiB → header_too_long', async () => {
    const comments = Array.from({ length: 2000 }, (_, i) => `Comment${i} = ${'x'.repeat(40)}`);
    await expectHeaderProblem(put(dir, 'long.mha', header([...comments, 'ElementDataFile = LOCAL']), VOXELS), 'header_too_long');
  });
});

describe('files that are not there or not files', () => {
  it('a missing header file → not_found', async () => {
    const file = join(dir, 'nope.mha');
    await expectProblem(readMetaImage(file), 'not_found', file, 'not_found');
    await expectProblem(readMetaImageHeader(file), 'not_found', file, 'not_found');
  });

  it('a missing data file → not_found naming the data file', async () => {
    const file = local('orphan.mhd', { ElementDataFile: 'orphan.raw' }, new Uint8Array(0));
    const e = await expectProblem(readMetaImage(file), 'not_found', file, 'not_found');
    expect(e.message).toContain('orphan.raw');
  });

  it('a folder → not_metaimage', async () => {
    const folder = join(dir, 'folder.mha');
    mkdirSync(folder);
    await expectProblem(readMetaImage(folder), 'not_metaimage', folder);
  });

  it.skipIf(process.platform === 'win32')('a FIFO as data file does not hang', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo.raw')]);
    const file = local('fifo.mhd', { ElementDataFile: 'fifo.raw' }, new Uint8Array(0));
    await expectProblem(readMetaImage(file), 'not_metaimage', file);
  });
});
