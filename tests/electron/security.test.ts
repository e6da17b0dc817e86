// Sender checks, schema rejection, the CSP and the spine:// resolver (path escapes), without the Electron binary.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Service } from '../../common/contract.js';
import { AppError } from '../../common/errors.js';
import { createIpcHandlers, senderProblem, type InvokeEventLike } from '../../main/electron/ipc.js';
import { createSpineHandler, resolveSpineRequest } from '../../main/electron/protocol.js';
import { DESKTOP_CSP, isAppUrl } from '../../main/electron/security.js';
import { CONTENT_SECURITY_POLICY } from '../../main/server/http.js';

const WINDOW = 3;
const event = (id: number, url: string | null): InvokeEventLike => ({ sender: { id }, senderFrame: url === null ? null : { url } });

function fakeService(overrides: Partial<Service> = {}): Service {
  return new Proxy(overrides as Service, {
    get: (t, k: string) => (t as Record<string, unknown>)[k] ?? (() => Promise.resolve({ called: k })),
  });
}

describe('IPC sender validation', () => {
  it.each([
    ['our window, app frame', event(WINDOW, 'spine://app/index.html'), null],
    ['another webContents', event(WINDOW + 1, 'spine://app/index.html'), 'IPC from an unknown window'],
    ['a frame on another host', event(WINDOW, 'spine://evil/index.html'), 'IPC from a frame outside spine://app'],
    ['an https frame', event(WINDOW, 'https://example.com/'), 'IPC from a frame outside spine://app'],
    ['a file: frame', event(WINDOW, 'file:///etc/passwd'), 'IPC from a frame outside spine://app'],
    ['credentials in the URL', event(WINDOW, 'spine://x@app/index.html'), 'IPC from a frame outside spine://app'],
    ['a destroyed frame', event(WINDOW, null), 'IPC from a frame outside spine://app'],
  ])('%s', (_name, e, expected) => {
    expect(senderProblem(e, WINDOW)).toBe(expected);
  });

  it('refuses everything before the window exists', () => {
    expect(senderProblem(event(WINDOW, 'spine://app/'), null)).toBe('IPC from an unknown window');
  });

  it('an untrusted sender never reaches the service', async () => {
    const listSeries = vi.fn(() => Promise.resolve([]));
    const { methods } = createIpcHandlers({ service: () => fakeService({ listSeries }), windowId: () => WINDOW, track: (w) => w(), pickDirectory: () => Promise.resolve(null) });
    const res = await methods.listSeries(event(WINDOW, 'https://evil.example/'), {});
    expect(res).toEqual({ ok: false, error: { code: 'invalid_request', message: 'IPC from a frame outside spine://app' } });
    const picked = await createIpcHandlers({ service: () => null, windowId: () => WINDOW, track: (w) => w(), pickDirectory: () => Promise.resolve('/x') })
      .pickDirectory(event(99, 'spine://app/'), { title: 't' });
    expect(picked.ok).toBe(false);
    expect(listSeries).not.toHaveBeenCalled();
  });
});

describe('IPC request validation and errors', () => {
  const calls: unknown[] = [];
  const { methods } = createIpcHandlers({
    service: () => fakeService({
      openSeries: (req) => { calls.push(req); return Promise.reject(new AppError('not_found', 'No series 1_t1')); },
      history: () => Promise.reject(new Error('SELECT * FROM secret at /home/x')),
    }),
    windowId: () => WINDOW,
    track: (w) => w(),
    pickDirectory: () => Promise.resolve(null),
  });
  const ok = event(WINDOW, 'spine://app/index.html');

  it.each([
    ['an extra key', { seriesId: '1_t1', extra: 1 }],
    ['a wrong type', { seriesId: 5 }],
    ['a path as series id', { seriesId: '../../etc/passwd' }],
    ['no object', 'openSeries'],
  ])('rejects %s with invalid_request before the service runs', async (_n, req) => {
    const res = await methods.openSeries(ok, req);
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(calls).toEqual([]);
  });

  it('passes typed errors through and hides internal ones', async () => {
    expect(await methods.openSeries(ok, { seriesId: '1_t1' })).toEqual({ ok: false, error: { code: 'not_found', message: 'No series 1_t1' } });
    expect(await methods.history(ok, { seriesId: '1_t1' })).toEqual({ ok: false, error: { code: 'internal', message: 'Internal error' } });
  });

  it('answers "no dataset open" as data while switching datasets', async () => {
    const h = createIpcHandlers({ service: () => null, windowId: () => WINDOW, track: (w) => w(), pickDirectory: () => Promise.resolve(null) });
    expect(await h.methods.getDataset(ok, {})).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});

describe('CSP and app URLs', () => {
  it('the desktop CSP has the same directives as web mode', () => {
    expect(DESKTOP_CSP).toBe(CONTENT_SECURITY_POLICY);
    // JavaScript eval stays off; only compiling WebAssembly is allowed (fill between slices runs itk-wasm).
    expect(DESKTOP_CSP).not.toMatch(/'unsafe-eval'|script-src[^;]*unsafe-inline|\*/);
    expect(DESKTOP_CSP).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(DESKTOP_CSP).toMatch(/connect-src 'self' data:;/);
  });
  it.each([
    ['spine://app/index.html', true],
    ['spine://app/assets/x.js', true],
    ['spine://APP/index.html', false], // Chromium sends standard-scheme hosts lower-cased: anything else is refused
    ['spine://volume/1_t1/image', false],
    ['http://app/index.html', false],
    ['spine://app.evil/index.html', false],
    ['not a url', false],
  ])('%s is the app: %s', (url, expected) => expect(isAppUrl(url)).toBe(expected));
});

describe('spine:// resolver', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'spine-proto-'));
    mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'secret');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dir = (): string => join(root, 'renderer');

  it('serves renderer files and volumes by series id', () => {
    expect(resolveSpineRequest('GET', 'spine://app/', dir())).toEqual({ kind: 'file', file: join(dir(), 'index.html') });
    expect(resolveSpineRequest('GET', 'spine://app/assets/app.js', dir())).toEqual({ kind: 'file', file: join(dir(), 'assets', 'app.js') });
    expect(resolveSpineRequest('GET', 'spine://app/volume/12_t2/mask', dir())).toEqual({ kind: 'volume', seriesId: '12_t2', volume: 'mask' });
  });

  it.each([
    'spine://app/%2e%2e/secret.txt',
    'spine://app/..%2fsecret.txt',
    'spine://app/assets/..%2f..%2fsecret.txt',
    'spine://app/..%5csecret.txt',
    'spine://app/assets%5c..%5c..%5csecret.txt',
    'spine://app/%2fetc%2fpasswd',
    'spine://app/C:%2fWindows%2fwin.ini',
    'spine://app/index.html%00.png',
    'spine://app/%E0%A4%A',
  ])('refuses the escape %s', (url) => {
    const t = resolveSpineRequest('GET', url, dir());
    // Either refused, or (where URL parsing already removed the dot segments) a file inside the renderer folder.
    if (t.kind === 'file') expect(t.file.startsWith(dir() + '/')).toBe(true);
    else expect(t.kind).toBe('refused');
    expect(t.kind === 'file' && t.file === join(root, 'secret.txt')).toBe(false);
  });

  it.each([
    ['spine://volume/1_t1/image', 403],
    ['spine://evil/index.html', 403],
    ['spine://user:pw@app/index.html', 403],
    ['spine://app/volume/..%2f..%2fx/image', 404],
    ['spine://app/volume/1_t1/labels', 'file'],
  ])('%s → %s', (url, expected) => {
    const t = resolveSpineRequest('GET', url, dir());
    expect(t.kind === 'refused' ? t.status : t.kind).toBe(expected);
  });

  it('refuses writes', () => {
    expect(resolveSpineRequest('POST', 'spine://app/index.html', dir())).toMatchObject({ kind: 'refused', status: 405 });
  });

  it('answers with the CSP, the volume bytes, and JSON errors', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const handler = createSpineHandler({
      rendererDir: dir(),
      volumes: () => ({ volumeBytes: (id) => (id === '1_t1' ? Promise.resolve(bytes) : Promise.reject(new AppError('not_found', 'no'))) }),
    });
    const index = await handler(new Request('spine://app/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    const vol = await handler(new Request('spine://app/volume/1_t1/image'));
    expect(new Uint8Array(await vol.arrayBuffer())).toEqual(bytes);
    const none = await handler(new Request('spine://app/volume/2_t1/image'));
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ ok: false, error: { code: 'not_found', message: 'no' } });
    expect((await handler(new Request('spine://app/..%2fsecret.txt'))).status).toBe(403);
    expect((await handler(new Request('spine://app/%2e%2e/secret.txt'))).status).toBe(404); // renderer/secret.txt
    expect((await handler(new Request('spine://app/missing.js'))).status).toBe(404);
    const closed = createSpineHandler({ rendererDir: dir(), volumes: () => null });
    expect((await closed(new Request('spine://app/volume/1_t1/image'))).status).toBe(404);
  });

  it('does not follow symlinks planted in the renderer folder out of it (checked after realpath)', async () => {
    const links = join(root, 'linked');
    mkdirSync(join(links, 'assets'), { recursive: true });
    mkdirSync(join(root, 'private'), { recursive: true });
    writeFileSync(join(root, 'private', 'key.txt'), 'private key material');
    writeFileSync(join(links, 'assets', 'app.js'), 'console.log(1)');
    symlinkSync('/etc/passwd', join(links, 'passwd.txt'));
    symlinkSync(join(root, 'secret.txt'), join(links, 'secret.js'));
    symlinkSync(join(root, 'private'), join(links, 'private'));
    symlinkSync(join(links, 'assets', 'app.js'), join(links, 'alias.js'));
    const handler = createSpineHandler({ rendererDir: links, volumes: () => null });
    for (const url of ['spine://app/passwd.txt', 'spine://app/secret.js', 'spine://app/private/key.txt']) {
      // The pure resolver sees names inside the folder; the handler must refuse what they lead to.
      expect(resolveSpineRequest('GET', url, links).kind, url).toBe('file');
      const res = await handler(new Request(url));
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toMatch(/root:|secret|private key/);
    }
    const alias = await handler(new Request('spine://app/alias.js'));
    expect(alias.status).toBe(200);
    expect(await alias.text()).toBe('console.log(1)');
    const head = await handler(new Request('spine://app/alias.js', { method: 'HEAD' }));
    expect(head.headers.get('content-length')).toBe('14');
    // The renderer folder itself reached through a symlink still serves.
    symlinkSync(links, join(root, 'renderer-link'));
    expect((await createSpineHandler({ rendererDir: join(root, 'renderer-link'), volumes: () => null })(new Request('spine://app/alias.js'))).status).toBe(200);
  });
});
