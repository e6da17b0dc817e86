// The spine:// protocol: the built renderer and the raw volume bytes, on one origin (spine://app). Requests are
// resolved by a pure function (tested for path escapes) and answered with web-standard Response objects, so the
// handler runs under plain Node in tests and under protocol.handle in Electron.
import { RENDERER_MIME } from '../../common/rendererPolicy.js';
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { SPINE_APP_HOST, SPINE_SCHEME } from '../../common/desktop.js';
import { toErrorInfo, volumeStatus, type ErrorInfo } from '../../common/errors.js';
import { DESKTOP_CSP } from './security.js';

export type SpineTarget =
  | { kind: 'file'; file: string }
  | { kind: 'volume'; seriesId: string; volume: 'image' | 'mask' }
  | { kind: 'refused'; status: 400 | 403 | 404 | 405; message: string };

/** Where a spine:// response comes from. */
export interface SpineSources {
  /** Folder of the built renderer (index.html + assets). */
  rendererDir: string;
  /** The open dataset's volumes; null while none is open. */
  volumes(): { volumeBytes(seriesId: string, kind: 'image' | 'mask'): Promise<Uint8Array> } | null;
  log?: (line: string) => void;
}

const SERIES_ID = /^[A-Za-z0-9_]{1,80}$/;

/**
 * Maps a spine:// request to what answers it, or refuses it: other hosts, other methods, malformed or encoded
 * separators, and any path that would leave the renderer folder (.., absolute, drive letters) are refused.
 * Symlinks are the handler's business: it serves a file only if its real path is inside the renderer folder
 * (see readRendererFile). Volumes are addressed by series id only, never by path.
 */
export function resolveSpineRequest(method: string, url: string, rendererDir: string): SpineTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { kind: 'refused', status: 400, message: 'Malformed URL' };
  }
  if (u.protocol !== `${SPINE_SCHEME}:` || u.host !== SPINE_APP_HOST || u.username || u.password) {
    return { kind: 'refused', status: 403, message: 'Unknown host' };
  }
  if (method !== 'GET' && method !== 'HEAD') return { kind: 'refused', status: 405, message: 'Method not allowed' };
  const raw = u.pathname;
  const vol = /^\/volume\/([^/]+)\/(image|mask)$/.exec(raw);
  if (vol) {
    let id: string;
    try {
      id = decodeURIComponent(vol[1]!);
    } catch {
      return { kind: 'refused', status: 400, message: 'Malformed series id' };
    }
    if (!SERIES_ID.test(id)) return { kind: 'refused', status: 404, message: 'No such volume' };
    return { kind: 'volume', seriesId: id, volume: vol[2] as 'image' | 'mask' };
  }
  let rel: string;
  try {
    rel = raw === '/' ? 'index.html' : decodeURIComponent(raw).replace(/^\/+/, '');
  } catch {
    return { kind: 'refused', status: 400, message: 'Malformed path' };
  }
  // Encoded separators or NULs inside a segment, backslashes (a separator on Windows), drive letters: refused
  // outright rather than normalised.
  if (rel.includes('\0') || rel.includes('\\') || /^[A-Za-z]:/.test(rel) || rel.split('/').some((s) => s === '..')) {
    return { kind: 'refused', status: 403, message: 'Path outside the app' };
  }
  const root = resolve(rendererDir);
  const file = resolve(root, rel);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || !file.startsWith(root + sep)) {
    return { kind: 'refused', status: 403, message: 'Path outside the app' };
  }
  return { kind: 'file', file };
}



const COMMON_HEADERS = {
  'Content-Security-Policy': DESKTOP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * A renderer file's bytes and size, or null when it is not a regular file whose real path (symlinks resolved)
 * lies inside the renderer folder: a symlink planted in dist/renderer must not serve /etc/passwd. The checked
 * real path is what gets opened (O_NOFOLLOW), so a link swapped in after the check is not followed either.
 */
async function readRendererFile(rendererDir: string, file: string, withBody: boolean): Promise<{ body: Buffer | null; size: number } | null> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    const [root, real] = await Promise.all([realpath(resolve(rendererDir)), realpath(file)]);
    const rel = relative(root, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
    fh = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return null;
    return { body: withBody ? await fh.readFile() : null, size: st.size };
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

function errorResponse(status: number, error: ErrorInfo): Response {
  return new Response(JSON.stringify({ ok: false, error }), {
    status,
    headers: { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

/** The protocol.handle handler: renderer files and volume bytes, errors as { ok:false, error } JSON. */
export function createSpineHandler(src: SpineSources): (request: Request) => Promise<Response> {
  const log = src.log ?? (() => undefined);
  return async (request) => {
    const target = resolveSpineRequest(request.method, request.url, src.rendererDir);
    if (target.kind === 'refused') {
      return errorResponse(target.status, { code: target.status === 404 ? 'not_found' : 'invalid_request', message: target.message });
    }
    if (target.kind === 'volume') {
      const volumes = src.volumes();
      if (!volumes) return errorResponse(404, { code: 'not_found', message: 'No dataset is open' });
      try {
        const bytes = await volumes.volumeBytes(target.seriesId, target.volume);
        // No copy: the workstation never changes bytes it has handed out (an edit writes into a new volume).
        return new Response(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength), {
          status: 200,
          headers: { ...COMMON_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.byteLength), 'Cache-Control': 'no-store' },
        });
      } catch (err) {
        const info = toErrorInfo(err);
        if (info.code === 'internal') log(`volume ${target.seriesId}/${target.volume}: ${String(err instanceof Error ? err.stack : err)}`);
        return errorResponse(volumeStatus(info.code), info);
      }
    }
    const found = await readRendererFile(src.rendererDir, target.file, request.method !== 'HEAD');
    if (!found) return errorResponse(404, { code: 'not_found', message: 'Not found' });
    return new Response(found.body === null ? null : new Uint8Array(found.body.buffer as ArrayBuffer, found.body.byteOffset, found.body.byteLength), {
      status: 200,
      headers: { ...COMMON_HEADERS, 'Content-Type': RENDERER_MIME[extname(target.file)] ?? 'application/octet-stream', 'Content-Length': String(found.size), 'Cache-Control': 'no-cache' },
    });
  };
}
