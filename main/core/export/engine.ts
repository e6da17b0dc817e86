// The export engine (issue 6): writes a revised dataset from the source folder + the annotation store, in the
// SPIDER layout (.mha) or as nnU-Net v2 raw data (.nii.gz), into DIR.partial, then renames it to DIR.
//
// What is written (SPIDER layout):
//   images/        byte-identical copies (copy-on-write clones where the filesystem supports them, never links)
//   masks/         a series whose label volume (original + active journal edits) differs from the original
//                  mask is rebuilt in the mask's pixel type with its header fields (compression as the original);
//                  every other mask is copied byte for byte
//   overview.csv   byte-identical copy
//   radiological_gradings.csv  see gradingsCsv.ts
//   export-manifest.json + CHANGES.md  see manifest.ts
// In a full export every other regular file of images/, masks/ and the top folder is copied too, so an export
// without edits reproduces every input file byte for byte.
//
// --changed-only keeps in images/ + masks/ (or imagesTr/ + labelsTr/) only the series whose exported labels
// differ from the original, plus every series of a patient with a grading change (gradings are per patient).
// The CSVs stay complete, so a changed-only export copied over the source gives the full revised dataset.
//
// Snapshot: the gradings are read once, in one synchronous block, when the export starts. Each series' labels
// are read at the revision the journal holds when the export reaches that series (one synchronous store read,
// recorded in the manifest); edits made after that go into the next export. Edits made while the export runs
// never produce a mix of two revisions within one series.
//
// Speed and memory: compare/convert/zlib/SHA-256 run on worker threads (workerPool.ts); at most one series per
// worker is in flight, so memory stays bounded by `workers` series.
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, realpath, writeFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { createHash } from 'node:crypto';
import type { ExportResult } from '../../../common/contract.js';
import { AppError } from '../../../common/errors.js';
import { orientationCode, sameGrid, voxelCount, type VolumeGeometry } from '../../../common/geometry.js';
import { labelInfo } from '../../../common/labels.js';
import { mapLimit } from '../dataset/concurrency.js';
import { GRADINGS_FILE, IMAGES_DIR, MASKS_DIR, OVERVIEW_FILE, type DatasetIndex, type SeriesEntry } from '../dataset/index.js';
import type { LabelJournal } from '../labels/labelState.js';
import { DEFAULT_LEVEL, readMetaImage, readMetaImageHeader, type PixelType } from '../mha/index.js';
import { bytesPerVoxel, PIXEL_TYPES } from '../mha/pixelTypes.js';
import type { Store } from '../store/index.js';
import { exportGradings, LevelsNotExportedError, type GradingsExport } from './gradingsCsv.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, renderChanges, type ExportManifest, type FileRecord, type LabelChange, type SeriesRecord } from './manifest.js';
import { niftiHeader, nnunetLabels, PARTIAL_FOLD_NOTE, remapDocument, remapTable } from './nifti.js';
import { abandonTarget, CHANGES_FILE, commitTarget, MANIFEST_FILE, OWNER_FILE, prepareTarget, type ExportTarget } from './target.js';
import { createWorkerPool, transferable, type LabelCounts, type WorkerPool } from './workerPool.js';

export type ExportFormat = 'mha' | 'nifti';

export interface ExportRequest {
  /** Absolute path of the folder to create. */
  outDir: string;
  format: ExportFormat;
  changedOnly: boolean;
  force: boolean;
  /** Refuse (LevelsNotExportedError, nothing written) when a graded level would be left out of the gradings CSV. */
  strict?: boolean;
}

export interface ExportDeps {
  index: DatasetIndex;
  store: Store;
  journal: LabelJournal;
  /** The annotation store file (never inside the output). */
  storeFile: string | null;
  /** Worker threads (default: available cores, at most 4). */
  workers?: number;
  /** zlib level of rebuilt masks and .nii.gz files (default the MetaImage writer's, 2). */
  level?: number;
  /** Workstation version for the manifest (default: package.json's). */
  appVersion?: string;
}

export interface ExportProgress {
  phase: 'preparing' | 'writing' | 'finishing';
  filesDone: number;
  filesTotal: number;
  /** Work in bytes: source files copied plus voxel bytes of the volumes rebuilt or converted. */
  bytesDone: number;
  bytesTotal: number;
  /** Series being processed (for display). */
  current: string | null;
}

/** What a finished export wrote (the contract's ExportResult). */
export type ExportSummary = ExportResult;

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
}

/** Thrown when the export was cancelled (DIR.partial has been removed; DIR untouched). */
export class ExportCancelledError extends AppError {
  constructor() {
    super('conflict', 'Export cancelled');
    this.name = 'ExportCancelledError';
  }
}

export const DEFAULT_EXPORT_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

let cachedVersion: string | null = null;
/** The workstation version from package.json ('unknown' where it cannot be read, e.g. inside an archive). */
export function workstationVersion(): string {
  if (cachedVersion === null) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

// --- helpers --- //

const OPPOSITE: Record<string, string> = { L: 'R', R: 'L', P: 'A', A: 'P', S: 'I', I: 'S' };

/** Header fields for a new int16 mask on `g` (a series that had no mask), in ITK's order. */
function newMaskFields(g: VolumeGeometry): Record<string, string> {
  return {
    ObjectType: 'Image',
    NDims: '3',
    BinaryData: 'True',
    BinaryDataByteOrderMSB: 'False',
    CompressedData: 'True',
    TransformMatrix: g.direction.map(String).join(' '),
    Offset: g.origin.map(String).join(' '),
    CenterOfRotation: '0 0 0',
    AnatomicalOrientation: [...orientationCode(g)].map((c) => OPPOSITE[c] ?? '?').join(''),
    ElementSpacing: g.spacing.map(String).join(' '),
    DimSize: g.size.join(' '),
    ElementType: PIXEL_TYPES.int16.elementType,
    ElementDataFile: 'LOCAL',
  };
}

/**
 * The header of a rebuilt mask: the original's fields in the original order and text, with only what describes
 * the stored bytes replaced (little-endian, compression and its size, data file; HeaderSize dropped).
 */
export function rebuiltHeader(fields: Record<string, string>, compressedSize: number | null, dataFile: string): string {
  const lines: string[] = [];
  let sawCompressed = false;
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'ElementDataFile' || k === 'HeaderSize' || k === 'CompressedDataSize') continue;
    if (k === 'BinaryDataByteOrderMSB' || k === 'ElementByteOrderMSB') lines.push(`${k} = False`);
    else if (k === 'CompressedData') {
      sawCompressed = true;
      lines.push(`CompressedData = ${compressedSize === null ? 'False' : 'True'}`);
      if (compressedSize !== null) lines.push(`CompressedDataSize = ${compressedSize}`);
    } else lines.push(`${k} = ${v}`);
  }
  if (!sawCompressed && compressedSize !== null) lines.push('CompressedData = True', `CompressedDataSize = ${compressedSize}`);
  lines.push(`ElementDataFile = ${dataFile}`);
  return lines.join('\n') + '\n';
}

async function writeParts(file: string, parts: Uint8Array[]): Promise<{ bytes: number; sha256: string }> {
  const fh = await open(file, 'wx');
  try {
    let pos = 0;
    for (const p of parts) {
      let off = 0;
      while (off < p.length) {
        const { bytesWritten } = await fh.write(p, off, p.length - off, pos);
        off += bytesWritten;
        pos += bytesWritten;
      }
    }
  } finally {
    await fh.close();
  }
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return { bytes: parts.reduce((s, p) => s + p.length, 0), sha256: h.digest('hex') };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The files of a volume relative to the root: the .mha, or the .mhd and its data file. */
async function volumeFiles(root: string, rel: string): Promise<string[]> {
  let files = [rel];
  if (/\.mhd$/i.test(rel)) {
    const h = await readMetaImageHeader(join(root, rel), { within: root });
    const folder = rel.slice(0, rel.lastIndexOf('/') + 1);
    if (h.elementDataFile !== 'LOCAL' && !/[\\/]/.test(h.elementDataFile)) files = [rel, folder + h.elementDataFile];
  }
  // Every byte copied comes from inside the dataset: a symlink to a file elsewhere is refused, never followed.
  const realRoot = await realpath(root);
  for (const f of files) {
    let real: string;
    try {
      real = await realpath(join(root, f));
    } catch (err) {
      throw new AppError('io', `${f}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be resolved'}`, { file: f, cause: err });
    }
    if (real !== realRoot && !real.startsWith(realRoot + sep)) {
      throw new AppError('invalid_dataset', `${f} resolves outside the dataset folder; it is not copied`, { file: f });
    }
  }
  return files;
}

function labelChanges(counts: LabelCounts, voxelMm3: number): LabelChange[] {
  const out: LabelChange[] = [];
  for (let v = 1; v < 256; v++) {
    const added = counts.added[v] ?? 0;
    const removed = counts.removed[v] ?? 0;
    if (added === 0 && removed === 0) continue;
    const before = counts.origCount[v] ?? 0;
    const after = before - removed + added;
    const inter = before - removed;
    let name: string;
    try {
      name = labelInfo(v).name;
    } catch {
      name = `value ${v}`;
    }
    out.push({
      value: v,
      name,
      voxelsBefore: before,
      voxelsAfter: after,
      added,
      removed,
      dice: before + after === 0 ? 1 : Math.round((2 * inter * 1e6) / (before + after)) / 1e6,
      volumeChangeMm3: Math.round((after - before) * voxelMm3 * 1000) / 1000,
    });
  }
  return out;
}

// --- the run --- //

interface Ctx {
  deps: ExportDeps;
  req: ExportRequest;
  root: string;
  dir: string;
  pool: WorkerPool;
  level: number;
  signal: AbortSignal | undefined;
  files: FileRecord[];
  written: Set<string>;
  warnings: string[];
  progress: ExportProgress;
  report(): void;
  /** Copies (images, unchanged masks) run in their own lane beside the mask work; awaited before the CSVs. */
  copyLane: <T>(fn: () => Promise<T>) => Promise<T>;
  copies: Promise<unknown>[];
}

/** Runs the functions given to it one after the other (a lane of the work; the pool runs the tasks). */
function createLane(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn);
    tail = p.catch(() => undefined);
    return p;
  };
}

function check(ctx: Ctx): void {
  if (ctx.signal?.aborted) throw new ExportCancelledError();
}

async function ensureDir(ctx: Ctx, rel: string): Promise<void> {
  await mkdir(join(ctx.dir, rel), { recursive: true });
}

async function copyInto(ctx: Ctx, rel: string, outRel = rel): Promise<void> {
  check(ctx);
  if (ctx.written.has(outRel)) return;
  ctx.written.add(outRel);
  const r = await ctx.pool.run({ kind: 'copy', src: join(ctx.root, rel), dst: join(ctx.dir, outRel) });
  ctx.files.push({ path: outRel, bytes: r.bytes, sha256: r.sha256, how: 'copied', source: rel });
  ctx.progress.filesDone++;
  ctx.progress.bytesDone += r.bytes;
  ctx.report();
}

async function writeInto(ctx: Ctx, rel: string, parts: Uint8Array[], how: FileRecord['how'], source?: string): Promise<void> {
  check(ctx);
  ctx.written.add(rel);
  const r = await writeParts(join(ctx.dir, rel), parts);
  const rec: FileRecord = { path: rel, bytes: r.bytes, sha256: r.sha256, how };
  if (source !== undefined) rec.source = source;
  ctx.files.push(rec);
  ctx.progress.filesDone++;
  ctx.report();
}

/** A series whose labels are needed but whose mask file cannot be read exactly (the export refuses or leaves it out). */
class MaskNotExportable extends AppError {
  constructor(file: string, reason: string) {
    super('read_only', `${file} cannot be read exactly (${reason}): its labels cannot be exported, and edits stored for it cannot be applied`, { file });
  }
}

interface LabelRead {
  original: Uint8Array | null;
  /** Header fields of the original mask (null without a mask). */
  fields: Record<string, string> | null;
  current: Uint8Array;
  revision: number;
  activeEdits: number;
}

/**
 * Original mask (uint8) and the current labels at one journal revision. The mask is inflated on libuv's pool and
 * converted to one byte per voxel on a worker; the journal replays its edits onto the worker's copy.
 */
async function readLabels(ctx: Ctx, e: SeriesEntry, withEdits: boolean): Promise<LabelRead> {
  const header = e.image!;
  const n = voxelCount(header.geometry);
  let original: Uint8Array | null = null;
  let copy: Uint8Array | null = null;
  let fields: Record<string, string> | null = null;
  if (e.maskFile && !e.mask) {
    // Never a mask rebuilt from an empty volume: the labels of a mask that cannot be read are not known.
    throw new MaskNotExportable(e.maskFile, e.problems.filter((p) => p.file === e.maskFile).map((p) => p.message).join('; ') || 'unreadable header');
  }
  if (e.maskFile && e.mask) {
    let mask: Awaited<ReturnType<typeof readMetaImage>>;
    try {
      mask = await readMetaImage(join(ctx.root, e.maskFile), { within: ctx.root });
    } catch (err) {
      if (err instanceof AppError && err.code !== 'internal') throw new MaskNotExportable(e.maskFile, err.message);
      throw err;
    }
    if (!sameGrid(mask.geometry, header.geometry)) {
      throw new AppError('invalid_file', `${e.maskFile} does not lie on the grid of ${e.imageFile} (size, spacing, origin or direction differ)`, { file: e.maskFile });
    }
    fields = mask.header.fields;
    const bytes = new Uint8Array(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength);
    const r = await ctx.pool.run({ kind: 'labels', bytes, pixelType: mask.pixelType }, transferList(bytes));
    if (r.bad !== undefined) {
      throw new AppError('invalid_file', `${e.maskFile} holds the label value ${r.bad} at voxel ${r.index}; labels must be integers from 0 to 255`, { file: e.maskFile });
    }
    original = r.original!;
    copy = r.copy!;
  }
  check(ctx);
  if (!withEdits) {
    return { original, fields, current: original ?? new Uint8Array(n), revision: ctx.deps.journal.storedRevision(e.id), activeEdits: 0 };
  }
  const activeEdits = ctx.deps.store.edits.count(e.id).active;
  const labels = await ctx.deps.journal.load(e.id, e.patientId, n, async () => copy ?? new Uint8Array(n));
  labels.live = false; // a snapshot: never maintained nor checkpointed
  return { original, fields, current: labels.volume, revision: labels.revision, activeEdits };
}

function transferList(...arrays: (Uint8Array | null)[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) {
    const b = a ? transferable(a) : null;
    if (b && !out.includes(b)) out.push(b);
  }
  return out;
}

interface SeriesPlan {
  entry: SeriesEntry;
  activeEdits: number;
  gradingsChanged: boolean;
}

async function exportSeriesMha(ctx: Ctx, plan: SeriesPlan): Promise<SeriesRecord | null> {
  const e = plan.entry;
  const record: SeriesRecord = {
    seriesId: e.id,
    patientId: e.patientId,
    labels: e.maskFile ? 'unchanged' : 'no_mask',
    revision: ctx.deps.journal.storedRevision(e.id),
    activeEdits: 0,
    included: 'all',
    changes: [],
    files: [],
  };
  let labelsChanged = false;
  const n = e.image ? voxelCount(e.image.geometry) : 0;
  // The image copy is independent of the mask work: queued at once when the series is in the export for sure, so
  // a large series' copy runs on one worker while its mask is rebuilt on the other.
  let imageQueued = false;
  const queueImage = (): void => {
    imageQueued = true;
    ctx.copies.push(
      ctx.copyLane(async () => {
        await ensureDir(ctx, IMAGES_DIR);
        for (const rel of await volumeFiles(ctx.root, e.imageFile)) {
          await copyInto(ctx, rel);
          record.files.push(rel);
        }
      }),
    );
  };
  if (!ctx.req.changedOnly || plan.gradingsChanged) queueImage();
  if (plan.activeEdits > 0 && e.image) {
    ctx.progress.current = e.id;
    const read = await readLabels(ctx, e, true);
    record.revision = read.revision;
    record.activeEdits = read.activeEdits;
    const pixelType: PixelType = e.mask?.pixelType ?? 'int16';
    const compress = e.mask ? e.mask.compressed : true;
    const res = await ctx.pool.run(
      { kind: 'mask', original: read.original, current: read.current, pixelType, compress, level: ctx.level },
      transferList(read.original, read.current),
    );
    check(ctx);
    if (res.overflow !== undefined) {
      throw new AppError('invalid_dataset', `${e.maskFile}: label ${res.overflow} does not fit the mask's pixel type ${pixelType}`, { file: e.maskFile ?? undefined });
    }
    const g = e.image.geometry;
    record.changes = labelChanges(res.stats, g.spacing[0] * g.spacing[1] * g.spacing[2]);
    labelsChanged = res.data !== undefined;
    ctx.progress.bytesDone += n;
    if (labelsChanged) {
      record.labels = 'changed';
      {
        const maskRel = e.maskFile ?? `${MASKS_DIR}/${e.id}.mha`;
        const fields = read.fields ?? newMaskFields(g);
        const split = /\.mhd$/i.test(maskRel);
        const dataName = split ? (fields.ElementDataFile ?? basename(maskRel).replace(/\.mhd$/i, compress ? '.zraw' : '.raw')) : 'LOCAL';
        if (split && (dataName === 'LOCAL' || /[\\/]/.test(dataName))) {
          throw new AppError('invalid_file', `${maskRel}: cannot rebuild a mask whose data file is ${dataName}`, { file: maskRel });
        }
        const head = Buffer.from(rebuiltHeader(fields, compress ? res.data!.length : null, dataName), 'utf8');
        await ensureDir(ctx, MASKS_DIR);
        if (split) {
          const dataRel = `${MASKS_DIR}/${dataName}`;
          await writeInto(ctx, dataRel, [res.data!], 'rebuilt', e.maskFile ?? undefined);
          await writeInto(ctx, maskRel, [head], 'rebuilt', e.maskFile ?? undefined);
          record.files.push(maskRel, dataRel);
        } else {
          await writeInto(ctx, maskRel, [head, res.data!], 'rebuilt', e.maskFile ?? undefined);
          record.files.push(maskRel);
        }
      }
    }
  }
  const include = !ctx.req.changedOnly || labelsChanged || plan.gradingsChanged;
  record.included = !ctx.req.changedOnly ? 'all' : labelsChanged && plan.gradingsChanged ? 'labels_and_gradings_changed' : labelsChanged ? 'labels_changed' : 'gradings_changed';
  if (!include) return null;
  if (!imageQueued) queueImage();
  if (!labelsChanged && e.maskFile) {
    const maskFile = e.maskFile;
    ctx.copies.push(
      ctx.copyLane(async () => {
        await ensureDir(ctx, MASKS_DIR);
        for (const rel of await volumeFiles(ctx.root, maskFile)) {
          await copyInto(ctx, rel);
          record.files.push(rel);
        }
      }),
    );
  }
  return record;
}

async function exportSeriesNifti(ctx: Ctx, plan: SeriesPlan, folded: Map<number, number>): Promise<SeriesRecord | null> {
  const e = plan.entry;
  if (!e.image) {
    ctx.warnings.push(`${e.imageFile}: unreadable image, series ${e.id} left out of the nnU-Net export`);
    return null;
  }
  if (!e.maskFile && plan.activeEdits === 0) {
    ctx.warnings.push(`${e.id}: no mask and no edits, left out of the nnU-Net export (labelsTr needs labels)`);
    return null;
  }
  ctx.progress.current = e.id;
  const g = e.image.geometry;
  const n = voxelCount(g);
  let read: LabelRead;
  try {
    read = await readLabels(ctx, e, plan.activeEdits > 0);
  } catch (err) {
    if (!(err instanceof MaskNotExportable)) throw err;
    // labelsTr needs the labels: the series is left out, and said so in the result, CHANGES.md and the manifest.
    ctx.warnings.push(`${err.message}; series ${e.id} left out of the nnU-Net export`);
    ctx.progress.bytesDone += n * (1 + bytesPerVoxel(e.image.pixelType));
    return null;
  }
  const record: SeriesRecord = {
    seriesId: e.id,
    patientId: e.patientId,
    labels: e.maskFile ? 'unchanged' : 'no_mask',
    revision: read.revision,
    activeEdits: read.activeEdits,
    included: 'all',
    changes: [],
    files: [],
  };
  let labelsChanged = false;
  let current = read.current;
  if (plan.activeEdits > 0) {
    // Stats only (the worker keeps nothing); `current` is handed back as a copy for the remap.
    const keep = current.slice();
    const res = await ctx.pool.run({ kind: 'mask', original: read.original, current, pixelType: 'uint8', compress: false, level: ctx.level }, transferList(read.original, current));
    current = keep;
    record.changes = labelChanges(res.stats, g.spacing[0] * g.spacing[1] * g.spacing[2]);
    labelsChanged = res.stats.changed > 0;
    if (labelsChanged) record.labels = 'changed';
  }
  const include = !ctx.req.changedOnly || labelsChanged || plan.gradingsChanged;
  record.included = !ctx.req.changedOnly ? 'all' : labelsChanged && plan.gradingsChanged ? 'labels_and_gradings_changed' : labelsChanged ? 'labels_changed' : 'gradings_changed';
  if (!include) {
    ctx.progress.bytesDone += n * (1 + bytesPerVoxel(e.image.pixelType));
    return null;
  }
  const labelHeader = niftiHeader({ geometry: g, pixelType: 'uint8', file: e.maskFile ?? e.imageFile, description: `SPIDER ${e.id} labels (nnU-Net remap)` });
  const lab = await ctx.pool.run({ kind: 'remap', current, remap: remapTable(), header: labelHeader, level: ctx.level }, transferList(current));
  check(ctx);
  if (lab.unknown !== undefined) {
    throw new AppError('invalid_dataset', `${e.id}: label value ${lab.unknown} (voxel ${lab.index}) is not a SPIDER value; it has no nnU-Net label`);
  }
  for (let v = 101; v <= 125; v++) {
    const c = lab.counts?.[v] ?? 0;
    if (c > 0) folded.set(v, (folded.get(v) ?? 0) + c);
  }
  await ensureDir(ctx, 'labelsTr');
  const labelRel = `labelsTr/${e.id}.nii.gz`;
  await writeInto(ctx, labelRel, [lab.data!], 'converted', e.maskFile ?? undefined);
  record.files.push(labelRel);
  ctx.progress.bytesDone += n;
  ctx.report();

  const image = await readMetaImage(join(ctx.root, e.imageFile), { within: ctx.root });
  check(ctx);
  if (!sameGrid(image.geometry, g)) throw new AppError('invalid_file', `${e.imageFile} changed since the dataset was scanned`, { file: e.imageFile });
  const bytes = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const imageBytes = bytes.length; // `bytes` is moved to the worker
  const imageHeader = niftiHeader({ geometry: g, pixelType: image.pixelType, file: e.imageFile, description: `SPIDER ${e.id}` });
  const img = await ctx.pool.run({ kind: 'gzip', parts: [imageHeader, bytes], level: ctx.level }, transferList(bytes));
  await ensureDir(ctx, 'imagesTr');
  const imageRel = `imagesTr/${e.id}_0000.nii.gz`;
  await writeInto(ctx, imageRel, [img.data], 'converted', e.imageFile);
  record.files.push(imageRel);
  ctx.progress.bytesDone += imageBytes;
  ctx.report();
  return record;
}

/** Regular, non-hidden files of a folder (relative names); [] when it does not exist. */
async function listFiles(abs: string): Promise<string[]> {
  try {
    return (await readdir(abs, { withFileTypes: true }))
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * Runs one export to completion: DIR appears only when everything is written; on error or cancel DIR.partial is
 * removed and DIR is left as it was. Throws AppError (ExportCancelledError on cancel).
 */
export async function runExport(deps: ExportDeps, req: ExportRequest, opts: RunOptions = {}): Promise<ExportSummary> {
  const t0 = performance.now();
  const signal = opts.signal;
  const root = deps.index.root;
  const progress: ExportProgress = { phase: 'preparing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, current: null };
  const report = (): void => opts.onProgress?.({ ...progress });
  report();
  if (signal?.aborted) throw new ExportCancelledError();
  const target: ExportTarget = await prepareTarget(req.outDir, root, deps.storeFile, req.force);
  const pool = createWorkerPool(deps.workers ?? DEFAULT_EXPORT_WORKERS);
  const ctx: Ctx = {
    deps, req, root, dir: target.partial, pool, level: deps.level ?? DEFAULT_LEVEL, signal,
    files: [], written: new Set([OWNER_FILE]), warnings: [], progress, report, copyLane: createLane(), copies: [],
  };
  const onAbort = (): void => void pool.terminate();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (target.removedStale) ctx.warnings.push(`a stale ${basename(target.partial)} left by an interrupted export was removed`);
    // Gradings: one synchronous snapshot of the store.
    const gradings: GradingsExport | null = exportGradings(deps.index.gradings, deps.store);
    if (!deps.index.gradings && deps.store.gradings.all().some((g) => g.field !== 'reviewed' && g.field !== '_undo')) {
      ctx.warnings.push(`${GRADINGS_FILE} is missing or unreadable in the source: gradings stored in the workstation could not be exported`);
    }
    if (gradings) ctx.warnings.push(...gradings.warnings);
    // [gradings policy] --strict: no level may be left out of radiological_gradings.csv.
    if (req.strict && gradings && gradings.notExported.length > 0) throw new LevelsNotExportedError(GRADINGS_FILE, gradings.notExported);
    const gradedPatients = new Set((gradings?.changes ?? []).map((c) => c.patientId));
    const plans: SeriesPlan[] = deps.index.series.map((entry) => ({
      entry,
      activeEdits: deps.store.edits.count(entry.id).active,
      gradingsChanged: gradedPatients.has(entry.patientId),
    }));
    // Totals (re-estimated as series turn out unchanged in a --changed-only export).
    const candidates = plans.filter((p) => !req.changedOnly || p.activeEdits > 0 || p.gradingsChanged);
    const counted = new Set<string>();
    const count = (rel: string, bytes = sizeOf(join(root, rel))): void => {
      if (counted.has(rel)) return;
      counted.add(rel);
      progress.filesTotal++;
      progress.bytesTotal += bytes;
    };
    for (const p of candidates) {
      const e = p.entry;
      const n = e.image ? voxelCount(e.image.geometry) : 0;
      if (req.format === 'mha') {
        count(e.imageFile);
        if (p.activeEdits > 0 && e.image) count(e.maskFile ?? `${MASKS_DIR}/${e.id}.mha`, n);
        else if (e.maskFile) count(e.maskFile);
      } else if (e.image) {
        count(`labelsTr/${e.id}`, n);
        count(`imagesTr/${e.id}`, n * bytesPerVoxel(e.image.pixelType));
      }
    }
    for (const csv of [OVERVIEW_FILE, GRADINGS_FILE]) if (existsSync(join(root, csv))) count(csv);
    if (req.format === 'mha' && !req.changedOnly) {
      for (const folder of [IMAGES_DIR, MASKS_DIR]) for (const name of await listFiles(join(root, folder))) count(`${folder}/${name}`);
      for (const name of await listFiles(root)) if (name !== MANIFEST_FILE && name !== CHANGES_FILE) count(name);
    }
    if (req.format === 'nifti') progress.filesTotal++; // dataset.json
    progress.filesTotal += 2; // CHANGES.md, manifest
    progress.phase = 'writing';
    report();

    const folded = new Map<number, number>();
    // Largest series first, so that no large series is left alone at the end.
    const bySize = [...plans].sort((a, b) => (b.entry.image ? voxelCount(b.entry.image.geometry) : 0) - (a.entry.image ? voxelCount(a.entry.image.geometry) : 0));
    const done = new Map<SeriesPlan, SeriesRecord | null>();
    const series = await mapLimit(bySize, pool.size, async (p) => {
      check(ctx);
      if (req.changedOnly && p.activeEdits === 0 && !p.gradingsChanged) return;
      done.set(p, req.format === 'mha' ? await exportSeriesMha(ctx, p) : await exportSeriesNifti(ctx, p, folded));
    }).then(() => null, (err: unknown) => ({ err }));
    // Every queued copy settles before anything else happens (also after a failure above).
    const settled = await Promise.allSettled(ctx.copies);
    if (series) throw series.err;
    const bad = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bad) throw bad.reason;
    const records = plans.map((p) => done.get(p) ?? null).filter((r): r is SeriesRecord => r !== null);
    for (const r of records) r.files.sort();
    check(ctx);
    progress.current = null;

    // CSVs (complete in every mode).
    if (deps.index.overview) await copyInto(ctx, OVERVIEW_FILE);
    if (deps.index.gradings && gradings) {
      if (gradings.changed) await writeInto(ctx, GRADINGS_FILE, [gradings.bytes], 'rewritten', GRADINGS_FILE);
      else await copyInto(ctx, GRADINGS_FILE);
    }
    // A full SPIDER export also carries every other file of the source folder (an export without edits is then a
    // byte-for-byte copy of the source).
    if (req.format === 'mha' && !req.changedOnly) {
      for (const folder of [IMAGES_DIR, MASKS_DIR]) {
        const names = await listFiles(join(root, folder));
        if (names.length > 0) await ensureDir(ctx, folder);
        for (const name of names) await copyInto(ctx, `${folder}/${name}`);
      }
      for (const name of await listFiles(root)) {
        if (name === MANIFEST_FILE || name === CHANGES_FILE) {
          ctx.warnings.push(`the source's ${name} (from an earlier export) is replaced by this export's`);
          continue;
        }
        await copyInto(ctx, name);
      }
    }
    let labelRemap: Record<string, number> | undefined;
    if (req.format === 'nifti') {
      labelRemap = remapDocument();
      for (const [v, c] of folded) ctx.warnings.push(`${c} voxels of partially visible vertebra ${v} were exported as vertebra ${v - 100} (${PARTIAL_FOLD_NOTE})`);
      const datasetJson = {
        channel_names: { '0': 'MRI' },
        labels: nnunetLabels(),
        numTraining: records.length,
        file_ending: '.nii.gz',
        name: `SPIDER revised (${basename(root)})`,
        description: 'Exported by Spine Workstation from a SPIDER-layout dataset; labels remapped to contiguous values (see labelRemap in export-manifest.json).',
        reference: 'van der Graaf et al., Sci Data 11, 264 (2024); Zenodo 10159290',
        licence: 'CC BY 4.0',
      };
      await writeInto(ctx, 'dataset.json', [Buffer.from(JSON.stringify(datasetJson, null, 2) + '\n')], 'generated');
    }

    progress.phase = 'finishing';
    report();
    const notes = [
      'Labels: each series was read at the journal revision listed below (edits made while the export ran go into the next export); gradings as stored when the export started.',
      'Masks: rebuilt from the original mask plus the active journal edits, in the original pixel type and header fields; a mask without net changes is copied byte for byte.',
    ];
    if (req.changedOnly) {
      notes.push('--changed-only: images and masks only of series whose labels changed and of every series of a patient with a grading change; the CSVs are complete, so this folder copied over the source gives the full revised dataset.');
    }
    if (req.format === 'nifti') {
      notes.push(`nnU-Net v2 raw layout: imagesTr/<series>_0000.nii.gz, labelsTr/<series>.nii.gz, dataset.json. Labels remapped: vertebra n → n (1–25), canal 100 → 26, disc 200+n → 26+n (27–51); ${PARTIAL_FOLD_NOTE}. NIfTI qform and sform (code 1, scanner) = the MetaImage geometry converted from LPS to RAS.`);
    }
    const version = deps.appVersion ?? workstationVersion();
    const manifest: ExportManifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      workstation: { name: 'Spine Workstation', version },
      createdAt: new Date().toISOString(),
      source: { name: basename(root), identity: deps.index.identity },
      options: { format: req.format, changedOnly: req.changedOnly },
      notes,
      layout: req.format === 'mha' ? 'spider' : 'nnunet-v2',
      series: records,
      gradings: {
        file: deps.index.gradings ? GRADINGS_FILE : null,
        changed: gradings?.changed ?? false,
        changes: gradings?.changes ?? [],
        appendedRows: gradings?.appended ?? [],
        levelsNotExported: gradings?.notExported ?? [], // [gradings policy]
      },
      warnings: ctx.warnings,
      files: [],
    };
    if (labelRemap) manifest.labelRemap = labelRemap;
    const sortFiles = (): void => void ctx.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    sortFiles();
    manifest.files = [...ctx.files];
    await writeInto(ctx, CHANGES_FILE, [Buffer.from(renderChanges(manifest), 'utf8')], 'generated');
    sortFiles();
    manifest.files = [...ctx.files];
    await writeFile(join(ctx.dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { flag: 'wx' });
    progress.filesDone++;
    check(ctx);
    await pool.terminate();
    await commitTarget(target);
    progress.bytesDone = progress.bytesTotal;
    progress.filesTotal = progress.filesDone;
    report();
    return {
      outDir: target.out,
      format: req.format,
      changedOnly: req.changedOnly,
      filesWritten: ctx.files.length + 1,
      bytesWritten: ctx.files.reduce((s, f) => s + f.bytes, 0),
      manifestFile: join(target.out, MANIFEST_FILE),
      changesFile: join(target.out, CHANGES_FILE),
      seriesExported: records.length,
      seriesChanged: records.filter((r) => r.labels === 'changed').length,
      gradingChanges: manifest.gradings.changes.length,
      warnings: ctx.warnings,
      durationMs: performance.now() - t0,
    };
  } catch (err) {
    signal?.removeEventListener('abort', onAbort);
    await pool.terminate().catch(() => undefined);
    await abandonTarget(target).catch(() => undefined);
    if (signal?.aborted) throw new ExportCancelledError();
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw new AppError(code === 'ENOSPC' ? 'io' : 'io', `Export failed writing ${basename(target.out)}: ${code}`, { cause: err });
    }
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
