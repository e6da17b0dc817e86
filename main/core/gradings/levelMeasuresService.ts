// The levelMeasures method (common/contractLevelMeasures.ts): measurements per disc level for every series of a
// patient, from the current labels (the loaded label volume when the series is open, else mask + journal; the
// workstation's currentLabels) and, for T2 series, the image (the loaded one, else read once from disk). Cached by
// series + label revision: the dock asks again after every grading change and gets the cached answer until the
// labels of a series change. The export (export/measurementsCsv.ts) uses measureSeriesEntry on its own snapshot.
import { join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import type { LevelMeasureResponses, LevelMeasuresSeries } from '../../../common/contractLevelMeasures.js';
import { levelMeasureRequestSchemas } from '../../../common/contractLevelMeasures.js';
import type { DatasetIndex, SeriesEntry } from '../dataset/index.js';
import { readMetaImage } from '../mha/index.js';
import { measureLevels, type ImageVoxels } from './levelMeasures.js';

type Req = ReturnType<(typeof levelMeasureRequestSchemas)['levelMeasures']['parse']>;

export interface LevelMeasuresDeps {
  index: DatasetIndex;
  /** Current labels of a series and their revision; null when it has none (no mask and no edits, unreadable mask). */
  labels: (e: SeriesEntry) => Promise<{ volume: Uint8Array; revision: number } | null>;
  /** Stored label revision of a series (the cache key), without reading anything. */
  revision: (seriesId: string) => number;
  /** The series when it is loaded (its image is reused), else undefined. */
  loaded?: (seriesId: string) => Promise<{ image: { data: ImageVoxels } }> | undefined;
}

export interface LevelMeasuresMethods {
  levelMeasures: (req: Req) => Promise<LevelMeasureResponses['levelMeasures']>;
}

const sequenceOf = (e: SeriesEntry): string => e.id.slice(e.id.indexOf('_') + 1);
export const isT2 = (e: SeriesEntry): boolean => /^t2/i.test(sequenceOf(e));

/** The image voxels of a series read from disk (T2 signal ratio); null with the reason when it cannot be read. */
export async function readImageVoxels(root: string, e: SeriesEntry): Promise<{ data: ImageVoxels | null; why: string | null }> {
  try {
    const img = await readMetaImage(join(root, e.imageFile), { within: root });
    if (img.data.length !== (e.image ? e.image.geometry.size.reduce((a, b) => a * b, 1) : -1)) return { data: null, why: `${e.imageFile} changed since the scan` };
    return { data: img.data, why: null };
  } catch (err) {
    return { data: null, why: `${e.imageFile} cannot be read (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** The measurements of one series from its labels (and image for a T2 series). */
export function measureSeriesEntry(
  e: SeriesEntry,
  labels: { volume: Uint8Array; revision: number } | null,
  image: ImageVoxels | null,
  imageProblem: string | null = null,
): LevelMeasuresSeries {
  const base = { seriesId: e.id, sequence: sequenceOf(e), revision: labels?.revision ?? 0 };
  if (!e.image) return { ...base, skipped: `${e.imageFile} cannot be opened`, levels: [] };
  if (!labels) return { ...base, skipped: e.maskFile ? `${e.maskFile} cannot be read exactly` : 'no mask', levels: [] };
  const r = measureLevels(e.id, labels.volume, e.image.geometry, image);
  if (imageProblem !== null) for (const l of r.levels) l.notes.push(`no nucleus/CSF signal: ${imageProblem}`);
  return { ...base, skipped: r.skipped, levels: r.levels };
}

export function createLevelMeasuresService(deps: LevelMeasuresDeps): LevelMeasuresMethods {
  const { index } = deps;
  const seriesOf = new Map<number, SeriesEntry[]>();
  for (const s of index.series) seriesOf.set(s.patientId, [...(seriesOf.get(s.patientId) ?? []), s]);
  const known = new Set([...index.patients.map((p) => p.id), ...seriesOf.keys()]);
  const cache = new Map<string, { revision: number; promise: Promise<LevelMeasuresSeries> }>();

  const imageOf = async (e: SeriesEntry): Promise<{ data: ImageVoxels | null; why: string | null }> => {
    if (!isT2(e)) return { data: null, why: null };
    const hit = deps.loaded?.(e.id);
    const loaded = hit ? await hit.catch(() => null) : null;
    return loaded ? { data: loaded.image.data, why: null } : readImageVoxels(index.root, e);
  };

  const measure = (e: SeriesEntry): Promise<LevelMeasuresSeries> => {
    const revision = deps.revision(e.id);
    const hit = cache.get(e.id);
    if (hit && hit.revision === revision) return hit.promise;
    const promise = (async () => {
      const labels = await deps.labels(e);
      const image = labels && e.image ? await imageOf(e) : { data: null, why: null };
      const m = measureSeriesEntry(e, labels, image.data, image.why);
      if (labels && labels.revision !== revision) cache.set(e.id, { revision: labels.revision, promise: Promise.resolve(m) });
      return m;
    })();
    cache.set(e.id, { revision, promise });
    promise.catch(() => {
      if (cache.get(e.id)?.promise === promise) cache.delete(e.id);
    });
    return promise;
  };

  return {
    levelMeasures: async ({ patientId }) => {
      if (!known.has(patientId)) throw new AppError('not_found', `levelMeasures: no patient ${patientId} in this dataset`);
      const series = await Promise.all((seriesOf.get(patientId) ?? []).map(measure));
      return { patientId, series };
    },
  };
}
