// Which adjudication decisions still decide their item (issue 16). The store keeps every decision (append-only; the
// latest per item counts), but a decision can stop deciding anything without a newer one:
//   - a label taken from a source through an edit (editSeq set) whose edit is no longer active (undone, discarded):
//     the labels no longer hold what was decided;
//   - a decision that took a reader's labels or grades before that reader's current layer was imported (the layer
//     was replaced by another package): it decided about labels or grades that are no longer the reader's.
// adjudicationProgress counts only the live ones, so it never reports work as done that an undo or a new package
// has undone. seriesAgreement still lists every latest decision (the compare panel shows an undone take as such),
// and so does the manifest, with `holds` (provenance.ts).
import { readerOf, type SourceRef } from '../../../common/contractReaders.js';
import type { AdjudicationRecord, Store } from '../store/index.js';

/** The latest decision per item that still decides it (rules in the header), oldest first. */
export function liveDecisions(store: Store): AdjudicationRecord[] {
  const activeEdits = new Map<string, Set<number>>();
  const active = (seriesId: string): Set<number> => {
    let s = activeEdits.get(seriesId);
    if (!s) activeEdits.set(seriesId, (s = new Set(store.edits.history(seriesId).filter((x) => x.state === 'active').map((x) => x.seq))));
    return s;
  };
  const importedAt = new Map(store.readers.list().map((r) => [r.name, r.importedAt]));
  return store.readers.latestDecisions().filter((d) => {
    if (d.editSeq !== null && d.seriesId !== null && !active(d.seriesId).has(d.editSeq)) return false;
    const reader = d.from === null ? null : readerOf(d.from as SourceRef);
    if (reader !== null) {
      const at = importedAt.get(reader);
      // ISO-8601 UTC times of one clock compare as strings; a decision in the import's millisecond counts.
      if (at === undefined || d.createdAt < at) return false;
    }
    return true;
  });
}
