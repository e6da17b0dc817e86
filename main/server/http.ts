// Web mode: the built renderer and the service contract over HTTP, on 127.0.0.1 only, guarded by a random
// per-launch token. Thin: transport checks, then the shared dispatcher (common/dispatch.ts: schema, service, typed
// errors); all work happens in the service (main/core).
//
// Auth: the printed URL carries ?token=…; GET / with the right token sets an HttpOnly, SameSite=Strict cookie
// and redirects to the bare URL, so the token leaves the address bar. Every other request needs that cookie
// (or an `Authorization: Bearer <token>` header, for scripts and tests). Cookies are scoped to a host, not a
// port, so the cookie is named after the port (`spine_token_<port>`): two workstations open in one browser keep
// their own. Cross-origin requests are refused (Origin / Sec-Fetch-Site / Host checks, the latter against DNS
// rebinding).
//
// API: POST /api/<method> with a JSON body, or, for a method with a binary field (commitEdit's diff), an
// application/octet-stream body framed as common/wire.ts describes (JSON fields, then the raw bytes).
//
// Hostile clients: a malformed request target is a typed 400; a body over the cap a typed 413 (refused early
// by Content-Length, and the rest of the body read and dropped so the client gets the answer instead of a
// reset); static files are served only when their real path (symlinks resolved) lies in the renderer folder.
import { RENDERER_CSP, RENDERER_MIME } from '../../common/rendererPolicy.js';
import { constants, createReadStream } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { extname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, toErrorInfo, volumeStatus, type ErrorInfo } from '../../common/errors.js';
import { METHODS, type Method, type Service } from '../../common/contract.js';
import { dispatch } from '../../common/dispatch.js';
import { binaryFieldOf, decodeFramedRequest, FRAMED_CONTENT_TYPE, FrameError } from '../../common/wire.js';

export interface VolumeSource {
  /** Raw little-endian voxel bytes of a series' image or current label volume. */
  volumeBytes(seriesId: string, kind: 'image' | 'mask'): Promise<Uint8Array>;
}

export interface WebServerOptions {
  service: Service;
  volumes: VolumeSource;
  /** Folder with the built renderer (index.html + assets). */
  staticDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
  /** Largest request body accepted, in bytes (default {@link MAX_BODY_BYTES}); larger ones get a 413. */
  maxBodyBytes?: number;
  log?: (line: string) => void;
}

export interface WebServer {
  server: Server;
  port: number;
  token: string;
  /** The URL to open: http://127.0.0.1:PORT/?token=… */
  url: string;
  close(): Promise<void>;
}

/**
 * Default cap on a request body (WebServerOptions.maxBodyBytes): fits the largest commitEdit the contract takes (a
 * 96 MiB diff, MAX_DIFF_BYTES) with its framing (common/wire.ts: 4-byte prefix, at most 1 MiB of JSON fields).
 */
export const MAX_BODY_BYTES = 100 * 1024 * 1024;
/** After a 413, at most this many more body bytes are read and dropped before the connection is cut. */
const DISCARD_LIMIT = 64 * 1024 * 1024;

/** The auth cookie's name for the server on `port`: cookies ignore ports, so each port needs its own name. */
export function tokenCookieName(port: number): string {
  return `spine_token_${port}`;
}

/** The renderer's CSP (common/rendererPolicy.ts), also sent by the desktop app. */
export const CONTENT_SECURITY_POLICY = RENDERER_CSP;



export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token);
  const staticRoot = resolve(opts.staticDir);
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const log = opts.log ?? (() => undefined);
  let port = 0;
  let cookie = tokenCookieName(0);

  const hasToken = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const c = Buffer.from(candidate);
    return c.length === tokenBuf.length && timingSafeEqual(c, tokenBuf);
  };
  const authorised = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && hasToken(auth.slice(7))) return true;
    return hasToken(parseCookies(req.headers.cookie)[cookie]);
  };
  const sameOrigin = (req: IncomingMessage): boolean => {
    const host = req.headers.host;
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return false;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return false;
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    setCommonHeaders(res);
    const target = parseTarget(req.url, port);
    if (!target) return sendError(res, 400, { code: 'invalid_request', message: 'Malformed request target' });
    const { url, pathname } = target;
    if (!sameOrigin(req)) return sendError(res, 403, { code: 'invalid_request', message: 'Cross-origin request refused' });
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      if (!hasToken(url.searchParams.get('token') ?? undefined)) return sendError(res, 401, { code: 'invalid_request', message: 'Wrong token' });
      res.setHeader('Set-Cookie', `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      res.writeHead(303, { Location: '/' }).end();
      return;
    }
    if (!authorised(req)) {
      return sendError(res, 401, { code: 'invalid_request', message: 'Missing or wrong launch token: open the URL that `spine-ws serve` printed' });
    }
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendError(res, 405, { code: 'invalid_request', message: 'Use POST for /api' });
      return handleApi(url.pathname.slice(5), req, res);
    }
    if (url.pathname.startsWith('/volume/')) {
      if (req.method !== 'GET') return sendError(res, 405, { code: 'invalid_request', message: 'Use GET for /volume' });
      const m = /^\/volume\/([A-Za-z0-9_]+)\/(image|mask)$/.exec(url.pathname);
      if (!m) return sendError(res, 404, { code: 'not_found', message: 'No such volume' });
      try {
        const bytes = await opts.volumes.volumeBytes(m[1]!, m[2] as 'image' | 'mask');
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.byteLength, 'Cache-Control': 'no-store' });
        res.end(bytes);
      } catch (err) {
        const info = toErrorInfo(err);
        if (info.code === 'internal') log(`volume ${url.pathname}: ${String(err instanceof Error ? err.stack : err)}`);
        sendError(res, volumeStatus(info.code), info);
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { code: 'invalid_request', message: 'Method not allowed' });
    return serveStatic(pathname, req.method === 'HEAD', res);
  };

  const handleApi = async (name: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!(METHODS as string[]).includes(name)) return sendError(res, 404, { code: 'not_found', message: `Unknown method ${name}` });
    const method = name as Method;
    const framed = mediaType(req.headers['content-type']) === FRAMED_CONTENT_TYPE;
    const field = binaryFieldOf(method);
    let bytes: Buffer;
    try {
      bytes = await readBody(req, maxBody);
    } catch (err) {
      if (err instanceof AppError && err.code === 'too_large') return sendError(res, 413, err.toInfo());
      return sendError(res, 400, err instanceof AppError ? err.toInfo() : { code: 'invalid_request', message: 'Request body could not be read' });
    }
    let body: unknown;
    if (framed) {
      if (!field) return sendError(res, 400, { code: 'invalid_request', message: `${method} takes a JSON body, not ${FRAMED_CONTENT_TYPE}` });
      try {
        body = decodeFramedRequest(bytes, field);
      } catch (err) {
        if (err instanceof FrameError) return sendError(res, 400, { code: 'invalid_request', message: err.message });
        throw err;
      }
    } else {
      try {
        body = JSON.parse(bytes.toString('utf8') || '{}');
      } catch {
        return sendError(res, 400, { code: 'invalid_request', message: 'Request body is not JSON' });
      }
    }
    const outcome = await dispatch(opts.service, method, body, { log });
    if (outcome.kind === 'refused') return sendError(res, 400, outcome.error);
    sendJson(res, 200, outcome.result);
  };

  /**
   * A file of the renderer folder. Containment is checked twice: on the decoded name (no `..` out of the folder)
   * and on the real path after resolving symlinks (a link planted in the folder must not reach /etc/passwd).
   * The real path is what gets opened (O_NOFOLLOW), and only regular files are served.
   */
  const serveStatic = async (pathname: string, head: boolean, res: ServerResponse): Promise<void> => {
    const notFound = (): void => sendError(res, 404, { code: 'not_found', message: 'Not found' });
    const rel = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    if (rel.includes('\0')) return notFound();
    const file = normalize(join(staticRoot, rel));
    if (!inside(staticRoot, file)) return notFound();
    let fd: Awaited<ReturnType<typeof open>>;
    let size: number;
    try {
      const [realRoot, realFile] = await Promise.all([realpath(staticRoot), realpath(file)]);
      if (!inside(realRoot, realFile)) return notFound();
      fd = await open(realFile, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    } catch {
      return notFound();
    }
    try {
      const st = await fd.stat();
      if (!st.isFile()) {
        await fd.close();
        return notFound();
      }
      size = st.size;
    } catch {
      await fd.close();
      return notFound();
    }
    res.writeHead(200, { 'Content-Type': RENDERER_MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-cache' });
    if (head) {
      await fd.close();
      res.end();
      return;
    }
    // pipeline: a client that goes away mid-file closes the file too.
    pipeline(createReadStream('', { fd, autoClose: true }), res, () => undefined);
  };

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`request ${req.url}: ${String(err instanceof Error ? err.stack : err)}`);
      if (!res.headersSent) sendError(res, 500, { code: 'internal', message: 'Internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => fail(listenError(err, opts.port ?? 0)));
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  cookie = tokenCookieName(port);
  return {
    server,
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}

/**
 * Fails fast, before a long start-up, when `port` cannot be listened on at 127.0.0.1 (busy, or privileged):
 * listens once and closes again. startWebServer reports the same errors should the port be taken meanwhile.
 * @throws AppError('io') saying why, in one line.
 */
export async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createNetServer();
  await new Promise<void>((ok, fail) => {
    probe.once('error', (err: NodeJS.ErrnoException) => fail(listenError(err, port)));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => ok()));
  });
}

/** Why the server could not listen on `port`, as one typed line ('io'). */
function listenError(err: NodeJS.ErrnoException, port: number): AppError {
  const why =
    err.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is already in use (choose another with --port, or 0 for any free port)`
    : err.code === 'EACCES' ? `port ${port} on 127.0.0.1 needs privileges this user does not have (choose a port above 1023)`
    : `cannot listen on 127.0.0.1:${port} (${err.code ?? err.message})`;
  return new AppError('io', `Web server: ${why}`, { cause: err });
}

/**
 * The request target as a URL and its decoded path, or null when it is malformed: not a plain absolute path
 * (absolute-form, `*`, `//…`), not parseable, or with percent escapes that do not decode to UTF-8 (`/%`, `/%ff`).
 */
function parseTarget(target: string | undefined, port: number): { url: URL; pathname: string } | null {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    const url = new URL(target, `http://127.0.0.1:${port}`);
    return { url, pathname: decodeURIComponent(url.pathname) };
  } catch {
    return null;
  }
}

/** True when `file` is `root` itself or lies inside it (both absolute and normalised). */
function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ErrorInfo): void {
  sendJson(res, status, { ok: false, error });
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The request body, at most `limit` bytes. Over the limit (told by Content-Length up front, or counted while
 * reading) it rejects with AppError('too_large') at once, so the caller can answer 413 while the client is
 * still sending; the rest of the body is then read and dropped (up to DISCARD_LIMIT more bytes, after which the
 * connection is cut) so the client is not reset before it reads the answer.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const tooLarge = (): AppError => new AppError('too_large', `Request body over ${limit} bytes`);
    const discard = (): void => {
      let dropped = 0;
      req.removeAllListeners('data');
      req.on('data', (c: Buffer) => {
        dropped += c.length;
        if (dropped > DISCARD_LIMIT) req.socket.destroy();
      });
      req.resume();
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      fail(tooLarge());
      discard();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        chunks.length = 0;
        fail(tooLarge());
        discard();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

