// The renderer's one door to the main process: window.spine in Electron, HTTP on 127.0.0.1 in web mode.
// Only this file inspects { ok } results; callers get values, an ApiError with the same closed code set (main
// answered and refused), or a ServiceUnreachableError (main did not answer: the server is stopped, the
// connection was refused, or the answer could not be read; whether a write landed is then unknown).
import type { Api, Method, Responses, WireRequest } from '../../common/contract.js';
import type { DesktopBridge } from '../../common/desktop.js';
import type { ErrorCode, Result } from '../../common/errors.js';
import { binaryFieldOf, encodeFramedRequest, FRAMED_CONTENT_TYPE } from '../../common/wire.js';
import { createConnectionMonitor, monitoredApi, type ConnectionMonitor } from './connection.js';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  constructor(code: ErrorCode, message: string, file?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.file = file;
  }
}

/** The service did not answer. Transient: the same call may succeed once it answers again. */
export class ServiceUnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnreachableError';
  }
}

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in web mode. */
    spine?: Api & { volumeUrl(seriesId: string, kind: 'image' | 'mask'): string; desktop?: DesktopBridge };
  }
}

/**
 * One web-mode call. Rejects (never resolves with a made-up error) when no readable answer came back. A request
 * with a binary field (commitEdit's diff) goes as a framed octet-stream body (common/wire.ts), others as JSON.
 */
async function httpCall<M extends Method>(method: M, req: WireRequest<M>): Promise<Result<Responses[M]>> {
  const field = binaryFieldOf(method);
  const res = await fetch(`/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': field ? FRAMED_CONTENT_TYPE : 'application/json' },
    body: field ? encodeFramedRequest(req, field) : JSON.stringify(req),
    credentials: 'same-origin',
  });
  const body = (await res.json().catch(() => null)) as Result<Responses[M]> | null;
  if (body && typeof body === 'object' && 'ok' in body) return body;
  throw new ServiceUnreachableError(`No readable answer from the service (HTTP ${res.status} from /api/${method})`);
}

/** The web-mode transport as an Api object. */
const httpApi = new Proxy({} as Api, {
  get: (_target, method: string) => (req: unknown) => httpCall(method as Method, req as WireRequest<Method>),
});

/** The service as the renderer sees it (Electron bridge or HTTP), unmonitored. */
function transport(): Api {
  return window.spine ?? httpApi;
}

/** Whether main answers; every call through `api()` and `fetchVolume` reports to it (the app's banner). */
export const connection: ConnectionMonitor = createConnectionMonitor(() => transport().getSession({}));

let monitored: { base: Api; api: Api } | null = null;
/** The service for this window, every call reported to `connection`. */
export function api(): Api {
  const base = transport();
  if (monitored?.base !== base) monitored = { base, api: monitoredApi(base, connection) };
  return monitored.api;
}

/**
 * Calls one method of `service`: its value, or an ApiError on { ok: false }, or a ServiceUnreachableError when
 * the call itself failed (an Api never rejects for a refusal: refusals are results).
 */
export async function invoke<M extends Method>(service: Api, method: M, req: WireRequest<M>): Promise<Responses[M]> {
  let result: Result<Responses[M]>;
  try {
    result = await (service[method] as (r: WireRequest<M>) => Promise<Result<Responses[M]>>)(req);
  } catch (err) {
    if (err instanceof ServiceUnreachableError) throw err;
    throw new ServiceUnreachableError(`The service is not answering (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (!result.ok) throw new ApiError(result.error.code, result.error.message, result.error.file);
  return result.value;
}

/** Calls one contract method; throws ApiError on { ok: false }, ServiceUnreachableError when main did not answer. */
export function call<M extends Method>(method: M, req: WireRequest<M>): Promise<Responses[M]> {
  return invoke(api(), method, req);
}

/** Raw voxel bytes of a series' image or current label volume (never JSON). */
export async function fetchVolume(seriesId: string, kind: 'image' | 'mask'): Promise<ArrayBuffer> {
  const url = window.spine ? window.spine.volumeUrl(seriesId, kind) : `/volume/${encodeURIComponent(seriesId)}/${kind}`;
  let res: Response;
  let bytes: ArrayBuffer | null = null;
  try {
    res = await fetch(url, { credentials: 'same-origin' });
    if (res.ok) bytes = await res.arrayBuffer();
  } catch (err) {
    connection.failed(err);
    throw new ServiceUnreachableError(`The service is not answering (loading the ${kind} of ${seriesId})`, { cause: err });
  }
  connection.answered();
  if (bytes === null) {
    const body = (await res.json().catch(() => null)) as { error?: { code: ErrorCode; message: string } } | null;
    throw new ApiError(body?.error?.code ?? 'io', body?.error?.message ?? `HTTP ${res.status} loading the ${kind} of ${seriesId}`);
  }
  return bytes;
}

/** Native folder dialog and menu commands in the desktop app; null in web mode (the UI asks for a typed path). */
export function desktopBridge(): DesktopBridge | null {
  return window.spine?.desktop ?? null;
}
