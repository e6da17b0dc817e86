// Fuzz target 1 (issue 11, item 10): mutated MetaImage files (.mha, and .mhd + data file) through the reader
// (readMetaImage, readMetaImageHeader, readMetaImageHeaderSync; plain and confined to the dataset with `within`),
// the dataset scan, and openSeries + volumeBytes of a workstation on a temporary store. Every case starts from a
// valid small volume written by the project's writer (encodeMetaImage) and puts the mutated file in place of an
// image, a mask, or the image of a series without a mask, in a tiny SPIDER-layout dataset with an intact control
// series. Ten cases share one dataset folder (one series each, named after the case), one scan and one workstation.
//
// Each case must end in a typed error or a correct result (voxels checked against an independent decode), never an
// untyped error or a hang; allocate no more than its files justify; and the store's integrity_check stays 'ok'
// and the dataset's bytes unchanged. Failures are collected per property and printed as reproducible cases.
import { setTag, startRecording, stopRecording, watchAllocations } from './allocWatch.js'; // first: wraps the allocators before the project's modules load
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import type { OpenSeriesResponse } from '../../common/contract.js';
import { sameGrid, voxelCount, type VolumeGeometry } from '../../common/geometry.js';
import { encodeDiff } from '../../common/labelDiff.js';
import { scanDataset, type DatasetIndex } from '../../main/core/dataset/index.js';
import {
  encodeMetaImage,
  pixelArrayFor,
  readMetaImage,
  readMetaImageHeader,
  readMetaImageHeaderSync,
  type MetaImage,
  type MetaImageHeader,
  type PixelType,
} from '../../main/core/mha/index.js';
import { openWorkstation, toLabelBytes, type Workstation } from '../../main/core/workstation.js';
import {
  attempt,
  badOutcome,
  caseIndices,
  caseRng,
  describe,
  FailureLog,
  FUZZ_SEED,
  gradingsCsvFor,
  outcomeLabel,
  hashTree,
  imageBytes,
  maskBytes,
  overviewCsv,
  patternImage,
  put,
  REPRODUCING,
  spiderLabels,
  storeIntegrity,
  tinyGrid,
  treeDiff,
  type Failure,
  type Outcome,
  trace,
  type Rng,
} from './fuzzKit.js';
import { mutate, setField, type MetaDraft } from './metaimageMutations.js';

const TARGET = 'metaimage';
const CASES = 1000;
/** Cases sharing one dataset folder, scan and workstation. */
const BATCH = 10;
/** zlib cannot expand more than 1032:1 (main/core/mha/decode.ts): the most voxel bytes a file can justify. */
const INFLATE_RATIO = 1032;
/** Allocations below this are never questioned (SQLite, zod, intensity statistics, the tiny volumes themselves). */
const ALLOCATION_FLOOR = 8 * 1024 * 1024;

const PROPERTIES = {
  reader: 'reader: a typed error or a result, never untyped, never a hang',
  readerOracle: 'reader: header readers agree, voxels match an independent decode, nothing outside the dataset is read',
  scan: 'scan: completes, reports the broken file, keeps the rest',
  workstation: 'workstation: openSeries/volumeBytes give a typed error or the right volumes',
  memory: 'memory: no allocation larger than the files justify',
  integrity: 'store: PRAGMA integrity_check is ok',
  unchanged: 'dataset: bytes unchanged',
} as const;

const log = new FailureLog(TARGET, 'tests/fuzz/metaimage.test.ts');
let runDir: string;

type Role = 'image' | 'mask' | 'lone';
const ALL_TYPES: PixelType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'];
const MASK_TYPES: PixelType[] = ['int16', 'int16', 'int16', 'uint8', 'uint16', 'int32', 'float32'];

interface Case {
  index: number;
  input: string;
  role: Role;
  seriesId: string;
  /** Absolute and dataset-relative path of the mutated header file. */
  abs: string;
  rel: string;
  /** The grid the mutated file was written on (and its valid partner's). */
  grid: VolumeGeometry;
  /** Largest file of the case, for the allocation budget. */
  largestFile: number;
}

type Fail = (property: string, kind: string, detail: string) => void;

function bytesPer(t: PixelType): number {
  return t.endsWith('64') ? 8 : t.endsWith('32') ? 4 : t.endsWith('16') ? 2 : 1;
}

function labelsAs(g: VolumeGeometry, t: PixelType): MetaImage['data'] {
  const labels = spiderLabels(g);
  const out = pixelArrayFor(t, labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = t === 'uint8' || t === 'int8' ? labels[i]! & 0xff : labels[i]!;
  return out;
}

/** The writer's .mha of a volume split into header lines and payload: the draft to mutate. */
function draftOf(g: VolumeGeometry, t: PixelType, compressed: boolean, container: 'mha' | 'mhd', dataName: string, mask: boolean, salt: number): MetaDraft {
  const data = mask ? labelsAs(g, t) : patternImage(g, t, salt);
  const bytes = encodeMetaImage({ geometry: g, pixelType: t, data }, { compress: compressed });
  const raw = Buffer.from(encodeMetaImage({ geometry: g, pixelType: t, data }).subarray(-voxelCount(g) * bytesPer(t)));
  const marker = Buffer.from('ElementDataFile = LOCAL\n');
  const end = bytes.indexOf(marker) + marker.length;
  const lines = bytes.subarray(0, end).toString('utf8').split('\n').slice(0, -1);
  const d: MetaDraft = {
    container, lines, eol: '\n', bom: false, payload: Buffer.from(bytes.subarray(end)), raw, dataName, compressed, pixelType: t, geometry: g, dropDataFile: false,
  };
  if (container === 'mhd') setField(d, 'ElementDataFile', dataName);
  return d;
}

/**
 * Writes one case into the batch's dataset `ds`: series `<10 + index>_t1` with the mutated file in its role and a
 * valid partner on the same grid, and a file outside `ds` holding a valid payload for the volume (labels for a mask).
 * The files depend only on the seed and the index, so a case reruns alone exactly as it ran in its batch.
 */
function buildCase(index: number, r: Rng, ds: string, outsideRoot: string): Case {
  const role: Role = r.pick(['image', 'image', 'mask', 'mask', 'lone'] as const);
  const group = r.pick(['A', 'B'] as const);
  const grid = tinyGrid(group, r.int(1, 5), r.int(1, 6), r.int(7, 10));
  const isMask = role === 'mask';
  const pixelType = isMask ? r.pick(MASK_TYPES) : r.pick(ALL_TYPES);
  const compressed = isMask ? r.chance(0.75) : r.chance(0.5);
  const container = r.chance(0.3) ? 'mhd' : 'mha';
  const seriesId = `${10 + index}_t1`;
  const folder = isMask ? 'masks' : 'images';
  const rel = `${folder}/${seriesId}.${container}`;
  const abs = join(ds, rel);
  const dataName = `${seriesId}.${compressed ? 'zraw' : 'raw'}`;
  const draft = draftOf(grid, pixelType, compressed, container, dataName, isMask, index);
  const outsideFile = join(outsideRoot, String(index), 'secret.raw');
  const outsidePayload = draftOf(grid, pixelType, compressed, 'mha', 'LOCAL', isMask, index + 99).payload;
  const { files, notes } = mutate(draft, r, { headerFile: abs, outsideFile, outsidePayload });

  put(outsideFile, outsidePayload);
  put(abs, files.header);
  if (draft.linkData) symlinkSync(outsideFile, join(ds, folder, dataName));
  else if (files.data) put(join(ds, folder, dataName), files.data);
  if (role === 'mask') put(join(ds, 'images', `${seriesId}.mha`), imageBytes(grid, 'int16', false, 1));
  if (role === 'image') put(join(ds, 'masks', `${seriesId}.mha`), maskBytes(grid));
  const largestFile = Math.max(files.header.length, files.data?.length ?? 0, outsidePayload.length, 4096);
  const input = [`${role} ${rel} ${pixelType}${compressed ? ' zlib' : ''} ${group} ${grid.size.join('×')}`, ...notes].join(' | ');
  return { index, input, role, seriesId, abs, rel, grid, largestFile };
}

// --- the oracle: an independent decode of a file the reader accepted --- //

/** The voxel bytes the file holds according to `h` (little-endian), or why they cannot be had. */
function oracleVoxels(h: MetaImageHeader): Buffer | string {
  const src = h.elementDataFile === 'LOCAL' ? readFileSync(h.file) : readFileSync(resolve(dirname(h.file), h.elementDataFile));
  const expected = voxelCount(h.geometry) * bytesPer(h.pixelType);
  const start = h.dataOffset;
  let raw: Buffer;
  if (h.compressed) {
    const end = h.compressedDataSize !== undefined ? start + h.compressedDataSize : src.length;
    try {
      raw = zlib.inflateSync(src.subarray(start, end));
    } catch (err) {
      return `zlib refuses the stream the reader accepted (${String(err)})`;
    }
    if (raw.length !== expected) return `the stream inflates to ${raw.length} bytes, not ${expected}`;
  } else {
    raw = Buffer.from(src.subarray(start, start + expected));
    if (raw.length !== expected) return `the file holds ${raw.length} voxel bytes after offset ${start}, not ${expected}`;
  }
  raw = Buffer.from(raw);
  const size = bytesPer(h.pixelType);
  if (h.byteOrderMSB && size === 2) raw.swap16();
  else if (h.byteOrderMSB && size === 4) raw.swap32();
  else if (h.byteOrderMSB && size === 8) raw.swap64();
  return raw;
}

const bufOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function sameHeader(a: MetaImageHeader, b: MetaImageHeader): boolean {
  const key = (h: MetaImageHeader) => JSON.stringify([h.geometry, h.pixelType, h.compressed, h.compressedDataSize, h.byteOrderMSB, h.dataOffset, h.elementDataFile]);
  return key(a) === key(b);
}

/** The real path of `p` where it exists (symlinks followed), else `p` as written. */
function realish(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** True when `target` lies strictly inside `root` (the reader's rule for `within`). */
function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

const ELEMENT_CTOR: Record<PixelType, string> = {
  uint8: 'Uint8Array', int8: 'Int8Array', uint16: 'Uint16Array', int16: 'Int16Array', uint32: 'Uint32Array', int32: 'Int32Array', float32: 'Float32Array', float64: 'Float64Array',
};

interface Reads {
  header: Outcome<MetaImageHeader>;
  headerSync: Outcome<MetaImageHeader>;
  full: Outcome<MetaImage & { header: MetaImageHeader }>;
}

async function readAll(file: string, within?: string): Promise<Reads> {
  const opts = within === undefined ? {} : { within };
  return {
    header: await attempt(() => readMetaImageHeader(file, opts)),
    headerSync: await attempt(() => readMetaImageHeaderSync(file, opts)),
    full: await attempt(() => readMetaImage(file, opts)),
  };
}

/** The three readers agree with each other, and an accepted file's voxels match an independent decode. */
function checkReads(label: string, reads: Reads, fail: Fail): void {
  const P = PROPERTIES.readerOracle;
  const { header, headerSync, full } = reads;
  for (const [name, o] of [['readMetaImageHeader', header], ['readMetaImageHeaderSync', headerSync], ['readMetaImage', full]] as const) {
    const bad = badOutcome(o);
    if (bad) fail(PROPERTIES.reader, `${name}${label}: ${o.kind === 'hang' ? 'hang' : 'untyped error'}`, bad);
  }
  const codeOf = (o: Outcome<unknown>) => (o.kind === 'typed' ? o.error.code : o.kind);
  if (codeOf(header) !== codeOf(headerSync)) {
    fail(P, `async and sync header readers disagree${label}`, `${describe(header)} vs ${describe(headerSync)}`);
  } else if (header.kind === 'ok' && headerSync.kind === 'ok' && !sameHeader(header.value, headerSync.value)) {
    fail(P, `async and sync header readers disagree${label}`, 'different headers');
  }
  if (full.kind === 'ok') {
    if (header.kind !== 'ok') return fail(P, `readMetaImage accepts a file whose header is refused${label}`, describe(header));
    const img = full.value;
    if (!sameHeader(img.header, header.value)) fail(P, `readMetaImage and readMetaImageHeader disagree${label}`, 'different headers');
    if (img.data.length !== voxelCount(img.geometry)) fail(P, 'wrong voxel count', `${img.data.length} voxels for ${img.geometry.size.join('×')}`);
    if (img.data.constructor.name !== ELEMENT_CTOR[img.pixelType]) fail(P, 'wrong array type', `${img.data.constructor.name} for ${img.pixelType}`);
    const g = img.geometry;
    if (![...g.spacing, ...g.origin, ...g.direction].every(Number.isFinite) || !g.spacing.every((s) => s > 0)) {
      fail(P, 'non-finite or non-positive geometry accepted', JSON.stringify(g));
    }
    const oracle = oracleVoxels(img.header);
    if (typeof oracle === 'string') fail(P, `reader accepted what an independent decode refuses${label}`, oracle);
    else if (!oracle.equals(bufOf(img.data))) fail(P, `voxels differ from an independent decode${label}`, `${oracle.length} bytes`);
  } else if (full.kind === 'typed' && header.kind === 'typed' && full.error.code !== header.error.code && full.error.code !== 'too_large') {
    // (The size cap is checked before the data file is located, so 'too_large' may come first.)
    fail(P, `header and full reader refuse with different codes${label}`, `${describe(header)} vs ${describe(full)}`);
  }
}

/**
 * Plain reads vs reads confined to the dataset: a data file outside the dataset is refused with 'invalid_dataset'
 * by the confined reader; inside, both decode the same voxels or refuse alike.
 */
function checkConfinement(c: Case, ds: string, plain: Reads, within: Reads, fail: Fail): boolean {
  const P = PROPERTIES.readerOracle;
  const h = plain.header;
  const dataPath = h.kind === 'ok' && h.value.elementDataFile !== 'LOCAL' ? realish(resolve(dirname(c.abs), h.value.elementDataFile)) : null;
  const outside = dataPath !== null && !isInside(realish(ds), dataPath);
  if (outside) {
    // The header reader must say why; the full reader may refuse for another reason first (e.g. too_large).
    if (!(within.header.kind === 'typed' && within.header.error.code === 'invalid_dataset')) {
      fail(P, 'readMetaImageHeader within the dataset accepts a data file outside it', `${dataPath}: ${describe(within.header)}`);
    }
    if (within.full.kind === 'ok') fail(P, 'readMetaImage within the dataset reads a data file outside it', `${dataPath}`);
  } else if (plain.full.kind !== within.full.kind || (plain.full.kind === 'typed' && within.full.kind === 'typed' && plain.full.error.code !== within.full.error.code)) {
    fail(P, 'readMetaImage with and without `within` disagree on a file inside the dataset', `${describe(plain.full)} vs ${describe(within.full)}`);
  }
  return outside;
}

function checkScan(c: Case, index: DatasetIndex, header: Outcome<MetaImageHeader>, fail: Fail): void {
  const P = PROPERTIES.scan;
  const entry = index.series.find((s) => s.id === c.seriesId);
  if (!entry) return fail(P, 'the series of the mutated file is missing', c.seriesId);
  const got = c.role === 'mask' ? entry.mask : entry.image;
  if (header.kind === 'ok') {
    if (!got) fail(P, 'a header the reader reads is reported unreadable', JSON.stringify(entry.problems.map((p) => p.message)));
    else if (JSON.stringify(got.geometry) !== JSON.stringify(header.value.geometry) || got.pixelType !== header.value.pixelType) {
      fail(P, 'scan and reader disagree on the header', `${JSON.stringify(got.geometry)} vs ${JSON.stringify(header.value.geometry)}`);
    }
  } else if (got) {
    fail(P, 'a header the reader refuses is listed as readable', describe(header));
  } else if (!entry.problems.some((p) => p.code === (header.kind === 'typed' && header.error.code === 'invalid_dataset' ? 'outside_dataset' : 'unreadable_header') && p.file === c.rel)) {
    fail(P, 'an unreadable header without an unreadable_header (or outside_dataset) problem', JSON.stringify(entry.problems));
  }
}

type MaskState = 'none' | 'valid' | 'header_unreadable' | 'voxels_unreadable' | 'off_grid' | 'bad_values';

/** What the series' original label volume is, from the test's own confined reads (partner files are valid). */
function maskStateOf(c: Case, within: Reads, image: MetaImage | null): { state: MaskState; labels: Uint8Array | null } {
  if (c.role === 'lone') return { state: 'none', labels: null };
  if (c.role === 'image') {
    if (image && !sameGrid(image.geometry, c.grid)) return { state: 'off_grid', labels: null };
    return { state: 'valid', labels: Uint8Array.from(spiderLabels(c.grid)) };
  }
  if (within.header.kind !== 'ok') return { state: 'header_unreadable', labels: null };
  if (within.full.kind !== 'ok') return { state: 'voxels_unreadable', labels: null };
  if (!sameGrid(within.full.value.geometry, c.grid)) return { state: 'off_grid', labels: null };
  try {
    return { state: 'valid', labels: Uint8Array.from(toLabelBytes(within.full.value.data, c.rel)) };
  } catch {
    return { state: 'bad_values', labels: null };
  }
}

function isReadOnlyUnreadable(res: OpenSeriesResponse): boolean {
  return (res.mask as { source: string }).source === 'unreadable' && typeof res.readOnly === 'string' && res.readOnly.length > 0;
}

/** A read-only series refuses a well-formed edit with 'read_only'. */
async function checkEditRefused(ws: Workstation, seriesId: string, res: OpenSeriesResponse, labels: Uint8Array, fail: Fail): Promise<void> {
  const diff = encodeDiff({ indices: Uint32Array.of(0), before: Uint8Array.of(labels[0]!), after: Uint8Array.of(labels[0] === 1 ? 2 : 1) });
  const edit = await attempt(() => ws.service.commitEdit({ seriesId, baseRevision: res.revision, tool: 'brush', label: 1, description: 'fuzz', diff }));
  if (edit.kind !== 'typed' || edit.error.code !== 'read_only') fail(PROPERTIES.workstation, 'a read-only series accepts an edit', `commitEdit ${describe(edit)}`);
}

/** openSeries + volumeBytes of the case's series, judged against the test's own reads. */
async function checkSeries(ws: Workstation, c: Case, ds: string, within: Reads, followsOutside: boolean, fail: Fail, sink: FailureLog): Promise<void> {
  const P = PROPERTIES.workstation;
  const open = await attempt(() => ws.service.openSeries({ seriesId: c.seriesId }));
  sink.count('openSeries', open.kind === 'ok' ? `ok, mask ${(open.value.mask as { source: string }).source}` : outcomeLabel(open));
  const imageOut = await attempt(() => ws.volumeBytes(c.seriesId, 'image'));
  const maskOut = await attempt(() => ws.volumeBytes(c.seriesId, 'mask'));
  for (const [name, o] of [['openSeries', open], ['volumeBytes image', imageOut], ['volumeBytes mask', maskOut]] as const) {
    const bad = badOutcome(o);
    if (bad) fail(P, `${name}: ${o.kind === 'hang' ? 'hang' : 'untyped error'}`, bad);
  }
  if (open.kind === 'untyped' || open.kind === 'hang') return;
  const outcome = `openSeries ${describe(open)}`;

  if (followsOutside) {
    // A plain reader would take this file's voxels from outside the dataset folder: the workstation must refuse.
    const refused = open.kind === 'typed' && open.error.code === 'invalid_dataset';
    const readOnlyMask = c.role === 'mask' && open.kind === 'ok' && isReadOnlyUnreadable(open.value);
    if (!refused && !readOnlyMask) fail(P, `a data file outside the dataset: not refused with 'invalid_dataset' (${c.role})`, outcome);
    if (imageOut.kind === 'ok' && c.role !== 'mask') fail(P, 'volumeBytes serves an image whose data file is outside the dataset', describe(imageOut));
    return;
  }
  // The image the series must show: the mutated file (image roles) or the valid partner (mask role).
  const image: MetaImage | null = c.role === 'mask' ? await readMetaImage(join(ds, 'images', `${c.seriesId}.mha`)) : within.full.kind === 'ok' ? within.full.value : null;
  if (!image) {
    if (open.kind === 'ok') fail(P, 'a series whose image cannot be read opens', `${describe(within.full)} but ${outcome}`);
    else if (imageOut.kind === 'ok') fail(P, 'volumeBytes serves an unreadable image', describe(within.full));
    return;
  }
  const mask = maskStateOf(c, within, image);
  if (open.kind !== 'ok') {
    // A typed refusal is acceptable where the labels cannot be read exactly (else the series must open).
    if (!['voxels_unreadable', 'off_grid', 'bad_values'].includes(mask.state)) fail(P, `a readable series is refused (mask ${mask.state})`, outcome);
    return;
  }
  const res = open.value;
  if (res.image.pixelType !== image.pixelType || res.image.byteLength !== image.data.byteLength || JSON.stringify(res.image.geometry) !== JSON.stringify(image.geometry)) {
    fail(P, 'openSeries describes another image', `${res.image.pixelType} ${res.image.byteLength} B vs ${image.pixelType} ${image.data.byteLength} B`);
  }
  if (imageOut.kind !== 'ok') fail(P, 'openSeries succeeds but volumeBytes(image) fails', describe(imageOut));
  else if (!bufOf(imageOut.value).equals(bufOf(image.data))) fail(P, 'volumeBytes(image) differs from the file', `${imageOut.value.byteLength} bytes`);
  if (maskOut.kind !== 'ok') return fail(P, 'openSeries succeeds but volumeBytes(mask) fails', describe(maskOut));
  const served = maskOut.value;
  const n = voxelCount(image.geometry);
  if (served.length !== n) fail(P, 'label volume of the wrong size', `${served.length} for ${n} voxels`);
  const source = (res.mask as { source: string }).source;
  if (mask.state === 'none') {
    if (source !== 'empty' || served.some((v) => v !== 0)) fail(P, 'a series without a mask file does not open empty', `source ${source}`);
  } else if (mask.state === 'valid') {
    if (source !== 'file') fail(P, `a valid mask is served as '${source}'`, JSON.stringify(res.readOnly));
    else if (!Buffer.from(served).equals(Buffer.from(mask.labels!))) fail(P, 'served labels differ from the mask file', `${served.length} bytes`);
  } else if (!isReadOnlyUnreadable(res)) {
    fail(P, `an unreadable mask (${mask.state}) opens editable as '${source}'`, `readOnly ${JSON.stringify(res.readOnly)}`);
  } else {
    if (served.some((v) => v !== 0)) fail(P, 'an unreadable mask serves labels', 'non-zero voxels');
    await checkEditRefused(ws, c.seriesId, res, served, fail);
  }
}

// --- one batch of cases --- //

interface MemorySuspect {
  failure: Failure;
  /** The cases before it in its batch, nearest first: a refused open of one of them may have allocated late. */
  earlier: number[];
}

/**
 * Runs one batch of cases. Allocation failures of the openSeries stage go to `suspects` instead of the log: with
 * several series in one workstation, background work of a refused open can land in the next case's window.
 * `settleMs`: how long the workstation stays open after the last case, for such background work to finish.
 */
async function runBatch(indices: readonly number[], batchNo: number, sink: FailureLog, suspects: MemorySuspect[], settleMs: number): Promise<void> {
  const dir = join(runDir, `b${batchNo}`);
  const ds = join(dir, 'ds');
  const outsideRoot = join(dir, 'outside');
  const storeFile = join(dir, 'store.sqlite');
  const cases = indices.map((i) => buildCase(i, caseRng(TARGET, i), ds, outsideRoot));
  const control = tinyGrid('A');
  put(join(ds, 'images', '1_t2.mha'), imageBytes(control, 'int16', true, 3));
  put(join(ds, 'masks', '1_t2.mha'), maskBytes(control));
  const ids = ['1_t2', ...cases.map((c) => c.seriesId)];
  put(join(ds, 'overview.csv'), overviewCsv(ids));
  put(join(ds, 'radiological_gradings.csv'), gradingsCsvFor([1, ...cases.map((c) => 10 + c.index)]));
  const batchFail = (property: string, kind: string, detail: string): void =>
    sink.add(property, { case: indices[0]!, input: `batch of cases ${indices.join(',')}`, kind, detail });
  const failFor = (c: Case): Fail => (property, kind, detail) => sink.add(property, { case: c.index, input: c.input, kind, detail });
  const budgetOf = (bytes: number) => Math.max(ALLOCATION_FLOOR, INFLATE_RATIO * bytes + 1024 * 1024);
  const checkMemory = (fail: Fail, w: { largest: number; what: string }, largestFile: number, stage: string): void => {
    const budget = budgetOf(largestFile);
    if (w.largest > budget) fail(PROPERTIES.memory, `${stage}: allocation beyond the file size`, `${w.what}: ${w.largest} bytes for files of at most ${largestFile} bytes (budget ${budget})`);
  };
  const before = { ds: hashTree(ds), outside: hashTree(outsideRoot) };

  // 1. The reader, plain and confined, per case.
  const reads = new Map<number, { plain: Reads; within: Reads; followsOutside: boolean }>();
  for (const c of cases) {
    const fail = failFor(c);
    const w = await watchAllocations(async () => {
      const plain = await readAll(c.abs);
      const within = await readAll(c.abs, ds);
      checkReads('', plain, fail);
      checkReads(' (within)', within, fail);
      sink.count('readMetaImage within the dataset', outcomeLabel(within.full));
      sink.count('role of the mutated file', c.role);
      const outside = checkConfinement(c, ds, plain, within, fail);
      return { plain, within, followsOutside: outside && plain.full.kind === 'ok' };
    });
    checkMemory(fail, w, c.largestFile, 'reader');
    reads.set(c.index, w.value);
  }

  // 2. One scan of the batch's dataset.
  const largest = Math.max(...cases.map((c) => c.largestFile));
  const scanned = await watchAllocations(() => attempt(() => scanDataset(ds)));
  checkMemory(batchFail, scanned, largest, 'scan');
  const scan = scanned.value;
  if (scan.kind !== 'ok') batchFail(PROPERTIES.scan, `scan ${scan.kind}`, describe(scan));
  else {
    const ctl = scan.value.series.find((s) => s.id === '1_t2');
    if (!ctl || !ctl.image || !ctl.mask || ctl.problems.length > 0) batchFail(PROPERTIES.scan, 'the intact control series was affected', JSON.stringify(ctl?.problems ?? 'missing'));
    for (const c of cases) checkScan(c, scan.value, reads.get(c.index)!.within.header, failFor(c));
  }

  // 3. One workstation: the control series, then each case's series.
  const opened = await watchAllocations(() => attempt(() => openWorkstation({ datasetRoot: ds, storeFile, annotator: 'fuzz', log: () => undefined })));
  checkMemory(batchFail, opened, largest, 'openWorkstation');
  if (opened.value.kind !== 'ok') batchFail(PROPERTIES.workstation, `openWorkstation ${opened.value.kind}`, describe(opened.value));
  else {
    const ws = opened.value.value;
    try {
      const ctl = await attempt(() => ws.service.openSeries({ seriesId: '1_t2' }));
      if (ctl.kind !== 'ok') batchFail(PROPERTIES.workstation, 'the intact control series does not open', describe(ctl));
      // Allocations are recorded continuously and tagged with the case running: a refused open may leave its label
      // load running in the background, so one may land while the next case runs (confirmMemory sorts that out).
      startRecording(ALLOCATION_FLOOR);
      try {
        for (const c of cases) {
          setTag(c.index);
          const r = reads.get(c.index)!;
          await checkSeries(ws, c, ds, r.within, r.followsOutside, failFor(c), sink);
        }
        await new Promise((ok) => setTimeout(ok, settleMs));
      } finally {
        const seen = stopRecording();
        for (const a of seen) {
          const position = indices.indexOf(a.tag ?? -1);
          const c = cases[position];
          if (!c || a.bytes <= budgetOf(c.largestFile)) continue;
          const detail = `${a.what}: ${a.bytes} bytes for files of at most ${c.largestFile} bytes (budget ${budgetOf(c.largestFile)})`;
          suspects.push({ failure: { case: c.index, input: c.input, kind: 'openSeries: allocation beyond the file size', detail }, earlier: indices.slice(0, position).reverse() });
        }
      }
    } finally {
      ws.close();
    }
    try {
      const integrity = storeIntegrity(storeFile);
      if (integrity !== 'ok') batchFail(PROPERTIES.integrity, 'integrity_check failed', integrity);
    } catch (err) {
      batchFail(PROPERTIES.integrity, 'the store cannot be opened', String(err));
    }
  }

  const after = { ds: hashTree(ds), outside: hashTree(outsideRoot) };
  const changed = [...treeDiff(before.ds, after.ds), ...treeDiff(before.outside, after.outside).map((f) => `outside/${f}`)];
  if (changed.length > 0) batchFail(PROPERTIES.unchanged, 'dataset files changed', changed.join(', '));
  rmSync(dir, { recursive: true, force: true });
  for (const c of cases) trace(TARGET, c.index, c.input, 0);
}

// --- the run --- //

/**
 * Confirms each allocation suspect by running its case alone with a long settle time; when that does not
 * reproduce it, the earlier cases of its batch are run alone, nearest first; an allocation none reproduces is
 * still reported (it happened).
 */
async function confirmMemory(suspects: readonly MemorySuspect[]): Promise<void> {
  const seen = new Set<number>();
  const alone = async (index: number): Promise<MemorySuspect[]> => {
    const found: MemorySuspect[] = [];
    await runBatch([index], 1_000_000 + index, new FailureLog(TARGET, 'scratch'), found, 50);
    return found;
  };
  for (const s of suspects) {
    if (seen.has(s.failure.case)) continue;
    let confirmed = await alone(s.failure.case);
    if (confirmed.length === 0 && s.earlier.some((i) => seen.has(i))) continue; // explained by an earlier case
    for (const i of s.earlier) {
      if (confirmed.length > 0) break;
      confirmed = await alone(i);
    }
    if (confirmed.length === 0) {
      log.add(PROPERTIES.memory, { ...s.failure, kind: `${s.failure.kind} (seen in a batch, not alone)` });
      seen.add(s.failure.case);
    }
    for (const f of confirmed) {
      if (seen.has(f.failure.case)) continue;
      seen.add(f.failure.case);
      log.add(PROPERTIES.memory, f.failure);
    }
  }
}

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), 'spine-fuzz-mha-'));
  const indices = caseIndices(CASES);
  const suspects: MemorySuspect[] = [];
  for (let b = 0; b * BATCH < indices.length; b++) {
    const batch = indices.slice(b * BATCH, (b + 1) * BATCH);
    await runBatch(batch, b, log, suspects, 10);
    log.cases += batch.length;
  }
  await confirmMemory(suspects);
  log.elapsedMs = performance.now() - log.startedAt;
  log.save();
}, 300_000);

afterAll(() => {
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

group(`MetaImage fuzz: ${CASES} mutated files, seed ${JSON.stringify(FUZZ_SEED)}`, () => {
  it(`ran ${CASES} cases`, () => {
    if (!REPRODUCING) expect(log.cases).toBe(CASES);
  });
  for (const property of Object.values(PROPERTIES)) {
    it(property, () => {
      expect(log.failures(property), log.summary(property)).toEqual([]);
    });
  }
});
