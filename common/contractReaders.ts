// Contract part: several readers (issue 16). Annotation packages (one reader's label edits and gradings of one
// dataset, imported read-only as a reader layer), agreement between two sources (Dice / volume per series and
// label, Cohen's κ per grading field, weighted for Pfirrmann), adjudication (per label and per level: take one
// source's, or edit by hand; one journal entry with the adjudicator's name) and its progress.
// Merged into requestSchemas / Responses by contract.ts. main/core/readers/ implements it. Pure.
import { z } from 'zod';
import type { Vec3 } from './geometry.js';
import type { GradingField } from './gradings.js';
import type { GradingLevel } from './contract.js';
import { annotatorName, ivdLabel, patientId, seriesId, spiderLabel, storedText } from './schemas.js';

/**
 * Where labels and grades come from:
 * - 'original': the dataset as released (its masks and radiological_gradings.csv);
 * - 'local': this store (original masks + the label journal, CSV + the store's gradings). In an adjudicator's
 *   store this is the consensus;
 * - 'reader:NAME': an imported reader layer (original masks + the package's label diffs; the package's gradings,
 *   no CSV fallback: a reader's grade is only what that reader entered).
 */
export type SourceRef = 'original' | 'local' | `reader:${string}`;
export const sourceRef = z
  .string()
  .max(90)
  .refine((s) => s === 'original' || s === 'local' || (s.startsWith('reader:') && annotatorName.safeParse(s.slice(7)).success),
    "source must be 'original', 'local' or 'reader:NAME'") as unknown as z.ZodType<SourceRef>;

/** The reader name of a 'reader:NAME' source, else null. */
export function readerOf(source: SourceRef): string | null {
  return source.startsWith('reader:') ? source.slice('reader:'.length) : null;
}

/**
 * Largest annotation package: 72 MiB, so that its base64 text (96 MiB) and the JSON around it fit under web mode's
 * 100 MiB request body limit (main/server/http.ts MAX_BODY_BYTES). A package holds only the changed voxels, in runs.
 */
export const MAX_PACKAGE_BYTES = 72 * 1024 * 1024;
const packageBase64 = z
  .string()
  .max(Math.ceil(MAX_PACKAGE_BYTES / 3) * 4, 'annotation package over 72 MiB')
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'annotation package data must be base64');

/** Which grades a reader comparison uses: each reader's current value, or the first value each entered. */
export const GRADE_BASES = ['current', 'first'] as const;
export type GradeBasis = (typeof GRADE_BASES)[number];

/** An imported reader layer. */
export interface ReaderInfo {
  name: string;
  /** Who imported it into this store, and when (ISO-8601 UTC). */
  importedBy: string;
  importedAt: string;
  /** When the package was written, and by which app version. */
  packageCreatedAt: string;
  appVersion: string;
  /** SHA-256 of the package file (hex): importing the same file again changes nothing. */
  sha256: string;
  /** Series with a label layer (labels that differ from the original mask). */
  seriesWithLabels: number;
  /** Levels with at least one grade, and the grades in all. */
  gradedLevels: number;
  grades: number;
}

/** One label of one series compared between sources A and B. Voxel counts; volumes in mm³. */
export interface LabelAgreement {
  value: number;
  name: string;
  voxelsA: number;
  voxelsB: number;
  /** Voxels labelled `value` by both. */
  intersection: number;
  /** 2|A∩B| / (|A|+|B|); 1 when both are empty (such labels are not listed). */
  dice: number;
  volumeAMm3: number;
  volumeBMm3: number;
  /** volumeB − volumeA. */
  volumeDiffMm3: number;
}

export interface SeriesAgreement {
  seriesId: string;
  patientId: number;
  /** Labels present in A or B, ascending by value. */
  labels: LabelAgreement[];
  /** Some label differs (a Dice under 1). */
  differing: boolean;
  /** Why the series could not be compared (unreadable mask …), else null; then `labels` is empty. */
  skipped: string | null;
}

/** Cohen's κ of one grading field over a set of level pairs graded by both sources. */
export interface KappaFigures {
  /** Level pairs where both sources hold a value. */
  n: number;
  /** Observed agreement (share of equal pairs); null when n = 0. */
  observed: number | null;
  /** κ (quadratic-weighted when `weights` says so); null when undefined (n = 0, or chance agreement is 1). */
  kappa: number | null;
  /** The field's legal values: the rows (A) and columns (B) of `confusion`. */
  categories: number[];
  /** confusion[i][j] = pairs with A = categories[i] and B = categories[j]. */
  confusion: number[][];
}

export interface FieldAgreement extends KappaFigures {
  field: GradingField;
  /** 'quadratic' for Pfirrmann (ordinal), null (unweighted) for the others. */
  weights: 'quadratic' | null;
  /** The same figures per IVD label (1 = L5/S1 …), levels with n > 0 only, ascending. */
  perLevel: (KappaFigures & { ivdLabel: number })[];
}

export interface AgreementReport {
  a: SourceRef;
  b: SourceRef;
  basis: GradeBasis;
  /** Every series with a readable mask or a layer in A or B. */
  series: SeriesAgreement[];
  /** Per label value over the series holding it in A or B: Dice distribution summary. */
  perLabel: { value: number; name: string; series: number; meanDice: number; medianDice: number; minDice: number }[];
  summary: { series: number; seriesDiffering: number; seriesSkipped: number; meanDice: number | null };
  gradings: FieldAgreement[];
}

/** A label of the open series where A and B disagree, with where to look. */
export interface LabelDisagreement extends LabelAgreement {
  /** Voxels labelled `value` by A only / by B only. */
  onlyA: number;
  onlyB: number;
  /** Voxel (and LPS mm) nearest the centroid of the disagreeing voxels that is itself disagreeing; null if none. */
  focus: { ijk: Vec3; world: Vec3 } | null;
}

/** One adjudication decision (the latest one per item counts). */
export interface AdjudicationInfo {
  kind: 'label' | 'level';
  seriesId: string | null;
  label: number | null;
  patientId: number | null;
  ivdLabel: number | null;
  /** The source whose label or grades were taken; null = decided by editing by hand. */
  from: SourceRef | null;
  annotator: string;
  createdAt: string;
  /** The label journal entry the decision wrote (label decisions taken from a source), else null. */
  editSeq: number | null;
  /**
   * Whether it still decides its item: false for a take whose edit was undone, or a decision about a reader's layer
   * that has since been replaced by another package. Only live decisions count in adjudicationProgress.
   */
  live: boolean;
}

export interface SeriesAgreementResponse {
  seriesId: string;
  a: SourceRef;
  b: SourceRef;
  /** The local label revision the comparison was computed on. */
  revision: number;
  /** Every label present in A or B (Dice 1 included), ascending; disagreeing ones have focus set. */
  labels: LabelDisagreement[];
  /** The patient's levels where some grading field differs between A and B. */
  levels: { ivdLabel: number; fields: { field: GradingField; a: number | null; b: number | null }[] }[];
  /** Latest decision per label of this series and per level of its patient. */
  decisions: AdjudicationInfo[];
}

export interface AdjudicationProgress {
  a: SourceRef;
  b: SourceRef;
  /** (series, label) pairs where A and B disagree, and how many of them have a decision. */
  labels: { total: number; decided: number };
  /** (patient, level) pairs where some grading field differs, and how many of them have a decision. */
  levels: { total: number; decided: number };
}

export const readerRequestSchemas = {
  listReaders: z.object({}).strict(),
  /**
   * Adds a package as a read-only reader layer; the same file again is a no-op (alreadyImported). Another package of
   * a reader already imported is refused (`conflict`) unless `replace`, which swaps that reader's layer atomically.
   */
  importAnnotations: z
    .object({ fileName: storedText('file name', 255), data: packageBase64, replace: z.boolean().optional() })
    .strict(),
  /** One annotator's label edits and gradings of this dataset as a package (base64). */
  exportAnnotations: z.object({ annotator: annotatorName }).strict(),
  /** Agreement over the whole dataset (cached per sources and their revisions). */
  agreement: z.object({ a: sourceRef, b: sourceRef, basis: z.enum(GRADE_BASES).optional() }).strict(),
  /** The open series' labels compared, with a focus point per disagreeing label, and its patient's level diffs. */
  seriesAgreement: z.object({ seriesId, a: sourceRef, b: sourceRef }).strict(),
  /**
   * A source's labels of a series as a diff from the local labels at `revision` (base64 'rle-u8-v1'): the renderer
   * applies it to a copy of its volume (outline display, taking a label). `conflict` when the revision moved.
   */
  readerLabels: z.object({ seriesId, source: sourceRef, revision: z.number().int().min(0) }).strict(),
  /**
   * Records a decision that writes no labels: a label decided by hand editing (`from` null) or one whose local labels
   * already equal `from`'s (checked: else `conflict`; e.g. "keep mine" when A is 'local'); or a level's grades taken
   * from a source (`from` set: its values are set in one transaction, events by the adjudicator) or decided by hand
   * (`from` null). A label taken from a source that differs goes through commitEdit (tool 'adjudicate', with
   * `adjudication`), which records the decision in the same transaction as the edit.
   */
  adjudicate: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('label'), seriesId, label: spiderLabel, from: sourceRef.nullable() }).strict(),
    z.object({ kind: z.literal('level'), patientId, ivdLabel: ivdLabel.min(1), from: sourceRef.nullable() }).strict(),
  ]),
  adjudicationProgress: z.object({ a: sourceRef, b: sourceRef }).strict(),
} as const;

/** commitEdit's optional field: this edit takes label `label` from `from` (tool must be 'adjudicate'). */
export const adjudicationField = z.object({ from: sourceRef }).strict();

export interface ReaderResponses {
  listReaders: { readers: ReaderInfo[] };
  importAnnotations: { reader: ReaderInfo; alreadyImported: boolean };
  exportAnnotations: { fileName: string; data: string; series: number; grades: number; warnings: string[] };
  agreement: AgreementReport;
  seriesAgreement: SeriesAgreementResponse;
  readerLabels: { seriesId: string; source: SourceRef; revision: number; diff: string };
  adjudicate: { decision: AdjudicationInfo; level: GradingLevel | null };
  adjudicationProgress: AdjudicationProgress;
}
