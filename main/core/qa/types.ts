// Types of the label quality checks (issue 14): findings, the per-series summary the dataset-level checks use,
// and the report of a whole run. Plain data, JSON-serialisable.
import type { Vec3 } from '../../../common/geometry.js';
import type { QaFindingInfo, QaSeverityInfo } from '../../../common/contractQa.js';

export type QaSeverity = QaSeverityInfo;

export type QaCode =
  // per series, from the mask alone
  | 'mask_unreadable' // the mask could not be read (error)
  | 'unknown_label' // a voxel value outside the SPIDER convention (error)
  | 'level_gap' // vertebra levels not consecutive from the lowest present (error)
  | 'duplicate_level' // vertebra n labelled both whole (n) and partial (100 + n) (error)
  | 'partial_not_at_end' // a partial vertebra 100 + n that is not the lowest or highest level (error)
  | 'level_order' // vertebra centroids along the spine axis not in label order (error)
  | 'disc_without_vertebra' // disc 200 + n without vertebra n (the one above it) (warning)
  | 'disc_not_touching' // disc 200 + n does not touch vertebra n or n - 1 (error)
  | 'disc_position' // disc 200 + n not between vertebrae n - 1 and n along the spine axis (error)
  | 'island' // a structure in more than one connected part (error when a part is >= 10 % of the largest)
  | 'canal_missing' // vertebrae but no canal (warning)
  | 'canal_gap' // the canal is interrupted between the lowest and highest vertebra (error)
  | 'far_from_spine' // a labelled part far from the spine (outside the body region of the spine) (error)
  // dataset level
  | 'volume_outlier' // a label's volume far from the dataset's for that label and sequence (warning)
  | 'sibling_levels' // the patient's other series carry levels this one lacks (warning)
  | 'grading_without_disc' // a gradings row for a disc this series does not label (warning)
  | 'disc_without_grading'; // a labelled disc without a gradings row (warning)

/** A finding: the contract's QaFindingInfo (common/contractQa.ts) with the code narrowed to the checks' codes. */
export interface QaFinding extends Omit<QaFindingInfo, 'code' | 'severity'> {
  code: QaCode;
  severity: QaSeverity;
}

/** What the dataset-level checks need of one series, kept after its voxels are dropped. */
export interface SeriesQaSummary {
  seriesId: string;
  patientId: number;
  sequence: string;
  /** mm³ of one voxel. */
  voxelVolume: number;
  /** Per label value present: voxel count and centroid. */
  labels: { value: number; voxels: number; centroidIjk: Vec3; centroidWorld: Vec3 }[];
}

export interface QaReport {
  root: string;
  /** Series whose mask was read and checked. */
  seriesChecked: number;
  /** Series without a mask (not checked). */
  seriesWithoutMask: string[];
  findings: QaFinding[];
  counts: Record<QaSeverity, number>;
  /** Per checked series: label volumes and centroids (what the dataset-level checks and the dashboard use). */
  summaries: SeriesQaSummary[];
}
