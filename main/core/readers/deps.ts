// What the reader services (issue 16: packages, agreement, adjudication) need from the open workstation. Built once
// by workstation.ts; every part of main/core/readers takes this and nothing else from it.
import type { GradingLevel } from '../../../common/contract.js';
import type { DatasetIndex, SeriesEntry } from '../dataset/index.js';
import type { LabelJournal, SeriesLabels } from '../labels/labelState.js';
import type { AnnotatorId, Store } from '../store/index.js';

export interface ReaderDeps {
  index: DatasetIndex;
  store: Store;
  journal: LabelJournal;
  /** The annotator of the next write (the adjudicator); throws `invalid_request` when none is chosen. */
  currentAnnotator(): AnnotatorId;
  /**
   * The local labels as they are now (original mask + journal): the loaded volume when the series is cached, else
   * built on demand and not kept. Null without labels (no mask and no edits) or when the mask cannot be read exactly.
   * Never modify the returned volume.
   */
  currentLabels(e: SeriesEntry): Promise<{ volume: Uint8Array; revision: number } | null>;
  /**
   * The original mask as one byte per voxel, a fresh array the caller owns; an empty volume when the series has no
   * mask file. Throws MaskUnreadableError (AppError 'read_only', naming the file) when it cannot be read exactly.
   */
  originalLabels(e: SeriesEntry): Promise<Uint8Array>;
  /** Runs `fn` on the loaded (pinned, live) labels of a series, as commitEdit does. */
  withLabels<T>(seriesId: string, fn: (labels: SeriesLabels) => T | Promise<T>): Promise<T>;
  /** One level of a patient as getGradings returns it (after a level decision). */
  gradingLevel(patientId: number, ivdLabel: number): Promise<GradingLevel | null>;
  /** Labels of a series changed (QA re-check). */
  labelsChanged(seriesId: string): void;
  /** The app version, written into packages. */
  appVersion: string;
}
