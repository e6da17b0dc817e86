// Sole entry point of the dataset core: CSV parsing (overview.csv, radiological_gradings.csv) and the
// header-only scan of a SPIDER-layout folder. Plain Node (ARCHITECTURE.md §2): no electron, no renderer.
export type {
  CsvFormat,
  CsvRecord,
  DatasetIndex,
  DatasetProblem,
  GradingFlag,
  GradingRow,
  GradingsTable,
  GradingValues,
  OverviewRow,
  OverviewTable,
  Patient,
  ProblemCode,
  ProblemSeverity,
  SequenceInfo,
  SeriesEntry,
  Sex,
  VolumeHeaderSummary,
} from './types.js';
export { DatasetCsvError, type CsvFileProblem, cellSpans, dominantLineBreak, readCsvTable, type LocatedCsvRecord } from './csv.js';
export { mapLimit } from './concurrency.js';
export { OVERVIEW_COLUMNS, OVERVIEW_KEY_COLUMN, parseListCell, parseOverviewCsv, parsePixelSpacing } from './overview.js';
export { crossCheckGradings, IVD_LABEL_COLUMN, MAX_IVD_LABEL, parseGradingsCsv, PATIENT_COLUMN } from './gradings.js';
export { compareSequences, compareSeries, KNOWN_SEQUENCES, parseSeriesId, type SeriesIdParts } from './seriesId.js';
export {
  DEFAULT_SCAN_CONCURRENCY,
  GRADINGS_FILE,
  IMAGES_DIR,
  MASKS_DIR,
  OVERVIEW_FILE,
  scanDataset,
  type ScanOptions,
} from './scan.js';
