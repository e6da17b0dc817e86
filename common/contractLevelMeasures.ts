// Contract part: measurements per disc level from the masks, named with their source series (issue 15, item 5).
// Merged into requestSchemas / Responses by contract.ts. main/core/gradings/levelMeasuresService.ts implements it;
// the grading dock shows them beside the grades (renderer/features/grading/LevelHints.tsx) and the export writes
// them as level_measurements.csv. The disagreement rules (measureFlags) live here so the dock, the tests and any
// later report apply the same few rules. Pure.
import { z } from 'zod';
import type { GradingField } from './gradings.js';
import { patientId } from './schemas.js';
import { sequenceTitle } from './sequences.js';

/** Meyerding grade 0–5 (0 = no forward slip … 5 = spondyloptosis, > 100 %). */
export type MeyerdingGrade = 0 | 1 | 2 | 3 | 4 | 5;

/** The measurements of one disc level in one series (null: not measurable there, see `notes`). */
export interface LevelMeasure {
  seriesId: string;
  /** 't1' | 't2' | 't2_SPACE' …: the part of the series id after the patient. */
  sequence: string;
  ivdLabel: number;
  /** Disc heights (mm) along the local spine axis: anterior, middle, posterior fifth of the disc, mid-sagittal. */
  discHeightMm: { anterior: number; middle: number; posterior: number } | null;
  /** Mean mid-height (mm) of the adjacent vertebrae found (the one above, and the one below unless sacrum). */
  vertebraHeightMm: number | null;
  /** Disc height index: each disc height over vertebraHeightMm, and their mean. */
  dhi: { anterior: number; middle: number; posterior: number; mean: number } | null;
  /**
   * Slip of the upper vertebra's posterior edge relative to the lower vertebra along the lower endplate, mm:
   * positive = forward (anterolisthesis), negative = backward (retrolisthesis). Null at L5/S1 (no sacrum label).
   */
  slipMm: number | null;
  /** |slip| in % of the lower endplate's A–P length. */
  slipPercent: number | null;
  /** Meyerding grade of a forward slip (0 for none, for a backward one, or for one under a voxel). */
  meyerding: MeyerdingGrade | null;
  /** Canal (label 100) antero-posterior diameter at the disc's level, mm. */
  canalApMm: number | null;
  /** Mean image intensity in the disc's central core over the mean in the canal at that level (T2 series only). */
  signalRatio: number | null;
  /** Why something is missing (e.g. 'no canal at this level'). */
  notes: string[];
}

export interface LevelMeasuresSeries {
  seriesId: string;
  sequence: string;
  /** Label revision measured (the cache key with the series id). */
  revision: number;
  /** Why the series has no measurements (no mask, unreadable mask, oblique grid), else null. */
  skipped: string | null;
  levels: LevelMeasure[];
}

export interface LevelMeasuresResponse {
  patientId: number;
  series: LevelMeasuresSeries[];
}

export const levelMeasureRequestSchemas = {
  /** Per disc level and series of the patient, from the current labels (cached by series + label revision). */
  levelMeasures: z.object({ patientId }).strict(),
} as const;

export interface LevelMeasureResponses {
  levelMeasures: LevelMeasuresResponse;
}

/** The Meyerding grade of a slip percentage (negative: backward, grade 0). */
export function meyerdingGrade(percent: number): MeyerdingGrade {
  if (percent <= 0) return 0;
  if (percent <= 25) return 1;
  if (percent <= 50) return 2;
  if (percent <= 75) return 3;
  if (percent <= 100) return 4;
  return 5;
}

// Disagreement rules: few and conservative (a flag asks for a second look, it never changes a grade).
/** A forward slip of at least this % with Spondylolisthesis = no. */
export const FLAG_SLIP_PERCENT = 10;
/** A mean DHI below this with Disc narrowing = no (healthy lumbar discs measure about 0.3–0.5 on these masks). */
export const FLAG_DHI_LOW = 0.18;
/** A nucleus/CSF T2 ratio above this with Pfirrmann ≥ 4 (a dark, degenerated nucleus is well below 0.5). */
export const FLAG_SIGNAL_HIGH = 0.7;

export interface MeasureFlag {
  field: GradingField;
  seriesId: string;
  message: string;
}

/** Where a series' measurement disagrees with the grades entered (values by field; null = not graded). */
export function measureFlags(m: LevelMeasure, values: Partial<Record<GradingField, number | null>>): MeasureFlag[] {
  const out: MeasureFlag[] = [];
  const tag = seriesTag(m.sequence);
  if (m.slipMm !== null && m.slipMm > 0 && m.slipPercent !== null && m.slipPercent >= FLAG_SLIP_PERCENT && values.spondylolisthesis === 0) {
    out.push({ field: 'spondylolisthesis', seriesId: m.seriesId, message: `${tag}: forward slip ${m.slipPercent.toFixed(0)} % but Spondylolisthesis = no` });
  }
  if (m.dhi && m.dhi.mean < FLAG_DHI_LOW && values.narrowing === 0) {
    out.push({ field: 'narrowing', seriesId: m.seriesId, message: `${tag}: DHI ${m.dhi.mean.toFixed(2)} is low but Narrowing = no` });
  }
  if (m.signalRatio !== null && m.signalRatio > FLAG_SIGNAL_HIGH && (values.pfirrmann ?? 0) >= 4) {
    out.push({ field: 'pfirrmann', seriesId: m.seriesId, message: `${tag}: nucleus/CSF signal ${m.signalRatio.toFixed(2)} is high for Pfirrmann ≥ IV` });
  }
  return out;
}

/** 'T1', 'T2', 'T2 SPACE' for a sequence suffix. */
export const seriesTag = sequenceTitle;

/** One line for the dock: "T2: DHI 0.31, slip 2.1 mm (8 %, grade I), canal 12.0 mm, nucleus/CSF 0.84". */
export function formatLevelMeasure(m: LevelMeasure): string {
  const parts: string[] = [];
  if (m.dhi) parts.push(`DHI ${m.dhi.mean.toFixed(2)}`);
  if (m.slipMm !== null && m.slipPercent !== null && m.meyerding !== null) {
    parts.push(`slip ${m.slipMm.toFixed(1)} mm (${m.slipPercent.toFixed(0)} %, grade ${ROMAN[m.meyerding]})`);
  }
  if (m.canalApMm !== null) parts.push(`canal ${m.canalApMm.toFixed(1)} mm`);
  if (m.signalRatio !== null) parts.push(`nucleus/CSF ${m.signalRatio.toFixed(2)}`);
  return `${seriesTag(m.sequence)}: ${parts.length > 0 ? parts.join(', ') : 'not measurable'}`;
}

const ROMAN = ['0', 'I', 'II', 'III', 'IV', 'V'] as const;
