// The one service contract (ARCHITECTURE.md §3): every call the UI can make, with a zod schema per request.
// main/core implements it as one service object; Electron IPC, the web-mode HTTP server and tests are thin
// transports over that object. Bulk voxel data never goes through this contract: volumes stream as raw bytes
// (GET /volume/<series>/<image|mask> in web mode, spine:// in Electron). Edit diffs cross as bytes too
// (commitEdit's `diff` is a Uint8Array: structured clone over IPC, a framed octet-stream body over HTTP; wire.ts).
import { z } from 'zod';
import type { ErrorInfo, Result } from './errors.js';
import type { Vec3, VolumeGeometry } from './geometry.js';
import { GRADING_FIELDS, type GradingField } from './gradings.js';
import { isKnownLabel } from './labels.js';

export const SERIES_STATUSES = ['todo', 'in_progress', 'done', 'reviewed'] as const;
export type SeriesStatus = (typeof SERIES_STATUSES)[number];

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
  reviewed: number;
}

/** Who is annotating: asked once, remembered, carried by every journal and grading row. */
export interface SessionInfo {
  /** The current annotator; null until one is chosen (writes are refused until then). */
  annotator: string | null;
  /** Annotators known to this store, most recent first. */
  annotators: string[];
}

// --- measurements (issue 13, item 4) --- //

export const MEASUREMENT_KINDS = ['ruler', 'angle'] as const;
export type MeasurementKind = (typeof MEASUREMENT_KINDS)[number];
/** Points of each kind: a ruler's two ends; an angle's first arm end, vertex, second arm end. */
export const MEASUREMENT_POINTS: Readonly<Record<MeasurementKind, number>> = { ruler: 2, angle: 3 };
/** Largest |coordinate| of a measurement point, mm (far beyond any scanner; refuses garbage). */
export const MAX_MEASUREMENT_COORD_MM = 1e6;

/** A ruler or angle placed in a series, as the measurement list shows it. */
export interface MeasurementInfo {
  id: number;
  seriesId: string;
  kind: MeasurementKind;
  /** World positions (LPS, mm); for an angle the middle point is the vertex. */
  points: Vec3[];
  /** Computed by main from the points: a ruler's length in mm, an angle in degrees (0–180). */
  value: number;
  unit: 'mm' | 'deg';
  note: string | null;
  annotator: string;
  createdAt: string;
}

/** A lone UTF-16 surrogate: text that cannot be stored or written as UTF-8 without being changed. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** True when `s` is well-formed UTF-16 (String.prototype.isWellFormed, which Node 20's TS lib lacks). */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Annotator names: printable, no control characters, well-formed Unicode. */
export const annotatorName = z
  .string()
  .trim()
  .min(1, 'annotator name is empty')
  .max(80)
  .regex(/^[^\p{Cc}]+$/u, 'annotator name holds control characters')
  .refine(isWellFormedText, 'annotator name holds a lone UTF-16 surrogate');

/** Free text stored with an edit (tool id, description): well-formed Unicode, no control characters. */
const storedText = (what: string, max: number) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .max(max)
    .regex(/^[^\p{Cc}]+$/u, `${what} holds control characters`)
    .refine(isWellFormedText, `${what} holds a lone UTF-16 surrogate`);

/** A value the SPIDER label convention defines (0, 1–25, 100, 101–125, 201–225). */
const spiderLabel = z
  .number()
  .int()
  .refine(isKnownLabel, 'not a SPIDER label value (0, 1–25, 100, 101–125, 201–225)');

const GRADING_FIELD_IDS = GRADING_FIELDS.map((f) => f.field) as [GradingField, ...GradingField[]];
const patientId = z.number().int().min(0);
const ivdLabel = z.number().int().min(0).max(25);

const seriesId = z.string().regex(/^\d+_[A-Za-z0-9_]+$/, 'series id like 7_t2');
/** Largest encoded diff commitEdit takes: 96 MiB (a whole 1024×1024×40 volume changed fits). */
export const MAX_DIFF_BYTES = 96 * 1024 * 1024;
/** True for a Uint8Array (or Buffer) of any realm: IPC and tests may hand over arrays made elsewhere. */
function isUint8Array(v: unknown): v is Uint8Array {
  return ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === '[object Uint8Array]';
}
/** An 'rle-u8-v1' diff as bytes (web mode: the framed body of common/wire.ts; IPC: structured clone). */
const diffBytes = z
  .custom<Uint8Array>(isUint8Array, 'diff must be bytes (a Uint8Array)')
  .refine((b) => b.byteLength <= MAX_DIFF_BYTES, `diff over ${MAX_DIFF_BYTES} bytes`);

/** A world coordinate of a measurement point (mm): finite, within ±MAX_MEASUREMENT_COORD_MM. */
const worldMm = z.number().min(-MAX_MEASUREMENT_COORD_MM).max(MAX_MEASUREMENT_COORD_MM);
const measurementId = z.number().int().min(1);

export const measurementRequestSchemas = {
  /** The series' standing (not deleted) measurements, oldest first. */
  listMeasurements: z.object({ seriesId }).strict(),
  /** Stores a ruler (2 points) or an angle (3 points, vertex in the middle); main computes its value. */
  addMeasurement: z
    .object({
      seriesId,
      kind: z.enum(MEASUREMENT_KINDS),
      points: z.array(z.tuple([worldMm, worldMm, worldMm])).min(2).max(3),
      note: storedText('note', 200).optional(),
    })
    .strict()
    .refine((r) => r.points.length === MEASUREMENT_POINTS[r.kind], {
      message: 'a ruler has 2 points, an angle 3',
      path: ['points'],
    }),
  /** Marks a measurement deleted (it stays in the store; restoreMeasurement takes the deletion back). */
  deleteMeasurement: z.object({ id: measurementId }).strict(),
  restoreMeasurement: z.object({ id: measurementId }).strict(),
} as const;

export interface MeasurementResponses {
  listMeasurements: { seriesId: string; measurements: MeasurementInfo[] };
  /** The measurement as stored (committed before this returns). */
  addMeasurement: MeasurementInfo;
  /** Deleting a deleted measurement answers its first deletion again. */
  deleteMeasurement: { id: number; seriesId: string; deletedAt: string };
  restoreMeasurement: MeasurementInfo;
}

// --- export (issue 6) --- //

export const EXPORT_FORMATS = ['mha', 'nifti'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An absolute path on POSIX (/…) or Windows (C:\…, \\server\share); checked against the source by the service. */
const absolutePath = z
  .string()
  .min(1, 'output folder is empty')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path holds a NUL character')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'output folder must be an absolute path');
const exportJobId = z.string().regex(/^export-\d+$/, 'export job id like export-1');

export const exportRequestSchemas = {
  /** Starts writing a revised dataset into outDir (via outDir.partial); progress via exportStatus. */
  startExport: z
    .object({ outDir: absolutePath, format: z.enum(EXPORT_FORMATS), changedOnly: z.boolean(), force: z.boolean() })
    .strict(),
  exportStatus: z.object({ jobId: exportJobId }).strict(),
  cancelExport: z.object({ jobId: exportJobId }).strict(),
} as const;

/** What a finished export wrote. */
export interface ExportResult {
  /** Absolute path of the export folder. */
  outDir: string;
  format: ExportFormat;
  changedOnly: boolean;
  /** Files in the export folder, the manifest included. */
  filesWritten: number;
  bytesWritten: number;
  /** Absolute paths of export-manifest.json and CHANGES.md. */
  manifestFile: string;
  changesFile: string;
  seriesExported: number;
  /** Exported series whose labels differ from the original mask. */
  seriesChanged: number;
  gradingChanges: number;
  warnings: string[];
  durationMs: number;
}

export interface ExportStatus {
  jobId: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  phase: 'preparing' | 'writing' | 'finishing';
  filesDone: number;
  /** An estimate until the export finishes (series that turn out unchanged in a changed-only export drop out). */
  filesTotal: number;
  /** Work in bytes: files copied plus voxel bytes rebuilt or converted. */
  bytesDone: number;
  bytesTotal: number;
  /** Remaining time from the rate so far; null until it can be estimated. */
  etaSeconds: number | null;
  elapsedSeconds: number;
  /** The series being processed. */
  current: string | null;
  error?: ErrorInfo;
  result?: ExportResult;
}

export interface ExportResponses {
  startExport: { jobId: string };
  exportStatus: ExportStatus;
  /** The status after the cancel was requested (the job ends as 'cancelled' once its partial folder is removed). */
  cancelExport: ExportStatus;
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
  ...exportRequestSchemas,
} as const;

export type Method = keyof typeof requestSchemas;
/** A request as it crosses a transport: what its schema accepts (commitEdit's `diff` is bytes only). */
export type WireRequest<M extends Method> = z.infer<(typeof requestSchemas)[M]>;
/** A request as the service takes it: exactly what crosses a transport. */
export type Request<M extends Method> = WireRequest<M>;

export interface Responses extends ExportResponses, MeasurementResponses {
  getDataset: DatasetSummary;
  getSession: SessionInfo;
  setAnnotator: SessionInfo;
  listSeries: SeriesSummary[];
  openSeries: OpenSeriesResponse;
  setSeriesStatus: { seriesId: string; status: SeriesStatus };
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

