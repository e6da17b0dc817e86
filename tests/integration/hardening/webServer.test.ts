// Web mode against hostile clients and planted files (issue 11): the real server over a real workstation on a
// generated dataset, spoken to with raw sockets and http.request; two servers in one real Chromium.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSample } from '../../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../../main/core/workstation.js';
import { MAX_BODY_BYTES, startWebServer, type WebServer } from '../../../main/server/http.js';
import { CHROMIUM_ARGS } from '../../e2e/support/app.js';

let dir: string;
let ws: Workstation;
let server: WebServer;
const logged: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-hardening-http-'));
  await generateSample({ out: join(dir, 'ds'), patients: 1, seed: 'hardening' });
  const stat = join(dir, 'static');
  mkdirSync(join(stat, 'assets'), { recursive: true });
  writeFileSync(join(stat, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(stat, 'assets', 'app.js'), 'console.log("inside")');
  writeFileSync(join(dir, 'secret.txt'), 'outside the static root');
  mkdirSync(join(dir, 'private'));
  writeFileSync(join(dir, 'private', 'key.txt'), 'private key material');
  // Planted links: to a system file, to a file beside the folder, to a folder outside; and one harmless inner link.
  symlinkSync('/etc/passwd', join(stat, 'passwd.txt'));
  symlinkSync(join(dir, 'secret.txt'), join(stat, 'secret.js'));
  symlinkSync(join(dir, 'private'), join(stat, 'private'));
  symlinkSync(join(stat, 'assets', 'app.js'), join(stat, 'alias.js'));
  ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'tester' });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: stat, log: (l) => logged.push(l) });
});
afterAll(async () => {
  await server.close();
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function get(srv: WebServer, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: srv.port, method: 'GET', path, headers: { Host: `127.0.0.1:${srv.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end();
  });
}
const bearer = (): Record<string, string> => ({ Authorization: `Bearer ${server.token}` });

/** Sends `head` (request line and headers) verbatim over a TCP socket and returns everything the server answers. */
function rawRequest(head: string): Promise<string> {
  return new Promise((ok, fail) => {
    const sock = connect(server.port, '127.0.0.1', () => sock.end(head));
    let text = '';
    sock.on('data', (c: Buffer) => (text += c.toString('latin1')));
    sock.on('end', () => ok(text));
    sock.on('error', fail);
  });
}

describe('static files behind symlinks', () => {
  it.each(['/passwd.txt', '/secret.js', '/private/key.txt'])('does not follow the planted link %s out of the renderer folder', async (path) => {
    const r = await get(server, path, bearer());
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body.toString())).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(r.body.toString()).not.toMatch(/root:|outside the static root|private key/);
  });

  it('still serves files and links that stay inside it', async () => {
    expect((await get(server, '/', bearer())).body.toString()).toContain('<title>app</title>');
    const alias = await get(server, '/alias.js', bearer());
    expect(alias.status).toBe(200);
    expect(alias.body.toString()).toBe('console.log("inside")');
    expect(alias.headers['content-type']).toMatch(/javascript/);
  });
});

describe('malformed request targets', () => {
  it.each(['//[', '/%', '/%ff', '/assets/%E0%A4%A'])('%s is a typed 400, with or without the token, and logs no stack', async (target) => {
    for (const auth of ['', `Authorization: Bearer ${server.token}\r\n`]) {
      const before = logged.length;
      const answer = await rawRequest(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${auth}Connection: close\r\n\r\n`);
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
      const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
      expect(JSON.parse(body)).toEqual({ ok: false, error: { code: 'invalid_request', message: 'Malformed request target' } });
      expect(logged.slice(before).join('\n')).not.toMatch(/\n\s+at /);
    }
  });
});

describe('request bodies over the cap', () => {
  /** POSTs `total` bytes to /api/listSeries, chunked when `declare` is false; resolves with the answer. */
  function postLarge(total: number, declare: boolean): Promise<Reply & { clientError: string | null }> {
    return new Promise((ok, fail) => {
      const headers: Record<string, string> = { ...bearer(), Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json' };
      if (declare) headers['Content-Length'] = String(total);
      let clientError: string | null = null;
      const req = request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/listSeries', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), clientError }));
        res.on('error', fail);
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        clientError = e.code ?? e.message;
        fail(e);
      });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          const n = Math.min(chunk.length, total - sent);
          sent += n;
          if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
  }

  it('answers 413 with a typed error when Content-Length is over the cap, and the client reads it', async () => {
    const r = await postLarge(MAX_BODY_BYTES + 1, true);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body.toString())).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(r.clientError).toBeNull();
  });

  it('answers 413 to a chunked body that grows over the cap, and keeps serving', async () => {
    const r = await postLarge(MAX_BODY_BYTES + 4 * 1024 * 1024, false);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body.toString())).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect((await get(server, '/', bearer())).status).toBe(200);
  });
});

describe('two workstations in one browser', () => {
  it('names the cookie after the port', async () => {
    const r = await get(server, `/?token=${server.token}`);
    expect(String(r.headers['set-cookie'])).toMatch(new RegExp(`^spine_token_${server.port}=${server.token};`));
  });

  it('opening the second server keeps the first one logged in (real Chromium, one profile)', async () => {
    const other = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(dir, 'static') });
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext();
      const first = await context.newPage();
      await first.goto(server.url);
      const second = await context.newPage();
      await second.goto(other.url);
      const call = (): Promise<number> =>
        fetch('/api/listSeries', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).then((r) => r.status);
      expect(await second.evaluate(call)).toBe(200);
      expect(await first.evaluate(call)).toBe(200); // with one host-wide cookie name this was 401
      const names = (await context.cookies()).map((c) => c.name).sort();
      expect(names).toEqual([`spine_token_${server.port}`, `spine_token_${other.port}`].sort());
    } finally {
      await browser.close();
      await other.close();
    }
  });
});
