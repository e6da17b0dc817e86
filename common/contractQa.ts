// Contract part: label quality checks of the open workstation (issue 14, items 2 and 3). Merged into
// requestSchemas / Responses by contract.ts. main/core/qa/service.ts implements it; the worklist badges use
// qaOverview, the Problems panel qaSeries (and its one-click fixes, renderer/qa/).
import { z } from 'zod';
import type { Vec3 } from './geometry.js';
import { seriesId } from './schemas.js';

export type QaSeverityInfo = 'error' | 'warning' | 'info';

/** One finding as the UI shows it (the same fields as main/core/qa's QaFinding). */
export interface QaFindingInfo {
  /** e.g. 'island', 'level_order', 'sibling_levels' (the codes of `spine-ws qa`). */
  code: string;
  severity: QaSeverityInfo;
  seriesId: string;
  patientId?: number;
  /** Mask values concerned. */
  labels: number[];
  /** A voxel (index coordinates) where the problem is, when it has a place. */
  ijk?: Vec3;
  /** The same place in world (LPS, mm) coordinates: where the crosshair goes. */
  world?: Vec3;
  message: string;
}

/** Per label value of a series: voxel count and centroid (what fixes and dataset-level checks reason on). */
export interface QaLabelSummary {
  value: number;
  voxels: number;
  centroidIjk: Vec3;
  centroidWorld: Vec3;
}

export interface QaSeriesCounts {
  seriesId: string;
  errors: number;
  warnings: number;
  /** The label revision the counts were computed on. */
  revision: number;
}

export interface QaOverview {
  /**
   * 'idle': no run started yet (the first qaOverview starts it); 'computing': `done` of `total` series checked;
   * 'ready': every series with a mask checked (later edits are re-checked series by series).
   */
  state: 'idle' | 'computing' | 'ready';
  done: number;
  total: number;
  /** Series checked so far (ready or not), in dataset order; series without a mask are not listed. */
  series: QaSeriesCounts[];
  /** Why the last dataset run failed, if it did (the per-series counts stay as far as they got). */
  error?: string;
}

export interface QaSeriesReport {
  seriesId: string;
  /** The label revision the per-series checks ran on: the current one when this was answered. */
  revision: number;
  /** Per-series findings on the current labels, then the dataset-level ones (volume outliers, siblings, gradings). */
  findings: QaFindingInfo[];
  /** False while the dataset run is still computing: the dataset-level findings are not in `findings` yet. */
  datasetChecks: boolean;
  /** The series' labels (current). */
  labels: QaLabelSummary[];
  /** The patient's other series as last checked (for fixes that compare levels, e.g. a shift by the siblings'). */
  siblings: { seriesId: string; labels: QaLabelSummary[] }[];
}

export const qaRequestSchemas = {
  /** Per-series error / warning counts of the dataset (starts the background run on first call). */
  qaOverview: z.object({}).strict(),
  /** The findings of one series on its current labels (checked again when its labels changed). */
  qaSeries: z.object({ seriesId }).strict(),
} as const;

export interface QaResponses {
  qaOverview: QaOverview;
  qaSeries: QaSeriesReport;
}
