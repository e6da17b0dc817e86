// Writing MetaImage files: .mha (LOCAL data) by default, .mhd + .raw/.zraw when the target ends in .mhd.
// Geometry is written with shortest round-trip number text so a read gives back exactly the same doubles.
// Files appear atomically: written under a temporary name in the target folder, then renamed.
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import zlib from 'node:zlib';
import { MetaImageError, fsError, quote } from './errors.js';
import { formatHeader, itkAnatomicalOrientation } from './header.js';
import { HOST_IS_LITTLE_ENDIAN, PIXEL_TYPES, bytesOf, isPixelArrayOf, swapBytesInPlace } from './pixelTypes.js';
import type { MetaImage, WriteOptions } from './types.js';

/**
 * Default zlib level: 2, the level MetaIO/ITK write with (itk-wasm's output has the same size). Levels 1–3 share
 * zlib's fast strategy; 6 compresses ~15 % better but deflates ~1.7× slower, and inflate speed barely differs.
 */
export const DEFAULT_LEVEL = 2;

// Output chunk for deflate: large enough that a volume takes a few round trips to the zlib thread, not thousands.
const DEFLATE_CHUNK = 1 << 20;

const IN_MEMORY = '<memory>';

// --- checks and encoding --- //

function checkImage(image: MetaImage, opts: WriteOptions, file: string): void {
  const bad = (detail: string) => new MetaImageError('invalid_image', file, `cannot write: ${detail}`);
  const { geometry: g, pixelType, data } = image;
  if (!Object.hasOwn(PIXEL_TYPES, pixelType)) throw bad(`unknown pixel type ${quote(String(pixelType))}`);
  if (!isPixelArrayOf(pixelType, data)) throw bad(`data is not a ${PIXEL_TYPES[pixelType].ctor.name} for pixel type ${pixelType}`);
  if (g.size.length !== 3 || g.size.some((s) => !Number.isSafeInteger(s) || s < 1)) throw bad(`size must be 3 positive integers, got ${g.size.join(' ')}`);
  const n = g.size[0] * g.size[1] * g.size[2];
  if (data.length !== n) throw bad(`data has ${data.length} voxels, size ${g.size.join(' × ')} needs ${n}`);
  if (g.spacing.length !== 3 || g.spacing.some((s) => !Number.isFinite(s) || s <= 0)) throw bad(`spacing must be 3 positive numbers, got ${g.spacing.join(' ')}`);
  if (g.origin.length !== 3 || g.origin.some((x) => !Number.isFinite(x))) throw bad(`origin must be 3 finite numbers, got ${g.origin.join(' ')}`);
  if (g.direction.length !== 9 || g.direction.some((x) => !Number.isFinite(x))) throw bad(`direction must be 9 finite numbers, got ${g.direction.join(' ')}`);
  const level = opts.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw bad(`zlib level must be an integer 0–9, got ${level}`);
  const ao = opts.anatomicalOrientation;
  if (ao !== undefined && !/^[\x21-\x7e]+$/.test(ao)) throw bad(`anatomicalOrientation must be printable ASCII without blanks, got ${quote(ao)}`);
}

/** The voxel bytes in little-endian order (BinaryDataByteOrderMSB = False): a view on LE hosts, a swapped copy otherwise. */
function littleEndianBytes(image: MetaImage): Uint8Array {
  const bytes = bytesOf(image.data);
  if (HOST_IS_LITTLE_ENDIAN) return bytes;
  const copy = new Uint8Array(bytes);
  swapBytesInPlace(copy, PIXEL_TYPES[image.pixelType].bytes);
  return copy;
}

function headerBytes(image: MetaImage, opts: WriteOptions, compressedDataSize: number | undefined, elementDataFile: string): Buffer {
  const text = formatHeader({
    geometry: image.geometry,
    pixelType: image.pixelType,
    compressedDataSize,
    anatomicalOrientation: opts.anatomicalOrientation ?? itkAnatomicalOrientation(image.geometry),
    elementDataFile,
  });
  return Buffer.from(text, 'utf8');
}

function deflateOptions(opts: WriteOptions, inputLength: number): zlib.ZlibOptions {
  return { level: opts.level ?? DEFAULT_LEVEL, chunkSize: Math.max(64, Math.min(DEFLATE_CHUNK, inputLength + 64)) };
}

/** The bytes of a .mha file (LOCAL data) holding `image`; synchronous (deflates on the calling thread). */
export function encodeMetaImage(image: MetaImage, opts: WriteOptions = {}): Buffer {
  checkImage(image, opts, IN_MEMORY);
  const raw = littleEndianBytes(image);
  const data = opts.compress ? zlib.deflateSync(raw, deflateOptions(opts, raw.length)) : raw;
  const header = headerBytes(image, opts, opts.compress ? data.length : undefined, 'LOCAL');
  return Buffer.concat([header, data]);
}

// --- files --- //

function deflateAsync(raw: Uint8Array, options: zlib.ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.deflate(raw, options, (err, out) => (err ? reject(err) : resolve(out))));
}

function tempNameFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes `parts` to a new temporary file beside `target` and returns its name (the caller renames it). */
async function writeTemp(target: string, parts: Uint8Array[], file: string): Promise<string> {
  const tmp = tempNameFor(target);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx');
    const total = parts.reduce((s, p) => s + p.length, 0);
    const { bytesWritten } = await fh.writev(parts);
    if (bytesWritten !== total) {
      // libuv writes everything or fails; keep a plain fallback in case a platform returns short.
      let pos = 0;
      for (const p of parts) {
        await fh.write(p, 0, p.length, pos);
        pos += p.length;
      }
    }
    await fh.close();
    fh = undefined;
    return tmp;
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fsError(err, file, `the folder of ${basename(target)}`);
  }
}

async function commit(tmp: string, target: string, file: string): Promise<void> {
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fsError(err, file, basename(target));
  }
}

/**
 * Writes `image` to `file`: a .mha with LOCAL data, or — when `file` ends in .mhd — a header plus `<name>.raw`
 * (`<name>.zraw` when compressed) beside it. Fields follow ITK's order; voxels are little-endian; compression is
 * zlib at `opts.level` (off the main thread). Each file is replaced atomically; for .mhd the data file is renamed
 * into place before the header. Throws MetaImageError ('invalid_request' for bad input, 'io'/'not_found' from disk).
 */
export async function writeMetaImage(file: string, image: MetaImage, opts: WriteOptions = {}): Promise<void> {
  checkImage(image, opts, file);
  const split = /\.mhd$/i.test(file);
  const dataName = split ? basename(file).replace(/\.mhd$/i, opts.compress ? '.zraw' : '.raw') : 'LOCAL';
  if (dataName.includes('%')) {
    // Readers (ours and MetaIO) take an ElementDataFile with '%' for a file-name pattern.
    throw new MetaImageError('invalid_image', file, "cannot write: a .mhd whose name contains '%' would not read back");
  }
  const raw = littleEndianBytes(image);
  const data = opts.compress ? await deflateAsync(raw, deflateOptions(opts, raw.length)) : raw;
  const head = headerBytes(image, opts, opts.compress ? data.length : undefined, dataName);
  if (!split) {
    await commit(await writeTemp(file, [head, data], file), file, file);
    return;
  }
  const dataFile = join(dirname(file), dataName);
  const dataTmp = await writeTemp(dataFile, [data], file);
  let headerTmp: string;
  try {
    headerTmp = await writeTemp(file, [head], file);
  } catch (err) {
    await rm(dataTmp, { force: true }).catch(() => undefined);
    throw err;
  }
  // Data first: the header must never name a data file that is not (yet) complete.
  await commit(dataTmp, dataFile, file).catch(async (err: unknown) => {
    await rm(headerTmp, { force: true }).catch(() => undefined);
    throw err;
  });
  await commit(headerTmp, file, file);
}
