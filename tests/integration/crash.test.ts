// Reliability of the edit journal through the real web-mode server in a child process (serverChild.ts): strokes
// go over HTTP POST /api/commitEdit and the server is killed with SIGKILL at random (seeded) moments, also while a
// stroke is in flight or a checkpoint is being written. After every crash: every acknowledged stroke is in the
// journal byte for byte and in the served mask, no stroke is half applied (the served mask is exactly the original
// plus the journalled strokes; a stroke in flight at the kill is either fully there or fully absent), and the store
// passes PRAGMA integrity_check. Bad requests get typed errors and change nothing.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenSeriesResponse } from '../../common/contract.js';
import { applyDiff, bytesToBase64, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { encodeFramedRequest, FRAMED_CONTENT_TYPE } from '../../common/wire.js';
import { generateSample } from '../../main/core/sample/index.js';
import { brushDiff, diffBytes, hashTree, originalLabels, prng, sameBytes } from './journalHelpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = join(here, '..', '..');
const TOKEN = 'crash-test-token';
const SERIES = '1_t2_SPACE';
const MIN_RUNS = 20;
const MIN_STROKES = 200;
/** Small, so that kills also land while checkpoints are being compressed and stored. */
const CHECKPOINT_EVERY = 6;

let dir: string;
let dataset: string;
let storeFile: string;
let staticDir: string;
let datasetHash: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-crash-'));
  await generateSample({ out: join(dir, 'generated'), patients: 1, seed: 'crash' });
  dataset = join(dir, 'ds');
  cpSync(join(dir, 'generated'), dataset, { recursive: true });
  storeFile = join(dir, 'store', 'annotations.sqlite');
  mkdirSync(dirname(storeFile));
  staticDir = join(dir, 'static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
  datasetHash = hashTree(dataset);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Server {
  child: ChildProcessWithoutNullStreams;
  port: number;
  exited: Promise<number | NodeJS.Signals | null>;
}

function startServer(): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'serverChild.ts'), dataset, storeFile, staticDir, TOKEN, String(CHECKPOINT_EVERY)],
    { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | NodeJS.Signals | null>((ok) => child.on('exit', (code, signal) => ok(signal ?? code)));
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  return new Promise((ok, fail) => {
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const nl = stdout.indexOf('\n');
      if (nl >= 0) ok({ child, port: (JSON.parse(stdout.slice(0, nl)) as { port: number }).port, exited });
    });
    void exited.then((how) => fail(new Error(`server exited (${String(how)}) before listening: ${stderr}`)));
  });
}

interface Reply { status: number; body: Buffer }

function http(port: number, method: string, path: string, body?: string | Uint8Array, contentType = 'application/json'): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { Host: `127.0.0.1:${port}`, Authorization: `Bearer ${TOKEN}`, 'Content-Type': contentType },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

type ApiReply<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/** One API call as the renderer makes it: a diff given as bytes goes as a framed octet-stream body (common/wire.ts). */
async function api<T>(port: number, method: string, body: Record<string, unknown>): Promise<{ status: number; reply: ApiReply<T> }> {
  const r = body.diff instanceof Uint8Array
    ? await http(port, 'POST', `/api/${method}`, encodeFramedRequest(body, 'diff'), FRAMED_CONTENT_TYPE)
    : await http(port, 'POST', `/api/${method}`, JSON.stringify(body));
  return { status: r.status, reply: JSON.parse(r.body.toString('utf8')) as ApiReply<T> };
}

async function value<T>(port: number, method: string, body: Record<string, unknown>): Promise<T> {
  const { reply } = await api<T>(port, method, body);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`);
  return reply.value;
}

async function servedMask(port: number): Promise<Uint8Array> {
  const r = await http(port, 'GET', `/volume/${SERIES}/mask`);
  expect(r.status).toBe(200);
  return new Uint8Array(r.body);
}

interface JournalRow { seq: number; diff: Buffer; undone: number }

/** The store as SQLite sees it after the crash (the server is dead: this connection also recovers the WAL). */
function inspectStore(): { integrity: unknown; rows: JournalRow[] } {
  const db = new Database(storeFile);
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const rows = db
      .prepare<[string], JournalRow>('SELECT seq, diff, undone FROM label_edits WHERE series_id = ? ORDER BY seq')
      .all(SERIES);
    return { integrity, rows };
  } finally {
    db.close();
  }
}

describe('edit journal under SIGKILL', () => {
  it(`keeps every acknowledged stroke and never half-applies one (≥ ${MIN_RUNS} kills, ≥ ${MIN_STROKES} strokes)`, async () => {
    const rnd = prng(0xc0ffee);
    const model = await originalLabels(dataset, SERIES); // original + every stroke the journal holds
    const journalled: Uint8Array[] = []; // encoded diffs in journal order
    let runs = 0;
    let acked = 0;
    let inFlightKept = 0;
    let inFlightLost = 0;
    let checkpointsSeen = 0;

    while (runs < MIN_RUNS || acked < MIN_STROKES) {
      const server = await startServer();
      // After the restart the server serves exactly the model, at the revision of the journal.
      const opened = await value<OpenSeriesResponse>(server.port, 'openSeries', { seriesId: SERIES });
      expect(opened.revision).toBe(journalled.length);
      expect(sameBytes(await servedMask(server.port), model), `mask after restart ${runs}`).toBe(true);
      const size = opened.image.geometry.size;
      let revision = opened.revision;

      // Kill after a random number of strokes, a random 0–12 ms after sending the next one (so it is often in
      // flight), or, every third run, on a plain timer that ignores the strokes.
      const timerKill = runs % 3 === 2;
      const killAfter = 3 + Math.floor(rnd() * 14);
      const killDelay = rnd() * 12;
      let killed = false;
      const kill = (): void => {
        if (!killed) server.child.kill('SIGKILL');
        killed = true;
      };
      if (timerKill) setTimeout(kill, 5 + rnd() * 80);

      let inFlight: VoxelDiff | null = null;
      for (let n = 0; !killed || inFlight; n++) {
        const { diff, label } = brushDiff(model, size, rnd, 5);
        const encoded = encodeDiff(diff);
        inFlight = diff;
        const sent = api<{ seq: number; revision: number }>(server.port, 'commitEdit', {
          seriesId: SERIES,
          baseRevision: revision,
          tool: 'brush',
          label,
          description: `Brush ${label}, ${diff.indices.length} voxels`,
          diff: encoded,
        });
        if (!timerKill && n === killAfter) setTimeout(kill, killDelay);
        let reply: Awaited<typeof sent>;
        try {
          reply = await sent;
        } catch {
          break; // connection reset by the kill: `inFlight` may or may not have been committed
        }
        expect(reply.reply, `stroke ${acked} refused`).toMatchObject({ ok: true });
        if (!reply.reply.ok) break;
        // Acknowledged: it must survive whatever comes next.
        applyDiff(model, diff, 'forward');
        journalled.push(encoded);
        revision = reply.reply.value.revision;
        expect(reply.reply.value.seq).toBe(journalled.length);
        acked++;
        inFlight = null;
        if (killed) break;
      }
      kill();
      expect(await server.exited).toBe('SIGKILL');
      runs++;

      const { integrity, rows } = inspectStore();
      expect(integrity).toBe('ok');
      // Every acknowledged stroke is journalled byte for byte; at most the one in flight is there besides.
      expect(rows.length === journalled.length || (inFlight !== null && rows.length === journalled.length + 1)).toBe(true);
      for (let i = 0; i < journalled.length; i++) {
        expect(sameBytes(rows[i]!.diff, journalled[i]!), `journal row ${i + 1}`).toBe(true);
        expect(rows[i]!.undone).toBe(0);
      }
      if (inFlight && rows.length === journalled.length + 1) {
        const encoded = encodeDiff(inFlight);
        expect(sameBytes(rows[journalled.length]!.diff, encoded)).toBe(true);
        applyDiff(model, inFlight, 'forward'); // committed before the kill though never acknowledged
        journalled.push(encoded);
        inFlightKept++;
      } else if (inFlight) {
        inFlightLost++;
      }
      const db = new Database(storeFile, { readonly: true });
      checkpointsSeen = Math.max(checkpointsSeen, (db.prepare('SELECT count(*) AS n FROM label_checkpoints').get() as { n: number }).n);
      db.close();
    }

    // The last state once more through a fresh server, then a clean stop.
    const server = await startServer();
    const opened = await value<OpenSeriesResponse>(server.port, 'openSeries', { seriesId: SERIES });
    expect(opened.revision).toBe(journalled.length);
    expect(sameBytes(await servedMask(server.port), model)).toBe(true);
    const history = await value<{ edits: { seq: number; state: string; annotator: string }[] }>(server.port, 'history', { seriesId: SERIES });
    expect(history.edits.map((e) => e.seq)).toEqual(journalled.map((_, i) => i + 1));
    expect(history.edits.every((e) => e.state === 'active' && e.annotator === 'crash-test')).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    expect(runs).toBeGreaterThanOrEqual(MIN_RUNS);
    expect(acked).toBeGreaterThanOrEqual(MIN_STROKES);
    expect(checkpointsSeen).toBeGreaterThan(0); // reopening went through checkpoints too
    expect(hashTree(dataset)).toEqual(datasetHash); // the dataset, original masks included, was never written
    console.info(`crash test: ${runs} kills, ${acked} acknowledged strokes, in flight at a kill: ${inFlightKept} kept, ${inFlightLost} lost`);
  }, 300_000); // ~55 s alone in the full suite; 2× that and more when the 2-core machine is shared

  it('answers bad requests with typed errors and changes nothing', async () => {
    const server = await startServer();
    try {
      const { port } = server;
      const opened = await value<OpenSeriesResponse>(port, 'openSeries', { seriesId: SERIES });
      const size = opened.image.geometry.size;
      const voxels = size[0] * size[1] * size[2];
      const before = await servedMask(port);
      const journalBefore = await value<{ revision: number; edits: unknown[] }>(port, 'history', { seriesId: SERIES });
      const rnd = prng(7);
      const good = brushDiff(before, size, rnd);
      const commit = (over: Record<string, unknown>) =>
        api(port, 'commitEdit', {
          seriesId: SERIES,
          baseRevision: opened.revision,
          tool: 'brush',
          label: good.label,
          description: 'Brush',
          diff: diffBytes(good.diff),
          ...over,
        });
      const outside: VoxelDiff = { indices: Uint32Array.of(voxels), before: Uint8Array.of(0), after: Uint8Array.of(1) };
      // One voxel said to hold another value than it holds (and than the stroke's label): a diff made on another base.
      const at = good.diff.indices[0]!;
      const claimed = [0, 1, 2].find((v) => v !== before[at] && v !== good.label)!;
      const staleBase: VoxelDiff = { indices: Uint32Array.of(at), before: Uint8Array.of(claimed), after: Uint8Array.of(good.label) };
      const cases: [string, Promise<{ status: number; reply: ApiReply<unknown> }>, string][] = [
        ['diff outside the volume', commit({ diff: diffBytes(outside) }), 'invalid_request'],
        ['unknown series', commit({ seriesId: '99_t2' }), 'not_found'],
        ['label 256', commit({ label: 256 }), 'invalid_request'],
        ['label -1', commit({ label: -1 }), 'invalid_request'],
        ['label 158 (no SPIDER value)', commit({ label: 158 }), 'invalid_request'],
        ['stale revision', commit({ baseRevision: opened.revision + 1 }), 'conflict'],
        ['stale base', commit({ diff: diffBytes(staleBase) }), 'conflict'],
        ['the diff as base64 text in JSON (the old form)', commit({ diff: bytesToBase64(encodeDiff(good.diff)) }), 'invalid_request'],
        ['bytes that are no diff', commit({ diff: Buffer.from('not a diff at all') }), 'invalid_request'],
        ['truncated diff', commit({ diff: encodeDiff(good.diff).subarray(0, 5) }), 'invalid_request'],
        ['empty diff', commit({ diff: Uint8Array.of(0xd1, 0) }), 'invalid_request'],
        ['no diff bytes at all', commit({ diff: new Uint8Array(0) }), 'invalid_request'],
        ['undo of an unknown series', api(port, 'undo', { seriesId: '99_t2' }), 'not_found'],
        ['history of an unknown series', api(port, 'history', { seriesId: '99_t2' }), 'not_found'],
      ];
      for (const [what, pending, code] of cases) {
        const { reply } = await pending;
        expect(reply, what).toMatchObject({ ok: false, error: { code } });
      }
      expect(sameBytes(await servedMask(port), before)).toBe(true);
      expect(await value(port, 'history', { seriesId: SERIES })).toEqual(journalBefore);
      // The same stroke, well-formed, is accepted afterwards: the refusals left the state usable.
      const ok = await commit({});
      expect(ok.reply).toMatchObject({ ok: true, value: { revision: opened.revision + 1 } });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const { integrity } = inspectStore();
    expect(integrity).toBe('ok');
  });
});
