// overview.csv (DATASET.md §3.1): one row per series, 39 DICOM-derived columns kept as text, plus typed
// accessors for what the UI shows. Malformed rows become problems with their line number; the rest loads.
import type { CsvRecord, DatasetProblem, OverviewRow, OverviewTable, SequenceInfo, Sex } from './types.js';
import { byLine, DatasetCsvError, headerIndex, parseIntCell, parseNumberCell, readCsvTable } from './csv.js';
import { parseSeriesId } from './seriesId.js';

/** The released column set, in file order. Other columns are accepted and kept in `raw`. */
export const OVERVIEW_COLUMNS = [
  'new_file_name', 'num_vertebrae', 'num_discs', 'sex', 'birth_date', 'subset', 'AngioFlag', 'BodyPartExamined',
  'DeviceSerialNumber', 'EchoNumbers', 'EchoTime', 'EchoTrainLength', 'FlipAngle', 'ImagedNucleus', 'ImagingFrequency',
  'InPlanePhaseEncodingDirection', 'MRAcquisitionType', 'MagneticFieldStrength', 'Manufacturer', 'ManufacturerModelName',
  'NumberOfPhaseEncodingSteps', 'PercentPhaseFieldOfView', 'PercentSampling', 'PhotometricInterpretation', 'PixelBandwidth',
  'PixelSpacing', 'RepetitionTime', 'SAR', 'SamplesPerPixel', 'ScanningSequence', 'SequenceName', 'SeriesDescription',
  'SliceThickness', 'SoftwareVersions', 'SpacingBetweenSlices', 'SpecificCharacterSet', 'TransmitCoilName', 'WindowCenter',
  'WindowWidth',
] as const;

/** The only column without which overview.csv is refused: the join key to images/ and masks/. */
export const OVERVIEW_KEY_COLUMN = 'new_file_name';

/** Columns behind the typed accessors; a missing one is a warning and its accessor is null. */
const SHOWN_COLUMNS = [
  'num_vertebrae', 'num_discs', 'sex', 'birth_date', 'subset', 'Manufacturer', 'ManufacturerModelName',
  'MagneticFieldStrength', 'SeriesDescription', 'MRAcquisitionType', 'SliceThickness', 'SpacingBetweenSlices',
  'PixelSpacing', 'ScanningSequence',
] as const;

/**
 * Parses a Python-list string as written by pandas ("['SE', 'IR']", "[0.625, 0.625]") into its items, quotes
 * removed; a plain value ("SE") gives a one-item list and an empty cell an empty list.
 */
export function parseListCell(text: string): string[] {
  const t = text.trim();
  if (t === '') return [];
  if (!(t.startsWith('[') && t.endsWith(']'))) return [t];
  return t
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim().replace(/^(['"])(.*)\1$/, '$2'))
    .filter((s) => s !== '');
}

/**
 * DICOM PixelSpacing from "[0.625, 0.625]", "[.5859375, .5859375]" or "0.625\0.625"; null unless exactly two
 * positive numbers.
 */
export function parsePixelSpacing(text: string): [number, number] | null {
  const items = text.includes('\\') ? text.split('\\') : parseListCell(text);
  if (items.length !== 2) return null;
  const a = parseNumberCell(items[0]!);
  const b = parseNumberCell(items[1]!);
  return a !== null && b !== null && a > 0 && b > 0 ? [a, b] : null;
}

function textOrNull(text: string | undefined): string | null {
  if (text === undefined) return null;
  const t = text.trim();
  return t === '' ? null : t;
}

function parseSex(text: string | undefined): Sex | null {
  const t = text?.replace(/\s+/g, '');
  return t === 'F' || t === 'M' ? t : null;
}

function sequenceInfo(raw: Record<string, string>): SequenceInfo {
  return {
    seriesDescription: textOrNull(raw.SeriesDescription),
    acquisitionType: textOrNull(raw.MRAcquisitionType),
    sliceThickness: parseNumberCell(raw.SliceThickness ?? ''),
    spacingBetweenSlices: parseNumberCell(raw.SpacingBetweenSlices ?? ''),
    pixelSpacing: parsePixelSpacing(raw.PixelSpacing ?? ''),
    scanningSequence: parseListCell(raw.ScanningSequence ?? ''),
  };
}

/**
 * Parses overview.csv. Every column is kept as text in `raw`; typed accessors are derived from it.
 *
 * Row policy (each case is a problem with the record's starting line; the other rows still load):
 * - wrong cell count, bad `new_file_name`, or a repeated `new_file_name` (first one wins) → `error`, the row is
 *   left out of `rows` (it stays in `records`);
 * - `num_vertebrae` / `num_discs` not a non-negative integer → `error`, the row is kept with that value null.
 *
 * @param input file bytes or text; UTF-8 with or without BOM, CRLF or LF.
 * @param fileLabel name used in problems and messages, e.g. `overview.csv`.
 * @throws DatasetCsvError when the file is not text or its header lacks `new_file_name`.
 */
export function parseOverviewCsv(input: string | Uint8Array, fileLabel: string): OverviewTable {
  const table = readCsvTable(input, fileLabel);
  const { index, duplicates } = headerIndex(table.header);
  if (!index.has(OVERVIEW_KEY_COLUMN)) {
    throw new DatasetCsvError('csv_header', fileLabel, `header has no "${OVERVIEW_KEY_COLUMN}" column`, OVERVIEW_KEY_COLUMN);
  }
  const problems: DatasetProblem[] = [...table.problems];
  const at = (line: number) => `${fileLabel} line ${line}`;
  const problem = (p: Omit<DatasetProblem, 'file'>) => problems.push({ ...p, file: fileLabel });

  for (const name of new Set(duplicates)) {
    problem({ severity: 'warning', code: 'csv_header', line: table.headerLine, message: `${fileLabel}: column "${name}" appears more than once; the first one is used` });
  }
  const missing = SHOWN_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    problem({ severity: 'warning', code: 'missing_column', line: table.headerLine, message: `${fileLabel}: no column ${missing.map((c) => `"${c}"`).join(', ')}` });
  }

  const rows: OverviewRow[] = [];
  const seen = new Map<string, number>();
  table.records.forEach((record: CsvRecord, recordIndex) => {
    const { line, cells } = record;
    if (cells.length !== table.header.length) {
      problem({ severity: 'error', code: 'column_count', line, message: `${at(line)}: ${cells.length} cells where the header has ${table.header.length}; row skipped` });
      return;
    }
    const raw: Record<string, string> = {};
    for (const [name, i] of index) raw[name] = cells[i]!;
    const seriesId = raw[OVERVIEW_KEY_COLUMN]!;
    const parts = parseSeriesId(seriesId);
    if (!parts) {
      problem({ severity: 'error', code: 'invalid_series_id', line, message: `${at(line)}: "${seriesId}" is not a series id of the form <patient>_<sequence>; row skipped` });
      return;
    }
    const ids = { seriesId, patientId: parts.patientId };
    const first = seen.get(seriesId);
    if (first !== undefined) {
      problem({ severity: 'error', code: 'duplicate_key', line, ...ids, message: `${at(line)}: series ${seriesId} already listed on line ${first}; row ignored` });
      return;
    }
    seen.set(seriesId, line);

    const count = (column: 'num_vertebrae' | 'num_discs'): number | null => {
      const text = raw[column];
      if (text === undefined) return null;
      const n = parseIntCell(text);
      if (n === null || n < 0) {
        problem({ severity: 'error', code: 'invalid_value', line, ...ids, message: `${at(line)}: ${column} "${text}" is not a non-negative integer` });
        return null;
      }
      return n;
    };
    rows.push({
      line,
      recordIndex,
      raw,
      seriesId,
      patientId: parts.patientId,
      sequence: parts.sequence,
      numVertebrae: count('num_vertebrae'),
      numDiscs: count('num_discs'),
      sex: parseSex(raw.sex),
      age: parseNumberCell(raw.birth_date ?? ''),
      subset: textOrNull(raw.subset),
      manufacturer: textOrNull(raw.Manufacturer),
      model: textOrNull(raw.ManufacturerModelName),
      fieldStrength: parseNumberCell(raw.MagneticFieldStrength ?? ''),
      sequenceInfo: sequenceInfo(raw),
    });
  });

  problems.sort(byLine);
  return { file: fileLabel, header: table.header, records: table.records, rows, problems, format: table.format };
}
