// Test helpers for the dataset core: the verbatim SPIDER CSV excerpts (copied byte-exact, CRLF, from
// ../shared/spider/samples into fixtures/) and builders for temporary SPIDER-layout folders.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VolumeGeometry } from '../../../common/geometry.js';
import { encodeMetaImage, pixelArrayFor, type PixelType } from '../../../main/core/mha/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Bytes of a verbatim excerpt of the released CSVs. */
export function sampleBytes(name: 'overview_excerpt.csv' | 'radiological_gradings_excerpt.csv'): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** Lines of the overview excerpt without terminators (index 0 = header). */
export function overviewSampleLines(): string[] {
  return sampleBytes('overview_excerpt.csv').toString('utf8').split('\r\n').filter((l) => l !== '');
}

export const GRADINGS_HEADER_LINE =
  'Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,Disc bulging,Pfirrman grade';

export function tempDir(prefix = 'spine-dataset-'): string {
  return mkdtempSync(join(os.tmpdir(), prefix));
}

/** Group A grid (identity direction, LPS), tiny. */
export const GRID_LPS: VolumeGeometry = { size: [4, 4, 3], spacing: [3.3, 0.625, 0.5], origin: [-10, -20, -30], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
/** Group B grid (PIR direction, as SPIDER's SPACE series), tiny. */
export const GRID_PIR: VolumeGeometry = { size: [4, 3, 5], spacing: [0.46875, 0.46875, 0.9], origin: [5, 6, 7], direction: [0, 1, 0, 0, 0, -1, -1, 0, 0] };

/** The MetaImage bytes of a zero volume on `geometry`. */
export function volumeBytes(geometry: VolumeGeometry, pixelType: PixelType = 'int16', compress = false): Buffer {
  return encodeMetaImage({ geometry, pixelType, data: pixelArrayFor(pixelType, geometry.size[0] * geometry.size[1] * geometry.size[2]) }, { compress });
}

/** Writes a file, creating its folder. */
export function put(file: string, bytes: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

/** A complete header whose voxel data is cut off after `keep` bytes (the header still parses). */
export function truncatedVolumeBytes(geometry: VolumeGeometry, pixelType: PixelType = 'int16', compress = false, keep = 3): Buffer {
  const full = volumeBytes(geometry, pixelType, compress);
  const marker = Buffer.from('ElementDataFile = LOCAL\n');
  const end = full.indexOf(marker) + marker.length;
  return full.subarray(0, end + keep);
}

/** A header-only .mha claiming a volume far larger than the file (a reader that touched voxels would fail). */
export function hugeClaimHeader(): string {
  return [
    'ObjectType = Image', 'NDims = 3', 'BinaryData = True', 'BinaryDataByteOrderMSB = False', 'CompressedData = True',
    'CompressedDataSize = 9000000', 'TransformMatrix = 0 1 0 0 0 -1 -1 0 0', 'Offset = 0 0 0', 'ElementSpacing = 0.46875 0.46875 0.9',
    'DimSize = 640 512 120', 'ElementType = MET_SHORT', 'ElementDataFile = LOCAL', '',
  ].join('\n');
}

/**
 * An overview.csv row for `id` built from a verbatim sample row (107_t1: Siemens Avanto_fit, age 59), with
 * its first three cells replaced.
 */
export function overviewRowFor(id: string, numVertebrae = 7, numDiscs = 7): string {
  const template = overviewSampleLines().find((l) => l.startsWith('107_t1,'))!;
  return `${id},${numVertebrae},${numDiscs},` + template.split(',').slice(3).join(',');
}

/** overview.csv text (CRLF) for the given series ids. */
export function overviewCsvFor(ids: readonly string[]): string {
  return [overviewSampleLines()[0]!, ...ids.map((id) => overviewRowFor(id))].join('\r\n') + '\r\n';
}

/** radiological_gradings.csv text (CRLF) grading discs 1..levels of each patient. */
export function gradingsCsvFor(patients: readonly number[], levels = 7): string {
  const rows = patients.flatMap((p) => Array.from({ length: levels }, (_, i) => `${p},${i + 1},0,0,0,0,0,1,1,3`));
  return [GRADINGS_HEADER_LINE, ...rows].join('\r\n') + '\r\n';
}
