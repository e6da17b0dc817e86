// The eight scalar pixel types: their MetaImage ElementType names, sizes and typed-array constructors,
// and turning decoded bytes into a typed array (a view when aligned, a copy otherwise).
import type { PixelArray, PixelType } from './types.js';

type PixelArrayConstructor = {
  new (length: number): PixelArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): PixelArray;
  readonly BYTES_PER_ELEMENT: number;
};

interface PixelTypeInfo {
  elementType: string;
  bytes: 1 | 2 | 4 | 8;
  ctor: PixelArrayConstructor;
}

export const PIXEL_TYPES: Readonly<Record<PixelType, PixelTypeInfo>> = {
  uint8: { elementType: 'MET_UCHAR', bytes: 1, ctor: Uint8Array },
  int8: { elementType: 'MET_CHAR', bytes: 1, ctor: Int8Array },
  uint16: { elementType: 'MET_USHORT', bytes: 2, ctor: Uint16Array },
  int16: { elementType: 'MET_SHORT', bytes: 2, ctor: Int16Array },
  uint32: { elementType: 'MET_UINT', bytes: 4, ctor: Uint32Array },
  int32: { elementType: 'MET_INT', bytes: 4, ctor: Int32Array },
  float32: { elementType: 'MET_FLOAT', bytes: 4, ctor: Float32Array },
  float64: { elementType: 'MET_DOUBLE', bytes: 8, ctor: Float64Array },
};

const BY_ELEMENT_TYPE = new Map<string, PixelType>(
  (Object.keys(PIXEL_TYPES) as PixelType[]).map((t) => [PIXEL_TYPES[t].elementType, t]),
);

/** The PixelType of a MetaImage ElementType name (exact, e.g. 'MET_SHORT'), or undefined. */
export function pixelTypeOfElementType(elementType: string): PixelType | undefined {
  return BY_ELEMENT_TYPE.get(elementType);
}

export function bytesPerVoxel(type: PixelType): number {
  return PIXEL_TYPES[type].bytes;
}

/** A zero-filled typed array of `n` voxels of the given type. */
export function pixelArrayFor(type: PixelType, n: number): PixelArray {
  return new PIXEL_TYPES[type].ctor(n);
}

/** True when `data` is the typed array class of `type` (a Buffer counts as uint8; a Uint8ClampedArray does not). */
export function isPixelArrayOf(type: PixelType, data: unknown): data is PixelArray {
  return data instanceof PIXEL_TYPES[type].ctor;
}

/**
 * The first `n` voxels stored in `bytes` (host byte order) as a typed array. Shares memory with `bytes` when
 * its offset is a multiple of the element size, so the caller must hand over ownership; copies otherwise.
 */
export function pixelArrayOn(type: PixelType, bytes: Uint8Array, n: number): PixelArray {
  const { ctor, bytes: size } = PIXEL_TYPES[type];
  if (bytes.byteLength < n * size) throw new RangeError(`need ${n * size} bytes, have ${bytes.byteLength}`);
  if (bytes.byteOffset % size === 0) return new ctor(bytes.buffer, bytes.byteOffset, n);
  const out = new ctor(n);
  new Uint8Array(out.buffer, 0, n * size).set(bytes.subarray(0, n * size));
  return out;
}

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(data: PixelArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** True on little-endian hosts (all platforms Electron ships for); big-endian hosts swap the other way. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of every element of `bytes` in place (no-op for 1-byte types). */
export function swapBytesInPlace(bytes: Uint8Array, elementBytes: number): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (elementBytes === 2) b.swap16();
  else if (elementBytes === 4) b.swap32();
  else if (elementBytes === 8) b.swap64();
}
