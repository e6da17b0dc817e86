// The one place that resolves a SourceRef (common/contractReaders.ts) into labels and grades (issue 16):
//   'original'     the dataset as released: the mask files, radiological_gradings.csv;
//   'local'        this store: original + the label journal, the CSV overridden by the store's gradings;
//   'reader:NAME'  an imported reader layer: original + the layer's net diff, the layer's grades only.
// Agreement, adjudication, the consensus export and packing all read sources through here, so "what reader X said"
// means the same everywhere. Works on a live workstation (ReaderDeps) and on a store opened read-only (CLI).
import { AppError } from '../../../common/errors.js';
import { readerOf, type GradeBasis, type SourceRef } from '../../../common/contractReaders.js';
import { voxelCount } from '../../../common/geometry.js';
import { GRADING_FIELDS, isLegalGradingValue, type GradingField } from '../../../common/gradings.js';
import {
  applyDiff,
  checkBase,
  decodeDiff,
  decodeStoredDiff,
  DiffFormatError,
  DIFF_ENCODING,
  type VoxelDiff,
} from '../../../common/labelDiff.js';
import type { DatasetIndex, SeriesEntry } from '../dataset/index.js';
import { MaskUnreadableError, maskUnreadable, originalReader } from '../labels/original.js';
import type { ReaderRecord, Store } from '../store/index.js';

export interface SourceContext {
  index: DatasetIndex;
  store: Store;
  /** Original mask, one byte per voxel, fresh array (empty volume without mask); throws MaskUnreadableError. */
  originalLabels(e: SeriesEntry): Promise<Uint8Array>;
  /** Local labels now (original + journal), or null (no labels / unreadable). Never mutate the result. */
  currentLabels(e: SeriesEntry): Promise<{ volume: Uint8Array; revision: number } | null>;
}

/** Grades of a source: key `${patientId}:${ivdLabel}` → field → value. */
export type SourceGrades = Map<string, Partial<Record<GradingField, number>>>;

/** The key of a level in {@link SourceGrades}. */
export const levelKey = (patientId: number, ivdLabel: number): string => `${patientId}:${ivdLabel}`;

/**
 * For 'reader:NAME' the reader's record; null for 'original' and 'local'.
 * @throws AppError('not_found') "No reader NAME in this store (imported: …)".
 */
export function checkSource(store: Store, source: SourceRef): ReaderRecord | null {
  const name = readerOf(source);
  if (name === null) return null;
  const reader = store.readers.byName(name);
  if (reader) return reader;
  const imported = store.readers.list().map((r) => r.name);
  throw new AppError(
    'not_found',
    `No reader ${name} in this store (imported: ${imported.length > 0 ? imported.join(', ') : 'none'})`,
  );
}

/** Voxels of the series' image, or null when it has no openable image. */
function imageVoxels(e: SeriesEntry): number | null {
  return e.image ? voxelCount(e.image.geometry) : null;
}

/**
 * The decoded layer of `reader` for series `e` (the net diff original → reader), or null when the reader left the
 * series as released. A layer that does not fit the image (voxel count, encoding, malformed diff) is
 * AppError('invalid_file') naming the reader and the series.
 */
export function readerLayerDiff(store: Store, reader: ReaderRecord, e: SeriesEntry): VoxelDiff | null {
  const layer = store.readers.labelLayer(reader.id, e.id);
  if (!layer) return null;
  const n = imageVoxels(e);
  const bad = (problem: string): AppError =>
    new AppError('invalid_file', `The label layer of reader ${reader.name} for ${e.id} ${problem}`, { file: e.imageFile });
  if (n === null) throw bad(`cannot be used: ${e.imageFile} cannot be opened`);
  if (layer.voxelCount !== n) throw bad(`is for ${layer.voxelCount} voxels, but ${e.imageFile} has ${n}`);
  if (layer.encoding !== DIFF_ENCODING) throw bad(`has the unknown encoding ${layer.encoding}`);
  try {
    return decodeDiff(layer.diff, n);
  } catch (err) {
    if (err instanceof DiffFormatError) throw bad(`is malformed (${err.message})`);
    throw err;
  }
}

/**
 * The source's labels of a series (never mutate; copy before writing). 'original' → the original mask; 'local' →
 * the current labels, else the original mask; a reader → original + the layer's diff (a fresh array; a layer that
 * does not fit the image or its original mask is AppError('invalid_file')). Null when the series has no openable
 * image. Throws MaskUnreadableError when the original mask is needed and cannot be read exactly.
 */
export async function sourceLabels(ctx: SourceContext, source: SourceRef, e: SeriesEntry): Promise<Uint8Array | null> {
  if (imageVoxels(e) === null) return null;
  if (source === 'original') return ctx.originalLabels(e);
  if (source === 'local') return (await ctx.currentLabels(e))?.volume ?? (await ctx.originalLabels(e));
  const reader = checkSource(ctx.store, source)!;
  const diff = readerLayerDiff(ctx.store, reader, e);
  const volume = await ctx.originalLabels(e);
  if (diff) {
    const at = checkBase(volume, diff, 'forward');
    if (at >= 0) {
      throw new AppError(
        'invalid_file',
        `The label layer of reader ${reader.name} for ${e.id} does not fit its original mask ${e.maskFile ?? '(none)'}: ` +
          `voxel ${at} is ${volume[at]} there, the package expected another value (was the mask replaced?)`,
        { file: e.maskFile ?? e.imageFile },
      );
    }
    applyDiff(volume, diff, 'forward');
  }
  return volume;
}

function put(out: SourceGrades, patientId: number, ivdLabel: number, field: GradingField, value: number | null): void {
  const key = levelKey(patientId, ivdLabel);
  const level = out.get(key) ?? {};
  if (value === null) delete level[field];
  else level[field] = value;
  if (Object.keys(level).length > 0) out.set(key, level);
  else out.delete(key);
}

const FIELD_IDS = new Set<string>(GRADING_FIELDS.map((f) => f.field));
const isField = (f: string): f is GradingField => FIELD_IDS.has(f);

/** The released gradings: every legal CSV value of a level ≥ 1. */
function csvGrades(index: DatasetIndex): SourceGrades {
  const out: SourceGrades = new Map();
  for (const row of index.gradings?.rows ?? []) {
    if (row.ivdLabel < 1) continue;
    for (const { field } of GRADING_FIELDS) {
      const v = row[field];
      if (v !== null && isLegalGradingValue(field, v)) put(out, row.patient, row.ivdLabel, field, v);
    }
  }
  return out;
}

/**
 * A source's grades: key `${patientId}:${ivdLabel}` (levels ≥ 1) → field → value. 'original': the gradings CSV
 * (legal values); 'local': the CSV overridden by the store's current values (a stored blank removes the CSV value)
 * for basis 'current', the store's first values only for 'first'; a reader: the package's value ('current') or
 * first value ('first'), no CSV fallback. Levels without any value are left out.
 */
export function sourceGrades(ctx: Pick<SourceContext, 'index' | 'store'>, source: SourceRef, basis: GradeBasis): SourceGrades {
  const { index, store } = ctx;
  if (source === 'original') return csvGrades(index);
  if (source === 'local') {
    if (basis === 'first') {
      const out: SourceGrades = new Map();
      for (const f of store.gradings.allFirstValues()) {
        if (f.ivdLabel >= 1 && isField(f.field)) put(out, f.patientId, f.ivdLabel, f.field, f.value);
      }
      return out;
    }
    const out = csvGrades(index);
    for (const g of store.gradings.all()) {
      if (g.ivdLabel >= 1 && isField(g.field)) put(out, g.patientId, g.ivdLabel, g.field, g.value);
    }
    return out;
  }
  const reader = checkSource(store, source)!;
  const out: SourceGrades = new Map();
  for (const g of store.readers.grades(reader.id)) {
    put(out, g.patientId, g.ivdLabel, g.field, basis === 'first' ? g.firstValue : g.value);
  }
  return out;
}

/**
 * A SourceContext for a store opened read-only (CLI pack/agree/export): currentLabels = the original mask + the
 * store's active edits in seq order (no journal, no checkpoint needed), revision = the stored revision (edits in
 * any state + undo/redo generation, as labelState.ts storedRevision counts it).
 */
export function readOnlySourceContext(index: DatasetIndex, store: Store): SourceContext {
  const originalLabels = (e: SeriesEntry): Promise<Uint8Array> => {
    if (!e.image) throw new AppError('invalid_file', `${e.imageFile} cannot be opened`, { file: e.imageFile });
    return originalReader(index.root, e, e.image)();
  };
  return {
    index,
    store,
    originalLabels: async (e) => originalLabels(e),
    async currentLabels(e) {
      const n = imageVoxels(e);
      if (n === null || maskUnreadable(e) !== null) return null;
      // One synchronous read: the edits and the revision belong together.
      const edits = store.edits.active(e.id);
      const revision = store.edits.count(e.id).total + store.edits.generation(e.id);
      if (!e.maskFile && edits.length === 0) return null;
      let volume: Uint8Array;
      try {
        volume = await originalLabels(e);
      } catch (err) {
        if (err instanceof MaskUnreadableError) return null;
        throw err;
      }
      for (const edit of edits) {
        const d = decodeStoredDiff(edit.encoding, edit.diff, n);
        if (d) applyDiff(volume, d, 'forward');
      }
      return { volume, revision };
    },
  };
}
