// Repository of the label-edit journal: one row per committed stroke, append-only, with undo/redo as flag changes
// recorded in `label_edit_events`. Diff blobs are opaque here (produced and applied by the renderer).
//
// Model (linear history, like an editor): the series' edits that are not discarded form an *active* prefix
// followed by an *undone* suffix (the redo stack).
//   - undo: the newest active edit becomes undone; redo: the oldest undone edit becomes active again.
//   - append after undos: every undone edit becomes *discarded* (undone for good, never redoable) and the new
//     edit gets the next seq. Nothing is deleted; seq never repeats.
//   - replay: original mask + active edits in seq order. Every undo/redo/discard is an event row (who, when).
//   - a checkpoint at seq N caches the replay of edits <= N; undo/redo of edit k deletes checkpoints with
//     seq >= k in the same transaction, so a surviving checkpoint is always valid (see checkpoints.ts).
import { AppError } from '../../../../common/errors.js';
import type { StoreContext } from '../context.js';
import type { AnnotatorId } from './annotators.js';

/** Where an edit stands: part of the label volume, on the redo stack, or permanently dropped. */
export type EditState = 'active' | 'undone' | 'discarded';

/** A stroke to journal. */
export interface NewEdit {
  readonly seriesId: string;
  readonly annotatorId: AnnotatorId;
  /** Tool id, e.g. 'brush'. */
  readonly tool: string;
  /** Label value written (0–255; 0 for the eraser). */
  readonly label: number;
  /** Voxels changed by the stroke. */
  readonly voxelCount: number;
  /** Human-readable history entry, e.g. "Brush L4, 312 voxels". */
  readonly description: string;
  /** Format of `diff`, e.g. 'rle-u8-v1'. */
  readonly encoding: string;
  /** The encoded voxel diff, stored and returned byte for byte. */
  readonly diff: Uint8Array;
}

/** A journal entry without its diff (for history lists). */
export interface EditSummary {
  readonly seriesId: string;
  /** 1, 2, 3, … per series, in commit order. */
  readonly seq: number;
  readonly annotatorId: AnnotatorId;
  readonly createdAt: string;
  readonly tool: string;
  readonly label: number;
  readonly voxelCount: number;
  readonly description: string;
  readonly encoding: string;
  readonly state: EditState;
}

/** A journal entry with its diff. */
export interface Edit extends EditSummary {
  readonly diff: Uint8Array;
}

/** Returned by {@link EditsRepo.append} once the transaction has committed. */
export interface AppendResult {
  readonly seq: number;
  readonly createdAt: string;
  /** Seqs of undone edits this append discarded (the redo stack it cleared), ascending. */
  readonly discarded: readonly number[];
}

export type EditEventKind = 'undo' | 'redo' | 'discard';

/** One undo, redo or discard of an edit. */
export interface EditEvent {
  readonly id: number;
  readonly seriesId: string;
  readonly seq: number;
  readonly kind: EditEventKind;
  readonly annotatorId: AnnotatorId;
  readonly createdAt: string;
}

export interface EditCounts {
  readonly active: number;
  readonly undone: number;
  readonly discarded: number;
  readonly total: number;
}

/** Access to `label_edits` and `label_edit_events`. */
export interface EditsRepo {
  /**
   * Journals one stroke in one transaction and returns after COMMIT (the acknowledgement the UI shows as
   * "saved"). Discards the redo stack. @throws AppError('not_found') for an unregistered series.
   */
  append(edit: NewEdit): AppendResult;
  get(seriesId: string, seq: number): Edit | null;
  /** Active edits with seq > `afterSeq` (default 0), in seq order: what to replay on top of a checkpoint. */
  active(seriesId: string, afterSeq?: number): Edit[];
  /** Undoes the newest active edit; returns it (state 'undone', with the diff to revert) or null if none. */
  undo(seriesId: string, annotatorId: AnnotatorId): Edit | null;
  /** Redoes the oldest undone edit; returns it (state 'active', with the diff to reapply) or null if none. */
  redo(seriesId: string, annotatorId: AnnotatorId): Edit | null;
  /** What undo and redo would act on now (for "Undo Brush L4, 312 voxels" menu labels). */
  peek(seriesId: string): { readonly undo: EditSummary | null; readonly redo: EditSummary | null };
  /** Every edit of the series in any state, in seq order, without diffs. */
  history(seriesId: string): EditSummary[];
  /** Every undo/redo/discard of the series, oldest first. */
  events(seriesId: string): EditEvent[];
  /** Edits with seq > `afterSeq` (default 0) by state. */
  count(seriesId: string, afterSeq?: number): EditCounts;
  /** Number of undos and redos so far; a checkpoint computed at one generation is refused at another. */
  generation(seriesId: string): number;
}

interface EditRow {
  series_id: string;
  seq: number;
  annotator_id: number;
  created_at: string;
  tool: string;
  label: number;
  voxel_count: number;
  description: string;
  encoding: string;
  undone: number;
  discarded: number;
  diff?: Buffer;
}

type Key = { seriesId: string };
type SeqKey = { seriesId: string; seq: number };
interface EventRow {
  id: number;
  series_id: string;
  seq: number;
  kind: EditEventKind;
  annotator_id: number;
  created_at: string;
}

/** The undo/redo generation of a series: how many undo and redo events it has (shared with checkpoints.ts). */
export const GENERATION_SQL =
  `SELECT count(*) FROM label_edit_events WHERE series_id = $seriesId AND kind IN ('undo', 'redo')`;

const SUMMARY =
  'series_id, seq, annotator_id, created_at, tool, label, voxel_count, description, encoding, undone, discarded';
const FULL = `${SUMMARY}, diff`;

function toSummary(r: EditRow): EditSummary {
  return {
    seriesId: r.series_id,
    seq: r.seq,
    annotatorId: r.annotator_id as AnnotatorId,
    createdAt: r.created_at,
    tool: r.tool,
    label: r.label,
    voxelCount: r.voxel_count,
    description: r.description,
    encoding: r.encoding,
    state: r.discarded ? 'discarded' : r.undone ? 'undone' : 'active',
  };
}

function toEdit(r: EditRow): Edit {
  if (r.diff === undefined) throw new AppError('internal', 'Edit row read without its diff');
  return { ...toSummary(r), diff: r.diff };
}

function validate(e: NewEdit): void {
  const bad = (what: string): never => {
    throw new AppError('invalid_request', `Label edit for ${e.seriesId}: ${what}`);
  };
  if (!Number.isInteger(e.label) || e.label < 0 || e.label > 255) bad(`label ${e.label} is not 0–255`);
  if (!Number.isInteger(e.voxelCount) || e.voxelCount < 0) bad(`voxel count ${e.voxelCount} is invalid`);
  if (e.tool.length === 0 || e.encoding.length === 0) bad('tool and encoding are required');
  if (!(e.diff instanceof Uint8Array)) bad('diff must be bytes');
}

/** Creates the label-edit journal repository; statements are prepared once here. */
export function createEditsRepo(ctx: StoreContext): EditsRepo {
  const { db } = ctx;
  const seriesExists = db.prepare<Key, number>('SELECT 1 FROM series WHERE series_id = $seriesId').pluck();
  const maxSeq = db
    .prepare<Key, number>('SELECT coalesce(max(seq), 0) FROM label_edits WHERE series_id = $seriesId')
    .pluck();
  const redoStack = db.prepare<Key, EditRow>(
    `SELECT ${FULL} FROM label_edits WHERE series_id = $seriesId AND undone = 1 AND discarded = 0 ORDER BY seq`,
  );
  const redoSeqs = db
    .prepare<Key, number>(
      'SELECT seq FROM label_edits WHERE series_id = $seriesId AND undone = 1 AND discarded = 0 ORDER BY seq',
    )
    .pluck();
  const newestActive = db.prepare<Key, EditRow>(
    `SELECT ${FULL} FROM label_edits WHERE series_id = $seriesId AND undone = 0 ORDER BY seq DESC LIMIT 1`,
  );
  const one = db.prepare<SeqKey, EditRow>(`SELECT ${FULL} FROM label_edits WHERE series_id = $seriesId AND seq = $seq`);
  const activeAfter = db.prepare<SeqKey, EditRow>(
    `SELECT ${FULL} FROM label_edits WHERE series_id = $seriesId AND seq > $seq AND undone = 0 ORDER BY seq`,
  );
  const allSummaries = db.prepare<Key, EditRow>(
    `SELECT ${SUMMARY} FROM label_edits WHERE series_id = $seriesId ORDER BY seq`,
  );
  const insert = db.prepare<Omit<NewEdit, 'diff'> & { seq: number; now: string; diff: Uint8Array }>(
    `INSERT INTO label_edits
       (series_id, seq, annotator_id, created_at, tool, label, voxel_count, description, encoding, diff)
     VALUES ($seriesId, $seq, $annotatorId, $now, $tool, $label, $voxelCount, $description, $encoding, $diff)`,
  );
  const setFlags = db.prepare<SeqKey & { undone: number; discarded: number }>(
    'UPDATE label_edits SET undone = $undone, discarded = $discarded WHERE series_id = $seriesId AND seq = $seq',
  );
  const insertEvent = db.prepare<SeqKey & { kind: EditEventKind; annotatorId: number; now: string }>(
    `INSERT INTO label_edit_events (series_id, seq, kind, annotator_id, created_at)
     VALUES ($seriesId, $seq, $kind, $annotatorId, $now)`,
  );
  const dropCheckpointsFrom = db.prepare<SeqKey>(
    'DELETE FROM label_checkpoints WHERE series_id = $seriesId AND seq >= $seq',
  );
  const eventsOf = db.prepare<Key, EventRow>(
    `SELECT id, series_id, seq, kind, annotator_id, created_at FROM label_edit_events
     WHERE series_id = $seriesId ORDER BY id`,
  );
  const counts = db.prepare<SeqKey, EditCounts>(
    `SELECT count(*) AS total, coalesce(sum(undone = 0), 0) AS active,
            coalesce(sum(undone = 1 AND discarded = 0), 0) AS undone, coalesce(sum(discarded), 0) AS discarded
     FROM label_edits WHERE series_id = $seriesId AND seq > $seq`,
  );
  const generationOf = db.prepare<Key, number>(GENERATION_SQL).pluck();

  /** Flips one edit's undone flag, records who did it, and drops the checkpoints it invalidates. */
  function flip(row: EditRow, kind: 'undo' | 'redo', annotatorId: AnnotatorId): Edit {
    const key = { seriesId: row.series_id, seq: row.seq };
    setFlags.run({ ...key, undone: kind === 'undo' ? 1 : 0, discarded: 0 });
    insertEvent.run({ ...key, kind, annotatorId, now: ctx.now() });
    dropCheckpointsFrom.run(key);
    return toEdit({ ...row, undone: kind === 'undo' ? 1 : 0 });
  }

  return {
    append(edit) {
      validate(edit);
      return ctx.write(() => {
        const { seriesId, annotatorId } = edit;
        if (seriesExists.get({ seriesId }) === undefined) {
          throw new AppError('not_found', `Series ${seriesId} is not registered in the annotation store`);
        }
        const now = ctx.now();
        const discarded = redoSeqs.all({ seriesId });
        for (const seq of discarded) {
          setFlags.run({ seriesId, seq, undone: 1, discarded: 1 });
          insertEvent.run({ seriesId, seq, kind: 'discard', annotatorId, now });
        }
        const seq = (maxSeq.get({ seriesId }) ?? 0) + 1;
        insert.run({ ...edit, seq, now });
        return { seq, createdAt: now, discarded };
      });
    },
    get(seriesId, seq) {
      const row = one.get({ seriesId, seq });
      return row ? toEdit(row) : null;
    },
    active(seriesId, afterSeq = 0) {
      return activeAfter.all({ seriesId, seq: afterSeq }).map(toEdit);
    },
    undo(seriesId, annotatorId) {
      return ctx.write(() => {
        const row = newestActive.get({ seriesId });
        return row ? flip(row, 'undo', annotatorId) : null;
      });
    },
    redo(seriesId, annotatorId) {
      return ctx.write(() => {
        const row = redoStack.get({ seriesId });
        return row ? flip(row, 'redo', annotatorId) : null;
      });
    },
    peek(seriesId) {
      const u = newestActive.get({ seriesId });
      const r = redoStack.get({ seriesId });
      return { undo: u ? toSummary(u) : null, redo: r ? toSummary(r) : null };
    },
    history(seriesId) {
      return allSummaries.all({ seriesId }).map(toSummary);
    },
    events(seriesId) {
      return eventsOf.all({ seriesId }).map((r) => ({
        id: r.id,
        seriesId: r.series_id,
        seq: r.seq,
        kind: r.kind,
        annotatorId: r.annotator_id as AnnotatorId,
        createdAt: r.created_at,
      }));
    },
    count(seriesId, afterSeq = 0) {
      const c = counts.get({ seriesId, seq: afterSeq });
      return c ?? { active: 0, undone: 0, discarded: 0, total: 0 };
    },
    generation(seriesId) {
      return generationOf.get({ seriesId }) ?? 0;
    },
  };
}
