// Repository of label-volume checkpoints: the full label volume (opaque, compressed by the caller) as it was after
// replaying a series' active edits up to some seq, so reopening never replays thousands of edits.
//
// Validity: a checkpoint at seq N equals original mask + active edits with seq <= N. It stays valid while no edit
// <= N changes state; undo/redo of edit k deletes every checkpoint with seq >= k in the same transaction
// (edits.ts), and `add` refuses a checkpoint computed before an undo/redo that happened meanwhile (generation).
// So `latest()` is always safe: load it, then replay `edits.active(seriesId, checkpoint.seq)`.
import { AppError } from '../../../../common/errors.js';
import type { StoreContext } from '../context.js';
import { GENERATION_SQL } from './edits.js';

/** A checkpoint to store. */
export interface NewCheckpoint {
  readonly seriesId: string;
  /** The last edit whose state the volume reflects (edits with seq <= this, active ones applied). */
  readonly seq: number;
  /** `edits.generation(seriesId)` read *before* the volume was computed. */
  readonly generation: number;
  /** Format of `data`, e.g. 'u8-deflate-v1'. */
  readonly encoding: string;
  readonly data: Uint8Array;
}

/** A stored checkpoint without its data. */
export interface CheckpointSummary {
  readonly seriesId: string;
  readonly seq: number;
  readonly generation: number;
  readonly encoding: string;
  readonly byteLength: number;
  readonly createdAt: string;
}

/** A stored checkpoint with its data. */
export interface Checkpoint extends CheckpointSummary {
  readonly data: Uint8Array;
}

/** Access to `label_checkpoints`. */
export interface CheckpointsRepo {
  /**
   * Stores (or replaces) the checkpoint at `seq`.
   * @throws AppError('conflict') when an undo/redo happened since `generation` was read (the volume may be
   * stale); AppError('not_found') when the series has no edit `seq`.
   */
  add(checkpoint: NewCheckpoint): CheckpointSummary;
  /** The valid checkpoint with the highest seq, or null. */
  latest(seriesId: string): Checkpoint | null;
  /** All checkpoints of a series, ascending seq, without data. */
  list(seriesId: string): CheckpointSummary[];
  /** Deletes all but the `keep` newest checkpoints of a series; returns how many were deleted. */
  prune(seriesId: string, keep: number): number;
}

interface CheckpointRow {
  series_id: string;
  seq: number;
  generation: number;
  encoding: string;
  byte_length: number;
  created_at: string;
  data?: Buffer;
}

const SUMMARY = 'series_id, seq, generation, encoding, length(data) AS byte_length, created_at';

function toSummary(r: CheckpointRow): CheckpointSummary {
  return {
    seriesId: r.series_id,
    seq: r.seq,
    generation: r.generation,
    encoding: r.encoding,
    byteLength: r.byte_length,
    createdAt: r.created_at,
  };
}

/** Creates the checkpoints repository; statements are prepared once here. */
export function createCheckpointsRepo(ctx: StoreContext): CheckpointsRepo {
  const { db } = ctx;
  type Key = { seriesId: string };
  const generationOf = db.prepare<Key, number>(GENERATION_SQL).pluck();
  const editExists = db
    .prepare<Key & { seq: number }, number>('SELECT 1 FROM label_edits WHERE series_id = $seriesId AND seq = $seq')
    .pluck();
  const upsert = db.prepare<Omit<NewCheckpoint, 'data'> & { data: Uint8Array; now: string }>(
    `INSERT INTO label_checkpoints (series_id, seq, generation, encoding, data, created_at)
     VALUES ($seriesId, $seq, $generation, $encoding, $data, $now)
     ON CONFLICT (series_id, seq) DO UPDATE SET
       generation = excluded.generation, encoding = excluded.encoding, data = excluded.data,
       created_at = excluded.created_at`,
  );
  const summaryAt = db.prepare<Key & { seq: number }, CheckpointRow>(
    `SELECT ${SUMMARY} FROM label_checkpoints WHERE series_id = $seriesId AND seq = $seq`,
  );
  const newest = db.prepare<Key, CheckpointRow>(
    `SELECT ${SUMMARY}, data FROM label_checkpoints WHERE series_id = $seriesId ORDER BY seq DESC LIMIT 1`,
  );
  const all = db.prepare<Key, CheckpointRow>(
    `SELECT ${SUMMARY} FROM label_checkpoints WHERE series_id = $seriesId ORDER BY seq`,
  );
  const pruneStmt = db.prepare<Key & { keep: number }>(
    `DELETE FROM label_checkpoints WHERE series_id = $seriesId AND seq NOT IN
       (SELECT seq FROM label_checkpoints WHERE series_id = $seriesId ORDER BY seq DESC LIMIT $keep)`,
  );

  return {
    add(cp) {
      if (!(cp.data instanceof Uint8Array) || cp.encoding.length === 0) {
        throw new AppError('invalid_request', `Checkpoint for ${cp.seriesId}: data and encoding are required`);
      }
      return ctx.write(() => {
        const { seriesId, seq } = cp;
        const current = generationOf.get({ seriesId }) ?? 0;
        if (current !== cp.generation) {
          throw new AppError(
            'conflict',
            `Checkpoint for ${seriesId} at edit ${seq} is stale: ` +
              `undo/redo generation is ${current}, not ${cp.generation}`,
          );
        }
        if (editExists.get({ seriesId, seq }) === undefined) {
          throw new AppError('not_found', `Series ${seriesId} has no edit ${seq} to checkpoint`);
        }
        upsert.run({ ...cp, now: ctx.now() });
        const row = summaryAt.get({ seriesId, seq });
        if (!row) throw new AppError('db', `Checkpoint for ${seriesId} at edit ${seq} vanished`);
        return toSummary(row);
      });
    },
    latest(seriesId) {
      const row = newest.get({ seriesId });
      if (!row) return null;
      if (row.data === undefined) throw new AppError('internal', 'Checkpoint read without its data');
      return { ...toSummary(row), data: row.data };
    },
    list(seriesId) {
      return all.all({ seriesId }).map(toSummary);
    },
    prune(seriesId, keep) {
      if (!Number.isInteger(keep) || keep < 0) throw new AppError('invalid_request', `Cannot keep ${keep} checkpoints`);
      return ctx.write(() => pruneStmt.run({ seriesId, keep }).changes);
    },
  };
}
