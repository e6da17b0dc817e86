// Adjudication (issue 16), the label side: an edit that takes label L of a series from a source (commitEdit with
// tool 'adjudicate' and `adjudication: { from }`) is checked voxel for voxel against the take-label rule before it is
// journalled, and the decision row is written in the same store transaction as the journal entry.
//
// The take-label rule (the renderer's renderer/labelmap/takeLabel.ts builds exactly this diff):
//   a voxel the source labels L becomes L;
//   a voxel labelled L here that the source does not label L becomes background (0);
//   no other voxel changes.
// So afterwards the L region equals the source's, and only voxels of (here == L) ∪ (source == L) changed.
import type { CommitEditResponse, Request } from '../../../common/contract.js';
import type { AdjudicationInfo, SourceRef } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import { decodeDiff, DiffFormatError, type VoxelDiff } from '../../../common/labelDiff.js';
import type { SeriesEntry } from '../dataset/index.js';
import type { SeriesLabels } from '../labels/labelState.js';
import type { AdjudicationRecord } from '../store/index.js';
import type { ReaderDeps } from './deps.js';
import { checkSource, sourceLabels } from './sources.js';

/** The tool name of an adjudication edit; such an edit must carry `adjudication` and vice versa. */
export const ADJUDICATE_TOOL = 'adjudicate';

/** The series entry of an id, or `not_found`. */
export function seriesEntry(deps: Pick<ReaderDeps, 'index'>, seriesId: string): SeriesEntry {
  const e = deps.index.series.find((s) => s.id === seriesId);
  if (!e) throw new AppError('not_found', `No series ${seriesId} in this dataset`);
  return e;
}

/** A stored decision as the contract shows it; `live`: it still decides its item (decisions.ts), true when just made. */
export function decisionInfo(r: AdjudicationRecord, live = true): AdjudicationInfo {
  return {
    live,
    kind: r.kind,
    seriesId: r.seriesId,
    label: r.label,
    patientId: r.patientId,
    ivdLabel: r.ivdLabel,
    from: r.from as SourceRef | null,
    annotator: r.annotator,
    createdAt: r.createdAt,
    editSeq: r.editSeq,
  };
}

/** The value voxel `c` (here) / `s` (source) gets when label `label` is taken: the take-label rule. */
export const takeRule = (c: number, s: number, label: number): number => (s === label ? label : c === label ? 0 : c);

/** Voxels the take-label rule changes. */
export function takeCount(current: Uint8Array, source: Uint8Array, label: number): number {
  let n = 0;
  for (let i = 0; i < current.length; i++) {
    const c = current[i]!;
    const s = source[i]!;
    if (s === label ? c !== label : c === label) n++;
  }
  return n;
}

/**
 * Throws `invalid_request` unless `diff` applied to `current` is exactly "label `label` := the source's" (rule above):
 * the same voxel count as the rule changes, every entry one of those voxels with the rule's value. A `before` that is
 * not the current value is a `conflict` (the labels moved under the edit), as the journal says it.
 */
export function checkTakeDiff(what: string, current: Uint8Array, source: Uint8Array, label: number, diff: VoxelDiff): void {
  const need = takeCount(current, source, label);
  const n = diff.indices.length;
  for (let k = 0; k < n; k++) {
    const i = diff.indices[k]!;
    const c = current[i]!;
    if (diff.before[k] !== c) throw new AppError('conflict', `${what}: voxel ${i} is ${c} here, the edit was made on ${diff.before[k]}`);
    const next = takeRule(c, source[i]!, label);
    if (diff.after[k] !== next) {
      throw new AppError('invalid_request', `${what}: the diff writes ${diff.after[k]} at voxel ${i}, taking the label gives ${next} there (only voxels labelled ${label} here or in the source may change)`);
    }
  }
  if (n !== need) throw new AppError('invalid_request', `${what}: the diff changes ${n} voxels, taking the label changes ${need}`);
}

/**
 * commitEdit for the workstation: an edit without `adjudication` (and another tool than 'adjudicate') goes to the
 * journal as before. An adjudication edit is checked against the take-label rule on the live volume, then journalled
 * with its decision row (kind 'label', from, editSeq = the new seq, the current annotator) in one transaction.
 */
export async function commitLabelEdit(deps: ReaderDeps, labels: SeriesLabels, req: Request<'commitEdit'>): Promise<CommitEditResponse> {
  const { seriesId } = labels;
  const adjudication = req.adjudication;
  if (adjudication === undefined) {
    if (req.tool === ADJUDICATE_TOOL) throw new AppError('invalid_request', `Label edit for ${seriesId}: tool '${ADJUDICATE_TOOL}' needs the source it takes (adjudication.from)`);
    return deps.journal.commit(labels, req);
  }
  const label = req.label;
  const from = adjudication.from;
  const what = `Taking label ${label} of ${seriesId} from ${from}`;
  if (req.tool !== ADJUDICATE_TOOL) throw new AppError('invalid_request', `${what}: an adjudication edit must have tool '${ADJUDICATE_TOOL}', not '${req.tool}'`);
  if (label < 1) throw new AppError('invalid_request', `${what}: a label decision is for a label 1–255, not background`);
  if (from === 'local') throw new AppError('invalid_request', `${what}: the local labels are the ones being edited; record "keep mine" with adjudicate`);
  checkSource(deps.store, from);
  const source = await sourceLabels(deps, from, seriesEntry(deps, seriesId));
  if (source === null) throw new AppError('invalid_request', `${what}: the series has no image that can be opened`);
  // From here on synchronous: the check and the commit see the same volume.
  if (source.length !== labels.volume.length) throw new AppError('internal', `${what}: the source's labels have ${source.length} voxels, the series ${labels.volume.length}`);
  if (req.baseRevision !== labels.revision) {
    throw new AppError('conflict', `Labels of ${seriesId} are at revision ${labels.revision}, the edit was made at revision ${req.baseRevision}`);
  }
  let diff: VoxelDiff;
  try {
    diff = decodeDiff(req.diff, labels.volume.length);
  } catch (err) {
    if (err instanceof DiffFormatError) throw new AppError('invalid_request', `Label edit for ${seriesId}: ${err.message}`, { cause: err });
    throw err;
  }
  checkTakeDiff(what, labels.volume, source, label, diff);
  const annotatorId = deps.currentAnnotator();
  return deps.journal.commit(labels, req, {
    inTransaction: (seq) => {
      deps.store.readers.addAdjudication({ kind: 'label', seriesId, label, patientId: null, ivdLabel: null, from, editSeq: seq, annotatorId });
    },
  });
}
