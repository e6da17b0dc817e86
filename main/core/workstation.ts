// One open dataset: its scan index, its annotation store and the service object that implements the contract
// (common/contract.ts) for every transport. Volumes are kept in a small cache so the raw-byte endpoint and
// openSeries share one read of each file. Label volumes are original mask + edit journal (labels/labelState.ts);
// the original mask file is only ever read.
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../common/errors.js';
import type { OpenSeriesResponse, ProblemInfo, SeriesSummary, Service, SessionInfo } from '../../common/contract.js';
import { sameGrid, voxelCount } from '../../common/geometry.js';
import type { DatasetIndex, DatasetProblem, SeriesEntry } from './dataset/index.js';
import { scanDataset } from './dataset/index.js';
import type { AnnotatorMemory } from './identity.js';
import { createExportJobs, type ExportJobs } from './export/index.js';
import { createGradingService } from './gradings/service.js';
import { createLevelMeasuresService } from './gradings/levelMeasuresService.js';
import { createMeasurementService } from './measurements.js';
import { createQaService, type QaService } from './qa/index.js';
import { commitLabelEdit, createReaderMethods, getAgreementReport, type ReaderDeps } from './readers/index.js';
import { createDashboardMethods } from './qa/dashboard.js';
import { createLabelJournal, type LabelJournal, type SeriesLabels } from './labels/labelState.js';
import { createSeriesCache } from './seriesCache.js';
import { seriesStatusInfo } from './seriesStatus.js';
import type { MetaImage, PixelArray } from './mha/index.js';
import { readMetaImage } from './mha/index.js';
import { storePathFor } from './paths.js';
import { MaskUnreadableError, maskUnreadable, originalReader } from './labels/original.js';

export { MaskUnreadableError, maskUnreadable, toLabelBytes } from './labels/original.js';
import type { AnnotatorId, Store } from './store/index.js';
import { openStore } from './store/index.js';
import { intensityStatsAsync, type IntensityStats } from './volumeStats.js';

export interface WorkstationOptions {
  datasetRoot: string;
  /** Annotation store file; default: one per dataset in the app's data folder. */
  storeFile?: string;
  /**
   * The annotator for this launch (e.g. `serve --annotator`). Without it the remembered one is used, and with
   * neither the UI asks (getSession/setAnnotator); writes are refused until a name is chosen.
   */
  annotator?: string;
  /** Where the chosen annotator is remembered; setAnnotator saves there. */
  annotatorMemory?: AnnotatorMemory;
  /** better-sqlite3 addon for this runtime's ABI (Electron). */
  nativeBinding?: string;
  /** How many opened series keep their voxels in memory. */
  cacheSeries?: number;
  /** Label checkpoint cadence: active edits on top of the latest checkpoint (default 50). */
  checkpointEvery?: number;
  /** Label checkpoint cadence: changed voxels on top of the latest checkpoint (default 2,000,000). */
  checkpointVoxels?: number;
  /** Where background failures (a checkpoint that could not be written) are reported. Default: stderr. */
  log?: (line: string) => void;
  /** The app's version, written into export manifests (the adapter knows it: package.json, Electron's app). */
  appVersion?: string;
}

interface LoadedSeries {
  entry: SeriesEntry;
  image: MetaImage;
  /** Current label volume on the image grid (original mask + journal) and its revision. */
  labels: SeriesLabels;
  maskSource: 'file' | 'empty' | 'unreadable';
  /** Why the labels cannot be edited (the mask file cannot be read exactly); null when they can. */
  readOnly: string | null;
  /**
   * Intensity statistics, computed after the voxels are in memory and in slices that yield to the event loop,
   * so the raw-byte responses stream while they are computed (openSeries waits for them, /volume does not).
   */
  stats: Promise<IntensityStats>;
}

export interface Workstation {
  readonly index: DatasetIndex;
  readonly store: Store;
  readonly service: Service;
  /** Label edits: the journal behind commitEdit/undo/redo/history (exposed for tests and benches). */
  readonly labels: LabelJournal;
  /**
   * Raw little-endian voxel bytes (image in its pixel type; mask as uint8: the current label volume). The bytes
   * never change afterwards: a later edit writes into a copy.
   */
  volumeBytes(seriesId: string, kind: 'image' | 'mask'): Promise<Uint8Array>;
  /** Export jobs behind startExport/exportStatus/cancelExport (issue 6). */
  readonly exports: ExportJobs;
  /** Label QA on the current labels (issue 14): datasetReport() for the dashboard, qaOverview/qaSeries. */
  readonly qa: QaService;
  /** Series loads started so far and the series now in the cache, least recently used first (tests, benches). */
  cacheInfo(): { loads: number; cached: string[] };
  /** Resolves when background work (label checkpoints being compressed and stored) has finished. */
  idle(): Promise<void>;
  close(): void;
}

export function toProblemInfo(p: DatasetProblem): ProblemInfo {
  const out: ProblemInfo = { severity: p.severity, code: p.code, message: p.message };
  if (p.file !== undefined) out.file = p.file;
  if (p.line !== undefined) out.line = p.line;
  if (p.seriesId !== undefined) out.seriesId = p.seriesId;
  if (p.patientId !== undefined) out.patientId = p.patientId;
  return out;
}

function bytesOf(a: PixelArray | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export async function openWorkstation(opts: WorkstationOptions): Promise<Workstation> {
  const index = await scanDataset(opts.datasetRoot);
  const storeFile = opts.storeFile ?? storePathFor(index.root);
  mkdirSync(dirname(storeFile), { recursive: true });
  const store = openStore(storeFile, opts.nativeBinding === undefined ? {} : { nativeBinding: opts.nativeBinding });
  const storeProblems: ProblemInfo[] = [];
  try {
    const match = store.meta.checkDataset({ root: index.root, fingerprint: index.identity });
    if (match === 'mismatch') {
      storeProblems.push({
        severity: 'warning',
        code: 'store_dataset_changed',
        message: 'The dataset changed since its annotations were stored (different CSVs or volumes); stored edits are kept and applied where they fit',
      });
      store.meta.set('dataset_fingerprint_previous', store.meta.info().dataset?.fingerprint ?? '');
    } else {
      store.meta.bindDataset({ root: index.root, fingerprint: index.identity });
    }
  } catch (err) {
    store.close();
    throw err;
  }
  const initialName = opts.annotator ?? opts.annotatorMemory?.load() ?? null;
  let annotatorId: AnnotatorId | null = initialName === null ? null : store.annotators.ensure(initialName);
  const currentAnnotator = (): AnnotatorId => {
    if (annotatorId === null) throw new AppError('invalid_request', 'No annotator chosen: enter your name before editing');
    return annotatorId;
  };
  const session = (): SessionInfo => {
    const all = store.annotators.list();
    return {
      annotator: annotatorId === null ? null : (all.find((a) => a.id === annotatorId)?.name ?? null),
      annotators: all.reverse().map((a) => a.name),
    };
  };
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const journal = createLabelJournal({
    store,
    annotator: currentAnnotator,
    // Checkpoints hold original + edits: after the masks changed they would bring the old original back.
    useCheckpoints: storeProblems.length === 0,
    log,
    ...(opts.checkpointEvery === undefined ? {} : { checkpointEvery: opts.checkpointEvery }),
    ...(opts.checkpointVoxels === undefined ? {} : { checkpointVoxels: opts.checkpointVoxels }),
  });
  const byId = new Map(index.series.map((s) => [s.id, s]));
  let loads = 0;
  const cache = createSeriesCache({
    capacity: Math.max(1, opts.cacheSeries ?? 2),
    load: (seriesId) => {
      loads++;
      return loadSeries(index.root, entryOf(seriesId), journal);
    },
    // Its label volume stops being maintained: no background checkpoint may be taken from it any more.
    evicted: (s) => { s.labels.live = false; },
  });
  let closed = false;

  const entryOf = (seriesId: string): SeriesEntry => {
    const e = byId.get(seriesId);
    if (!e) throw new AppError('not_found', `No series ${seriesId} in this dataset`);
    return e;
  };

  /**
   * Runs `fn` on the loaded series, which stays in the cache (pinned) until `fn` settles: an operation never works
   * on a label volume that was evicted under it, and there is only ever one label volume per series in memory.
   */
  const withSeries = async <T>(seriesId: string, fn: (s: LoadedSeries) => T | Promise<T>): Promise<T> => {
    if (closed) throw new AppError('internal', 'The workstation is closed');
    entryOf(seriesId);
    const lease = await cache.acquire(seriesId);
    try {
      if (closed) throw new AppError('internal', 'The workstation is closed');
      return await fn(lease.value);
    } finally {
      lease.release();
    }
  };

  /** The loaded series for a label write: refused when its mask cannot be read exactly. */
  const writableSeries = (s: LoadedSeries): LoadedSeries => {
    if (s.readOnly !== null) throw new AppError('read_only', `Labels of ${s.entry.id} are read-only: ${s.readOnly}`, { file: s.entry.maskFile ?? undefined });
    return s;
  };

  const summary = (e: SeriesEntry): SeriesSummary => {
    const { status, statusBy, statusAt, statusAuto } = seriesStatusInfo(store, e.id);
    return {
      id: e.id,
      patientId: e.patientId,
      sequence: e.sequence,
      status, statusBy, statusAt, statusAuto,
      orientation: e.orientation,
      size: e.image?.geometry.size ?? null,
      spacing: e.image?.geometry.spacing ?? null,
      pixelType: e.image?.pixelType ?? null,
      hasMask: e.mask !== null,
      openable: e.image !== null,
      overview: e.overview && {
        sex: e.overview.sex,
        age: e.overview.age,
        subset: e.overview.subset,
        manufacturer: e.overview.manufacturer,
        model: e.overview.model,
        fieldStrength: e.overview.fieldStrength,
        seriesDescription: e.overview.sequenceInfo.seriesDescription,
        acquisition: e.overview.sequenceInfo.acquisitionType,
        numVertebrae: e.overview.numVertebrae, numDiscs: e.overview.numDiscs,
      },
      problems: e.problems.map(toProblemInfo),
    };
  };

  // The current labels of a series (gradings measure them, QA checks them): the loaded label volume when the series
  // is in the cache, else original mask + journal built on demand (not cached and never checkpointed: it stops being
  // maintained as soon as it is read). A series whose mask cannot be read exactly has no labels (null).
  const currentLabels = async (e: SeriesEntry): Promise<{ volume: Uint8Array; revision: number } | null> => {
    const hit = cache.peek(e.id);
    if (hit) {
      const s = await hit.catch(() => null);
      if (s && s.labels.live && s.readOnly === null && !closed) return { volume: s.labels.volume, revision: s.labels.revision };
    }
    const header = e.image;
    if (!header || closed || maskUnreadable(e) !== null) return null;
    // No mask and no edits: no labels to read (and no empty volume allocated from the header's size alone).
    if (!e.maskFile && store.edits.count(e.id).active === 0) return null;
    try {
      const labels = await journal.load(e.id, e.patientId, voxelCount(header.geometry), originalReader(index.root, e, header));
      labels.live = false;
      return { volume: labels.volume, revision: labels.revision };
    } catch (err) {
      if (err instanceof MaskUnreadableError) return null;
      throw err;
    }
  };
  const gradings = createGradingService({ index, store, annotator: currentAnnotator, revision: (seriesId) => journal.storedRevision(seriesId), labels: currentLabels });
  const qa = createQaService({ index, labels: currentLabels, revision: (id) => journal.storedRevision(id), activeEdits: (id) => store.edits.count(id).active, loaded: (id) => cache.peek(id) !== undefined, log });

  // Exports read the journal through `journal.load` (one consistent revision per series), never the cache.
  const exports = createExportJobs(() => ({ index, store, journal, storeFile: store.file, agreement: (a, b) => getAgreementReport(readerDeps, a, b, 'current'), ...(opts.appVersion === undefined ? {} : { appVersion: opts.appVersion }) }));

  const measurements = createMeasurementService({ store, entryOf, currentAnnotator });
  const levelMeasures = createLevelMeasuresService({ index, labels: currentLabels, revision: (id) => journal.storedRevision(id), loaded: (id) => cache.peek(id) });

  const readerDeps: ReaderDeps = {
    index, store, journal, currentAnnotator, currentLabels, labelsChanged: (id) => qa.labelsChanged(id), appVersion: opts.appVersion ?? 'dev',
    originalLabels: (e) => originalReader(index.root, e, e.image ?? (() => { throw new AppError('invalid_file', `${e.imageFile} cannot be opened`, { file: e.imageFile }); })())(),
    withLabels: (id, fn) => withSeries(id, (s) => fn(writableSeries(s).labels)),
    gradingLevel: async (patientId, ivd) => (await gradings.getGradings({ patientId })).levels.find((l) => l.ivdLabel === ivd) ?? null,
  };
  const readers = createReaderMethods(readerDeps);
  const service: Service = {
    ...gradings,
    ...readers,
    ...measurements,
    ...levelMeasures,
    ...qa.methods,
    ...createDashboardMethods({
      name: basename(index.root), patients: index.patients.length, report: () => qa.datasetReport(), csv: index.gradings?.rows ?? [],
      series: () => index.series.map((e) => ({ id: e.id, status: store.series.getStatus(e.id) })), stored: () => store.gradings.all(),
    }),
    startExport: async (req) => exports.start(req),
    exportStatus: async ({ jobId }) => exports.status(jobId),
    cancelExport: async ({ jobId }) => exports.cancel(jobId),
    getDataset: async () => ({
      name: basename(index.root),
      patients: index.patients.length,
      series: index.series.length,
      problems: [...index.problems.filter((p) => p.seriesId === undefined).map(toProblemInfo), ...storeProblems],
    }),
    getSession: async () => session(),
    setAnnotator: async ({ name }) => {
      // Remembered first: a failed save (full disk, read-only folder) leaves the annotator as it was.
      opts.annotatorMemory?.save(name.trim());
      annotatorId = store.annotators.ensure(name);
      return session();
    },
    listSeries: async () => index.series.map(summary),
    openSeries: async ({ seriesId }) => withSeries(seriesId, async (s) => {
      const stats = await s.stats;
      const res: OpenSeriesResponse = {
        seriesId,
        patientId: s.entry.patientId,
        image: {
          geometry: s.image.geometry,
          pixelType: s.image.pixelType,
          byteLength: s.image.data.byteLength,
          range: stats.range,
          autoWindow: stats.window,
        },
        mask: { geometry: s.image.geometry, pixelType: 'uint8', byteLength: s.labels.volume.byteLength, source: s.maskSource },
        readOnly: s.readOnly,
        siblings: index.series.filter((x) => x.patientId === s.entry.patientId && x.image !== null).map((x) => x.id),
        revision: s.labels.revision,
      };
      return res;
    }),
    setSeriesStatus: async ({ seriesId, status }) => {
      const e = entryOf(seriesId);
      store.series.setStatus({ seriesId, patientId: e.patientId, status, annotatorId: currentAnnotator() });
      return seriesStatusInfo(store, seriesId);
    },
    commitEdit: async (req) => withSeries(req.seriesId, (s) => commitLabelEdit(readerDeps, writableSeries(s).labels, req)).finally(() => qa.labelsChanged(req.seriesId)),
    undo: async ({ seriesId }) => withSeries(seriesId, (s) => journal.undo(writableSeries(s).labels)).finally(() => qa.labelsChanged(seriesId)),
    redo: async ({ seriesId }) => withSeries(seriesId, (s) => journal.redo(writableSeries(s).labels)).finally(() => qa.labelsChanged(seriesId)),
    history: async ({ seriesId }) => {
      entryOf(seriesId);
      // Both from the store in one synchronous block (equal to the in-memory revision of a loaded series).
      return { revision: journal.storedRevision(seriesId), edits: journal.history(seriesId) };
    },
  };

  return {
    index,
    store,
    service,
    labels: journal,
    exports,
    qa,
    volumeBytes: (seriesId, kind) => withSeries(seriesId, (s) => (kind === 'image' ? bytesOf(s.image.data) : journal.share(s.labels))),
    cacheInfo: () => ({ loads, cached: cache.keys() }),
    idle: () => journal.idle(),
    close() {
      if (closed) return;
      closed = true;
      void exports.close(); // cancels a running export (its partial folder is removed in the background)
      qa.close();
      journal.close();
      cache.close();
      store.close();
    },
  };
}

async function loadSeries(root: string, e: SeriesEntry, journal: LabelJournal): Promise<LoadedSeries> {
  const header = e.image;
  if (!header) {
    const outside = e.problems.some((p) => p.code === 'outside_dataset' && p.file === e.imageFile);
    throw new AppError(outside ? 'invalid_dataset' : 'invalid_file', `${e.imageFile} cannot be opened: ${e.problems.map((p) => p.message).join('; ') || 'unreadable header'}`, { file: e.imageFile });
  }
  const n = voxelCount(header.geometry);
  const imageRead = readMetaImage(join(root, e.imageFile), { within: root });
  imageRead.catch(() => undefined); // awaited below; never an unhandled rejection
  // An empty label volume (no mask, or a read-only one) is allocated only once the image has been read: the header's
  // size alone does not justify the memory (a 1 KiB file may declare 2^32 voxels).
  const emptyLabels = async (revision: number): Promise<SeriesLabels> => {
    await imageRead;
    return readOnlyLabels(e, n, revision);
  };
  // The original label volume, read only when no checkpoint makes it unnecessary.
  const readOriginal = originalReader(root, e, header);
  // A mask that cannot be read exactly makes the series read-only: it opens with an empty label volume that no
  // edit may change (commitEdit/undo/redo refuse), and the export copies the mask file untouched.
  const labelsOrReadOnly = async (): Promise<{ labels: SeriesLabels; readOnly: string | null }> => {
    // Known from the scan (a header that failed): read-only even when a checkpoint would spare reading the mask.
    const known = maskUnreadable(e);
    if (known !== null) return { labels: await emptyLabels(journal.storedRevision(e.id)), readOnly: new MaskUnreadableError(known, e.maskFile!).message };
    if (!e.maskFile) await imageRead; // the journal starts from an empty volume
    try {
      return { labels: await journal.load(e.id, e.patientId, n, readOriginal), readOnly: null };
    } catch (err) {
      if (!(err instanceof MaskUnreadableError)) throw err;
      return { labels: await emptyLabels(journal.storedRevision(e.id)), readOnly: err.message };
    }
  };
  // Image and labels are read concurrently: inflating runs on libuv's thread pool, so the two overlap.
  const [image, { labels, readOnly }] = await Promise.all([imageRead, labelsOrReadOnly()]);
  if (!sameGrid(image.geometry, header.geometry)) {
    throw new AppError('invalid_file', `${e.imageFile} changed since the dataset was scanned`, { file: e.imageFile });
  }
  const maskSource: LoadedSeries['maskSource'] = readOnly !== null ? 'unreadable' : e.maskFile ? 'file' : 'empty';
  const stats = intensityStatsAsync(image.data);
  stats.catch(() => undefined); // awaited by openSeries; never an unhandled rejection
  return { entry: e, image, labels, maskSource, readOnly, stats };
}

/** The empty, never-maintained label volume a read-only series shows. */
function readOnlyLabels(e: SeriesEntry, n: number, revision: number): SeriesLabels {
  return {
    seriesId: e.id,
    patientId: e.patientId,
    volume: new Uint8Array(n),
    revision,
    checkpointSeq: 0,
    sinceCheckpoint: 0,
    voxelsSinceCheckpoint: 0,
    shares: 0,
    live: false,
    checkpointing: false,
    skipped: 0,
  };
}
