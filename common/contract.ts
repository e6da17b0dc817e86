// The one service contract (ARCHITECTURE.md §3): every call the UI can make, with a zod schema per request.
// main/core implements it as one service object; Electron IPC, the web-mode HTTP server and tests are thin
// transports over that object. Bulk voxel data never goes through this contract: volumes stream as raw bytes
// (GET /volume/<series>/<image|mask> in web mode, spine:// in Electron).
import { z } from 'zod';
import type { ErrorInfo, Result } from './errors.js';
import type { VolumeGeometry } from './geometry.js';

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
  /** The current label volume (original mask + journal), one byte per voxel on the image grid. */
  mask: VolumeInfo & { source: 'file' | 'empty' };
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

/** Result of undo/redo: the entry and its diff, which the renderer applies backwards (undo) or forwards (redo). */
export interface UndoRedoResponse {
  edit: EditInfo | null;
  /** base64 of the entry's 'rle-u8-v1' diff; null when there was nothing to undo/redo. */
  diff: string | null;
  revision: number;
}

const seriesId = z.string().regex(/^\d+_[A-Za-z0-9_]+$/, 'series id like 7_t2');
/** base64 of an 'rle-u8-v1' diff; 96 MiB of text at most (a whole 1024×1024×40 volume changed fits). */
const diffBase64 = z.string().max(96 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

export const requestSchemas = {
  getDataset: z.object({}).strict(),
  listSeries: z.object({}).strict(),
  openSeries: z.object({ seriesId }).strict(),
  setSeriesStatus: z.object({ seriesId, status: z.enum(SERIES_STATUSES) }).strict(),
  commitEdit: z
    .object({
      seriesId,
      /** The label revision the edit was made on; a different current revision is a conflict. */
      baseRevision: z.number().int().min(0),
      tool: z.string().min(1).max(40),
      /** The label the tool wrote (0 for the eraser). */
      label: z.number().int().min(0).max(255),
      description: z.string().min(1).max(200),
      diff: diffBase64,
    })
    .strict(),
  undo: z.object({ seriesId }).strict(),
  redo: z.object({ seriesId }).strict(),
  history: z.object({ seriesId }).strict(),
} as const;

export type Method = keyof typeof requestSchemas;
export type Request<M extends Method> = z.infer<(typeof requestSchemas)[M]>;

export interface Responses {
  getDataset: DatasetSummary;
  listSeries: SeriesSummary[];
  openSeries: OpenSeriesResponse;
  setSeriesStatus: { seriesId: string; status: SeriesStatus };
  /** Returned only after the edit is committed to the journal on disk. */
  commitEdit: { seq: number; revision: number; savedAt: string };
  undo: UndoRedoResponse;
  redo: UndoRedoResponse;
  history: { revision: number; edits: EditInfo[] };
}

/** Every method, as a list (the transports register exactly these). */
export const METHODS = Object.keys(requestSchemas) as Method[];

/** The service as the transports see it: one async function per method. Errors are thrown as AppError. */
export type Service = { [M in Method]: (req: Request<M>) => Promise<Responses[M]> };

/** The service as the renderer sees it: results, never throws across the boundary. */
export type Api = { [M in Method]: (req: Request<M>) => Promise<Result<Responses[M]>> };

export type { ErrorInfo, Result };
