// The label journal as the service uses it (ARCHITECTURE.md §4–5): per series, the current label volume in memory
// (original mask + active journal edits) and the operations that change it — commit, undo, redo — each one store
// transaction first, the in-memory volume second, so what the UI is told is saved is on disk.
//
// Revision: every journal operation on a series moves it by one. revision = number of edits ever committed for the
// series (every seq, in any state) + number of undo and redo events (the store's undo/redo generation). Both are
// stored, so the revision is derived from the store on load and survives restarts; discards (the redo stack
// dropped by a new commit) are part of that commit and do not count separately.
//
// Checkpoints: after `checkpointEvery` active edits (or `checkpointVoxels` changed voxels) on top of the latest
// checkpoint, a checkpoint of the whole volume is written in the background: the volume is shared copy-on-write
// (the next edit copies it only if the compression is still running), compressed on the thread pool, then stored
// with the store's generation guard (an undo/redo meanwhile makes the store refuse it). Loading = latest checkpoint
// + replay of the active edits after it, or original mask + all active edits.
import type { EditInfo, Request, Responses, UndoRedoResponse } from '../../../common/contract.js';
import { AppError } from '../../../common/errors.js';
import { isKnownLabel } from '../../../common/labels.js';
import {
  applyDiff,
  bytesToBase64,
  checkBase,
  decodeDiff,
  decodeStoredDiff,
  DIFF_ENCODING,
  DiffFormatError,
  type VoxelDiff,
} from '../../../common/labelDiff.js';
import type { AnnotatorId, EditSummary, Store } from '../store/index.js';
import { CHECKPOINT_ENCODING, decodeCheckpoint, encodeCheckpoint } from './checkpoint.js';

export const DEFAULT_CHECKPOINT_EVERY = 50;
export const DEFAULT_CHECKPOINT_VOXELS = 2_000_000;
/** Checkpoints kept per series: the newest, and one older that survives an undo past the newest. */
const CHECKPOINTS_KEPT = 2;

export interface LabelJournalOptions {
  store: Store;
  /** The annotator of the next write (throws when none has been chosen). */
  annotator(): AnnotatorId;
  /** Active edits on top of the latest checkpoint that trigger a new one. Default {@link DEFAULT_CHECKPOINT_EVERY}. */
  checkpointEvery?: number;
  /** Changed voxels on top of the latest checkpoint that trigger a new one. Default {@link DEFAULT_CHECKPOINT_VOXELS}. */
  checkpointVoxels?: number;
  /**
   * False when checkpoints must be neither read nor written, e.g. the dataset's masks changed since the edits were
   * stored (a checkpoint holds the old original). Default true.
   */
  useCheckpoints?: boolean;
  log?: (line: string) => void;
}

/** The current label volume of one series and what the journal knows about it. Mutated only by LabelJournal. */
export interface SeriesLabels {
  readonly seriesId: string;
  readonly patientId: number;
  /** Original mask + active edits, one byte per voxel. Read it through {@link LabelJournal.share} when async. */
  volume: Uint8Array;
  revision: number;
  /** Seq of the checkpoint a reopen would start from (0: none, the original mask). */
  checkpointSeq: number;
  /** Active edits after `checkpointSeq`, and the voxels they change: what a reopen would replay. */
  sinceCheckpoint: number;
  voxelsSinceCheckpoint: number;
  /** Readers that may still be reading `volume` asynchronously; the next edit copies it first when > 0. */
  shares: number;
  /** False once the series left the cache: its volume may no longer match the store. */
  live: boolean;
  checkpointing: boolean;
  /** Stored edits that could not be applied on load (a changed dataset: index outside the volume, unknown format). */
  skipped: number;
}

/** Replay statistics of the last load (for benches and tests). */
export interface LoadInfo {
  fromCheckpoint: number | null;
  replayed: number;
}

export interface LabelJournal {
  /**
   * Builds the current label volume of a series: latest checkpoint + later active edits, or `readOriginal()` + all
   * active edits. `readOriginal` must return a fresh array the journal may keep and modify.
   */
  load(seriesId: string, patientId: number, voxelCount: number, readOriginal: () => Promise<Uint8Array>): Promise<SeriesLabels>;
  /**
   * `opts.inTransaction(seq)` runs inside the store transaction that appends the edit (seq = the new edit's): a row
   * written there commits or rolls back with it (adjudication decisions, issue 16).
   */
  commit(s: SeriesLabels, req: Request<'commitEdit'>, opts?: { inTransaction?(seq: number): void }): Responses['commitEdit'];
  undo(s: SeriesLabels): UndoRedoResponse;
  redo(s: SeriesLabels): UndoRedoResponse;
  /** Every edit of the series in seq order (oldest first), in any state. */
  history(seriesId: string): EditInfo[];
  /** The revision as stored (for a series that is not loaded). */
  storedRevision(seriesId: string): number;
  /** The volume for an async reader (an HTTP response, a compressor): the next edit will not write into it. */
  share(s: SeriesLabels): Uint8Array;
  /** Ends one {@link share} (a reader that finished). */
  release(s: SeriesLabels, volume: Uint8Array): void;
  lastLoad(): LoadInfo | null;
  /** Resolves when every background checkpoint started so far has been written or dropped. */
  idle(): Promise<void>;
  /** Stops background work: checkpoints still compressing are dropped, nothing touches the store afterwards. */
  close(): void;
}

function invalid(seriesId: string, what: string, cause?: unknown): AppError {
  return new AppError('invalid_request', `Label edit for ${seriesId}: ${what}`, cause === undefined ? undefined : { cause });
}

/** Tools that write one label value (0 for the eraser) into every voxel they change. */
const SINGLE_LABEL_TOOLS = new Set(['brush', 'eraser', 'threshold', 'fill', 'thresholdFill']);

/**
 * Every value an edit writes is a SPIDER label (0, 1–25, 100, 101–125, 201–225), and the request's `label` is what
 * it writes: all of it for a painting tool, one of the written values (or 0) for a multi-label operation (swap, shift).
 */
function checkWrittenLabels(seriesId: string, req: Request<'commitEdit'>, diff: VoxelDiff): void {
  if (!isKnownLabel(req.label)) throw invalid(seriesId, `label ${req.label} is not a SPIDER label value`);
  const seen = new Uint8Array(256);
  for (let i = 0; i < diff.after.length; i++) seen[diff.after[i]!] = 1;
  const written: number[] = [];
  for (let v = 0; v < 256; v++) if (seen[v]) written.push(v);
  const illegal = written.find((v) => !isKnownLabel(v));
  if (illegal !== undefined) throw invalid(seriesId, `the diff writes ${illegal}, which is not a SPIDER label value`);
  if (SINGLE_LABEL_TOOLS.has(req.tool)) {
    const other = written.find((v) => v !== req.label);
    if (other !== undefined) throw invalid(seriesId, `the ${req.tool} edit is for label ${req.label} but its diff writes ${other}`);
  } else if (req.label !== 0 && !seen[req.label] && req.adjudication === undefined) {
    // (An adjudication may take label L as absent: its diff then writes only 0; readers/adjudicate.ts checks it.)
    throw invalid(seriesId, `the ${req.tool} edit is for label ${req.label} but its diff never writes it`);
  }
}

export function createLabelJournal(opts: LabelJournalOptions): LabelJournal {
  const { store } = opts;
  const annotatorId = (): AnnotatorId => opts.annotator();
  const every = Math.max(1, opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY);
  const voxelBudget = Math.max(1, opts.checkpointVoxels ?? DEFAULT_CHECKPOINT_VOXELS);
  const useCheckpoints = opts.useCheckpoints ?? true;
  const log = opts.log ?? (() => undefined);
  const pending = new Set<Promise<void>>();
  let closed = false;
  let last: LoadInfo | null = null;


  const info = (e: EditSummary): EditInfo => ({
    seq: e.seq,
    createdAt: e.createdAt,
    annotator: store.annotators.name(e.annotatorId),
    tool: e.tool,
    label: e.label,
    voxelCount: e.voxelCount,
    description: e.description,
    state: e.state,
  });

  const storedRevision = (seriesId: string): number =>
    store.edits.count(seriesId).total + store.edits.generation(seriesId);

  /** The volume, safe to write: copied first if an async reader may still be reading it. */
  const writable = (s: SeriesLabels): Uint8Array => {
    if (s.shares > 0) {
      s.volume = s.volume.slice();
      s.shares = 0;
    }
    return s.volume;
  };

  /** Recounts what a reopen would replay, after an undo/redo that the store answered by dropping checkpoints. */
  const recount = (s: SeriesLabels): void => {
    s.checkpointSeq = useCheckpoints ? (store.checkpoints.list(s.seriesId).at(-1)?.seq ?? 0) : 0;
    let n = 0;
    let voxels = 0;
    for (const e of store.edits.history(s.seriesId)) {
      if (e.seq > s.checkpointSeq && e.state === 'active') {
        n++;
        voxels += e.voxelCount;
      }
    }
    s.sinceCheckpoint = n;
    s.voxelsSinceCheckpoint = voxels;
  };

  const journal: LabelJournal = {
    async load(seriesId, patientId, voxelCount, readOriginal) {
      // One synchronous read of the store: checkpoint, edits and revision are consistent with each other. Nothing
      // can change them until this load resolves (every label operation waits for the series to be loaded).
      const revision = storedRevision(seriesId);
      let checkpoint = useCheckpoints ? store.checkpoints.latest(seriesId) : null;
      let edits = store.edits.active(seriesId, checkpoint?.seq ?? 0);
      let volume: Uint8Array | null = null;
      if (checkpoint) {
        try {
          volume = await decodeCheckpoint(checkpoint.data, checkpoint.encoding, voxelCount);
        } catch (err) {
          log(`label checkpoint ${seriesId}@${checkpoint.seq} unusable, replaying the whole journal: ${String(err)}`);
          checkpoint = null;
          edits = store.edits.active(seriesId, 0);
        }
      }
      volume ??= await readOriginal();
      if (volume.length !== voxelCount) throw new AppError('internal', `Label volume of ${seriesId} has the wrong size`);
      let skipped = 0;
      let voxels = 0;
      for (const e of edits) {
        const d = decodeStoredDiff(e.encoding, e.diff, voxelCount);
        if (d) applyDiff(volume, d, 'forward');
        else skipped++;
        voxels += e.voxelCount;
      }
      if (skipped > 0) log(`${skipped} stored edit(s) of ${seriesId} do not fit its label volume and were not applied`);
      last = { fromCheckpoint: checkpoint?.seq ?? null, replayed: edits.length };
      const s: SeriesLabels = {
        seriesId,
        patientId,
        volume,
        revision,
        checkpointSeq: checkpoint?.seq ?? 0,
        sinceCheckpoint: edits.length,
        voxelsSinceCheckpoint: voxels,
        shares: 0,
        live: true,
        checkpointing: false,
        skipped,
      };
      maybeCheckpoint(s);
      return s;
    },

    commit(s, req, opts) {
      const { seriesId } = s;
      if (!Number.isInteger(req.label) || req.label < 0 || req.label > 255) {
        throw invalid(seriesId, `label ${req.label} is not 0–255`);
      }
      let bytes: Uint8Array;
      let diff: VoxelDiff;
      try {
        bytes = req.diff;
        diff = decodeDiff(bytes, s.volume.length);
      } catch (err) {
        if (err instanceof DiffFormatError) throw invalid(seriesId, err.message, err);
        throw err;
      }
      const n = diff.indices.length;
      if (n === 0) throw invalid(seriesId, 'the diff changes no voxel');
      checkWrittenLabels(seriesId, req, diff);
      if (req.baseRevision !== s.revision) {
        throw new AppError(
          'conflict',
          `Labels of ${seriesId} are at revision ${s.revision}, the edit was made at revision ${req.baseRevision}`,
        );
      }
      const stale = checkBase(s.volume, diff, 'forward');
      if (stale >= 0) {
        throw new AppError('conflict', `Labels of ${seriesId} changed under the edit (voxel ${stale} differs from its base)`);
      }
      const appended = store.transaction(() => {
        store.series.startAutomatically(seriesId, s.patientId, annotatorId()); // todo → in_progress (automatic)
        const added = store.edits.append({
          seriesId,
          annotatorId: annotatorId(),
          tool: req.tool,
          label: req.label,
          voxelCount: n,
          description: req.description,
          encoding: DIFF_ENCODING,
          diff: bytes,
        });
        opts?.inTransaction?.(added.seq);
        return added;
      });
      // Committed: only now does the served volume change.
      applyDiff(writable(s), diff, 'forward');
      s.revision++;
      s.sinceCheckpoint++;
      s.voxelsSinceCheckpoint += n;
      maybeCheckpoint(s);
      const edit: EditInfo = {
        seq: appended.seq,
        createdAt: appended.createdAt,
        annotator: store.annotators.name(annotatorId()),
        tool: req.tool,
        label: req.label,
        voxelCount: n,
        description: req.description,
        state: 'active',
      };
      return { seq: appended.seq, revision: s.revision, savedAt: appended.createdAt, edit, discarded: [...appended.discarded] };
    },

    undo: (s) => undoRedo(s, 'undo'),
    redo: (s) => undoRedo(s, 'redo'),

    history: (seriesId) => store.edits.history(seriesId).map(info),
    storedRevision,

    share(s) {
      s.shares++;
      return s.volume;
    },
    release(s, volume) {
      if (s.volume === volume && s.shares > 0) s.shares--;
    },
    lastLoad: () => last,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      closed = true;
    },
  };

  function undoRedo(s: SeriesLabels, kind: 'undo' | 'redo'): UndoRedoResponse {
    const e = store.transaction(() => {
      const who = annotatorId();
      const edit = kind === 'undo' ? store.edits.undo(s.seriesId, who) : store.edits.redo(s.seriesId, who);
      // Undoing every edit takes back the automatic in_progress (never a status a person set); a redo restarts it.
      if (edit && kind === 'undo' && store.edits.count(s.seriesId).active === 0) store.series.revertAutomatic(s.seriesId, who);
      if (edit && kind === 'redo') store.series.startAutomatically(s.seriesId, s.patientId, who);
      return edit;
    });
    if (!e) return { edit: null, diff: null, revision: s.revision };
    const d = decodeStoredDiff(e.encoding, e.diff, s.volume.length);
    if (d) applyDiff(writable(s), d, kind === 'undo' ? 'backward' : 'forward');
    s.revision++;
    if (e.seq > s.checkpointSeq) {
      const sign = kind === 'undo' ? -1 : 1;
      s.sinceCheckpoint += sign;
      s.voxelsSinceCheckpoint += sign * e.voxelCount;
    } else {
      recount(s); // the store dropped the checkpoints at and after this edit
    }
    maybeCheckpoint(s);
    return { edit: info(e), diff: bytesToBase64(e.diff), revision: s.revision };
  }

  function maybeCheckpoint(s: SeriesLabels): void {
    if (!useCheckpoints || closed || s.checkpointing || !s.live) return;
    if (s.sinceCheckpoint < every && s.voxelsSinceCheckpoint < voxelBudget) return;
    s.checkpointing = true;
    const startRevision = s.revision;
    // Off the request path: after the current response has been sent.
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => writeCheckpoint(s))
      .catch((err: unknown) => log(`label checkpoint of ${s.seriesId} failed: ${String(err instanceof Error ? err.stack : err)}`))
      .finally(() => {
        pending.delete(job);
        s.checkpointing = false;
        // Edits arrived while it ran (or an undo/redo made the store refuse it): maybe another one is due.
        if (s.revision !== startRevision) maybeCheckpoint(s);
      });
    pending.add(job);
  }

  async function writeCheckpoint(s: SeriesLabels): Promise<void> {
    if (closed || !s.live) return;
    const { seriesId } = s;
    // The volume now reflects exactly the active edits up to the newest active one (this block is synchronous).
    const top = store.edits.peek(seriesId).undo;
    if (!top || top.seq === s.checkpointSeq) return;
    const generation = store.edits.generation(seriesId);
    const covered = s.sinceCheckpoint;
    const coveredVoxels = s.voxelsSinceCheckpoint;
    const volume = journal.share(s);
    let data: Uint8Array;
    try {
      data = await encodeCheckpoint(volume);
    } finally {
      journal.release(s, volume);
    }
    if (closed) return;
    try {
      store.transaction(() => {
        store.checkpoints.add({ seriesId, seq: top.seq, generation, encoding: CHECKPOINT_ENCODING, data });
        store.checkpoints.prune(seriesId, CHECKPOINTS_KEPT);
      });
    } catch (err) {
      // An undo/redo since the snapshot: the store refused a possibly stale volume; the next edit tries again.
      if (err instanceof AppError && (err.code === 'conflict' || err.code === 'not_found')) return;
      throw err;
    }
    // Only commits can have happened since the snapshot (an undo/redo would have made the store refuse it).
    s.checkpointSeq = top.seq;
    s.sinceCheckpoint -= covered;
    s.voxelsSinceCheckpoint -= coveredVoxels;
  }

  return journal;
}
