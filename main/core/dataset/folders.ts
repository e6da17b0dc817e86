// Listing images/ and masks/ of a SPIDER-layout dataset: which files are series volumes (`<int>_<suffix>.mha`
// or `.mhd`), which are ignored, which are badly named. Reads directory entries only, never file contents.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { DatasetProblem } from './types.js';
import { parseSeriesId, splitVolumeFileName, type SeriesIdParts } from './seriesId.js';

/** A series volume file found in images/ or masks/. */
export interface VolumeFile extends SeriesIdParts {
  id: string;
  /** Relative to the dataset root with `/` separators, e.g. `images/7_t2.mha`. */
  file: string;
}

export interface FolderListing {
  /** Volumes by series id. */
  volumes: Map<string, VolumeFile>;
  problems: DatasetProblem[];
}

/** Voxel files of `.mhd` headers (ElementDataFile) and archives users leave around: not series, not problems. */
const IGNORED_EXTENSIONS = /\.(raw|zraw|img|dat|gz|zip)$/i;

/** Lists the entries of a folder; a missing folder is `null`. Other errors propagate. */
export async function readFolder(abs: string): Promise<Dirent[] | null> {
  try {
    return await readdir(abs, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/**
 * Classifies the entries of images/ or masks/ (`folder` is the folder's name relative to the root).
 * Hidden files, sub-folders and voxel data files are skipped silently; any other file that is not
 * `<int>_<suffix>.mha|.mhd` is a `bad_file_name` warning. Two volumes with the same series id (`7_t1.mha`
 * and `7_t1.mhd`) are a `duplicate_series` error; the `.mha` one (else the first by name) is used.
 */
export function classifyFolder(entries: readonly Dirent[], folder: string): FolderListing {
  const volumes = new Map<string, VolumeFile>();
  const problems: DatasetProblem[] = [];
  const names = entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  // .mha before .mhd so that the preferred file of a duplicate pair is seen first.
  names.sort((a, b) => Number(/\.mhd$/i.test(a)) - Number(/\.mhd$/i.test(b)));

  for (const name of names) {
    const file = `${folder}/${name}`;
    const split = splitVolumeFileName(name);
    if (!split) {
      if (IGNORED_EXTENSIONS.test(name)) continue;
      problems.push({ severity: 'warning', code: 'bad_file_name', file, message: `${file} is not a .mha or .mhd file; ignored` });
      continue;
    }
    const parts = parseSeriesId(split.stem);
    if (!parts) {
      problems.push({ severity: 'warning', code: 'bad_file_name', file, message: `${file} is not named <patient>_<sequence>.${split.ext} (e.g. 7_t2.mha); ignored` });
      continue;
    }
    const kept = volumes.get(split.stem);
    if (kept) {
      problems.push({ severity: 'error', code: 'duplicate_series', file, seriesId: split.stem, patientId: parts.patientId, message: `${file} and ${kept.file} are the same series; ${kept.file} is used` });
      continue;
    }
    volumes.set(split.stem, { id: split.stem, ...parts, file });
  }
  return { volumes, problems };
}
