// Agreement over a whole dataset (issue 16): every series compared between two sources (Dice and volumes per
// label), every grading field compared (Cohen's κ, overall and per level). Used by the `agreement` contract method
// (cached in agreementService.ts), `spine-ws agree` and the consensus export's manifest.
//
// Cost: the original mask of each series is read once (the one unavoidable read: what `agree` is measured against).
// A reader's labels are that original plus a sparse diff, so when neither side is the local journal's volume the
// counts come from the original's histogram and the diff positions (agreement.ts `diffCounts`): no reader volume is
// built. 'local' with active edits is the original plus those edits, built once per series from the same read.
// Two series in flight (2 cores: inflate runs on libuv's pool while the other series counts), so at most two
// originals (and two local volumes) are in memory at once.
import type { AgreementReport, GradeBasis, SeriesAgreement, SourceRef } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import { voxelCount } from '../../../common/geometry.js';
import { checkBase, decodeStoredDiff, type VoxelDiff } from '../../../common/labelDiff.js';
import { mapLimit, type SeriesEntry } from '../dataset/index.js';
import { MaskUnreadableError } from '../labels/original.js';
import type { ReaderRecord } from '../store/index.js';
import {
  diffCounts,
  fieldAgreements,
  histogram,
  labelAgreements,
  perLabelSummary,
  seriesSummary,
  type LabelCounts,
} from './agreement.js';
import { checkSource, readerLayerDiff, sourceGrades, type SourceContext } from './sources.js';

/** Series compared at once. */
export const AGREE_CONCURRENCY = 2;

/** Lets other work (requests, timers) run. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface AgreeOptions {
  /** Aborts the run; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** After each series. */
  onProgress?(done: number, total: number): void;
  /** A result kept from an earlier run whose inputs have not changed (agreementService's cache), else null. */
  reuse?(e: SeriesEntry): SeriesAgreement | null;
  /** Each series computed (not reused), for a cache. */
  computed?(e: SeriesEntry, s: SeriesAgreement): void;
}

/** A source resolved once per run: the reader record for 'reader:NAME'. */
export interface ResolvedSource {
  ref: SourceRef;
  reader: ReaderRecord | null;
}

/** Resolves a source; an unknown reader is AppError('not_found') before anything is read. */
export function resolveSource(ctx: Pick<SourceContext, 'store'>, ref: SourceRef): ResolvedSource {
  return { ref, reader: checkSource(ctx.store, ref) };
}

/**
 * What a source's labels of one series are, relative to the original mask: the original itself, the original plus a
 * sparse diff (a reader layer), or the original plus the local journal's active edits (`edits`, built on demand).
 */
type Side = { kind: 'original' } | { kind: 'diff'; diff: VoxelDiff } | { kind: 'edits'; diffs: VoxelDiff[] };

/** A per-series problem that makes the series `skipped` (a typed, expected condition, never a bug). */
class SkipSeries extends Error {}

function sideOf(ctx: SourceContext, s: ResolvedSource, e: SeriesEntry, n: number): Side {
  if (s.ref === 'original') return { kind: 'original' };
  if (s.reader) {
    try {
      const diff = readerLayerDiff(ctx.store, s.reader, e);
      return diff && diff.indices.length > 0 ? { kind: 'diff', diff } : { kind: 'original' };
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid_file') throw new SkipSeries(err.message);
      throw err;
    }
  }
  // 'local': the original mask + the active edits in seq order (as the journal replays them: an edit that does not
  // fit the volume is left out), read in one synchronous call so they belong to one revision.
  const diffs: VoxelDiff[] = [];
  for (const edit of ctx.store.edits.active(e.id)) {
    const d = decodeStoredDiff(edit.encoding, edit.diff, n);
    if (d) diffs.push(d);
  }
  return diffs.length > 0 ? { kind: 'edits', diffs } : { kind: 'original' };
}

/** The layer diff must start from this original mask (as sources.ts `sourceLabels` requires), else skipped. */
function checkLayerFits(s: ResolvedSource, side: Side, o: Uint8Array, e: SeriesEntry): void {
  if (side.kind !== 'diff') return;
  const at = checkBase(o, side.diff, 'forward');
  if (at >= 0) {
    throw new SkipSeries(
      `the label layer of reader ${s.reader!.name} for ${e.id} does not fit its original mask ${e.maskFile ?? '(none)'}: voxel ${at} is ${o[at]} there, the package expected another value`,
    );
  }
}

/**
 * The net effect of diffs applied in order (a later one wins at a voxel both change), as one diff with strictly
 * ascending indices: what `applyDiff` of each in turn does to any volume. `before` is the first diff's (diffCounts
 * takes the original's value, never `before`). Sparse: costs the diffs' entries, not the volume.
 */
export function netDiff(diffs: readonly VoxelDiff[]): VoxelDiff {
  let acc = diffs[0]!;
  for (let k = 1; k < diffs.length; k++) {
    const x = acc, y = diffs[k]!;
    const nx = x.indices.length, ny = y.indices.length;
    const indices = new Uint32Array(nx + ny), before = new Uint8Array(nx + ny), after = new Uint8Array(nx + ny);
    let i = 0, j = 0, n = 0;
    while (i < nx || j < ny) {
      const px = i < nx ? x.indices[i]! : Infinity, py = j < ny ? y.indices[j]! : Infinity;
      if (px < py) {
        indices[n] = px; before[n] = x.before[i]!; after[n++] = x.after[i++]!;
      } else {
        indices[n] = py; before[n] = px === py ? x.before[i++]! : y.before[j]!; after[n++] = y.after[j++]!;
      }
    }
    acc = { indices: indices.subarray(0, n), before: before.subarray(0, n), after: after.subarray(0, n) };
  }
  return acc;
}

/** Label counts of one series between sources A and B; null when neither side has any label (nothing to read). */
async function countsOf(ctx: SourceContext, a: ResolvedSource, b: ResolvedSource, e: SeriesEntry, n: number): Promise<LabelCounts | null> {
  const sa = sideOf(ctx, a, e, n), sb = sideOf(ctx, b, e, n);
  // Without a mask file and without any layer or edit both sides are all background: nothing to read or count.
  if (!e.maskFile && sa.kind === 'original' && sb.kind === 'original') return null;
  let o: Uint8Array;
  try {
    o = await ctx.originalLabels(e);
  } catch (err) {
    if (err instanceof MaskUnreadableError) throw new SkipSeries(err.message);
    throw err;
  }
  if (o.length !== n) throw new SkipSeries(`the original labels of ${e.id} have ${o.length} voxels, its image ${n}`);
  // Reading the mask ends in a synchronous conversion (int16 → bytes): the counting is not added to that stretch.
  await yieldToLoop();
  checkLayerFits(a, sa, o, e);
  checkLayerFits(b, sb, o, e);
  // Local edits count as their net diff from the original, as a reader layer does: no volume is copied or walked
  // twice (a 39 M-voxel SPACE series copied and compared whole held the event loop for ~250 ms, plus its GC).
  const sparse = (side: Side): VoxelDiff | null => (side.kind === 'diff' ? side.diff : side.kind === 'edits' ? netDiff(side.diffs) : null);
  return diffCounts(o, histogram(o), sparse(sa), sparse(sb));
}

/**
 * One series compared between A and B. A series that cannot be compared (no image header, an original mask that
 * cannot be read exactly, a reader layer that does not fit) is `skipped` with the reason; any other failure throws.
 */
export async function compareSeries(ctx: SourceContext, a: ResolvedSource, b: ResolvedSource, e: SeriesEntry): Promise<SeriesAgreement> {
  const base = { seriesId: e.id, patientId: e.patientId };
  if (!e.image) return { ...base, labels: [], differing: false, skipped: `${e.imageFile} cannot be opened (its header is unreadable)` };
  const g = e.image.geometry;
  try {
    const counts = await countsOf(ctx, a, b, e, voxelCount(g));
    const labels = counts ? labelAgreements(counts, g.spacing[0] * g.spacing[1] * g.spacing[2]) : [];
    return { ...base, labels, differing: labels.some((l) => l.dice < 1), skipped: null };
  } catch (err) {
    if (err instanceof SkipSeries) return { ...base, labels: [], differing: false, skipped: err.message };
    throw err;
  }
}

/**
 * Agreement of sources A and B over the dataset: every series of the index (see {@link compareSeries}), per-label
 * Dice summaries, and κ per grading field on `basis` (each source's current values, or the first each entered).
 * An unknown reader is AppError('not_found') before anything is read.
 */
export async function runAgreement(ctx: SourceContext, a: SourceRef, b: SourceRef, basis: GradeBasis, opts: AgreeOptions = {}): Promise<AgreementReport> {
  const ra = resolveSource(ctx, a), rb = resolveSource(ctx, b);
  const { signal } = opts;
  signal?.throwIfAborted();
  const entries = ctx.index.series;
  let done = 0;
  const series = await mapLimit(entries, AGREE_CONCURRENCY, async (e) => {
    signal?.throwIfAborted();
    let s = opts.reuse?.(e) ?? null;
    if (!s) {
      s = await compareSeries(ctx, ra, rb, e);
      opts.computed?.(e, s);
    }
    opts.onProgress?.(++done, entries.length);
    return s;
  });
  signal?.throwIfAborted();
  return {
    a,
    b,
    basis,
    series,
    perLabel: perLabelSummary(series),
    summary: seriesSummary(series),
    gradings: fieldAgreements(sourceGrades(ctx, a, basis), sourceGrades(ctx, b, basis)),
  };
}
