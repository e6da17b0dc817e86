// Adjudication (issue 16): the contract methods `adjudicate` and `adjudicationProgress`. A decision names an item (a
// label of a series, or a level of a patient), the source taken (or null: decided by hand) and the adjudicator (the
// current annotator); the latest one per item counts. Decisions that write labels go through commitEdit
// (adjudicate.ts); here:
//   label + from null   records "edited by hand";
//   label + from set    records it when the local label region already equals the source's (else `conflict`);
//   level + from set    sets every field the source has for that level (its current values) where the local value
//                       differs, in ONE store transaction with the decision row (grading events by the adjudicator);
//   level + from null   records "decided by hand".
// Progress counts the items where A and B differ (from the agreement report, cached there) and those decided by a
// decision that still decides them (decisions.ts: not undone, not about a reader layer since replaced).
import type { Service } from '../../../common/contract.js';
import type { AdjudicationProgress, SourceRef } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import { GRADING_FIELDS, type GradingField } from '../../../common/gradings.js';
import { differingLevels } from './agreement.js';
import type { AdjudicationRecord } from '../store/index.js';
import { decisionInfo, seriesEntry } from './adjudicate.js';
import { getAgreementReport } from './agreementService.js';
import { liveDecisions } from './decisions.js';
import type { ReaderDeps } from './deps.js';
import { checkSource, levelKey, sourceGrades, sourceLabels } from './sources.js';

type M = 'adjudicate' | 'adjudicationProgress';

const labelKey = (seriesId: string, label: number): string => `${seriesId}#${label}`;

export function createAdjudicationMethods(deps: ReaderDeps): Pick<Service, M> {
  const { store } = deps;

  /** Checks that the local label `label` of the series equals the source's; `conflict` otherwise. */
  const checkLabelEquals = async (seriesId: string, label: number, from: SourceRef): Promise<void> => {
    const e = seriesEntry(deps, seriesId);
    const revision = deps.journal.storedRevision(seriesId);
    const [local, source] = await Promise.all([sourceLabels(deps, 'local', e), sourceLabels(deps, from, e)]);
    if (local === null || source === null) throw new AppError('invalid_request', `Series ${seriesId} has no image that can be opened`);
    for (let i = 0; i < local.length; i++) {
      if ((local[i] === label) !== (source[i] === label)) {
        throw new AppError('conflict', `Label ${label} of ${seriesId} differs from ${from}'s (voxel ${i}): take it with commitEdit (tool 'adjudicate')`);
      }
    }
    if (deps.journal.storedRevision(seriesId) !== revision) {
      throw new AppError('conflict', `Labels of ${seriesId} changed while they were compared with ${from}; decide again`);
    }
  };

  return {
    adjudicate: async (req) => {
      const annotatorId = deps.currentAnnotator();
      if (req.from !== null) checkSource(store, req.from);
      if (req.kind === 'label') {
        seriesEntry(deps, req.seriesId);
        if (req.label < 1) throw new AppError('invalid_request', `A label decision is for a label 1–255, not ${req.label}`);
        if (req.from !== null) await checkLabelEquals(req.seriesId, req.label, req.from);
        const rec = store.readers.addAdjudication({
          kind: 'label', seriesId: req.seriesId, label: req.label, patientId: null, ivdLabel: null, from: req.from, editSeq: null, annotatorId,
        });
        return { decision: decisionInfo(rec), level: null };
      }
      const { patientId, ivdLabel, from } = req;
      const level = await deps.gradingLevel(patientId, ivdLabel); // not_found for an unknown patient
      if (!level) throw new AppError('not_found', `Patient ${patientId} has no disc level with IVD label ${ivdLabel}`);
      const taken: Partial<Record<GradingField, number>> = from === null ? {} : (sourceGrades(deps, from, 'current').get(levelKey(patientId, ivdLabel)) ?? {});
      const rec = store.transaction((): AdjudicationRecord => {
        for (const { field } of GRADING_FIELDS) {
          const v = taken[field];
          // The value now (read inside the transaction): the store's, else the CSV's. Equal already: not rewritten.
          const stored = store.gradings.get(patientId, ivdLabel, field);
          if (v === undefined || (stored ? stored.value : level.baseline[field]) === v) continue;
          store.gradings.set({ patientId, ivdLabel, field, value: v, annotatorId });
        }
        return store.readers.addAdjudication({ kind: 'level', seriesId: null, label: null, patientId, ivdLabel, from, editSeq: null, annotatorId });
      });
      return { decision: decisionInfo(rec), level: await deps.gradingLevel(patientId, ivdLabel) };
    },

    adjudicationProgress: async ({ a, b }): Promise<AdjudicationProgress> => {
      checkSource(store, a);
      checkSource(store, b);
      const report = await getAgreementReport(deps, a, b, 'current');
      const labels = new Set<string>();
      for (const s of report.series) for (const l of s.labels) if (l.dice < 1) labels.add(labelKey(s.seriesId, l.value));
      // The same levels seriesAgreement lists: some field graded by both and unequal.
      const levels = new Set(differingLevels(sourceGrades(deps, a, 'current'), sourceGrades(deps, b, 'current')).map((l) => levelKey(l.patientId, l.ivdLabel)));
      let labelsDecided = 0;
      let levelsDecided = 0;
      for (const d of liveDecisions(store)) {
        if (d.kind === 'label' && d.seriesId !== null && d.label !== null && labels.has(labelKey(d.seriesId, d.label))) labelsDecided++;
        if (d.kind === 'level' && d.patientId !== null && d.ivdLabel !== null && levels.has(levelKey(d.patientId, d.ivdLabel))) levelsDecided++;
      }
      return { a, b, labels: { total: labels.size, decided: labelsDecided }, levels: { total: levels.size, decided: levelsDecided } };
    },
  };
}
