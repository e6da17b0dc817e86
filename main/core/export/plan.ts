// Planning of an export run: the gradings snapshot, which series it covers, the --changed-only decisions, and the totals (files and
// bytes of work) the progress is measured against. Pure decisions plus directory listings and file sizes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { voxelCount } from '../../../common/geometry.js';
import { GRADINGS_FILE, IMAGES_DIR, MASKS_DIR, OVERVIEW_FILE, type SeriesEntry } from '../dataset/index.js';
import { bytesPerVoxel } from '../mha/index.js';
import type { Store } from '../store/index.js';
import { exportGradings, LevelsNotExportedError, type GradingsExport } from './gradingsCsv.js';
import { listFiles, sizeOf } from './context.js';
import type { SeriesRecord } from './manifest.js';
import { CHANGES_FILE, MANIFEST_FILE } from './target.js';
import type { ExportDeps, ExportProgress, ExportRequest } from './types.js';

/**
 * The gradings of the export: one synchronous snapshot of the store, rendered into the source's gradings CSV
 * (null without one). Adds its warnings to `warnings`; with --strict, refuses (LevelsNotExportedError) when a
 * graded level would be left out of the CSV.
 */
export function planGradings(deps: Pick<ExportDeps, 'index' | 'store'>, req: Pick<ExportRequest, 'strict'>, warnings: string[]): GradingsExport | null {
  const gradings = exportGradings(deps.index.gradings, deps.store);
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
  activeEdits: number;
  gradingsChanged: boolean;
}

/** A plan per series of the dataset (in dataset order); `gradedPatients` are the patients with grading changes. */
export function planSeries(series: readonly SeriesEntry[], store: Store, gradedPatients: ReadonlySet<number>): SeriesPlan[] {
  return series.map((entry) => ({
    entry,
    activeEdits: store.edits.count(entry.id).active,
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
