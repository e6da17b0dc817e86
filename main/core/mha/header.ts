// What MetaImage header fields mean: turns split fields into a checked header (geometry, pixel type, where
// the voxels are) and formats the header the writer emits, in ITK's field order. Pure: no I/O.
import { IDENTITY_DIRECTION, orientationCode, type Vec3, type VolumeGeometry } from '../../../common/geometry.js';
import { MetaImageError, quote } from './errors.js';
import { splitHeader } from './headerText.js';
import { PIXEL_TYPES, pixelTypeOfElementType } from './pixelTypes.js';
import type { MetaImageHeader, PixelType } from './types.js';

/** A parsed header before the data file is looked at: dataOffset is only known for LOCAL data. */
export interface ParsedHeader extends Omit<MetaImageHeader, 'dataOffset'> {
  /** Bytes of header text (LOCAL voxels start here). */
  headerLength: number;
  /** The HeaderSize field (bytes to skip in a separate data file; -1 = the data sits at the end of it). */
  headerSize: number | undefined;
}

// --- field values --- //

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

type Fields = Record<string, string>;

/** The first present field among `names` (aliases, canonical name first). */
function pick(fields: Fields, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = fields[name];
    if (value !== undefined && Object.hasOwn(fields, name)) return { name, value };
  }
  return undefined;
}

function malformed(file: string, name: string, value: string, expected: string): MetaImageError {
  return new MetaImageError('malformed_field', file, `${name} must be ${expected}, got ${quote(value)}`);
}

function numbers(file: string, name: string, value: string, count: number, what: string): number[] {
  const parts = value.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== count || parts.some((p) => !DECIMAL.test(p))) throw malformed(file, name, value, `${count} ${what}`);
  const out = parts.map(Number);
  if (out.some((x) => !Number.isFinite(x))) throw malformed(file, name, value, `${count} finite ${what}`);
  return out;
}

function integer(file: string, name: string, value: string, min: number): number {
  const n = Number(value);
  if (!INTEGER.test(value) || !Number.isSafeInteger(n) || n < min) throw malformed(file, name, value, `an integer ≥ ${min}`);
  return n;
}

/** MetaIO writes True/False; be tolerant of other spellings. */
function boolean(file: string, name: string, value: string): boolean {
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw malformed(file, name, value, 'True or False');
}

function required(fields: Fields, names: readonly string[], file: string): { name: string; value: string } {
  const f = pick(fields, names);
  if (!f) throw new MetaImageError('missing_field', file, `the header has no ${names.join(' or ')} field`);
  return f;
}

// --- reading --- //

/** Parses and checks the header at the start of `head` (see splitHeader for `isWholeFile`). */
export function parseHeader(head: Uint8Array, isWholeFile: boolean, file: string): ParsedHeader {
  const { fields, headerLength } = splitHeader(head, isWholeFile, file);

  const objectType = fields['ObjectType'];
  if (objectType !== undefined && objectType !== 'Image') {
    throw new MetaImageError('not_metaimage', file, `the file holds a MetaIO ${quote(objectType)} object, not an Image`);
  }
  const binary = fields['BinaryData'];
  if (binary !== undefined && !boolean(file, 'BinaryData', binary)) {
    throw new MetaImageError('unsupported_encoding', file, 'ASCII voxel data (BinaryData = False) is not supported');
  }

  const nDims = required(fields, ['NDims'], file);
  const n = integer(file, 'NDims', nDims.value, 1);
  if (n !== 3) throw new MetaImageError('unsupported_dimension', file, `the image is ${n}-D (NDims = ${n}); only 3-D images are supported`);
  const channels = fields['ElementNumberOfChannels'];
  if (channels !== undefined) {
    const c = integer(file, 'ElementNumberOfChannels', channels, 1);
    if (c !== 1) throw new MetaImageError('unsupported_dimension', file, `the image has ${c} channels per voxel; only scalar images are supported`);
  }

  const dim = required(fields, ['DimSize'], file);
  const size = numbers(file, 'DimSize', dim.value, 3, 'positive integers');
  if (size.some((s) => !Number.isSafeInteger(s) || s < 1)) throw malformed(file, 'DimSize', dim.value, '3 positive integers');

  const spacingField = required(fields, ['ElementSpacing', 'ElementSize'], file);
  const spacing = numbers(file, spacingField.name, spacingField.value, 3, 'positive numbers');
  if (spacing.some((s) => !(s > 0))) throw malformed(file, spacingField.name, spacingField.value, '3 positive numbers');

  const originField = pick(fields, ['Offset', 'Position', 'Origin']);
  const origin = originField ? numbers(file, originField.name, originField.value, 3, 'numbers') : [0, 0, 0];
  const directionField = pick(fields, ['TransformMatrix', 'Orientation', 'Rotation']);
  const direction = directionField ? numbers(file, directionField.name, directionField.value, 9, 'numbers') : [...IDENTITY_DIRECTION];

  const elementType = required(fields, ['ElementType'], file).value;
  const pixelType = pixelTypeOfElementType(elementType);
  if (!pixelType) {
    const known = Object.values(PIXEL_TYPES).map((t) => t.elementType).join(', ');
    throw new MetaImageError('unknown_element_type', file, `ElementType ${quote(elementType)} is not supported (expected one of ${known})`);
  }

  const msbField = pick(fields, ['BinaryDataByteOrderMSB', 'ElementByteOrderMSB']);
  const byteOrderMSB = msbField ? boolean(file, msbField.name, msbField.value) : false;
  const compressedField = fields['CompressedData'];
  const compressed = compressedField !== undefined && boolean(file, 'CompressedData', compressedField);
  const cds = fields['CompressedDataSize'];
  const compressedDataSize = compressed && cds !== undefined ? integer(file, 'CompressedDataSize', cds, 1) : undefined;
  const hs = fields['HeaderSize'];
  const headerSize = hs !== undefined ? integer(file, 'HeaderSize', hs, -1) : undefined;

  return {
    file,
    geometry: {
      size: size as Vec3,
      spacing: spacing as Vec3,
      origin: origin as Vec3,
      direction: direction as VolumeGeometry['direction'],
    },
    pixelType,
    compressed,
    compressedDataSize,
    byteOrderMSB,
    anatomicalOrientation: fields['AnatomicalOrientation'],
    elementDataFile: dataFileName(fields['ElementDataFile'] ?? '', file),
    fields,
    headerLength,
    headerSize,
  };
}

/** 'LOCAL' or a single data file name; LIST and pattern forms (several files per image) are refused. */
function dataFileName(value: string, file: string): string {
  if (value === '') throw new MetaImageError('malformed_field', file, 'ElementDataFile is empty');
  if (/^local$/i.test(value)) return 'LOCAL';
  if (/^list(\s|$)/i.test(value)) {
    throw new MetaImageError('unsupported_data_file', file, 'ElementDataFile = LIST (one file per slice) is not supported');
  }
  if (value.includes('%')) {
    throw new MetaImageError('unsupported_data_file', file, `ElementDataFile ${quote(value)} is a file-name pattern, which is not supported`);
  }
  return value;
}

/**
 * Where the voxels start in a separate data file of `dataFileSize` bytes (HeaderSize; -1 = at the end).
 * `expectedBytes` is the raw voxel byte count.
 */
export function separateDataOffset(h: ParsedHeader, dataFileSize: number, expectedBytes: number): number {
  if (h.headerSize === undefined || h.headerSize >= 0) return h.headerSize ?? 0;
  if (!h.compressed) return Math.max(0, dataFileSize - expectedBytes);
  if (h.compressedDataSize === undefined) {
    throw new MetaImageError('malformed_field', h.file, 'HeaderSize = -1 with compressed data needs a CompressedDataSize field');
  }
  return Math.max(0, dataFileSize - h.compressedDataSize);
}

// --- writing --- //

/** Shortest text that parses back to exactly `x` (String keeps full precision; -0 keeps its sign). */
function num(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

const OPPOSITE: Record<string, string> = { L: 'R', R: 'L', P: 'A', A: 'P', S: 'I', I: 'S' };

/**
 * The AnatomicalOrientation ITK writes for a direction: the letters each axis comes *from* (ITK's legacy
 * SpatialOrientation naming), i.e. the opposite of the pointing-to code — 'RAI' for identity, 'ASL' for PIR.
 */
export function itkAnatomicalOrientation(g: VolumeGeometry): string {
  return [...orientationCode(g)].map((c) => OPPOSITE[c] ?? '?').join('');
}

export interface HeaderSpec {
  geometry: VolumeGeometry;
  pixelType: PixelType;
  compressedDataSize: number | undefined;
  anatomicalOrientation: string;
  elementDataFile: string;
}

/** The header text the writer emits, fields in the order ITK's MetaImageIO writes them. */
export function formatHeader(spec: HeaderSpec): string {
  const g = spec.geometry;
  const lines = [
    'ObjectType = Image',
    'NDims = 3',
    'BinaryData = True',
    'BinaryDataByteOrderMSB = False',
    `CompressedData = ${spec.compressedDataSize === undefined ? 'False' : 'True'}`,
    ...(spec.compressedDataSize === undefined ? [] : [`CompressedDataSize = ${spec.compressedDataSize}`]),
    `TransformMatrix = ${g.direction.map(num).join(' ')}`,
    `Offset = ${g.origin.map(num).join(' ')}`,
    'CenterOfRotation = 0 0 0',
    `AnatomicalOrientation = ${spec.anatomicalOrientation}`,
    `ElementSpacing = ${g.spacing.map(num).join(' ')}`,
    `DimSize = ${g.size.join(' ')}`,
    `ElementType = ${PIXEL_TYPES[spec.pixelType].elementType}`,
    `ElementDataFile = ${spec.elementDataFile}`,
  ];
  return lines.join('\n') + '\n';
}
