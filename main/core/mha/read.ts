// Reading MetaImage files from disk: the header alone (async and sync) or header + voxels. I/O is shaped for
// speed: one small read for the header, then one read of the voxel bytes straight into the buffer that becomes
// the typed array (so raw data needs no copy and is always aligned), or into the compressed buffer for inflate.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { voxelCount } from '../../../common/geometry.js';
import { inflateChunks, inflateExact, maxDeflatedSize, toPixelArray, voxelChunks, type InflateContext } from './decode.js';
import { MetaImageError, fsError } from './errors.js';
import { parseHeader, separateDataOffset, type ParsedHeader } from './header.js';
import { HEADER_LIMIT } from './headerText.js';
import { bytesPerVoxel } from './pixelTypes.js';
import type { HeaderReadOptions, MetaImage, MetaImageHeader, PixelArray, ReadOptions } from './types.js';
import { containmentAsync, containmentSync, dataPathOf } from './within.js';

/** Default ReadOptions.maxBytes: 4 GiB of decoded voxels. */
export const DEFAULT_MAX_BYTES = 4 * 2 ** 30;

// Largest single Buffer Node 20 can allocate (buffer.constants.MAX_LENGTH); inflate needs one byte on top.
const MAX_BUFFER = 2 ** 32 - 1;

// O_NONBLOCK makes opening a FIFO return at once (it is then refused as not a regular file) instead of hanging.
const OPEN_FLAGS = constants.O_RDONLY | ((constants as { O_NONBLOCK?: number }).O_NONBLOCK ?? 0);
// With ReadOptions.within the path opened is a checked real path: a symlink put in its place since is refused.
const CHECKED_OPEN_FLAGS = OPEN_FLAGS | ((constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0);

// --- shared logic --- //

function checkRegular(st: Stats, file: string, what: string): void {
  if (!st.isFile()) throw new MetaImageError('not_metaimage', file, `${what} is not a regular file`);
}

function expectedBytesOf(h: ParsedHeader): number {
  return voxelCount(h.geometry) * bytesPerVoxel(h.pixelType);
}

function withOffset(h: ParsedHeader, dataOffset: number): MetaImageHeader {
  const { headerLength: _len, headerSize: _size, ...rest } = h;
  return { ...rest, dataOffset };
}

/** Where the voxel bytes sit and how many there are to read; refuses sizes the file cannot hold. */
function plan(h: ParsedHeader, dataFileSize: number, dataOffset: number, dataName: string): { length: number; sizeFromField: boolean } {
  const file = h.file;
  const available = Math.max(0, dataFileSize - dataOffset);
  const expected = expectedBytesOf(h);
  if (!h.compressed) {
    if (available < expected) {
      throw new MetaImageError('truncated', file, `${dataName} holds ${available} bytes of voxels, DimSize × ElementType needs ${expected}`);
    }
    return { length: expected, sizeFromField: false };
  }
  const cds = h.compressedDataSize;
  if (cds !== undefined && cds > available) {
    throw new MetaImageError('compressed_size_mismatch', file, `CompressedDataSize is ${cds} bytes but ${dataName} holds only ${available} after the header`);
  }
  const length = cds ?? available;
  // Refuse before reading it: no zlib stream of `expected` bytes is this long (guards against huge files too).
  if (length > maxDeflatedSize(expected)) {
    throw new MetaImageError('compressed_size_mismatch', file, `${length} bytes of compressed data are more than any zlib stream of the ${expected} voxel bytes can be`);
  }
  return { length, sizeFromField: cds !== undefined && cds < available };
}

function checkCap(h: ParsedHeader, maxBytes: number): void {
  const expected = expectedBytesOf(h);
  const cap = Math.min(Number.isNaN(maxBytes) ? 0 : maxBytes, MAX_BUFFER);
  if (expected > cap) {
    const [x, y, z] = h.geometry.size;
    throw new MetaImageError('too_large', h.file, `DimSize ${x} × ${y} × ${z} ${h.pixelType} needs ${expected} bytes, more than the limit of ${cap} bytes`);
  }
}

// --- async --- //

async function openRegular(path: string, file: string, what: string, flags = OPEN_FLAGS): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, flags);
  } catch (err) {
    throw fsError(err, file, what);
  }
  try {
    const st = await fh.stat();
    checkRegular(st, file, what);
    return { fh, size: st.size };
  } catch (err) {
    await fh.close();
    throw err instanceof MetaImageError ? err : fsError(err, file, what);
  }
}

/** Reads into all of `target` from `position`; returns the bytes read (fewer only at end of file). */
async function readInto(fh: FileHandle, target: Uint8Array, position: number, file: string): Promise<number> {
  let done = 0;
  try {
    while (done < target.length) {
      const { bytesRead } = await fh.read(target, done, target.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } catch (err) {
    throw fsError(err, file, 'the file');
  }
  return done;
}

async function readHead(fh: FileHandle, size: number, file: string): Promise<{ head: Buffer; parsed: ParsedHeader }> {
  const head = Buffer.allocUnsafe(Math.min(size, HEADER_LIMIT));
  const got = await readInto(fh, head, 0, file);
  const bytes = head.subarray(0, got);
  return { head: bytes, parsed: parseHeader(bytes, size <= HEADER_LIMIT, file) };
}

/** Where to open the header and its data file: as written, or checked real paths under `opts.within`. */
async function locate(file: string, opts: HeaderReadOptions): Promise<{ header: string; data(h: ParsedHeader): Promise<string>; flags: number }> {
  if (opts.within === undefined) return { header: file, data: async (h) => dataPathOf(h), flags: OPEN_FLAGS };
  const c = await containmentAsync(opts.within, file);
  return { header: await c.header(file), data: (h) => c.data(h), flags: CHECKED_OPEN_FLAGS };
}

function locateSync(file: string, opts: HeaderReadOptions): { header: string; data(h: ParsedHeader): string; flags: number } {
  if (opts.within === undefined) return { header: file, data: dataPathOf, flags: OPEN_FLAGS };
  const c = containmentSync(opts.within, file);
  return { header: c.header(file), data: (h) => c.data(h), flags: CHECKED_OPEN_FLAGS };
}

/**
 * Reads only the header of a .mha or .mhd file (at most 64 KiB; never the voxels). Throws MetaImageError.
 * For a separate data file with HeaderSize = -1 the data file's size is looked up to compute dataOffset.
 * With `opts.within` the header file and a separate data file must resolve inside that folder (see
 * HeaderReadOptions); the data file's location is checked even when it need not be opened.
 */
export async function readMetaImageHeader(file: string, opts: HeaderReadOptions = {}): Promise<MetaImageHeader> {
  const at = await locate(file, opts);
  const { fh, size } = await openRegular(at.header, file, 'the file', at.flags);
  let parsed: ParsedHeader;
  try {
    parsed = (await readHead(fh, size, file)).parsed;
  } finally {
    await fh.close();
  }
  if (parsed.elementDataFile === 'LOCAL') return withOffset(parsed, parsed.headerLength);
  const dataPath = await at.data(parsed);
  if (parsed.headerSize !== -1) return withOffset(parsed, parsed.headerSize ?? 0);
  const data = await openRegular(dataPath, file, `the data file ${basename(parsed.elementDataFile)}`, at.flags);
  await data.fh.close();
  return withOffset(parsed, separateDataOffset(parsed, data.size, expectedBytesOf(parsed)));
}

/**
 * Reads a .mha (LOCAL data) or .mhd (+ .raw / .zraw) image: geometry, pixel type and voxels in host byte order.
 * Refuses, before allocating, anything over `opts.maxBytes` of voxels or more voxels than the file can hold.
 * HeaderSize applies to separate data files only (bytes to skip; -1 = the voxels end the file); LOCAL voxels
 * always start right after the header. Bytes after the voxels are ignored. Every failure is a MetaImageError
 * naming the file. With `opts.within` (e.g. `{ within: datasetRoot }`) nothing outside that folder is read: a
 * header or ElementDataFile resolving outside it (absolute, `../`, or through a symlink) is refused with code
 * 'invalid_dataset'.
 */
export async function readMetaImage(file: string, opts: ReadOptions = {}): Promise<MetaImage & { header: MetaImageHeader }> {
  return readStored(file, opts, async (h, stored, ctx, offset) => {
    const bytes = h.compressed ? await inflateExact(stored, expectedBytesOf(h), ctx) : stored;
    const data = toPixelArray(bytes, h.pixelType, voxelCount(h.geometry), h.byteOrderMSB);
    return { geometry: h.geometry, pixelType: h.pixelType, data, header: withOffset(h, offset) };
  });
}

/**
 * readMetaImage in pieces: the same file checks, options and MetaImageErrors, but once the header is read
 * `start(header)` gives the consumer of the voxels, which gets them as consecutive typed arrays in host byte
 * order (`first`: index of the piece's first voxel) while a compressed file inflates, about `chunkBytes` at a
 * time (default 1 MiB), so that each piece is used while it is still in cache and the whole volume is never
 * allocated. Uncompressed voxels come as one piece. A piece is valid only during the call. Resolves with the
 * header once every voxel was handed over.
 */
export async function readMetaImageChunks(
  file: string,
  start: (header: MetaImageHeader) => (data: PixelArray, first: number) => void,
  opts: ReadOptions & { chunkBytes?: number } = {},
): Promise<MetaImageHeader> {
  return readStored(file, opts, async (h, stored, ctx, offset) => {
    const sink = voxelChunks(h.pixelType, h.byteOrderMSB, start(withOffset(h, offset)));
    if (h.compressed) await inflateChunks(stored, expectedBytesOf(h), ctx, opts.chunkBytes ?? 2 ** 20, sink);
    else sink(stored);
    return withOffset(h, offset);
  });
}

type Decode<T> = (h: ParsedHeader, stored: Buffer, ctx: InflateContext, offset: number) => Promise<T>;

/** Opens the image (and its data file), reads the stored voxel bytes and hands them to `decode`. */
async function readStored<T>(file: string, opts: ReadOptions, decode: Decode<T>): Promise<T> {
  const at = await locate(file, opts);
  const { fh, size } = await openRegular(at.header, file, 'the file', at.flags);
  try {
    const { head, parsed } = await readHead(fh, size, file);
    checkCap(parsed, opts.maxBytes ?? DEFAULT_MAX_BYTES);
    if (parsed.elementDataFile === 'LOCAL') {
      const prefix = head.subarray(parsed.headerLength);
      return await readVoxels(parsed, fh, size, parsed.headerLength, prefix, 'the file', decode);
    }
    const dataName = `the data file ${basename(parsed.elementDataFile)}`;
    const data = await openRegular(await at.data(parsed), file, dataName, at.flags);
    try {
      const offset = separateDataOffset(parsed, data.size, expectedBytesOf(parsed));
      return await readVoxels(parsed, data.fh, data.size, offset, new Uint8Array(0), dataName, decode);
    } finally {
      await data.fh.close();
    }
  } finally {
    await fh.close();
  }
}

/** Reads the voxel bytes at `offset` (of which `prefix` was already read) and decodes them. */
async function readVoxels<T>(
  h: ParsedHeader,
  fh: FileHandle,
  fileSize: number,
  offset: number,
  prefix: Uint8Array,
  dataName: string,
  decode: Decode<T>,
): Promise<T> {
  const { length, sizeFromField } = plan(h, fileSize, offset, dataName);
  // allocUnsafeSlow: never from the shared pool, so byteOffset is 0 and any element size is aligned.
  const stored = Buffer.allocUnsafeSlow(length);
  const fromPrefix = Math.min(prefix.length, length);
  stored.set(prefix.subarray(0, fromPrefix));
  const got = fromPrefix + (await readInto(fh, stored.subarray(fromPrefix), offset + fromPrefix, h.file));
  if (got < length) throw new MetaImageError('truncated', h.file, `${dataName} ended while reading (it shrank?)`);
  const ctx = { file: h.file, sizeFromField, hasSizeField: h.compressedDataSize !== undefined };
  return decode(h, stored, ctx, offset);
}

// --- sync --- //

function openRegularSync(path: string, file: string, what: string, flags = OPEN_FLAGS): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (err) {
    throw fsError(err, file, what);
  }
  try {
    const st = fstatSync(fd);
    checkRegular(st, file, what);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err instanceof MetaImageError ? err : fsError(err, file, what);
  }
}

/** Synchronous readMetaImageHeader (for code that cannot await, e.g. quick listings); same options. */
export function readMetaImageHeaderSync(file: string, opts: HeaderReadOptions = {}): MetaImageHeader {
  const at = locateSync(file, opts);
  const { fd, size } = openRegularSync(at.header, file, 'the file', at.flags);
  let parsed: ParsedHeader;
  try {
    const head = Buffer.allocUnsafe(Math.min(size, HEADER_LIMIT));
    let got = 0;
    try {
      while (got < head.length) {
        const n = readSync(fd, head, got, head.length - got, got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw fsError(err, file, 'the file');
    }
    parsed = parseHeader(head.subarray(0, got), size <= HEADER_LIMIT, file);
  } finally {
    closeSync(fd);
  }
  if (parsed.elementDataFile === 'LOCAL') return withOffset(parsed, parsed.headerLength);
  const dataPath = at.data(parsed);
  if (parsed.headerSize !== -1) return withOffset(parsed, parsed.headerSize ?? 0);
  const data = openRegularSync(dataPath, file, `the data file ${basename(parsed.elementDataFile)}`, at.flags);
  closeSync(data.fd);
  return withOffset(parsed, separateDataOffset(parsed, data.size, expectedBytesOf(parsed)));
}
