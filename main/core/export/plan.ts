// Planning of an export run: the gradings snapshot, which series it covers, the --changed-only decisions, and the totals (files and
// bytes of work) the progress is measured against. Pure decisions plus directory listings and file sizes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceRef } from '../../../common/contractReaders.js';
import { voxelCount } from '../../../common/geometry.js';
import { GRADINGS_FILE, IMAGES_DIR, MASKS_DIR, OVERVIEW_FILE, type SeriesEntry } from '../dataset/index.js';
import { bytesPerVoxel } from '../mha/index.js';
import { checkSource, sourceGrades } from '../readers/sources.js';
import type { AnnotatorId, Grading, Store } from '../store/index.js';
import { exportGradings, LevelsNotExportedError, type GradingsExport } from './gradingsCsv.js';
import { listFiles, sizeOf } from './context.js';
import type { SeriesRecord } from './manifest.js';
import { CHANGES_FILE, MANIFEST_FILE } from './target.js';
import type { ExportDeps, ExportProgress, ExportRequest } from './types.js';

/** The annotator id the gradings of a reader source are attributed to in {@link gradingsView} (no real annotator). */
const READER_ID = -1 as AnnotatorId;

/**
 * The store as the gradings CSV writer sees it for an export source: 'local' the store itself; 'original' no grades
 * (the CSV is copied); a reader the reader's current values (sources.ts sourceGrades: only what the reader entered),
 * set by the reader's name at its time, without a change history.
 */
export function gradingsView(store: Store, source: SourceRef, index: ExportDeps['index']): Store {
  if (source === 'local') return store;
  const grades: Grading[] = [];
  let name = '';
  if (source !== 'original') {
    const reader = checkSource(store, source)!;
    name = reader.name;
    const setAt = new Map(store.readers.grades(reader.id).map((g) => [`${g.patientId}:${g.ivdLabel}:${g.field}`, g.setAt]));
    for (const [key, fields] of sourceGrades({ index, store }, source, 'current')) {
      const [patientId, ivdLabel] = key.split(':').map(Number) as [number, number];
      for (const [field, value] of Object.entries(fields)) {
        grades.push({ patientId, ivdLabel, field, value, updatedAt: setAt.get(`${key}:${field}`) ?? reader.packageCreatedAt, updatedBy: READER_ID });
      }
    }
  }
  return {
    ...store,
    gradings: { ...store.gradings, all: () => grades, events: () => [] },
    annotators: { ...store.annotators, name: (id) => (id === READER_ID ? name : store.annotators.name(id)) },
  };
}

/**
 * The gradings of the export: one synchronous snapshot of the store (or of the source's grades, gradingsView),
 * rendered into the source's gradings CSV (null without one). Adds its warnings to `warnings`; with --strict,
 * refuses (LevelsNotExportedError) when a graded level would be left out of the CSV.
 */
export function planGradings(deps: Pick<ExportDeps, 'index' | 'store'>, req: Pick<ExportRequest, 'strict' | 'source'>, warnings: string[]): GradingsExport | null {
  const gradings = exportGradings(deps.index.gradings, gradingsView(deps.store, req.source ?? 'local', deps.index));
  if (!deps.index.gradings && deps.store.gradings.all().some((g) => g.field !== 'reviewed' && g.field !== '_undo')) {
    warnings.push(`${GRADINGS_FILE} is missing or unreadable in the source: gradings stored in the workstation could not be exported`);
  }
  if (gradings) warnings.push(...gradings.warnings);
  // [gradings policy] --strict: no level may be left out of radiological_gradings.csv.
  if (req.strict && gradings && gradings.notExported.length > 0) throw new LevelsNotExportedError(GRADINGS_FILE, gradings.notExported);
  return gradings;
}

/** One series of the dataset as the export starts: its active edits and whether its patient's gradings changed. */
export interface SeriesPlan {
  entry: SeriesEntry;
  /**
   * Label changes to apply to the original mask: the active journal edits (source 'local'); 1 when the reader's
   * layer holds the series (a reader source); 0 for 'original'.
   */
  activeEdits: number;
  gradingsChanged: boolean;
}

/**
 * A plan per series of the dataset (in dataset order); `gradedPatients` are the patients with grading changes.
 * `source` (default 'local') says whose label changes apply.
 */
export function planSeries(series: readonly SeriesEntry[], store: Store, gradedPatients: ReadonlySet<number>, source: SourceRef = 'local'): SeriesPlan[] {
  const reader = source === 'local' || source === 'original' ? null : checkSource(store, source);
  const layered = new Set(reader ? store.readers.labelSeries(reader.id).filter((l) => l.changed > 0).map((l) => l.seriesId) : []);
  return series.map((entry) => ({
    entry,
    activeEdits: source === 'local' ? store.edits.count(entry.id).active : layered.has(entry.id) ? 1 : 0,
    gradingsChanged: gradedPatients.has(entry.patientId),
  }));
}

/**
 * Whether a series may be in the export at all: every series in a full export; in a --changed-only export only a
 * series with active edits (its labels may differ) or of a patient with a grading change.
 */
export function isCandidate(req: Pick<ExportRequest, 'changedOnly'>, p: SeriesPlan): boolean {
  return !req.changedOnly || p.activeEdits > 0 || p.gradingsChanged;
}

/** Why a series is in the export (the manifest's `included`), or null when --changed-only leaves it out. */
export function includedAs(req: Pick<ExportRequest, 'changedOnly'>, p: SeriesPlan, labelsChanged: boolean): SeriesRecord['included'] | null {
  if (!req.changedOnly) return 'all';
  if (labelsChanged && p.gradingsChanged) return 'labels_and_gradings_changed';
  if (labelsChanged) return 'labels_changed';
  if (p.gradingsChanged) return 'gradings_changed';
  return null;
}

/** Voxels of a series' image (0 without a readable header). */
export function seriesVoxels(p: SeriesPlan): number {
  return p.entry.image ? voxelCount(p.entry.image.geometry) : 0;
}

/** The plans largest series first, so that no large series is left alone at the end of the run. */
export function largestFirst(plans: readonly SeriesPlan[]): SeriesPlan[] {
  return [...plans].sort((a, b) => seriesVoxels(b) - seriesVoxels(a));
}

/**
 * Adds the files and bytes of work of the export to `progress` (re-estimated as series turn out unchanged in a
 * --changed-only export): source files copied plus voxel bytes of the volumes rebuilt or converted.
 */
export async function countTotals(root: string, req: ExportRequest, plans: readonly SeriesPlan[], progress: ExportProgress): Promise<void> {
  const counted = new Set<string>();
  const count = (rel: string, bytes = sizeOf(join(root, rel))): void => {
    if (counted.has(rel)) return;
    counted.add(rel);
    progress.filesTotal++;
    progress.bytesTotal += bytes;
  };
  for (const p of plans) {
    if (!isCandidate(req, p)) continue;
    const e = p.entry;
    const n = seriesVoxels(p);
    if (req.format === 'mha') {
      count(e.imageFile);
      if (p.activeEdits > 0 && e.image) count(e.maskFile ?? `${MASKS_DIR}/${e.id}.mha`, n);
      else if (e.maskFile) count(e.maskFile);
    } else if (e.image) {
      count(`labelsTr/${e.id}`, n);
      count(`imagesTr/${e.id}`, n * bytesPerVoxel(e.image.pixelType));
    }
  }
  for (const csv of [OVERVIEW_FILE, GRADINGS_FILE]) if (existsSync(join(root, csv))) count(csv);
  if (req.format === 'mha' && !req.changedOnly) {
    for (const folder of [IMAGES_DIR, MASKS_DIR]) for (const name of await listFiles(join(root, folder))) count(`${folder}/${name}`);
    for (const name of await listFiles(root)) if (name !== MANIFEST_FILE && name !== CHANGES_FILE) count(name);
  }
  if (req.format === 'nifti') progress.filesTotal++; // dataset.json
  progress.filesTotal += 2; // CHANGES.md, manifest
}
