// Types of the dataset core: problems, parsed CSV tables and the dataset index built by the scan.
// Plain data only (no class instances besides the CSV bytes), so the index can be handed to adapters as is.
import type { GradingField } from '../../../common/gradings.js';
import type { VolumeGeometry } from '../../../common/geometry.js';
import type { MetaImageHeader } from '../mha/index.js';

// --- problems --- //

export type ProblemSeverity = 'error' | 'warning';

/**
 * Every problem the dataset core reports. `error`: an item could not be used as intended (it is left out or
 * shown without the broken part); `warning`: the item loads, but something in the dataset is unusual.
 */
export type ProblemCode =
  // whole CSV files
  | 'csv_missing' // overview.csv or radiological_gradings.csv absent (warning)
  | 'csv_unreadable' // binary junk, not UTF-8, empty, or an I/O error (error)
  | 'csv_header' // no header, a required column missing (error), or a duplicated column name (warning)
  | 'missing_column' // overview.csv lacks columns the UI shows (warning)
  // CSV rows
  | 'csv_syntax' // malformed quoting; the record is skipped (error)
  | 'column_count' // a row with more or fewer cells than the header; the row is skipped (error)
  | 'invalid_series_id' // new_file_name not `<int>_<suffix>`; the row is skipped (error)
  | 'invalid_value' // a non-integer or out-of-range cell where a typed value is needed (error)
  | 'duplicate_key' // a repeated new_file_name or (Patient, IVD label); the first occurrence wins (error)
  | 'ivd_label_zero' // a gradings row with IVD label 0 (kept, flagged; warning)
  | 'no_matching_disc' // a gradings row whose IVD label exceeds the patient's max num_discs (warning)
  | 'grading_patient_unknown' // gradings for a patient with no overview row (warning)
  | 'patient_without_gradings' // a patient in overview.csv without any gradings row (warning)
  // files
  | 'masks_dir_missing' // no masks/ folder (warning)
  | 'bad_file_name' // a file in images/ or masks/ not named `<int>_<suffix>.mha|.mhd` (warning, ignored)
  | 'duplicate_series' // the same series id twice in one folder (`7_t1.mha` and `7_t1.mhd`) (error)
  | 'unreadable_header' // a MetaImage header that cannot be read (error)
  | 'outside_dataset' // a header or its ElementDataFile resolves outside the dataset folder; never read (error)
  | 'missing_mask' // an image without a mask (warning)
  | 'mask_without_image' // a mask without an image; it is not listed as a series (error)
  | 'geometry_mismatch' // a mask whose grid differs from its image's (error)
  | 'not_in_overview' // a series in images/ without an overview.csv row (warning)
  | 'overview_without_image'; // an overview.csv row without a file in images/ (warning)

export interface DatasetProblem {
  severity: ProblemSeverity;
  code: ProblemCode;
  /** One sentence for people; names the file (relative to the dataset root) and line where there is one. */
  message: string;
  /** File relative to the dataset root, e.g. `masks/7_t2.mha` or `overview.csv`. */
  file?: string;
  /** 1-based physical line in `file` where the offending CSV record starts (header = line 1). */
  line?: number;
  seriesId?: string;
  patientId?: number;
}

// --- CSV --- //

/** Byte-level facts of a CSV file, so an export can reproduce it (copy or rewrite with the same style). */
export interface CsvFormat {
  byteLength: number;
  /** The file starts with a UTF-8 byte order mark. */
  hasBom: boolean;
  /** Line terminator style over the whole file; the released SPIDER CSVs are `crlf`. */
  lineEnding: 'crlf' | 'lf' | 'mixed' | 'none';
  endsWithNewline: boolean;
  /** Hex SHA-256 of the original bytes. */
  sha256: string;
  /** The original bytes, unmodified (BOM included). */
  bytes: Uint8Array;
}

/** One CSV record as read, before column meaning is applied. */
export interface CsvRecord {
  /** 1-based physical line where the record starts (a quoted field may continue on later lines). */
  line: number;
  /** Cell texts exactly as parsed (quotes removed, nothing trimmed). */
  cells: string[];
  /** The record's source text without its line terminator. */
  source: string;
}

// --- overview.csv --- //

export type Sex = 'F' | 'M';

/** DICOM acquisition facts of a series, from overview.csv (null where the cell is empty or unparsable). */
export interface SequenceInfo {
  seriesDescription: string | null;
  /** `MRAcquisitionType`: '2D' or '3D' in SPIDER. */
  acquisitionType: string | null;
  /** mm */
  sliceThickness: number | null;
  /** mm */
  spacingBetweenSlices: number | null;
  /** DICOM in-plane spacing [row, col] in mm; not necessarily the .mha spacing (DATASET.md §4). */
  pixelSpacing: [number, number] | null;
  /** `ScanningSequence` as a list: "SE" → ['SE'], "['SE', 'IR']" → ['SE', 'IR']. */
  scanningSequence: string[];
}

/** A usable overview.csv row: right column count, valid and unique `new_file_name`. */
export interface OverviewRow {
  line: number;
  /** Index of the row in {@link OverviewTable.records}. */
  recordIndex: number;
  /** Every column (including unknown extra ones) by header name, as text. */
  raw: Record<string, string>;
  /** `new_file_name`, e.g. `7_t2_SPACE`. */
  seriesId: string;
  patientId: number;
  /** Suffix after the first `_`: `t1`, `t2`, `t2_SPACE` or any other. */
  sequence: string;
  /** null when the cell is not an integer (reported as `invalid_value`). */
  numVertebrae: number | null;
  numDiscs: number | null;
  /** `sex` with spaces stripped. */
  sex: Sex | null;
  /** Age in years from the `birth_date` column (which holds an age); null when empty. */
  age: number | null;
  subset: string | null;
  manufacturer: string | null;
  model: string | null;
  /** Tesla */
  fieldStrength: number | null;
  sequenceInfo: SequenceInfo;
}

export interface OverviewTable {
  /** File label used in problems, e.g. `overview.csv`. */
  file: string;
  header: string[];
  /** Every data record in file order, including those that became problems (for byte-faithful export). */
  records: CsvRecord[];
  /** Usable rows in file order. */
  rows: OverviewRow[];
  problems: DatasetProblem[];
  format: CsvFormat;
}

// --- radiological_gradings.csv --- //

/** Why a gradings row is highlighted. The row stays in `rows` for all of them. */
export type GradingFlag = 'ivd_label_zero' | 'no_matching_disc' | 'invalid_value';

/** Grading values of one disc; null where the cell is not a legal value (reported as `invalid_value`). */
export type GradingValues = { [F in GradingField]: number | null };

/** A gradings row with a valid, unique (Patient, IVD label) key. */
export interface GradingRow extends GradingValues {
  line: number;
  /** Index of the row in {@link GradingsTable.records}. */
  recordIndex: number;
  patient: number;
  /** Disc level counted from the bottom: k ↔ mask value 200 + k. 0 occurs in the released data (flagged). */
  ivdLabel: number;
  flags: GradingFlag[];
}

export interface GradingsTable {
  file: string;
  /** Header as written (order kept; "Pfirrman grade" misspelling kept). */
  header: string[];
  records: CsvRecord[];
  rows: GradingRow[];
  problems: DatasetProblem[];
  format: CsvFormat;
}

// --- scan --- //

/** What the scan keeps of a MetaImage header. */
export interface VolumeHeaderSummary {
  geometry: VolumeGeometry;
  pixelType: MetaImageHeader['pixelType'];
  compressed: boolean;
}

export interface SeriesEntry {
  /** File stem, e.g. `7_t2`. */
  id: string;
  patientId: number;
  /** `t1`, `t2`, `t2_SPACE` or another suffix. */
  sequence: string;
  /** Relative to the dataset root, e.g. `images/7_t2.mha`. */
  imageFile: string;
  maskFile: string | null;
  /** null when the header could not be read (see problems). */
  image: VolumeHeaderSummary | null;
  mask: VolumeHeaderSummary | null;
  overview: OverviewRow | null;
  /** ITK pointing-to code of the image axes ('LPS', 'PIR', ...); null without a readable image header. */
  orientation: string | null;
  /** The problems of this series (also listed in {@link DatasetIndex.problems}). */
  problems: DatasetProblem[];
}

export interface Patient {
  id: number;
  /** Series ids in display order (t1, t2, t2_SPACE, others). */
  seriesIds: string[];
  /** From the patient's first usable overview row. */
  sex: Sex | null;
  age: number | null;
  subset: string | null;
  /** IVD labels graded for this patient, ascending. */
  gradedLevels: number[];
}

export interface DatasetIndex {
  /** Absolute path of the dataset folder. */
  root: string;
  /** Patients with at least one series, ascending by id. */
  patients: Patient[];
  /** Sorted by patient, then t1, t2, t2_SPACE, then other suffixes alphabetically. */
  series: SeriesEntry[];
  overview: OverviewTable | null;
  gradings: GradingsTable | null;
  /** Every problem found, CSV problems first, then per-file problems in series order. */
  problems: DatasetProblem[];
  /**
   * Stable fingerprint of the dataset's content: SHA-256 over the CSVs' bytes and the names and sizes of the
   * files in images/ and masks/. Independent of the folder's path and of file times, so a copied dataset keeps
   * its identity while a changed CSV or a replaced volume of another size does not.
   */
  identity: string;
}
