// Sole entry point of the export (issue 6): a revised dataset in the SPIDER layout or as nnU-Net v2 raw data, with
// a change manifest. Plain Node (main/core): no electron, no adapters. Import from here.
export { runExport } from './engine.js';
export {
  DEFAULT_EXPORT_WORKERS,
  ExportCancelledError,
  type ExportDeps,
  type ExportFormat,
  type ExportProgress,
  type ExportRequest,
  type ExportSummary,
  type RunOptions,
} from './types.js';
export { createExportJobs, type ExportJobs } from './jobs.js';
export { CHANGES_FILE, MANIFEST_FILE, OWNER_FILE, checkOutDir, preflight } from './target.js';
export type { ExportManifest, FileRecord, LabelChange, SeriesRecord } from './manifest.js';
export { describeLevel, LevelsNotExportedError, type GradingChange } from './gradingsCsv.js';
// The int16→u8 label conversion the workstation shares with the export's worker thread.
export { labelBytesOf } from './labelBytes.mjs';
export { niftiAffine, niftiHeader, nnunetLabels, remapDocument, spiderToNnunet } from './nifti.js';
