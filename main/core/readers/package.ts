// The annotation package file format (`.spinepkg`, issue 16): one reader's label edits and gradings of one dataset,
// self-contained and checked in full before anything of it is written anywhere.
//
// Layout (integers little-endian):
//   bytes 0–7    magic "SPINEPKG"
//   bytes 8–9    u16 format version (1)
//   bytes 10–13  u32 byte length H of the header
//   H bytes      UTF-8 JSON header (PackageHeader: dataset identity, annotator, createdAt, appVersion, per-series
//                entries with the byte offset and length of their diff in the blob area, grades, warnings)
//   blob area    the series' 'rle-u8-v1' diffs (original mask → the reader's labels), back to back in header order
//   32 bytes     SHA-256 of every byte before it
// A diff's offset is relative to the blob area; the diffs must tile it exactly (no gaps, overlaps or extra bytes).
// Allocation is bounded by the real byte length, except a diff's decoded arrays, which are bounded by its series'
// voxel count: the importer passes the dataset's real image sizes (`voxelsOf`) and they are checked first.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import { GRADING_FIELDS, isLegalGradingValue, type GradingField } from '../../../common/gradings.js';
import { decodeDiff, DiffFormatError, DIFF_ENCODING } from '../../../common/labelDiff.js';
import { isKnownLabel } from '../../../common/labels.js';
import { annotatorName, seriesId } from '../../../common/schemas.js';
import type { ReaderGrade, ReaderLabelLayer } from '../store/index.js';

export const PACKAGE_EXTENSION = '.spinepkg';
export const PACKAGE_FORMAT_VERSION = 1;
const MAGIC = new TextEncoder().encode('SPINEPKG');
const PREFIX_BYTES = MAGIC.length + 2 + 4;
const CHECKSUM_BYTES = 32;
/** Largest voxel count a series entry may declare (a 1024 × 1024 × 128 volume): bounds a diff's decoded arrays. */
export const MAX_SERIES_VOXELS = 1024 * 1024 * 128;

/** The dataset a package belongs to: its folder name and content fingerprint (DatasetIndex.identity). */
export interface PackageDataset {
  name: string;
  fingerprint: string;
}

/** What a package holds, as written and as read back. */
export interface PackageContent {
  dataset: PackageDataset;
  annotator: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  appVersion: string;
  /** One entry per series the reader changed: the net diff original → the reader's labels ('rle-u8-v1'). */
  series: ReaderLabelLayer[];
  grades: ReaderGrade[];
  /** What the packer wants the importer to know (other annotators' edits in a series …). */
  warnings: string[];
}

/** A package read and checked: its content, SHA-256 of the whole file (hex) and size. */
export interface DecodedPackage extends PackageContent {
  sha256: string;
  byteLength: number;
}

const FIELD_IDS = GRADING_FIELDS.map((f) => f.field) as [GradingField, ...GradingField[]];
const isoTime = z.string().min(1).max(40).regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'an ISO-8601 UTC time');
const count = z.number().int().min(0).max(0xffff_ffff);

const seriesEntry = z
  .object({
    seriesId,
    voxelCount: z.number().int().min(1).max(MAX_SERIES_VOXELS),
    revision: count,
    changed: z.number().int().min(1).max(MAX_SERIES_VOXELS),
    encoding: z.literal(DIFF_ENCODING),
    offset: count,
    length: z.number().int().min(1).max(0xffff_ffff),
  })
  .strict();

const gradeEntry = z
  .object({
    patientId: z.number().int().min(0).max(1e9),
    ivdLabel: z.number().int().min(1).max(25),
    field: z.enum(FIELD_IDS),
    value: z.number().int().nullable(),
    firstValue: z.number().int().nullable(),
    setAt: isoTime.nullable(),
  })
  .strict();

const headerSchema = z
  .object({
    format: z.literal('spine-annotation-package'),
    dataset: z.object({ name: z.string().min(1).max(255), fingerprint: z.string().min(1).max(200) }).strict(),
    annotator: annotatorName,
    createdAt: isoTime,
    appVersion: z.string().min(1).max(100),
    series: z.array(seriesEntry).max(100_000),
    grades: z.array(gradeEntry).max(1_000_000),
    warnings: z.array(z.string().max(2000)).max(10_000),
  })
  .strict();

type Header = z.infer<typeof headerSchema>;

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());
const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** Writes a package: the inverse of {@link decodePackage}. Diffs are taken as given (the packer made them). */
export function encodePackage(c: PackageContent): Uint8Array {
  let offset = 0;
  const header: Header = {
    format: 'spine-annotation-package',
    dataset: { name: c.dataset.name, fingerprint: c.dataset.fingerprint },
    annotator: c.annotator,
    createdAt: c.createdAt,
    appVersion: c.appVersion,
    series: c.series.map((s) => {
      const entry = {
        seriesId: s.seriesId, voxelCount: s.voxelCount, revision: s.revision, changed: s.changed,
        encoding: DIFF_ENCODING, offset, length: s.diff.length,
      } as const;
      offset += s.diff.length;
      return entry;
    }),
    grades: c.grades.map((g) => ({ ...g })),
    warnings: [...c.warnings],
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(PREFIX_BYTES + json.length + offset);
  body.set(MAGIC, 0);
  const view = new DataView(body.buffer);
  view.setUint16(MAGIC.length, PACKAGE_FORMAT_VERSION, true);
  view.setUint32(MAGIC.length + 2, json.length, true);
  body.set(json, PREFIX_BYTES);
  let at = PREFIX_BYTES + json.length;
  for (const s of c.series) {
    body.set(s.diff, at);
    at += s.diff.length;
  }
  const out = new Uint8Array(body.length + CHECKSUM_BYTES);
  out.set(body, 0);
  out.set(sha256(body), body.length);
  return out;
}

/** Options of {@link decodePackage}. */
export interface DecodeOptions {
  /** The dataset it must belong to; another one is AppError('invalid_request') naming both. */
  dataset?: PackageDataset;
  /** Voxel count of a series' image in that dataset, null when the dataset has no such series (openable). */
  voxelsOf?(seriesId: string): number | null;
}

/**
 * Reads and checks a package completely: magic, format version (a newer one is refused saying so), lengths and
 * offsets, checksum, the header's strict schema, the dataset (when given), every series (known, right size when
 * `voxelsOf` is given; each diff decodes, changes the declared number of voxels and writes SPIDER labels only),
 * every grade (legal values, not both empty), no duplicates.
 * @throws AppError('invalid_file', '<fileName>: <problem>', { file }); AppError('invalid_request') for another
 * dataset or a series the dataset lacks.
 */
export function decodePackage(bytes: Uint8Array, fileName: string, opts: DecodeOptions = {}): DecodedPackage {
  const bad = (problem: string): AppError => new AppError('invalid_file', `${fileName}: ${problem}`, { file: fileName });
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw bad('not a Spine Workstation annotation package (wrong magic bytes)');
  }
  if (bytes.length < PREFIX_BYTES + CHECKSUM_BYTES) throw bad(`truncated: ${bytes.length} bytes is shorter than any package`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(MAGIC.length, true);
  if (version > PACKAGE_FORMAT_VERSION) {
    throw bad(`written in package format ${version} by a newer workstation; this one reads format ${PACKAGE_FORMAT_VERSION}. Update the workstation to import it`);
  }
  if (version < 1) throw bad(`unknown package format ${version}`);
  const headerLength = view.getUint32(MAGIC.length + 2, true);
  const bodyEnd = bytes.length - CHECKSUM_BYTES;
  if (headerLength > bodyEnd - PREFIX_BYTES) {
    throw bad(`truncated or damaged: the header claims ${headerLength} bytes, only ${Math.max(0, bodyEnd - PREFIX_BYTES)} remain`);
  }
  const body = bytes.subarray(0, bodyEnd);
  const digest = sha256(body);
  if (digest.some((b, i) => bytes[bodyEnd + i] !== b)) {
    throw bad('corrupted or truncated: its SHA-256 checksum does not match its content');
  }

  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch (err) {
    throw bad(`the header is not UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw bad(`the header is invalid at ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const h = parsed.data;
  const ds = opts.dataset;
  if (ds && h.dataset.fingerprint !== ds.fingerprint) {
    throw new AppError(
      'invalid_request',
      `${fileName}: the package is for dataset ${h.dataset.name} (fingerprint ${h.dataset.fingerprint.slice(0, 16)}…), ` +
        `not for the open dataset ${ds.name} (fingerprint ${ds.fingerprint.slice(0, 16)}…); nothing was imported`,
      { file: fileName },
    );
  }

  const blobs = bytes.subarray(PREFIX_BYTES + headerLength, bodyEnd);
  const series = checkSeries(h, blobs, bad, fileName, opts);
  const grades = checkGrades(h, bad);
  return {
    dataset: h.dataset, annotator: h.annotator, createdAt: h.createdAt, appVersion: h.appVersion,
    series, grades, warnings: h.warnings, sha256: hex(sha256(bytes)), byteLength: bytes.length,
  };
}

function checkSeries(
  h: Header, blobs: Uint8Array, bad: (p: string) => AppError, fileName: string, opts: DecodeOptions,
): ReaderLabelLayer[] {
  const seen = new Set<string>();
  let expected = 0;
  for (const s of h.series) {
    if (seen.has(s.seriesId)) throw bad(`series ${s.seriesId} appears twice`);
    seen.add(s.seriesId);
    if (s.offset !== expected || s.length > blobs.length - expected) {
      throw bad(`the diff of series ${s.seriesId} lies outside its place (bytes ${s.offset}+${s.length}, expected from ${expected} within ${blobs.length})`);
    }
    if (s.changed > s.voxelCount) throw bad(`series ${s.seriesId} changes ${s.changed} voxels of ${s.voxelCount}`);
    expected += s.length;
  }
  if (expected !== blobs.length) throw bad(`${blobs.length - expected} bytes after the last diff belong to no series`);
  if (opts.voxelsOf) {
    for (const s of h.series) {
      const n = opts.voxelsOf(s.seriesId);
      if (n === null) {
        throw new AppError('invalid_request', `${fileName}: series ${s.seriesId} is not in this dataset (or its image cannot be opened); nothing was imported`, { file: fileName });
      }
      if (n !== s.voxelCount) throw bad(`series ${s.seriesId} is for ${s.voxelCount} voxels, the dataset's image has ${n}`);
    }
  }
  return h.series.map((s) => {
    const diff = blobs.slice(s.offset, s.offset + s.length);
    let after: Uint8Array;
    try {
      const d = decodeDiff(diff, s.voxelCount);
      if (d.indices.length !== s.changed) throw new DiffFormatError(`it changes ${d.indices.length} voxels, the header says ${s.changed}`);
      after = d.after;
    } catch (err) {
      if (err instanceof DiffFormatError || err instanceof RangeError) throw bad(`the label diff of series ${s.seriesId} is malformed: ${err.message}`);
      throw err;
    }
    const written = new Set(after);
    for (const v of written) if (!isKnownLabel(v)) throw bad(`series ${s.seriesId} writes the label value ${v}, which is no SPIDER label`);
    return { seriesId: s.seriesId, voxelCount: s.voxelCount, changed: s.changed, encoding: DIFF_ENCODING, diff, revision: s.revision };
  });
}

function checkGrades(h: Header, bad: (p: string) => AppError): ReaderGrade[] {
  const seen = new Set<string>();
  for (const g of h.grades) {
    const key = `${g.patientId}:${g.ivdLabel}:${g.field}`;
    const where = `patient ${g.patientId}, IVD ${g.ivdLabel}, ${g.field}`;
    if (seen.has(key)) throw bad(`the grade of ${where} appears twice`);
    seen.add(key);
    for (const v of [g.value, g.firstValue]) {
      if (v !== null && !isLegalGradingValue(g.field, v)) throw bad(`the grade of ${where} has the illegal value ${v}`);
    }
    if (g.value === null && g.firstValue === null) throw bad(`the grade of ${where} holds no value`);
  }
  return h.grades.map((g) => ({ ...g }));
}
