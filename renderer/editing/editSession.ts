// The open series' label edits as the renderer sees them: the live label volume (shared with the viewer), the
// revision main has acknowledged, and a strictly ordered queue of journal calls. A stroke is written into the
// volume at once (the annotator sees it), committed to the journal in main, and shown as saved only when main
// has acknowledged it. The shown volume is always main's labels plus the strokes still queued, in order.
//
// When main refuses a stroke (a typed error), the stroke is taken back on screen at once, the strokes drawn
// after it are rebased so that they still fit what main holds (rebase.ts), one message says why, and the queue
// goes on. A conflict (main's labels are not what this window thinks) also reloads main's labels, with the
// queued strokes laid on top. When main cannot be reached (or answers 'db_locked' / 'io' / 'db'), nothing is
// taken back: the session pauses, keeps queueing strokes, retries on its own and on Retry; after a transport
// failure it first checks with main whether the interrupted call landed. Undo and redo queue behind the pending
// strokes, so they act on the revision those strokes reach; an undo of a stroke main then refuses is void.
import type { Api, EditInfo, Responses } from '../../common/contract.js';
import type { ErrorCode } from '../../common/errors.js';
import type { SourceRef } from '../../common/contractReaders.js';
import { applyDiff, base64ToBytes, decodeDiff, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { ApiError, invoke, ServiceUnreachableError } from '../platform/api.js';
import { backwardsOf, changedSince, changeUnderPendingShown, forwardsOf, rebaseOnto, snapshotVoxels, type BaseChange } from './rebase.js';
import { createHistoryList } from './historyList.js';

export type SaveState =
  | { kind: 'saved'; at: string | null }
  | { kind: 'saving'; pending: number }
  /** Main did not answer (or could not write for now): edits wait here and are retried. */
  | { kind: 'paused'; pending: number; message: string }
  /** The last edit was refused and taken back (nothing is waiting). */
  | { kind: 'error'; message: string }
  | { kind: 'readOnly'; reason: string };

export interface EditSessionEvents {
  /**
   * The shown label volume changed without a stroke (rollback, undo, redo, discard, reload): re-render and recount.
   * `diff`: exactly what changed, as a forward diff (the shown values before and after; a voxel a queued stroke
   * still covers is not in it, its shown value did not change), so views re-mesh and recount only that; null
   * only when the whole volume was reloaded from main.
   */
  onLabelsChanged: (diff: VoxelDiff | null) => void;
  onSaveState: (s: SaveState) => void;
  onHistory: (edits: EditInfo[], revision: number) => void;
  /** Main refused an edit (taken back on screen) or an undo/redo: one message saying which and why. */
  onRefused: (message: string) => void;
}

export interface EditSessionOptions {
  seriesId: string;
  /** The shown label volume (shared with the viewer); strokes are already written into it when committed. */
  labels: Uint8Array;
  /** Revision of the served labels. */
  revision: number;
  /** The service (the renderer's Api: results, never throws for a refusal). */
  api: Api;
  /** Main's current label volume of the series, one byte per voxel (web: GET /volume/<id>/mask). */
  loadLabels(seriesId: string): Promise<ArrayBuffer | Uint8Array>;
  /** Why the labels cannot be edited (openSeries' readOnly); null or absent when editable. */
  readOnly?: string | null;
  /** Delay before the n-th automatic retry while paused (n ≥ 1). Default 1, 2, 4, then every 5 s. */
  retryDelayMs?: (attempt: number) => number;
  events: EditSessionEvents;
}

export interface CommitRequest {
  diff: VoxelDiff;
  tool: string;
  label: number;
  description: string;
  /** The description for another voxel count (a stroke under this one was taken back and changed it). */
  describe?(voxels: number): string;
  /** An adjudication (tool 'adjudicate'): the edit makes label `label` what source `from` has (issue 16). */
  adjudication?: { from: SourceRef };
}

export interface EditSession {
  readonly seriesId: string;
  /** Revision of the last acknowledged journal operation. */
  revision(): number;
  /** Queues a stroke that is already written into the volume. Resolves true once saved, false if refused. */
  commit(req: CommitRequest): Promise<boolean>;
  /** Queued behind pending strokes; resolves with the undone entry (null: nothing undone). */
  undo(): Promise<EditInfo | null>;
  redo(): Promise<EditInfo | null>;
  refreshHistory(): Promise<void>;
  /** Calls still waiting for main; quitting or switching series waits for them (nothing an annotator does is lost). */
  pending(): number;
  idle(): Promise<void>;
  /** While paused: try again now. */
  retry(): void;
  /** While paused: give up the edits not yet saved (taken back on screen). */
  discard(): void;
  /** Why the labels cannot be edited, or null. */
  readOnly(): string | null;
}

/** Typed errors worth retrying: main answered, but could not write for now. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['db_locked', 'io', 'db']);

interface CommitJob {
  kind: 'commit';
  req: CommitRequest;
  /** The stroke as it will be sent (rebased when edits under it changed). */
  diff: VoxelDiff;
  done(ok: boolean): void;
}
interface UndoRedoJob {
  kind: 'undo' | 'redo';
  /** Undo: the queued stroke it takes back; redo: the queued undo it reverses. Void when that one is. */
  target: Job | null;
  done(e: EditInfo | null): void;
}
interface ResyncJob {
  kind: 'resync';
  /** Why: said once the labels are reloaded when an undo/redo's outcome stayed unknown. */
  note: string | null;
}
type Job = CommitJob | UndoRedoJob | ResyncJob;

const defaultDelay = (attempt: number): number => Math.min(5000, 1000 * 2 ** (attempt - 1));
const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createEditSession(opts: EditSessionOptions): EditSession {
  const { seriesId, labels, api, events } = opts;
  let revision = opts.revision;
  let readOnly: string | null = opts.readOnly ?? null;
  const delay = opts.retryDelayMs ?? defaultDelay;
  let jobs: Job[] = [];
  let running = false;
  let paused: string | null = null;
  let attempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** A call failed in transport: whether main applied it is unknown until checked. */
  let uncertain = false;
  let lastSavedAt: string | null = null;
  let lastError: string | null = null;
  let idleWaiters: Array<() => void> = [];

  const report = (): void => {
    const waiting = jobs.length;
    if (readOnly !== null && waiting === 0) events.onSaveState({ kind: 'readOnly', reason: readOnly });
    else if (paused !== null) events.onSaveState({ kind: 'paused', pending: waiting, message: paused });
    else if (waiting > 0) events.onSaveState({ kind: 'saving', pending: waiting });
    else if (lastError !== null) events.onSaveState({ kind: 'error', message: lastError });
    else events.onSaveState({ kind: 'saved', at: lastSavedAt });
  };

  const remove = (job: Job): void => {
    jobs = jobs.filter((j) => j !== job);
  };
  const laterCommits = (): CommitJob[] => jobs.filter((j): j is CommitJob => j.kind === 'commit');

  /** Main's labels changed by `change` (a refusal, an undo/redo): the queued strokes and the shown volume follow. */
  const changeUnder = (change: BaseChange): void => {
    const commits = laterCommits();
    const { pending: rebased, shown } = changeUnderPendingShown(labels, change, commits.map((j) => j.diff));
    commits.forEach((j, k) => (j.diff = rebased[k]!));
    events.onLabelsChanged(shown);
  };

  /** Voids the queued undo/redo jobs that depend on `job` (and those depending on them). */
  const voidDependents = (job: Job): void => {
    for (const j of jobs) {
      if ((j.kind === 'undo' || j.kind === 'redo') && j.target === job) {
        remove(j);
        j.done(null);
        voidDependents(j);
      }
    }
  };

  const history = createHistoryList((edits, revision) => events.onHistory(edits, revision));

  const refreshHistory = async (): Promise<void> => {
    const h = await invoke(api, 'history', { seriesId });
    history.show(h.edits, h.revision);
  };

  /** Someone else moved main's labels (another window): reload them before anything else is sent. */
  const reloadNext = (): void => {
    if (jobs[0]?.kind !== 'resync') jobs.unshift({ kind: 'resync', note: null });
  };

  /** Inside the queue (nothing of ours in flight): the history, and a reload if main is not where we think. */
  const syncHistory = async (): Promise<void> => {
    let h: Responses['history'];
    try {
      h = await invoke(api, 'history', { seriesId });
    } catch {
      return; // the list catches up with the next answer
    }
    history.show(h.edits, h.revision);
    if (h.revision !== revision) reloadNext();
  };

  /** Reloads main's labels and revision; the queued strokes are laid on top of them. */
  const resync = async (): Promise<void> => {
    const h = await invoke(api, 'history', { seriesId });
    const truth = new Uint8Array(await opts.loadLabels(seriesId));
    if (truth.length !== labels.length) throw new Error(`Label volume of ${seriesId} came back with ${truth.length} voxels, expected ${labels.length}`);
    const commits = laterCommits();
    const rebased = rebaseOnto(truth, commits.map((j) => j.diff));
    commits.forEach((j, k) => (j.diff = rebased[k]!));
    labels.set(truth);
    revision = h.revision;
    history.show(h.edits, h.revision);
    events.onLabelsChanged(null);
  };

  /** After a transport failure: did the interrupted call reach main? Same revision: no; else reload the truth. */
  const verify = async (): Promise<void> => {
    const h = await invoke(api, 'history', { seriesId });
    if (h.revision !== revision) {
      const head = jobs[0];
      if (head && (head.kind === 'undo' || head.kind === 'redo')) {
        // Whether this undo/redo is what moved main's revision cannot be told: main's labels are the answer.
        remove(head);
        head.done(null);
        voidDependents(head);
        jobs.unshift({ kind: 'resync', note: `${head.kind === 'undo' ? 'Undo' : 'Redo'}: the service stopped answering; the labels were reloaded from the journal — check the history` });
      } else if (head?.kind !== 'resync') {
        // A stroke that reached main comes back empty from the reload and counts as saved.
        jobs.unshift({ kind: 'resync', note: null });
      }
    }
    uncertain = false;
  };

  const refuse = (message: string): void => {
    lastError = message;
    events.onRefused(message);
  };

  const runCommit = async (job: CommitJob): Promise<void> => {
    const n = job.diff.indices.length;
    if (n === 0) {
      // Everything it changed is already what main holds (e.g. a reload found it saved).
      remove(job);
      job.done(true);
      return;
    }
    const description = n !== job.req.diff.indices.length && job.req.describe ? job.req.describe(n) : job.req.description;
    if (readOnly !== null) {
      remove(job);
      changeUnder(backwardsOf(job.diff));
      voidDependents(job);
      refuse(`Not saved: ${description} — labels are read-only (${readOnly}). Taken back on screen.`);
      job.done(false);
      return;
    }
    try {
      const ack = await invoke(api, 'commitEdit', {
        seriesId, baseRevision: revision, tool: job.req.tool, label: job.req.label, description, diff: encodeDiff(job.diff),
        ...(job.req.adjudication ? { adjudication: job.req.adjudication } : {}),
      });
      revision = ack.revision;
      lastSavedAt = ack.savedAt;
      lastError = null;
      remove(job);
      job.done(true);
      // The acknowledgement carries the new entry: the list follows without a history call per stroke.
      if (!history.patch(ack.edit, ack.discarded, ack.revision)) await syncHistory();
    } catch (err) {
      if (!(err instanceof ApiError) || TRANSIENT.has(err.code)) throw err;
      remove(job);
      changeUnder(backwardsOf(job.diff));
      voidDependents(job);
      if (err.code === 'read_only') readOnly = err.message;
      if (err.code === 'conflict') reloadNext();
      refuse(`Not saved: ${description} — ${err.message}. Taken back on screen${err.code === 'conflict' ? '; labels reloaded from the journal' : ''}.`);
      job.done(false);
    }
  };

  const runUndoRedo = async (job: UndoRedoJob): Promise<void> => {
    const what = job.kind === 'undo' ? 'Undo' : 'Redo';
    if (readOnly !== null) {
      remove(job);
      refuse(`${what}: labels are read-only (${readOnly})`);
      job.done(null);
      return;
    }
    try {
      const res = await invoke(api, job.kind, { seriesId });
      const expected = res.edit ? revision + 1 : revision;
      revision = res.revision;
      remove(job);
      if (res.edit && res.diff) {
        const d = decodeDiff(base64ToBytes(res.diff), labels.length);
        changeUnder(job.kind === 'undo' ? backwardsOf(d) : forwardsOf(d));
      }
      // Someone else moved main's labels in between: what is shown may be stale, so reload it.
      if (res.revision !== expected) reloadNext();
      job.done(res.edit);
      await syncHistory();
    } catch (err) {
      if (!(err instanceof ApiError) || TRANSIENT.has(err.code)) throw err;
      remove(job);
      voidDependents(job);
      if (err.code === 'read_only') readOnly = err.message;
      refuse(`${what} refused: ${err.message}`);
      job.done(null);
    }
  };

  const runHead = async (): Promise<void> => {
    if (uncertain) await verify();
    const job = jobs[0]!;
    if (job.kind === 'commit') return runCommit(job);
    if (job.kind === 'resync') {
      await resync();
      remove(job);
      if (job.note) refuse(job.note);
      return;
    }
    return runUndoRedo(job);
  };

  const pause = (err: unknown): void => {
    // A typed error means main answered (and wrote nothing); anything else leaves the outcome unknown.
    if (!(err instanceof ApiError)) uncertain = true;
    const detail = err instanceof ServiceUnreachableError && err.cause instanceof Error ? err.cause.message : reason(err);
    paused = err instanceof ApiError ? `the service could not save (${err.message})` : `the service is not answering (${detail})`;
    attempts++;
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      session.retry();
    }, delay(attempts));
  };

  const pump = (): void => {
    if (running || paused !== null) return;
    running = true;
    void (async () => {
      while (jobs.length > 0 && paused === null) {
        try {
          await runHead();
          attempts = 0;
        } catch (err) {
          pause(err);
        }
        report();
      }
      running = false;
      report();
      if (jobs.length === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
    })();
  };

  /** The queue as undo/redo see it: which queued stroke an undo now takes back, which queued undo a redo reverses. */
  const targets = (): { undo: Job | null; redo: Job | null } => {
    const active: Job[] = [];
    const undone: Job[] = [];
    for (const j of jobs) {
      if (j.kind === 'commit') {
        active.push(j);
        undone.length = 0;
      } else if (j.kind === 'undo') {
        const t = active.pop();
        if (t) undone.push(j);
      } else if (j.kind === 'redo') {
        const u = undone.pop() as UndoRedoJob | undefined;
        if (u?.target) active.push(u.target);
      }
    }
    return { undo: active.at(-1) ?? null, redo: undone.at(-1) ?? null };
  };

  const enqueue = (job: Job): void => {
    jobs.push(job);
    report();
    pump();
  };

  const undoRedo = (kind: 'undo' | 'redo'): Promise<EditInfo | null> =>
    new Promise((resolve) => {
      if (readOnly !== null) {
        refuse(`${kind === 'undo' ? 'Undo' : 'Redo'}: labels are read-only (${readOnly})`);
        report();
        resolve(null);
        return;
      }
      const t = targets();
      enqueue({ kind, target: kind === 'undo' ? t.undo : t.redo, done: resolve });
    });

  const session: EditSession = {
    seriesId,
    revision: () => revision,
    commit(req) {
      if (req.diff.indices.length === 0) return Promise.resolve(true);
      if (readOnly !== null) {
        // Never sent: taken back at once (it is the newest edit, nothing queued lies on top of it).
        applyDiff(labels, req.diff, 'backward');
        events.onLabelsChanged({ indices: req.diff.indices, before: req.diff.after, after: req.diff.before });
        refuse(`Not saved: ${req.description} — labels are read-only (${readOnly}). Taken back on screen.`);
        report();
        return Promise.resolve(false);
      }
      return new Promise<boolean>((resolve) => enqueue({ kind: 'commit', req, diff: req.diff, done: resolve }));
    },
    undo: () => undoRedo('undo'),
    redo: () => undoRedo('redo'),
    refreshHistory,
    pending: () => jobs.length,
    idle: () => (jobs.length === 0 && !running ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    retry() {
      if (paused === null) return;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      paused = null;
      report();
      pump();
    },
    discard() {
      if (paused === null) return;
      // The shown volume is main's labels plus the queued strokes in order: take them back newest first.
      const dropped = jobs;
      jobs = [];
      const snap = snapshotVoxels(labels, dropped.flatMap((j) => (j.kind === 'commit' ? [j.diff] : [])));
      for (let k = dropped.length - 1; k >= 0; k--) {
        const j = dropped[k]!;
        if (j.kind === 'commit') applyDiff(labels, j.diff, 'backward');
      }
      for (const j of dropped) {
        if (j.kind === 'commit') j.done(false);
        else if (j.kind !== 'resync') j.done(null);
      }
      events.onLabelsChanged(changedSince(labels, snap));
      // Whether the interrupted call landed is still unknown: reload main's labels once it answers.
      if (uncertain) jobs.push({ kind: 'resync', note: null });
      const n = dropped.filter((j) => j.kind === 'commit').length;
      lastError = `${n} unsaved edit${n === 1 ? '' : 's'} discarded`;
      report();
    },
    readOnly: () => readOnly,
  };
  report();
  return session;
}
