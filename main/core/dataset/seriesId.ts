// SPIDER series ids (`<patient>_<sequence>`, e.g. `7_t2_SPACE`): parsing, volume file names and display order.
// Pure.

/** The released sequences, in display order. Other suffixes sort after them, alphabetically. */
export const KNOWN_SEQUENCES = ['t1', 't2', 't2_SPACE'] as const;

export interface SeriesIdParts {
  patientId: number;
  sequence: string;
}

// Patient: a positive integer without zero padding (DATASET.md §1), so `07_t1` can never silently pair with
// overview's `7_t1`. Sequence: letters/digits in `_`-separated words, case kept (`t2_SPACE`).
const SERIES_ID = /^([1-9]\d{0,8})_([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)$/;
const VOLUME_FILE = /^(.+)\.(mha|mhd)$/i;

/** Splits a series id at its first `_`; null when it is not `<int>_<suffix>`. */
export function parseSeriesId(id: string): SeriesIdParts | null {
  const m = SERIES_ID.exec(id);
  if (!m) return null;
  return { patientId: Number(m[1]), sequence: m[2]! };
}

/** For `7_t2.mha` / `7_t2.MHD`: the stem and extension (lower-cased); null for other files. */
export function splitVolumeFileName(name: string): { stem: string; ext: 'mha' | 'mhd' } | null {
  const m = VOLUME_FILE.exec(name);
  if (!m) return null;
  return { stem: m[1]!, ext: m[2]!.toLowerCase() === 'mha' ? 'mha' : 'mhd' };
}

/** Display order of sequence suffixes: t1, t2, t2_SPACE, then others alphabetically. */
export function compareSequences(a: string, b: string): number {
  const ia = (KNOWN_SEQUENCES as readonly string[]).indexOf(a);
  const ib = (KNOWN_SEQUENCES as readonly string[]).indexOf(b);
  if (ia >= 0 || ib >= 0) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib) || 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders series by patient number, then by {@link compareSequences}. */
export function compareSeries(a: SeriesIdParts, b: SeriesIdParts): number {
  return a.patientId - b.patientId || compareSequences(a.sequence, b.sequence);
}
