// The export's public types (request, dependencies, progress, result) and its cancel error. Shared by the
// orchestrator (engine.ts), the series writers and the adapters (jobs.ts, the CLI).
import { availableParallelism } from 'node:os';
import type { ExportResult } from '../../../common/contract.js';
import type { AgreementReport, SourceRef } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import type { DatasetIndex } from '../dataset/index.js';
import type { LabelJournal } from '../labels/labelState.js';
import type { Store } from '../store/index.js';

export type ExportFormat = 'mha' | 'nifti';

export interface ExportRequest {
  /** Absolute path of the folder to create. */
  outDir: string;
  format: ExportFormat;
  changedOnly: boolean;
  force: boolean;
  /** Refuse (LevelsNotExportedError, nothing written) when a graded level would be left out of the gradings CSV. */
  strict?: boolean;
  /**
   * Whose labels and grades (issue 16): 'local' (default) the original + this store's journal and gradings (in an
   * adjudicator's store: the consensus); 'original' the dataset as released; 'reader:NAME' the original + that
   * imported reader's label layer, and the gradings CSV with that reader's values applied.
   */
  source?: SourceRef | undefined;
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
  /**
   * Workstation version for the manifest, given by the adapter that runs the export (the CLI, the workstation's
   * export jobs); 'unknown' without. The engine does not look for package.json: where it lies depends on how the
   * app is run and bundled.
   */
  appVersion?: string;
  /**
   * The agreement of two sources over the dataset (current grades), for the manifest of an export with readers: the
   * workstation passes its cached one (readers/agreementService.ts). Without it each pair is computed afresh.
   */
  agreement?: (a: SourceRef, b: SourceRef) => Promise<AgreementReport>;
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
