// Contract part: the dataset dashboard (issue 14, item 5). Merged into requestSchemas / Responses by contract.ts.
// DashboardData is plain JSON built by main/core/qa/dashboard.ts from a QA report, the series statuses and the
// gradings; common/plots/dashboard.ts turns it into SVG plots for the app and for `spine-ws qa --report`.
import { z } from 'zod';

export type DashboardSeverity = 'error' | 'warning' | 'info';

/** One series' volume of one label, a point of the label-volume distributions. */
export interface VolumePoint {
  seriesId: string;
  /** mm³. */
  mm3: number;
  /** Robust z-score within its label and sequence; null when the group is too small to be judged. */
  z: number | null;
  /** A volume_outlier finding names this series and label. */
  outlier: boolean;
}

export interface VolumeGroup {
  /** Mask value. */
  label: number;
  /** 'L4', 'L4/L5', 'Canal' … */
  name: string;
  points: VolumePoint[];
}

/** The distribution of one grading field per disc level. */
export interface GradeDistribution {
  field: 'pfirrmann' | 'modic';
  title: string;
  /** Legal values in display order, and their names ('I' … 'V'; 'None', 'Type I' …). */
  values: number[];
  valueNames: string[];
  /** Cranial level first. */
  levels: {
    /** IVD label k (1 = L5/S1). */
    ivdLabel: number;
    name: string;
    /** Levels with each value, aligned with `values`. */
    counts: number[];
    /** Levels of a patient that are segmented or listed but have no value for this field. */
    ungraded: number;
  }[];
}

export interface DashboardOutlier {
  seriesId: string;
  sequence: string;
  label: number;
  name: string;
  mm3: number;
  z: number | null;
  message: string;
}

export interface DashboardData {
  dataset: {
    /** Folder name (never the absolute path). */
    name: string;
    patients: number;
    series: number;
    /** Series whose mask was read and checked. */
    seriesChecked: number;
    seriesWithoutMask: number;
  };
  counts: Record<DashboardSeverity, number>;
  /** Series per work status, in the workflow's order. */
  progress: { status: string; label: string; count: number }[];
  /** Findings per check code and severity, most findings first. */
  findingsByCheck: { code: string; counts: Record<DashboardSeverity, number> }[];
  /** Label volumes per sequence, labels in anatomical order (cranial first). */
  volumes: { sequence: string; groups: VolumeGroup[] }[];
  outliers: DashboardOutlier[];
  grades: GradeDistribution[];
  /** ISO time the QA report behind it was made. */
  generatedAt: string;
}

export const dashboardRequestSchemas = {
  /** Runs (or reuses) the dataset QA on the current labels and summarises it with statuses and gradings. */
  getDashboard: z.object({}).strict(),
} as const;

export interface DashboardResponses {
  getDashboard: DashboardData;
}
