// The open series' label edits as the renderer sees them: the live label volume (shared with the viewer), the
// revision main has acknowledged, and a strictly ordered queue of commits. A stroke is written into the volume
// at once (the annotator sees it), committed to the journal in main, and shown as saved only when main has
// acknowledged it. If main refuses a commit, the strokes queued after it are not sent either (they were drawn
// on top of it), the refusal is reported, and the volume is reloaded from main once the queue is empty — so what
// is shown is always what is stored.
import type { EditInfo } from '../../common/contract.js';
import { applyDiff, base64ToBytes, bytesToBase64, decodeDiff, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { ApiError, call } from '../platform/api.js';

export type SaveState =
  | { kind: 'saved'; at: string | null }
  | { kind: 'saving'; pending: number }
  | { kind: 'error'; message: string };

export interface EditSessionEvents {
  /** The label volume changed (stroke rolled back, undo, redo): re-render and recount. */
  onLabelsChanged(): void;
  onSaveState(s: SaveState): void;
  onHistory(edits: EditInfo[], revision: number): void;
  /** The local volume may differ from main's: reload labels and revision from main (e.g. openSeries + /volume). */
  resync(): Promise<number>;
}

export interface CommitRequest {
  diff: VoxelDiff;
  tool: string;
  label: number;
  description: string;
}

export interface EditSession {
  readonly seriesId: string;
  /** Revision of the last acknowledged journal operation. */
  revision(): number;
  /** Queues a stroke that is already written into the volume. Resolves when main acknowledged (or refused) it. */
  commit(req: CommitRequest): Promise<boolean>;
  undo(): Promise<EditInfo | null>;
  redo(): Promise<EditInfo | null>;
  refreshHistory(): Promise<void>;
  /** Commits still waiting for main; quitting or switching series waits for them (nothing an annotator does is lost). */
  pending(): number;
  idle(): Promise<void>;
}

export function createEditSession(seriesId: string, labels: Uint8Array, startRevision: number, events: EditSessionEvents): EditSession {
  let revision = startRevision;
  let queue: Promise<unknown> = Promise.resolve();
  let pending = 0;
  let lastSavedAt: string | null = null;
  let desynced = false;

  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    pending++;
    events.onSaveState({ kind: 'saving', pending });
    const run = queue.then(job, job);
    queue = run.catch(() => undefined).finally(async () => {
      pending--;
      if (pending === 0 && desynced) {
        revision = await events.resync();
        desynced = false;
        await refreshHistory().catch(() => undefined);
        return; // the error stays on display until the next save
      }
      if (pending === 0) events.onSaveState({ kind: 'saved', at: lastSavedAt });
      else events.onSaveState({ kind: 'saving', pending });
    });
    return run;
  };

  const refreshHistory = async (): Promise<void> => {
    const h = await call('history', { seriesId });
    events.onHistory(h.edits, h.revision);
  };

  const undoRedo = (method: 'undo' | 'redo'): Promise<EditInfo | null> =>
    enqueue(async () => {
      if (desynced) return null;
      const res = await call(method, { seriesId });
      revision = res.revision;
      if (res.edit && res.diff) {
        applyDiff(labels, decodeDiff(base64ToBytes(res.diff), labels.length), method === 'undo' ? 'backward' : 'forward');
        events.onLabelsChanged();
      }
      await refreshHistory();
      return res.edit;
    });

  return {
    seriesId,
    revision: () => revision,
    commit(req) {
      const encoded = bytesToBase64(encodeDiff(req.diff));
      return enqueue(async () => {
        if (desynced) return false; // drawn on top of a refused stroke: the resync below reloads the truth
        try {
          const ack = await call('commitEdit', { seriesId, baseRevision: revision, tool: req.tool, label: req.label, description: req.description, diff: encoded });
          revision = ack.revision;
          lastSavedAt = ack.savedAt;
          await refreshHistory();
          return true;
        } catch (err) {
          desynced = true;
          const message = err instanceof ApiError ? `${req.description} not saved: ${err.message}` : `${req.description} not saved: ${String(err)}`;
          events.onSaveState({ kind: 'error', message });
          return false;
        }
      });
    },
    undo: () => undoRedo('undo'),
    redo: () => undoRedo('redo'),
    refreshHistory,
    pending: () => pending,
    idle: () => queue.then(() => undefined),
  };
}
