// The web-mode server over a real workstation (sample dataset, SQLite store): token, origin and path checks,
// the contract over HTTP, and volumes as raw bytes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64, encodeDiff } from '../../common/labelDiff.js';
import { encodeFramedRequest } from '../../common/wire.js';
import { readMetaImage } from '../../main/core/mha/index.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';

let dir: string;
let ws: Workstation;
let server: WebServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-http-'));
  await generateSample({ out: join(dir, 'ds'), patients: 2, seed: 'http' });
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(dir, 'secret.txt'), 'outside the static root');
  ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'tester' });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(dir, 'static') });
});
afterAll(async () => {
  await server.close();
  ws.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string | Uint8Array): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, method, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', fail);
    req.end(body);
  });
}
const auth = (): Record<string, string> => ({ Authorization: `Bearer ${server.token}` });
const api = (method: string, body: unknown, headers = auth()): Promise<Reply> =>
  raw('POST', `/api/${method}`, { ...headers, 'Content-Type': 'application/json' }, JSON.stringify(body));
const octets = (method: string, body: Uint8Array): Promise<Reply> =>
  raw('POST', `/api/${method}`, { ...auth(), 'Content-Type': 'application/octet-stream' }, body);
/** A framed body by hand (common/wire.ts): u32 LE length of the JSON part, the JSON, then the bytes. */
const frame = (json: string | Uint8Array, bytes: Uint8Array, declared?: number): Uint8Array => {
  const j = typeof json === 'string' ? Buffer.from(json) : json;
  const head = Buffer.alloc(4);
  head.writeUInt32LE(declared ?? j.length);
  return Buffer.concat([head, j, bytes]);
};
const reply = (r: Reply): unknown => JSON.parse(r.body.toString()) as unknown;

describe('web-mode server', () => {
  it('listens on 127.0.0.1 only', () => {
    const addr = server.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
  });

  it('answers 401 without the launch token, for pages, API and volumes alike', async () => {
    expect((await raw('GET', '/')).status).toBe(401);
    expect((await api('listSeries', {}, {})).status).toBe(401);
    expect((await raw('GET', '/volume/1_t1/image')).status).toBe(401);
    expect((await raw('GET', '/', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await raw('GET', '/?token=wrong')).status).toBe(401);
  });

  it('trades the token in the URL for an HttpOnly SameSite cookie', async () => {
    const r = await raw('GET', `/?token=${server.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await raw('GET', '/', { Cookie: cookie.split(';')[0]! });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('refuses other origins and foreign Host headers (DNS rebinding)', async () => {
    expect((await api('listSeries', {}, { ...auth(), Origin: 'http://evil.example' })).status).toBe(403);
    expect((await api('listSeries', {}, { ...auth(), 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await raw('GET', '/', { ...auth(), Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await api('listSeries', {}, { ...auth(), Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/static/../../secret.txt']) {
      const r = await raw('GET', p, auth());
      expect(r.status, p).toBe(404);
      expect(r.body.toString()).not.toContain('outside the static root');
    }
  });

  it('validates requests with the contract schemas and returns typed errors', async () => {
    const bad = await api('openSeries', { seriesId: '../../etc/passwd' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString())).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const extra = await api('listSeries', { sneaky: 1 });
    expect(extra.status).toBe(400);
    const missing = JSON.parse((await api('openSeries', { seriesId: '99_t1' })).body.toString()) as unknown;
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', message: expect.stringContaining('99_t1') } });
    expect((await api('noSuchMethod', {})).status).toBe(404);
    expect((await raw('POST', '/api/listSeries', { ...auth(), 'Content-Type': 'application/json' }, '{not json')).status).toBe(400);
  });

  it('lists series with overview data and opens one', async () => {
    const list = JSON.parse((await api('listSeries', {})).body.toString()) as { ok: true; value: { id: string; orientation: string; status: string; overview: { sex: string } }[] };
    expect(list.value.map((s) => s.id)).toEqual(['1_t1', '1_t2', '1_t2_SPACE', '2_t1', '2_t2']);
    expect(list.value.find((s) => s.id === '1_t2_SPACE')).toMatchObject({ orientation: 'PIR', status: 'todo' });
    expect(['F', 'M']).toContain(list.value[0]!.overview.sex); // trailing space stripped
    const opened = JSON.parse((await api('openSeries', { seriesId: '2_t2' })).body.toString()) as { ok: true; value: { image: { pixelType: string; byteLength: number; autoWindow: number[] }; mask: { byteLength: number; source: string }; siblings: string[] } };
    expect(opened.value.image.pixelType).toBe('uint16');
    expect(opened.value.mask.source).toBe('file');
    expect(opened.value.siblings).toEqual(['2_t1', '2_t2']);
    expect(opened.value.image.autoWindow[0]).toBeLessThan(opened.value.image.autoWindow[1]!);
  });

  it('streams volumes as raw little-endian bytes identical to the files', async () => {
    const img = await readMetaImage(join(dir, 'ds', 'images', '1_t2_SPACE.mha'));
    const mask = await readMetaImage(join(dir, 'ds', 'masks', '1_t2_SPACE.mha'));
    const r = await raw('GET', '/volume/1_t2_SPACE/image', auth());
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.body.equals(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength))).toBe(true);
    const m = await raw('GET', '/volume/1_t2_SPACE/mask', auth());
    expect(m.body.length).toBe(mask.data.length);
    expect(Array.from(m.body)).toEqual(Array.from(mask.data));
  });

  it('takes commitEdit as a framed octet-stream body: the JSON fields, then the raw diff bytes', async () => {
    const opened = JSON.parse((await api('openSeries', { seriesId: '2_t1' })).body.toString()) as { value: { revision: number } };
    const mask = await ws.volumeBytes('2_t1', 'mask');
    const before = mask[0]!;
    const after = before === 1 ? 2 : 1;
    const diff = encodeDiff({ indices: Uint32Array.of(0), before: Uint8Array.of(before), after: Uint8Array.of(after) });
    const fields = { seriesId: '2_t1', baseRevision: opened.value.revision, tool: 'brush', label: after, description: 'Brush → one voxel' };
    const refused: Array<[string, Promise<Reply>, RegExp]> = [
      // The old form: base64 text in JSON.
      ['base64 in JSON', api('commitEdit', { ...fields, diff: bytesToBase64(diff) }), /diff must be bytes/],
      ['no body', octets('commitEdit', new Uint8Array(0)), /shorter than its 4-byte length prefix/],
      ['length over the body', octets('commitEdit', frame(JSON.stringify(fields), diff, 10_000)), /only \d+ bytes follow/],
      ['JSON part over 1 MiB', octets('commitEdit', frame(JSON.stringify(fields), diff, 2 ** 21)), /over 1048576/],
      ['JSON part not an object', octets('commitEdit', frame('[1,2]', diff)), /not an object/],
      ['JSON part not JSON', octets('commitEdit', frame('{"seriesId":', diff)), /not UTF-8 JSON/],
      ['JSON part not UTF-8', octets('commitEdit', frame(Uint8Array.of(0x7b, 0xff, 0x7d), diff)), /not UTF-8 JSON/],
      ['diff inside the JSON part', octets('commitEdit', frame(JSON.stringify({ ...fields, diff: 'AAAA' }), diff)), /belongs after the JSON part/],
      ['a field the schema lacks', octets('commitEdit', frame(JSON.stringify({ ...fields, extra: 1 }), diff)), /extra|unrecognized/i],
      ['a lone surrogate in the description', octets('commitEdit', frame(JSON.stringify({ ...fields, description: 'Brush \uD800' }), diff)), /surrogate/],
      ['a JSON-only method as octets', octets('listSeries', frame('{}', diff)), /takes a JSON body/],
    ];
    for (const [what, pending, message] of refused) {
      const r = await pending;
      expect(r.status, what).toBe(400);
      expect(reply(r), what).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(message) } });
    }
    // Service checks still apply behind the framing: a value outside the SPIDER set is refused typed (HTTP 200).
    const bad = encodeDiff({ indices: Uint32Array.of(0), before: Uint8Array.of(before), after: Uint8Array.of(158) });
    expect(reply(await octets('commitEdit', frame(JSON.stringify({ ...fields, label: 0, tool: 'relabel' }), bad)))).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(ws.store.edits.count('2_t1').total).toBe(0);

    const r = await octets('commitEdit', encodeFramedRequest({ ...fields, diff }, 'diff'));
    expect(r.status).toBe(200);
    const ack = reply(r) as { ok: true; value: { seq: number; revision: number; edit: { description: string; voxelCount: number; state: string } } };
    expect(ack.value).toMatchObject({ seq: 1, revision: opened.value.revision + 1, edit: { description: 'Brush → one voxel', voxelCount: 1, state: 'active' } });
    expect((await ws.volumeBytes('2_t1', 'mask'))[0]).toBe(after);
    expect(Buffer.from(ws.store.edits.get('2_t1', 1)!.diff).equals(Buffer.from(diff))).toBe(true);
  });

  it('stores the series status in SQLite', async () => {
    const r = JSON.parse((await api('setSeriesStatus', { seriesId: '1_t1', status: 'in_progress' })).body.toString()) as { ok: boolean };
    expect(r.ok).toBe(true);
    expect(ws.store.series.getStatus('1_t1')).toBe('in_progress');
    const bad = await api('setSeriesStatus', { seriesId: '1_t1', status: 'finished' });
    expect(bad.status).toBe(400);
  });
});
