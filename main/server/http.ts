// Web mode: the built renderer and the service contract over HTTP, on 127.0.0.1 only, guarded by a random
// per-launch token. Thin: validation and dispatch only; all work happens in the service (main/core).
//
// Auth: the printed URL carries ?token=…; GET / with the right token sets an HttpOnly, SameSite=Strict cookie
// and redirects to the bare URL, so the token leaves the address bar. Every other request needs that cookie
// (or an `Authorization: Bearer <token>` header, for scripts and tests). Cross-origin requests are refused
// (Origin / Sec-Fetch-Site / Host checks, the latter against DNS rebinding).
import { RENDERER_CSP, RENDERER_MIME } from '../../common/rendererPolicy.js';
import { createReadStream, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, toErrorInfo, type ErrorInfo } from '../../common/errors.js';
import { METHODS, requestSchemas, type Method, type Service } from '../../common/contract.js';

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

const MAX_JSON_BYTES = 64 * 1024 * 1024;
const COOKIE = 'spine_token';

/** The renderer's CSP (common/rendererPolicy.ts), also sent by the desktop app. */
export const CONTENT_SECURITY_POLICY = RENDERER_CSP;



export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const tokenBuf = Buffer.from(token);
  const staticRoot = resolve(opts.staticDir);
  const log = opts.log ?? (() => undefined);
  let port = 0;

  const hasToken = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const c = Buffer.from(candidate);
    return c.length === tokenBuf.length && timingSafeEqual(c, tokenBuf);
  };
  const authorised = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ') && hasToken(auth.slice(7))) return true;
    return hasToken(parseCookies(req.headers.cookie)[COOKIE]);
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
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    setCommonHeaders(res);
    if (!sameOrigin(req)) return sendError(res, 403, { code: 'invalid_request', message: 'Cross-origin request refused' });
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      if (!hasToken(url.searchParams.get('token') ?? undefined)) return sendError(res, 401, { code: 'invalid_request', message: 'Wrong token' });
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
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
        sendError(res, info.code === 'not_found' ? 404 : 500, info);
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { code: 'invalid_request', message: 'Method not allowed' });
    serveStatic(url.pathname, res);
  };

  const handleApi = async (name: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!(METHODS as string[]).includes(name)) return sendError(res, 404, { code: 'not_found', message: `Unknown method ${name}` });
    const method = name as Method;
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, MAX_JSON_BYTES)).toString('utf8') || '{}');
    } catch (err) {
      return sendError(res, 400, err instanceof AppError ? err.toInfo() : { code: 'invalid_request', message: 'Request body is not JSON' });
    }
    const parsed = requestSchemas[method].safeParse(body);
    if (!parsed.success) {
      return sendError(res, 400, { code: 'invalid_request', message: `${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}` });
    }
    try {
      const call = opts.service[method] as (r: unknown) => Promise<unknown>;
      const value = await call(parsed.data);
      sendJson(res, 200, { ok: true, value });
    } catch (err) {
      const info = toErrorInfo(err);
      if (info.code === 'internal') log(`${method}: ${String(err instanceof Error ? err.stack : err)}`);
      sendJson(res, 200, { ok: false, error: info });
    }
  };

  const serveStatic = (pathname: string, res: ServerResponse): void => {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(staticRoot, rel));
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return sendError(res, 404, { code: 'not_found', message: 'Not found' });
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      return sendError(res, 404, { code: 'not_found', message: `Not found: ${pathname}` });
    }
    res.writeHead(200, { 'Content-Type': RENDERER_MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-cache' });
    createReadStream(file).pipe(res);
  };

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`request ${req.url}: ${String(err instanceof Error ? err.stack : err)}`);
      if (!res.headersSent) sendError(res, 500, { code: 'internal', message: 'Internal error' });
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
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

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        fail(new AppError('too_large', `Request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks)));
    req.on('error', fail);
  });
}
