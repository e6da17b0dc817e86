// The one dispatcher behind every transport of the contract (ARCHITECTURE.md §3): parse the raw request with the
// method's schema, call the service, and turn whatever it throws into the typed error result. Electron IPC
// (main/electron/ipc.ts) and web mode (main/server/http.ts) differ only in what comes before (sender, origin,
// token, body checks) and in how they answer; what a request means is decided here, once.
import { requestSchemas, type Method, type Service } from './contract.js';
import { toErrorInfo, type ErrorInfo, type Result } from './errors.js';

/**
 * What a dispatch came to. 'refused': the request failed its schema and the service never saw it (web mode
 * answers HTTP 400); 'answered': the service's value or its typed error (web mode answers HTTP 200).
 */
export type Dispatched = { kind: 'refused'; error: ErrorInfo } | { kind: 'answered'; result: Result<unknown> };

export interface DispatchOptions {
  /** Runs the service call (e.g. counted as in flight); default: calls it. */
  run?<T>(work: () => Promise<T>): Promise<T>;
  /** Where a stack of an unexpected ('internal') error goes; it is never sent. */
  log?: (line: string) => void;
}

/** The schema failure of a request as one line, e.g. "openSeries: seriesId: series id like 7_t2". */
export function requestProblem(method: Method, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return `${method}: ${issues.map((i) => `${i.path.map(String).join('.') || 'request'}: ${i.message}`).join('; ')}`;
}

/**
 * Parses `raw` with `requestSchemas[method]` and calls `service[method]` with the parsed request. `service` null
 * (no workstation open: switching datasets, quitting) answers 'conflict' once the request has been parsed.
 */
export async function dispatch(service: Service | null, method: Method, raw: unknown, opts: DispatchOptions = {}): Promise<Dispatched> {
  const parsed = requestSchemas[method].safeParse(raw);
  if (!parsed.success) return { kind: 'refused', error: { code: 'invalid_request', message: requestProblem(method, parsed.error.issues) } };
  if (!service) {
    return { kind: 'answered', result: { ok: false, error: { code: 'conflict', message: 'No dataset is open (the workstation is switching datasets or closing)' } } };
  }
  const call = service[method] as (r: unknown) => Promise<unknown>;
  try {
    const value = opts.run ? await opts.run(() => call(parsed.data)) : await call(parsed.data);
    return { kind: 'answered', result: { ok: true, value } };
  } catch (err) {
    const info = toErrorInfo(err);
    if (info.code === 'internal') opts.log?.(`${method}: ${String(err instanceof Error ? err.stack : err)}`);
    return { kind: 'answered', result: { ok: false, error: info } };
  }
}
