// Public data types of the MetaImage (.mha / .mhd + .raw) reader and writer. Plain Node, no I/O here.
import type { VolumeGeometry } from '../../../common/geometry.js';

/** Voxel component types the workstation reads and writes (the scalar MetaImage ElementTypes). */
export type PixelType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** The typed array holding the voxels of one PixelType, in host byte order. */
export type PixelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Everything the header of a MetaImage says, read without touching the voxels. */
export interface MetaImageHeader {
  /** The header file's path, as given to the reader. */
  file: string;
  /** Size, spacing, origin and direction; `direction` is in TransformMatrix order (see common/geometry.ts). */
  geometry: VolumeGeometry;
  pixelType: PixelType;
  compressed: boolean;
  /** The CompressedDataSize field in bytes, when the file has one. */
  compressedDataSize: number | undefined;
  /** True when the voxels are stored big-endian (BinaryDataByteOrderMSB / ElementByteOrderMSB). */
  byteOrderMSB: boolean;
  /** The AnatomicalOrientation field as written (informational; geometry comes from TransformMatrix). */
  anatomicalOrientation: string | undefined;
  /** 'LOCAL' (voxels follow the header in the same file) or the data file's name relative to the header's folder. */
  elementDataFile: string;
  /** Byte offset of the voxel data in the data file: the header length for LOCAL, else from HeaderSize. */
  dataOffset: number;
  /** Every header field as written (value trimmed), keyed by its exact name. */
  fields: Record<string, string>;
}

/** A 3-D scalar volume: voxel (i, j, k) is data[i + size[0] * (j + size[1] * k)]. */
export interface MetaImage {
  geometry: VolumeGeometry;
  pixelType: PixelType;
  data: PixelArray;
}

/** Options of the header-only readers. */
export interface HeaderReadOptions {
  /**
   * The folder the image must stay inside, typically the dataset root (`{ within: datasetRoot }`). When given,
   * the header file and a separate data file (ElementDataFile) are resolved with realpath (symlinks followed,
   * `..` and absolute names included) and anything that lands outside this folder is refused with code
   * 'invalid_dataset' (problem 'outside_root') naming the header file and the offending name; the file that was
   * checked is the one opened. Without it, files are read wherever they are (trusted input only).
   */
  within?: string;
}

export interface ReadOptions extends HeaderReadOptions {
  /**
   * Largest decoded voxel payload accepted, in bytes (default 4 GiB). A header asking for more is refused with
   * code 'too_large' before anything is allocated.
   */
  maxBytes?: number;
}

export interface WriteOptions {
  /** Store the voxels zlib-compressed (CompressedData = True). Default false, as ITK. */
  compress?: boolean;
  /** zlib level 0–9 when compressing (default DEFAULT_LEVEL = 2, as MetaIO/ITK; see write.ts). */
  level?: number;
  /**
   * AnatomicalOrientation to write. Default: derived from the direction the way ITK writes it (the letters
   * the axes come *from*, e.g. 'RAI' for identity, 'ASL' for SPIDER's PIR direction).
   */
  anatomicalOrientation?: string;
}
