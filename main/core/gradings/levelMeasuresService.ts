// The levelMeasures method (common/contractLevelMeasures.ts): measurements per disc level for every series of a
// patient, from the current labels (the loaded label volume when the series is open, else mask + journal; the
// workstation's currentLabels) and, for T2 series, the image: the loaded one, else the file streamed once from disk
// (levelMeasuresSignal.ts: only the planned voxels and slice minima are kept, never the whole volume; not read at all
// when no level has both a disc core and canal). Cached by series + label revision: the dock asks again after every
// grading change and gets the cached answer until the labels of a series change. The export
// (export/measurementsCsv.ts) uses measureSeriesEntry on its own snapshot.
import { join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import type { LevelMeasureResponses, LevelMeasuresSeries } from '../../../common/contractLevelMeasures.js';
import { levelMeasureRequestSchemas } from '../../../common/contractLevelMeasures.js';
import { sequenceOf } from '../../../common/sequences.js';
import type { DatasetIndex, SeriesEntry } from '../dataset/index.js';
import { planLevelMeasures } from './levelMeasures.js';
import { applySignal, planNeedsImage, sampleFile, sampleInMemory, SignalUnavailable, type ImageVoxels } from './levelMeasuresSignal.js';

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

export const isT2 = (e: SeriesEntry): boolean => /^t2/i.test(sequenceOf(e.id));

/**
 * The measurements of one series from its labels and, for a T2 series, the image: `image` when given (the loaded
 * volume), else the file under `root` streamed once. An image that cannot be read (or no longer fits the grid)
 * leaves the ratio out with a note naming the file; the other measures stand.
 */
export async function measureSeriesEntry(
  root: string,
  e: SeriesEntry,
  labels: { volume: Uint8Array; revision: number } | null,
  image: ImageVoxels | null = null,
  opts: { chunkBytes?: number } = {},
): Promise<LevelMeasuresSeries> {
  const base = { seriesId: e.id, sequence: sequenceOf(e.id), revision: labels?.revision ?? 0 };
  if (!e.image) return { ...base, skipped: `${e.imageFile} cannot be opened`, levels: [] };
  if (!labels) return { ...base, skipped: e.maskFile ? `${e.maskFile} cannot be read exactly` : 'no mask', levels: [] };
  const { result, signal } = planLevelMeasures(e.id, labels.volume, e.image.geometry);
  if (signal && planNeedsImage(signal)) {
    try {
      if (image && image.length !== labels.volume.length) throw new SignalUnavailable(`${e.imageFile} has ${image.length} voxels loaded, the labels ${labels.volume.length}`);
      const ratios = image ? sampleInMemory(signal, image) : await sampleFile(signal, join(root, e.imageFile), e.imageFile, e.image.geometry, { within: root, ...opts });
      applySignal(result.levels, ratios);
    } catch (err) {
      if (!(err instanceof SignalUnavailable)) throw err;
      for (const l of result.levels) l.notes.push(`no nucleus/CSF signal: ${err.message}`);
    }
  } else if (signal) {
    applySignal(result.levels, signal.levels.map(() => null));
  }
  return { ...base, skipped: result.skipped, levels: result.levels };
}

export function createLevelMeasuresService(deps: LevelMeasuresDeps): LevelMeasuresMethods {
  const { index } = deps;
  const seriesOf = new Map<number, SeriesEntry[]>();
  for (const s of index.series) seriesOf.set(s.patientId, [...(seriesOf.get(s.patientId) ?? []), s]);
  const known = new Set([...index.patients.map((p) => p.id), ...seriesOf.keys()]);
  const cache = new Map<string, { revision: number; promise: Promise<LevelMeasuresSeries> }>();

  /** The loaded image of an open T2 series, else null (then the file is streamed). */
  const loadedImage = async (e: SeriesEntry): Promise<ImageVoxels | null> => {
    const hit = isT2(e) ? deps.loaded?.(e.id) : undefined;
    const loaded = hit ? await hit.catch(() => null) : null;
    return loaded ? loaded.image.data : null;
  };

  const measure = (e: SeriesEntry): Promise<LevelMeasuresSeries> => {
    const revision = deps.revision(e.id);
    const hit = cache.get(e.id);
    if (hit && hit.revision === revision) return hit.promise;
    const promise = (async () => {
      const labels = await deps.labels(e);
      const m = await measureSeriesEntry(index.root, e, labels, labels && e.image ? await loadedImage(e) : null);
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
