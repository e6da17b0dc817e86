// The history list the edit session last showed, kept newest-wins: main's revision only grows, so a list read at
// an older revision than the one shown (a slow refresh overtaken by a commit) is dropped. No I/O.
import type { EditInfo } from '../../common/contract.js';

export interface HistoryList {
  /** Shows `edits` as read at revision `at`, unless a newer list is already shown. */
  show(edits: EditInfo[], at: number): void;
  /**
   * Updates the shown list by what one acknowledged call changed (`edit` appended, or replacing the entry of its
   * seq; `discarded` seqs marked discarded) without asking main for the whole history. False when there is no list
   * yet to update.
   */
  patch(edit: EditInfo, discarded: readonly number[], at: number): boolean;
}

export function createHistoryList(onHistory: (edits: EditInfo[], revision: number) => void): HistoryList {
  let shown: { edits: EditInfo[]; revision: number } | null = null;
  const list: HistoryList = {
    show(edits, at) {
      if (shown !== null && at < shown.revision) return;
      shown = { edits, revision: at };
      onHistory(edits, at);
    },
    patch(edit, discarded, at) {
      if (shown === null) return false;
      const gone = new Set(discarded);
      const edits = shown.edits.map((e): EditInfo => (gone.has(e.seq) ? { ...e, state: 'discarded' } : e.seq === edit.seq ? edit : e));
      if (!edits.some((e) => e.seq === edit.seq)) edits.push(edit);
      list.show(edits, at);
      return true;
    },
  };
  return list;
}
