// The renderer's one door to the main process: window.spine in Electron, HTTP on 127.0.0.1 in web mode.
// Only this file inspects { ok } results; callers get values or an ApiError with the same closed code set.
import type { Api, Method, Request, Responses } from '../../common/contract.js';
import type { DesktopBridge } from '../../common/desktop.js';
import type { ErrorCode, Result } from '../../common/errors.js';

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

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in web mode. */
    spine?: Api & { volumeUrl(seriesId: string, kind: 'image' | 'mask'): string; desktop?: DesktopBridge };
  }
}

async function httpCall<M extends Method>(method: M, req: Request<M>): Promise<Result<Responses[M]>> {
  const res = await fetch(`/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(req),
    credentials: 'same-origin',
  });
  const body = (await res.json().catch(() => null)) as Result<Responses[M]> | null;
  if (body && typeof body === 'object' && 'ok' in body) return body;
  return { ok: false, error: { code: 'internal', message: `HTTP ${res.status} from /api/${method}` } };
}

/** Calls one contract method; throws ApiError on { ok: false }. */
export async function call<M extends Method>(method: M, req: Request<M>): Promise<Responses[M]> {
  const bridge = window.spine;
  const result = bridge ? await (bridge[method] as (r: Request<M>) => Promise<Result<Responses[M]>>)(req) : await httpCall(method, req);
  if (!result.ok) throw new ApiError(result.error.code, result.error.message, result.error.file);
  return result.value;
}

/** Raw voxel bytes of a series' image or current label volume (never JSON). */
export async function fetchVolume(seriesId: string, kind: 'image' | 'mask'): Promise<ArrayBuffer> {
  const url = window.spine ? window.spine.volumeUrl(seriesId, kind) : `/volume/${encodeURIComponent(seriesId)}/${kind}`;
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code: ErrorCode; message: string } } | null;
    throw new ApiError(body?.error?.code ?? 'io', body?.error?.message ?? `HTTP ${res.status} loading the ${kind} of ${seriesId}`);
  }
  return res.arrayBuffer();
}

/** Native folder dialog and menu commands in the desktop app; null in web mode (the UI asks for a typed path). */
export function desktopBridge(): DesktopBridge | null {
  return window.spine?.desktop ?? null;
}
