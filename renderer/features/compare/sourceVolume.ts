// A source's labels of the open series as a volume in the renderer (issue 16): main answers readerLabels with a
// diff from the live labels at a revision to the source's labels; applied to a copy of the live volume it gives the
// source's volume without sending a whole mask. The live volume must be at that revision: the loader waits for the
// edit session to be idle, and when a stroke or a revision move came in between (checkBase fails, or main answers
// `conflict`) it tries again. Results are kept per source and revision until the labels move.
import type { SourceRef } from '../../../common/contractReaders.js';
import { applyDiff, base64ToBytes, checkBase, decodeDiff } from '../../../common/labelDiff.js';
import { ApiError, call } from '../../platform/api.js';

export interface LiveLabels {
  seriesId: string;
  /** The live label volume (never written here). */
  labels: () => Uint8Array | null;
  /** Resolves once every queued stroke is in the journal. */
  idle: () => Promise<void>;
  /** Main's acknowledged revision (null: no session). */
  revision: () => number | null;
}

const ATTEMPTS = 4;

export interface SourceVolumes {
  /** The source's labels (a fresh volume; 'local' = a snapshot of the live labels), at the revision returned. */
  get(source: SourceRef): Promise<{ volume: Uint8Array; revision: number }>;
  /** Forgets every kept volume (another series, or sources re-imported). */
  clear(): void;
}

export function createSourceVolumes(live: LiveLabels): SourceVolumes {
  const kept = new Map<SourceRef, { volume: Uint8Array; revision: number }>();
  const once = async (source: SourceRef): Promise<{ volume: Uint8Array; revision: number } | null> => {
    await live.idle();
    const revision = live.revision();
    const labels = live.labels();
    if (revision === null || !labels) throw new Error('No open series');
    const have = kept.get(source);
    if (have && have.revision === revision) return have;
    if (source === 'local') return { volume: labels.slice(), revision };
    let diffText: string;
    try {
      diffText = (await call('readerLabels', { seriesId: live.seriesId, source, revision })).diff;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'conflict') return null; // the revision moved meanwhile
      throw e;
    }
    if (live.revision() !== revision) return null;
    const diff = decodeDiff(base64ToBytes(diffText), labels.length);
    const volume = labels.slice();
    if (checkBase(volume, diff, 'forward') !== -1) return null; // a stroke came in between
    applyDiff(volume, diff, 'forward');
    const got = { volume, revision };
    kept.set(source, got);
    return got;
  };
  return {
    async get(source) {
      for (let i = 0; i < ATTEMPTS; i++) {
        const got = await once(source);
        if (got) return got;
      }
      throw new Error('The labels kept changing while the source was fetched; try again');
    },
    clear: () => kept.clear(),
  };
}
