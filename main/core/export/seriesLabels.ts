// The labels of one series as the export sees them: the original mask converted to one byte per voxel (on a
// worker) and the exported labels — the current labels at one journal revision, or for a reader source the original
// plus the reader's layer (issue 16) — plus the per-label change statistics for the manifest.
// A mask that cannot be read exactly is MaskNotExportable: its labels are not known, so none are invented.
import { join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import { sameGrid, voxelCount } from '../../../common/geometry.js';
import { labelInfo } from '../../../common/labels.js';
import { applyDiff, checkBase } from '../../../common/labelDiff.js';
import type { SeriesEntry } from '../dataset/index.js';
import { readMetaImage } from '../mha/index.js';
import { readerLayerDiff } from '../readers/sources.js';
import { check, transferList, type ExportContext } from './context.js';
import { exportReader, exportSource, noteSeriesLabels } from './provenance.js';
import type { LabelChange } from './manifest.js';
import type { LabelCounts } from './workerPool.js';

/** A series whose labels are needed but whose mask file cannot be read exactly (the export refuses or leaves it out). */
export class MaskNotExportable extends AppError {
  constructor(file: string, reason: string) {
    super('read_only', `${file} cannot be read exactly (${reason}): its labels cannot be exported, and edits stored for it cannot be applied`, { file });
  }
}

export interface LabelRead {
  original: Uint8Array | null;
  /** Header fields of the original mask (null without a mask). */
  fields: Record<string, string> | null;
  current: Uint8Array;
  revision: number;
  activeEdits: number;
}

/**
 * Original mask (uint8) and the exported labels: the current labels at one journal revision (source 'local'), the
 * original plus the reader's layer (a reader source; revision = the reader's when it packed, no active edits), or
 * the original ('original'). The mask is inflated on libuv's pool and converted to one byte per voxel on a worker;
 * the journal (or the reader's diff) is applied to the worker's copy. The run's provenance notes both volumes.
 */
export async function readLabels(ctx: ExportContext, e: SeriesEntry, withEdits: boolean): Promise<LabelRead> {
  const header = e.image!;
  const n = voxelCount(header.geometry);
  let original: Uint8Array | null = null;
  let copy: Uint8Array | null = null;
  let fields: Record<string, string> | null = null;
  if (e.maskFile && !e.mask) {
    // Never a mask rebuilt from an empty volume: the labels of a mask that cannot be read are not known.
    throw new MaskNotExportable(e.maskFile, e.problems.filter((p) => p.file === e.maskFile).map((p) => p.message).join('; ') || 'unreadable header');
  }
  if (e.maskFile && e.mask) {
    let mask: Awaited<ReturnType<typeof readMetaImage>>;
    try {
      mask = await readMetaImage(join(ctx.root, e.maskFile), { within: ctx.root });
    } catch (err) {
      if (err instanceof AppError && err.code !== 'internal') throw new MaskNotExportable(e.maskFile, err.message);
      throw err;
    }
    if (!sameGrid(mask.geometry, header.geometry)) {
      throw new AppError('invalid_file', `${e.maskFile} does not lie on the grid of ${e.imageFile} (size, spacing, origin or direction differ)`, { file: e.maskFile });
    }
    fields = mask.header.fields;
    const bytes = new Uint8Array(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength);
    const r = await ctx.pool.run({ kind: 'labels', bytes, pixelType: mask.pixelType }, transferList(bytes));
    if (r.bad !== undefined) {
      throw new AppError('invalid_file', `${e.maskFile} holds the label value ${r.bad} at voxel ${r.index}; labels must be integers from 0 to 255`, { file: e.maskFile });
    }
    original = r.original!;
    copy = r.copy!;
  }
  check(ctx);
  const source = exportSource(ctx);
  if (!withEdits || source === 'original') {
    return { original, fields, current: original ?? new Uint8Array(n), revision: source === 'local' ? ctx.deps.journal.storedRevision(e.id) : 0, activeEdits: 0 };
  }
  const reader = exportReader(ctx);
  if (reader) {
    const layer = ctx.deps.store.readers.labelLayer(reader.id, e.id);
    const diff = readerLayerDiff(ctx.deps.store, reader, e); // invalid_file when it does not fit the image
    const current = copy ?? new Uint8Array(n);
    if (diff) {
      const at = checkBase(current, diff, 'forward');
      if (at >= 0) {
        throw new AppError('invalid_file', `The label layer of reader ${reader.name} for ${e.id} does not fit its original mask ${e.maskFile ?? '(none)'} (voxel ${at} differs)`, { file: e.maskFile ?? e.imageFile });
      }
      applyDiff(current, diff, 'forward');
    }
    noteSeriesLabels(ctx, e, original, current);
    return { original, fields, current, revision: layer?.revision ?? 0, activeEdits: 0 };
  }
  const activeEdits = ctx.deps.store.edits.count(e.id).active;
  const labels = await ctx.deps.journal.load(e.id, e.patientId, n, async () => copy ?? new Uint8Array(n));
  labels.live = false; // a snapshot: never maintained nor checkpointed
  noteSeriesLabels(ctx, e, original, labels.volume);
  return { original, fields, current: labels.volume, revision: labels.revision, activeEdits };
}

export function labelChanges(counts: LabelCounts, voxelMm3: number): LabelChange[] {
  const out: LabelChange[] = [];
  for (let v = 1; v < 256; v++) {
    const added = counts.added[v] ?? 0;
    const removed = counts.removed[v] ?? 0;
    if (added === 0 && removed === 0) continue;
    const before = counts.origCount[v] ?? 0;
    const after = before - removed + added;
    const inter = before - removed;
    let name: string;
    try {
      name = labelInfo(v).name;
    } catch {
      name = `value ${v}`;
    }
    out.push({
      value: v,
      name,
      voxelsBefore: before,
      voxelsAfter: after,
      added,
      removed,
      dice: before + after === 0 ? 1 : Math.round((2 * inter * 1e6) / (before + after)) / 1e6,
      volumeChangeMm3: Math.round((after - before) * voxelMm3 * 1000) / 1000,
    });
  }
  return out;
}
