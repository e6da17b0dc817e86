// The one service contract (ARCHITECTURE.md §3): every call the UI can make, with a zod schema per request.
// main/core implements it as one service object; Electron IPC, the web-mode HTTP server and tests are thin
// transports over that object. Bulk voxel data never goes through this contract: volumes stream as raw bytes
// (GET /volume/<series>/<image|mask> in web mode, spine:// in Electron). Edit diffs cross as bytes too
// (commitEdit's `diff` is a Uint8Array: structured clone over IPC, a framed octet-stream body over HTTP; wire.ts).
import { z } from 'zod';
import type { ErrorInfo, Result } from './errors.js';
import type { Vec3, VolumeGeometry } from './geometry.js';
import type { GradingField } from './gradings.js';
import { exportRequestSchemas, type ExportResponses } from './contractExport.js';
import { measurementRequestSchemas, type MeasurementResponses } from './contractMeasurements.js';
import { qaRequestSchemas, type QaResponses } from './contractQa.js';
import { dashboardRequestSchemas, type DashboardResponses } from './contractDashboard.js';
import { levelMeasureRequestSchemas, type LevelMeasureResponses } from './contractLevelMeasures.js';
import { adjudicationField, readerRequestSchemas, type ReaderResponses } from './contractReaders.js';
import {
  annotatorName,
  diffBytes,
  GRADING_FIELD_IDS,
  ivdLabel,
  patientId,
  seriesId,
  spiderLabel,
  storedText,
} from './schemas.js';

export * from './contractExport.js';
export * from './contractMeasurements.js';
export * from './contractQa.js';
export * from './contractDashboard.js';
export * from './contractLevelMeasures.js';
export * from './contractReaders.js';
export { annotatorName, isWellFormedText, MAX_DIFF_BYTES } from './schemas.js';

/** Review status of a series: to do, in progress, done, needs second look (issue 14; 'reviewed' of older stores is 'done'). */
export const SERIES_STATUSES = ['todo', 'in_progress', 'done', 'second_look'] as const;
export type SeriesStatus = (typeof SERIES_STATUSES)[number];

/** A series' review status with who set it and when. */
export interface SeriesStatusInfo {
  seriesId: string;
  status: SeriesStatus;
  /** The annotator who set the status (or whose edit set it); null while nobody has. */
  statusBy: string | null;
  /** When the status was set (ISO 8601); null while nobody has. */
  statusAt: string | null;
  /** Set by the workstation (first edit → in_progress, every edit undone → todo), not chosen by a person. */
  statusAuto: boolean;
}

/** A scan problem as the UI shows it. */
export interface ProblemInfo {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  file?: string;
  line?: number;
  seriesId?: string;
  patientId?: number;
}

/** What the worklist shows of one series (from the headers and overview.csv; no voxels). */
export interface SeriesSummary {
  id: string;
  patientId: number;
  sequence: string;
  status: SeriesStatus;
  /** Who set the status and when (see SeriesStatusInfo). */
  statusBy: string | null;
  statusAt: string | null;
  statusAuto: boolean;
  /** ITK-style orientation code of the index axes, e.g. 'LPS' or 'PIR'. */
  orientation: string | null;
  size: [number, number, number] | null;
  spacing: [number, number, number] | null;
  pixelType: string | null;
  hasMask: boolean;
  /** False when the series cannot be opened (no readable image). */
  openable: boolean;
  overview: {
    sex: string | null;
    age: number | null;
    subset: string | null;
    manufacturer: string | null;
    model: string | null;
    fieldStrength: number | null;
    seriesDescription: string | null;
    acquisition: string | null;
    /** overview.csv `num_vertebrae` / `num_discs` (null: empty or not an integer). */
    numVertebrae: number | null;
    numDiscs: number | null;
  } | null;
  problems: ProblemInfo[];
}

export interface DatasetSummary {
  /** Folder name of the dataset (never the absolute path). */
  name: string;
  patients: number;
  series: number;
  problems: ProblemInfo[];
}

/** Geometry and transfer description of one volume of an open series. */
export interface VolumeInfo {
  geometry: VolumeGeometry;
  /** Element type of the bytes served for this volume (little-endian). Masks are always 'uint8'. */
  pixelType: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';
  byteLength: number;
}

export interface OpenSeriesResponse {
  seriesId: string;
  patientId: number;
  image: VolumeInfo & {
    /** Minimum and maximum voxel value. */
    range: [number, number];
    /** 0.5th and 99.5th intensity percentiles: the automatic window. */
    autoWindow: [number, number];
  };
  /**
   * The current label volume (original mask + journal), one byte per voxel on the image grid. 'unreadable': the
   * series has a mask file that cannot be read exactly; the served volume is empty and the series is read-only.
   */
  mask: VolumeInfo & { source: 'file' | 'empty' | 'unreadable' };
  /** Why the series' labels cannot be edited (commitEdit/undo/redo refuse with 'read_only'); null when editable. */
  readOnly: string | null;
  /** Series of the same patient that can be opened, for sibling switching. */
  siblings: string[];
  /** Label revision the served label volume is at: every commit, undo and redo moves it by one. */
  revision: number;
}

/** One journal entry as the history panel shows it. */
export interface EditInfo {
  seq: number;
  createdAt: string;
  annotator: string;
  tool: string;
  label: number;
  voxelCount: number;
  /** e.g. "Brush L4/L5, 312 voxels" */
  description: string;
  state: 'active' | 'undone' | 'discarded';
}

/**
 * Acknowledgement of a committed edit: enough for the renderer to update its history list without asking for it
 * again (append `edit`; the entries in `discarded`, the redo stack the commit dropped, become 'discarded').
 */
export interface CommitEditResponse {
  seq: number;
  revision: number;
  savedAt: string;
  /** The new history entry (state 'active'). */
  edit: EditInfo;
  /** Seqs of the undone edits this commit discarded, ascending. */
  discarded: number[];
}

/** Result of undo/redo: the entry and its diff, which the renderer applies backwards (undo) or forwards (redo). */
export interface UndoRedoResponse {
  edit: EditInfo | null;
  /** base64 of the entry's 'rle-u8-v1' diff; null when there was nothing to undo/redo. */
  diff: string | null;
  revision: number;
}

/** Measurement of one disc from the current label volumes (issue 5, item 5). */
export interface GradingHint {
  /** Series the disc was measured in: the patient's first series holding it. */
  seriesId: string;
  /** World position (LPS, mm) of the disc's centroid in that series. */
  centre: Vec3;
  /** Disc height in mm along the local spine axis (centroid of vertebra k+1 minus that of vertebra k, or S–I). */
  heightMm: number | null;
  /** heightMm / mean height of the neighbouring discs (k-1, k+1) that could be measured. */
  neighbourRatio: number | null;
  /** Disc narrowing is 0 while the disc is under 70% of its neighbours' mean height. */
  narrowingSuspect: boolean;
}

/** One disc level of a patient: union of the discs in the current label volumes and the gradings CSV rows. */
export interface GradingLevel {
  /** IVD label k (1 = L5/S1); 0 only for the CSV's odd rows. */
  ivdLabel: number;
  /** 200 + k. */
  maskValue: number;
  name: string;
  inMask: boolean;
  inCsv: boolean;
  warnings: string[];
  /** Current values: this store's value when one was set, else the CSV baseline. */
  values: Record<GradingField, number | null>;
  /** radiological_gradings.csv values (null where absent or illegal). */
  baseline: Record<GradingField, number | null>;
  /** Fields whose current value differs from the baseline. */
  edited: GradingField[];
  reviewed: boolean;
  hint: GradingHint | null;
  /** The first value a person entered per field (never changed by later changes or undo); CSV values are not. */
  firstValues: Partial<Record<GradingField, FirstValueInfo>>;
}

/** The first value a person entered for one grading field of a level (reader agreement data). */
export interface FirstValueInfo {
  value: number;
  annotator: string;
  /** ISO-8601 UTC. */
  at: string;
}

export interface GradingsResponse {
  patientId: number;
  levels: GradingLevel[];
}

/** One grading event as the per-level history shows it. */
export interface GradingEventInfo {
  id: number;
  createdAt: string;
  annotator: string;
  /** A grading field, or 'reviewed'. */
  field: GradingField | 'reviewed';
  oldValue: number | null;
  newValue: number | null;
  /** 'undo': this event restored the value before an undone change. */
  kind: 'change' | 'undo';
  /** The change was undone later. */
  undone: boolean;
}

/**
 * Worklist progress of one patient. It never reads a volume: the levels are the CSV rows, the levels graded in
 * this store and the discs of the masks measured so far in this session (getGradings measures a patient's masks).
 */
export interface GradingProgress {
  patientId: number;
  /** Every mask of the patient has been measured: `levels` includes discs the CSV lacks. */
  /* `levels` counts disc levels (IVD label ≥ 1); the CSV's IVD label 0 rows are not levels. */
  masksMeasured: boolean;
  levels: number;
  /** Levels whose every grading field has a value. */
  fullyGraded: number;
  /** Levels marked reviewed (setLevelReviewed). */
  reviewed: number;
  /** Levels a person has looked at: marked reviewed, or with a grading changed in this store. */
  personReviewed: number;
  /** Levels nobody has looked at whose values all come from radiological_gradings.csv (a subset of the rest). */
  csvOnly: number;
}

/** Who is annotating: asked once, remembered, carried by every journal and grading row. */
export interface SessionInfo {
  /** The current annotator; null until one is chosen (writes are refused until then). */
  annotator: string | null;
  /** Annotators known to this store, most recent first. */
  annotators: string[];
}

export const requestSchemas = {
  getDataset: z.object({}).strict(),
  getSession: z.object({}).strict(),
  setAnnotator: z.object({ name: annotatorName }).strict(),
  listSeries: z.object({}).strict(),
  openSeries: z.object({ seriesId }).strict(),
  setSeriesStatus: z.object({ seriesId, status: z.enum(SERIES_STATUSES) }).strict(),
  commitEdit: z
    .object({
      seriesId,
      /** The label revision the edit was made on; a different current revision is a conflict. */
      baseRevision: z.number().int().min(0),
      tool: storedText('tool', 40),
      /** The label the tool wrote (0 for the eraser); every value the diff writes must be a SPIDER label too. */
      label: spiderLabel,
      description: storedText('description', 200),
      diff: diffBytes,
      /** Set by adjudication (tool 'adjudicate'): the edit makes label `label` what source `from` has (issue 16). */
      adjudication: adjudicationField.optional(),
    })
    .strict(),
  undo: z.object({ seriesId }).strict(),
  redo: z.object({ seriesId }).strict(),
  history: z.object({ seriesId }).strict(),
  getGradings: z.object({ patientId }).strict(),
  /** The value's legality per field is checked by the service (typed error naming the legal values). */
  setGrading: z.object({ patientId, ivdLabel, field: z.enum(GRADING_FIELD_IDS), value: z.number().nullable() }).strict(),
  undoGrading: z.object({ patientId }).strict(),
  gradingHistory: z.object({ patientId, ivdLabel }).strict(),
  setLevelReviewed: z.object({ patientId, ivdLabel, reviewed: z.boolean() }).strict(),
  gradingProgress: z.object({}).strict(),
  ...measurementRequestSchemas,
  ...qaRequestSchemas,
  ...dashboardRequestSchemas,
  ...levelMeasureRequestSchemas,
  ...readerRequestSchemas,
  ...exportRequestSchemas,
} as const;

export type Method = keyof typeof requestSchemas;
/** A request as it crosses a transport: what its schema accepts (commitEdit's `diff` is bytes only). */
export type WireRequest<M extends Method> = z.infer<(typeof requestSchemas)[M]>;
/** A request as the service takes it: exactly what crosses a transport. */
export type Request<M extends Method> = WireRequest<M>;

export interface Responses extends ExportResponses, MeasurementResponses, QaResponses, DashboardResponses, LevelMeasureResponses, ReaderResponses {
  getDataset: DatasetSummary;
  getSession: SessionInfo;
  setAnnotator: SessionInfo;
  listSeries: SeriesSummary[];
  openSeries: OpenSeriesResponse;
  setSeriesStatus: SeriesStatusInfo;
  /** Returned only after the edit is committed to the journal on disk. */
  commitEdit: CommitEditResponse;
  undo: UndoRedoResponse;
  redo: UndoRedoResponse;
  history: { revision: number; edits: EditInfo[] };
  getGradings: GradingsResponse;
  /** The level after the change (stored before this returns). */
  setGrading: GradingLevel;
  /** The level of the undone change; null when there was nothing to undo. */
  undoGrading: { level: GradingLevel | null };
  /** Oldest first. */
  gradingHistory: { patientId: number; ivdLabel: number; events: GradingEventInfo[] };
  setLevelReviewed: GradingLevel;
  gradingProgress: GradingProgress[];
}

/** Every method, as a list (the transports register exactly these). */
export const METHODS = Object.keys(requestSchemas) as Method[];

/** The service as the transports see it: one async function per method. Errors are thrown as AppError. */
export type Service = { [M in Method]: (req: Request<M>) => Promise<Responses[M]> };

/** The service as the renderer sees it: results, never throws across the boundary. */
export type Api = { [M in Method]: (req: WireRequest<M>) => Promise<Result<Responses[M]>> };

export type { ErrorInfo, Result };

