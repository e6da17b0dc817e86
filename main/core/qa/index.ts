// Sole entry point of the label quality checks (issue 14): per-series checks on a label volume, dataset-level
// checks on the per-series summaries, and the runner over a scanned dataset. Plain Node, no electron.
export type { QaCode, QaFinding, QaReport, QaSeverity, SeriesQaSummary } from './types.js';
export { checkSeries, checkScan, FAR_RADII, MAX_ISLANDS_LISTED, SPLIT_FRACTION, type SeriesInput, type SeriesResult } from './checks.js';
export { gradingsVsDiscs, MIN_MAD_FRACTION, MIN_OUTLIER_GROUP, OUTLIER_Z, robustZ, siblingLevels, volumeOutliers } from './dataset.js';
export { principalAxis } from './geometry.js';
export { scanVolume, type Connectivity, type LabelScan, type VolumeScan } from './scan.js';
export { defaultReadMask, runQa, type QaOptions } from './runner.js';
export { createQaService, DATASET_CODES, QA_RECHECK_DEBOUNCE_MS, type QaMethods, type QaService, type QaServiceDeps } from './service.js';
