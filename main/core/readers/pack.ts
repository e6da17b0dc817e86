// Building an annotation package from a store (issue 16): one annotator's work on one dataset. Labels: for every
// series holding active edits by that annotator, the net diff original mask → the local labels as they are now
// (a series also edited by others is included as it stands, with a warning naming them). Grades: the store's current
// values last set by that annotator, and the first values that annotator entered. Used by the service
// (exportAnnotations) and by `spine-ws pack` on a store opened read-only.
import { basename } from 'node:path';
import { MAX_PACKAGE_BYTES } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import { GRADING_FIELDS, isLegalGradingValue, type GradingField } from '../../../common/gradings.js';
import { encodeDiff, DIFF_ENCODING } from '../../../common/labelDiff.js';
import { voxelCount } from '../../../common/geometry.js';
import { MaskUnreadableError } from '../labels/original.js';
import type { AnnotatorId, ReaderGrade, ReaderLabelLayer } from '../store/index.js';
import { encodePackage, PACKAGE_EXTENSION } from './package.js';
import type { SourceContext } from './sources.js';

export interface PackSummary {
  annotator: string;
  /** Series with a label diff in the package. */
  series: number;
  /** Grade rows (level × field) in the package. */
  grades: number;
  warnings: string[];
  /** A file name for it: `<dataset>-<annotator>-<yyyymmdd>.spinepkg`, safe characters only. */
  fileName: string;
  byteLength: number;
}

/** Characters safe in a file name on every platform; anything else becomes '_'. */
const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60) || 'x';

/** `<dataset>-<annotator>-<yyyymmdd>.spinepkg`. */
export function packageFileName(dataset: string, annotator: string, at: Date): string {
  const d = at.toISOString().slice(0, 10).replaceAll('-', '');
  return `${safe(dataset)}-${safe(annotator)}-${d}${PACKAGE_EXTENSION}`;
}

/** The net diff `from` → `to` as 'rle-u8-v1' bytes and its voxel count (0: equal volumes). */
function netDiff(from: Uint8Array, to: Uint8Array): { bytes: Uint8Array; changed: number } {
  let n = 0;
  for (let v = 0; v < from.length; v++) if (from[v] !== to[v]) n++;
  if (n === 0) return { bytes: new Uint8Array(0), changed: 0 };
  const indices = new Uint32Array(n);
  const before = new Uint8Array(n);
  const after = new Uint8Array(n);
  let e = 0;
  for (let v = 0; v < from.length; v++) {
    if (from[v] !== to[v]) {
      indices[e] = v;
      before[e] = from[v]!;
      after[e] = to[v]!;
      e++;
    }
  }
  return { bytes: encodeDiff({ indices, before, after }), changed: n };
}

const FIELDS = new Set<string>(GRADING_FIELDS.map((f) => f.field));

/** The annotator's grades: current values they set last, first values they entered. */
function gradesOf(ctx: SourceContext, id: AnnotatorId): ReaderGrade[] {
  const byKey = new Map<string, ReaderGrade>();
  const entry = (patientId: number, ivdLabel: number, field: GradingField): ReaderGrade => {
    const key = `${patientId}:${ivdLabel}:${field}`;
    let g = byKey.get(key);
    if (!g) {
      g = { patientId, ivdLabel, field, value: null, firstValue: null, setAt: null };
      byKey.set(key, g);
    }
    return g;
  };
  for (const g of ctx.store.gradings.all()) {
    if (g.updatedBy !== id || g.ivdLabel < 1 || !FIELDS.has(g.field) || g.value === null) continue;
    const e = entry(g.patientId, g.ivdLabel, g.field as GradingField);
    e.value = g.value;
    e.setAt = g.updatedAt;
  }
  for (const f of ctx.store.gradings.allFirstValues()) {
    if (f.annotatorId !== id || f.ivdLabel < 1 || !FIELDS.has(f.field)) continue;
    const e = entry(f.patientId, f.ivdLabel, f.field as GradingField);
    e.firstValue = f.value;
    e.setAt ??= f.createdAt;
  }
  // A level the annotator marked reviewed is their reading of every field it shows: values they kept as they were
  // (the CSV's, or another reader's) are confirmed, not unread. Setting a value equal to the one shown stores nothing
  // (no change, no event), so without this a reader who agrees with the CSV would drop out of κ (biased figures).
  const csv = new Map<string, Partial<Record<GradingField, number>>>();
  for (const row of ctx.index.gradings?.rows ?? []) {
    if (row.ivdLabel < 1) continue;
    const level: Partial<Record<GradingField, number>> = {};
    for (const { field } of GRADING_FIELDS) {
      const v = row[field];
      if (v !== null && isLegalGradingValue(field, v)) level[field] = v;
    }
    csv.set(`${row.patient}:${row.ivdLabel}`, level);
  }
  for (const p of ctx.index.patients) {
    for (const r of ctx.store.gradings.reviews(p.id)) {
      if (!r.reviewed || r.updatedBy !== id || r.ivdLabel < 1) continue;
      const stored = new Map(ctx.store.gradings.forPatient(p.id).filter((g) => g.ivdLabel === r.ivdLabel).map((g) => [g.field, g]));
      const shown = csv.get(`${p.id}:${r.ivdLabel}`) ?? {};
      for (const { field } of GRADING_FIELDS) {
        const g = stored.get(field);
        const value = g ? g.value : (shown[field] ?? null);
        if (value === null || value === undefined) continue;
        const e = entry(p.id, r.ivdLabel, field);
        e.value ??= value;
        e.firstValue ??= value;
        e.setAt ??= r.updatedAt;
      }
    }
  }
  return [...byKey.values()].sort((a, b) => a.patientId - b.patientId || a.ivdLabel - b.ivdLabel || a.field.localeCompare(b.field));
}

/**
 * Packs `annotator`'s label edits and gradings of the context's dataset.
 * @throws AppError('not_found') for an annotator this store does not know or one with nothing to pack;
 * AppError('invalid_request') for a package over MAX_PACKAGE_BYTES.
 */
export async function buildPackage(
  ctx: SourceContext,
  annotator: string,
  appVersion: string,
  opts: { now?: Date; signal?: AbortSignal } = {},
): Promise<{ bytes: Uint8Array; summary: PackSummary }> {
  const { index, store } = ctx;
  const name = annotator.trim();
  const all = store.annotators.list();
  const me = all.find((a) => a.name === name);
  if (!me) {
    throw new AppError('not_found', `No annotator ${name} in this store (annotators: ${all.map((a) => a.name).join(', ') || 'none'})`);
  }
  const warnings: string[] = [];
  const series: ReaderLabelLayer[] = [];
  for (const e of index.series) {
    opts.signal?.throwIfAborted();
    const edits = store.edits.active(e.id);
    if (!edits.some((x) => x.annotatorId === me.id)) continue;
    if (!e.image) {
      warnings.push(`${e.id}: left out, its image ${e.imageFile} cannot be opened`);
      continue;
    }
    const others = [...new Set(edits.filter((x) => x.annotatorId !== me.id).map((x) => store.annotators.name(x.annotatorId)))];
    // The original first: the current volume may be the live one, so it is diffed right after it is handed over.
    let original: Uint8Array;
    try {
      original = await ctx.originalLabels(e);
    } catch (err) {
      if (!(err instanceof MaskUnreadableError)) throw err;
      warnings.push(`${e.id}: left out, its original mask ${e.maskFile ?? ''} cannot be read exactly`);
      continue;
    }
    const current = await ctx.currentLabels(e);
    if (!current) {
      warnings.push(`${e.id}: left out, its original mask ${e.maskFile ?? ''} cannot be read exactly`);
      continue;
    }
    const { bytes, changed } = netDiff(original, current.volume);
    if (changed === 0) continue; // the edits cancel out: the labels are the original's
    if (others.length > 0) {
      warnings.push(`${e.id}: also holds active label edits by ${others.join(', ')}; the package holds the series' labels as they are now`);
    }
    series.push({ seriesId: e.id, voxelCount: voxelCount(e.image.geometry), changed, encoding: DIFF_ENCODING, diff: bytes, revision: current.revision });
  }
  const grades = gradesOf(ctx, me.id);
  if (series.length === 0 && grades.length === 0) {
    throw new AppError('not_found', `Annotator ${name} has no label edits or gradings in this store to pack`);
  }
  const now = opts.now ?? new Date();
  const dataset = basename(index.root);
  const bytes = encodePackage({
    dataset: { name: dataset, fingerprint: index.identity },
    annotator: name,
    createdAt: now.toISOString(),
    appVersion,
    series,
    grades,
    warnings,
  });
  if (bytes.length > MAX_PACKAGE_BYTES) {
    throw new AppError('invalid_request', `The package of ${name} would be ${(bytes.length / 2 ** 20).toFixed(1)} MiB, over the ${MAX_PACKAGE_BYTES / 2 ** 20} MiB limit`);
  }
  return {
    bytes,
    summary: {
      annotator: name, series: series.length, grades: grades.length, warnings,
      fileName: packageFileName(dataset, name, now), byteLength: bytes.length,
    },
  };
}
