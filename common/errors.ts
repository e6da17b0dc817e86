// Error model shared by every process: a closed set of codes, errors that cross a process boundary as data.
// Domain code throws AppError (or a subclass); adapters turn it into { ok:false, error } (ARCHITECTURE.md §3).

export const ERROR_CODES = [
  'not_found', // a dataset, series, file or row that does not exist
  'invalid_request', // a request that failed its schema or a precondition
  'invalid_file', // a file that exists but cannot be read as what it claims to be (.mha, .csv)
  'invalid_dataset', // the dataset itself is unsafe or inconsistent (e.g. a data file outside the dataset folder)
  'read_only', // a write to something that may only be read (e.g. a series whose mask cannot be read exactly)
  'too_large', // an input that would need more memory than the configured cap
  'conflict', // a write that lost a race or contradicts stored state
  'io', // the operating system refused a read or write
  'db', // the annotation store failed
  'db_from_future', // the annotation store was written by a newer version of the workstation
  'db_locked', // another process holds the annotation store
  'internal', // a bug: anything else
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** The file the problem is about, relative to the dataset root where there is one. */
  file?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  constructor(code: ErrorCode, message: string, options?: { file?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.file = options?.file;
  }
  toInfo(): ErrorInfo {
    return this.file === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, file: this.file };
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Turns anything thrown into serialisable error data; non-AppErrors become 'internal' with a generic message. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof AppError) return err.toInfo();
  return { code: 'internal', message: 'Internal error' };
}

/**
 * HTTP status of a failed volume request (web mode and spine://): the client's mistake (4xx), a file of the dataset
 * that cannot be served (422: unreadable, outside the dataset, read-only), else 500.
 */
export function volumeStatus(code: ErrorCode): number {
  switch (code) {
    case 'not_found':
      return 404;
    case 'invalid_request':
      return 400;
    case 'too_large':
      return 413;
    case 'invalid_file':
    case 'invalid_dataset':
    case 'read_only':
      return 422;
    default:
      return 500;
  }
}
