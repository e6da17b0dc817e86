// The one error type of the MetaImage module: an AppError that also says which problem the file has.
import { basename } from 'node:path';
import { AppError, type ErrorCode } from '../../../common/errors.js';

/** What is wrong, finer than the error code; stable strings meant for tests and logs. */
export type MetaImageProblem =
  | 'truncated' // the voxel data (raw or compressed stream) ends before DimSize × element size bytes
  | 'missing_field' // a required header field (NDims, DimSize, ElementType, ElementSpacing) is absent
  | 'malformed_field' // a header field or line that cannot be parsed, or has impossible values
  | 'unknown_element_type' // ElementType is not one of the eight scalar MET_ types
  | 'unsupported_dimension' // NDims ≠ 3, or more than one channel per voxel
  | 'unsupported_encoding' // BinaryData = False (ASCII voxels)
  | 'unsupported_data_file' // ElementDataFile = LIST or a file-name pattern
  | 'compressed_size_mismatch' // CompressedDataSize disagrees with the file, or inflating gives the wrong byte count
  | 'decompress_failed' // the compressed stream is corrupt
  | 'too_large' // the voxels would exceed the reader's maxBytes
  | 'no_element_data_file' // the header ends without an ElementDataFile line
  | 'header_too_long' // no end of header within HEADER_LIMIT bytes
  | 'not_metaimage' // the file is not a MetaImage at all (binary junk, another format, another MetaIO object)
  | 'outside_root' // the header or its data file resolves outside the folder given as ReadOptions.within
  | 'not_found' // the header or its data file does not exist
  | 'io' // the operating system refused a read or write
  | 'invalid_image'; // writer input that cannot be written (wrong array type or length, bad geometry)

const CODE_OF: Partial<Record<MetaImageProblem, ErrorCode>> = {
  too_large: 'too_large',
  outside_root: 'invalid_dataset',
  not_found: 'not_found',
  io: 'io',
  invalid_image: 'invalid_request',
};

/**
 * A MetaImage that cannot be read or written. `code` is 'invalid_file' for a bad file, 'too_large',
 * 'invalid_dataset' for a file outside the allowed folder, 'not_found', 'io', or 'invalid_request' for bad
 * writer input. `file` is the path given to the reader or writer;
 * the message names the file by its base name only (messages may cross the process boundary, paths may not).
 */
export class MetaImageError extends AppError {
  readonly problem: MetaImageProblem;
  constructor(problem: MetaImageProblem, file: string, detail: string, cause?: unknown) {
    super(CODE_OF[problem] ?? 'invalid_file', `${basename(file)}: ${detail}`, cause === undefined ? { file } : { file, cause });
    this.name = 'MetaImageError';
    this.problem = problem;
  }
}

/** Quotes a value from a file for an error message, shortened and with control characters made visible. */
export function quote(value: string, max = 60): string {
  const short = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(short);
}

/** Maps an fs error to a MetaImageError ('not_found' for ENOENT/ENOTDIR, else 'io'). */
export function fsError(err: unknown, file: string, what: string): MetaImageError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new MetaImageError('not_found', file, `${what} does not exist`, err);
  return new MetaImageError('io', file, `${what} could not be accessed (${code ?? 'unknown error'})`, err);
}
