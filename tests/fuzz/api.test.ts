// Fuzz target 3 (issue 11, item 10): malformed requests against the real web-mode server (startWebServer on
// 127.0.0.1 over a workstation on a tiny dataset and a temporary store), sent as raw bytes over TCP so that
// nothing is tidied up by an HTTP client: contract calls with wrong types, extra and missing fields, huge numbers,
// NaN-ish strings, lone UTF-16 surrogates, deep nesting; unknown methods; wrong HTTP methods; bad JSON; label
// values outside the SPIDER set, invalid diffs and malformed octet-stream frames (common/wire.ts) in commitEdit,
// and its diff sent the old way (base64 text in JSON); malformed request targets and
// paths; missing or wrong launch tokens; foreign origins; bodies over the cap.
//
// Each request must get an answer within the per-case timeout: a 4xx with a JSON typed error (code from
// common/errors.ts, not 'internal'), or a 200 whose JSON is a correct result or a typed error; never a 5xx, a
// reset or a hang. Requests that are invalid by construction must not be accepted. At the end the server still
// answers, the store's integrity_check is 'ok' and the dataset's bytes are unchanged.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { METHODS, type Method } from '../../common/contract.js';
import { ERROR_CODES } from '../../common/errors.js';
import { encodeDiff } from '../../common/labelDiff.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';
import {
  caseIndices,
  caseRng,
  FailureLog,
  FUZZ_SEED,
  gradingsCsvFor,
  hashTree,
  imageBytes,
  maskBytes,
  overviewCsv,
  put,
  REPRODUCING,
  storeIntegrity,
  tinyGrid,
  trace,
  treeDiff,
  type Rng,
} from './fuzzKit.js';

const TARGET = 'api';
const CASES = 520;
const REQUEST_TIMEOUT_MS = 5_000;
/** The server's default body cap (main/server/http.ts MAX_BODY_BYTES) is at most this; bodies above are over it. */
const OVER_CAP_BYTES = 100 * 1024 * 1024 + 1;

const PROPERTIES = {
  answered: 'every request gets an HTTP answer: no hang, no reset, no 5xx',
  typed: '4xx answers and failed calls carry a JSON typed error (never internal)',
  refused: 'requests invalid by construction are refused with the right status',
  after: 'afterwards: the server answers, integrity_check ok, dataset unchanged',
} as const;

const log = new FailureLog(TARGET, 'tests/fuzz/api.test.ts');
let dir: string;
let ds: string;
let storeFile: string;
let ws: Workstation;
let server: WebServer;
let datasetBefore: Record<string, string>;

// --- raw HTTP --- //

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}
type Answer = { kind: 'reply'; reply: Reply } | { kind: 'reset'; detail: string; partial: string } | { kind: 'hang' };

/** Parses one HTTP/1.1 response from `buf`; null while incomplete. */
function parseReply(buf: Buffer, head: boolean, ended: boolean): Reply | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const rest = buf.subarray(end + 4);
  if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  const length = headers['content-length'];
  if (length !== undefined) return rest.length >= Number(length) ? { status, headers, body: rest.subarray(0, Number(length)) } : null;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const body = dechunk(rest);
    return body ? { status, headers, body } : ended ? { status, headers, body: rest } : null;
  }
  return ended ? { status, headers, body: rest } : null;
}

/** The body of a complete chunked transfer, or null while incomplete. */
function dechunk(buf: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) return null;
    const size = parseInt(buf.subarray(pos, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return null;
    if (size === 0) return Buffer.concat(parts);
    if (buf.length < eol + 2 + size + 2) return null;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
}

/**
 * Sends `request` (raw bytes, or a head plus a body streamed in chunks) on a fresh connection and reads one
 * response. A response complete before the connection fails counts; a reset or close before it does not.
 */
function send(request: Buffer | { head: Buffer; bodyBytes: number }, head = false): Promise<Answer> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port: server.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (a: Answer): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => finish({ kind: 'hang' }), REQUEST_TIMEOUT_MS);
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      const r = parseReply(buf, head, false);
      if (r) finish({ kind: 'reply', reply: r });
    });
    sock.on('end', () => {
      const r = parseReply(buf, head, true);
      finish(r ? { kind: 'reply', reply: r } : { kind: 'reset', detail: 'closed before a complete response', partial: buf.subarray(0, 200).toString('latin1') });
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      const r = parseReply(buf, head, true);
      finish(r ? { kind: 'reply', reply: r } : { kind: 'reset', detail: `${err.code ?? err.message}`, partial: buf.subarray(0, 200).toString('latin1') });
    });
    sock.on('connect', () => {
      if (Buffer.isBuffer(request)) {
        sock.write(request);
        return;
      }
      // Stream a large body in 1 MiB chunks, stopping as soon as an answer arrived.
      sock.write(request.head);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let left = request.bodyBytes;
      const pump = (): void => {
        while (left > 0 && !done) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            sock.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

interface Req {
  method: string;
  target: string;
  headers?: Record<string, string>;
  /** Omit the default Host header / Bearer token. */
  noHost?: boolean;
  noAuth?: boolean;
  body?: Buffer;
  /** A body of this many bytes streamed instead of `body` (Content-Length set unless chunked). */
  streamBytes?: number;
  chunked?: boolean;
}

function encodeRequest(q: Req): Buffer | { head: Buffer; bodyBytes: number } {
  const headers: Record<string, string> = {};
  if (!q.noHost) headers['Host'] = `127.0.0.1:${server.port}`;
  if (!q.noAuth) headers['Authorization'] = `Bearer ${server.token}`;
  headers['Connection'] = 'close';
  if (q.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(q.body.length);
  }
  if (q.streamBytes !== undefined) {
    headers['Content-Type'] = 'application/json';
    if (q.chunked) headers['Transfer-Encoding'] = 'chunked';
    else headers['Content-Length'] = String(q.streamBytes);
  }
  Object.assign(headers, q.headers ?? {});
  const head = Buffer.from(`${q.method} ${q.target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, 'latin1');
  if (q.streamBytes !== undefined) {
    if (!q.chunked) return { head, bodyBytes: q.streamBytes };
    // One chunk of the whole size: the size line says it, the data follows (never completed in time to matter).
    return { head: Buffer.concat([head, Buffer.from(`${q.streamBytes.toString(16)}\r\n`)]), bodyBytes: q.streamBytes };
  }
  return q.body === undefined ? head : Buffer.concat([head, q.body]);
}

// --- what a case expects --- //

interface Expect {
  /** Allowed statuses; any when absent. */
  status?: number[];
  /** Invalid by construction: the call must not succeed ({ ok: true }). */
  mustFail?: boolean;
  /** Malformed at the HTTP framing level: Node's parser may answer with an empty 4xx (or close). */
  framing?: boolean;
  /** For GET /volume of an existing series: the byte length to serve. */
  volumeBytes?: number;
}

interface Case {
  input: string;
  req: Req;
  expect: Expect;
  /** Checks to make after a 200 answer (e.g. how a started export ends); returns a failure or null. */
  followUp?: (reply: Reply) => Promise<string | null>;
}

const TYPED = new Set<string>(ERROR_CODES.filter((c) => c !== 'internal'));

function typedError(v: unknown): boolean {
  const e = (v as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return !!e && typeof e.code === 'string' && TYPED.has(e.code) && typeof e.message === 'string';
}

function judge(index: number, c: Case, a: Answer): void {
  const fail = (property: string, kind: string, detail: string): void => log.add(property, { case: index, input: c.input, kind, detail });
  if (a.kind === 'hang') return fail(PROPERTIES.answered, 'no answer (hang)', `${REQUEST_TIMEOUT_MS} ms`);
  if (a.kind === 'reset') {
    if (!c.expect.framing) fail(PROPERTIES.answered, 'connection reset or closed without an answer', `${a.detail} ${JSON.stringify(a.partial)}`);
    return;
  }
  const { status, headers, body } = a.reply;
  if (!(status >= 200 && status < 600)) return fail(PROPERTIES.answered, 'not an HTTP response', String(status));
  if (status >= 500) return fail(PROPERTIES.answered, `HTTP ${status}`, body.subarray(0, 300).toString('utf8'));
  const parserRefusal = c.expect.framing === true && status === 400 && body.length === 0; // Node's HTTP parser
  if (c.expect.status && !c.expect.status.includes(status) && !parserRefusal) fail(PROPERTIES.refused, `HTTP ${status}, expected ${c.expect.status.join('/')}`, body.subarray(0, 300).toString('utf8'));
  const isJson = (headers['content-type'] ?? '').startsWith('application/json');
  let json: unknown = undefined;
  if (isJson) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return fail(PROPERTIES.typed, 'JSON answer that does not parse', body.subarray(0, 200).toString('utf8'));
    }
  }
  if (status >= 400) {
    if (c.expect.framing && body.length === 0) return; // Node's HTTP parser refused the bytes itself
    if (!isJson || !typedError(json) || (json as { ok?: unknown }).ok !== false) {
      fail(PROPERTIES.typed, `HTTP ${status} without a JSON typed error`, body.subarray(0, 300).toString('utf8'));
    }
    return;
  }
  if (c.req.target.startsWith('/api/') && status === 200) {
    const j = json as { ok?: unknown } | undefined;
    if (!isJson || typeof j?.ok !== 'boolean') return fail(PROPERTIES.typed, 'API answer is not { ok, … } JSON', body.subarray(0, 200).toString('utf8'));
    if (j.ok === false && !typedError(j)) fail(PROPERTIES.typed, 'failed call without a typed error', body.subarray(0, 300).toString('utf8'));
    if (j.ok === true && c.expect.mustFail) fail(PROPERTIES.refused, 'an invalid request is accepted', body.subarray(0, 200).toString('utf8'));
    return;
  }
  if (status === 200 && c.expect.volumeBytes !== undefined && body.length !== c.expect.volumeBytes) {
    fail(PROPERTIES.refused, 'volume of the wrong length', `${body.length} bytes, expected ${c.expect.volumeBytes}`);
  }
}

// --- generators --- //

/** A JSON text with raw pieces spliced in where the placeholders are (for Infinity, deep nesting, …). */
function jsonWith(value: unknown, raw: Record<string, string>): Buffer {
  let text = JSON.stringify(value);
  for (const [k, v] of Object.entries(raw)) text = text.replace(JSON.stringify(k), v);
  return Buffer.from(text, 'utf8');
}

function deep(n: number, open: '[' | '{"a":'): string {
  return open === '[' ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n);
}

function validRequest(method: string): Record<string, unknown> {
  const bad = join(ds, 'export-inside-the-dataset');
  // Every method listed (a new contract method without a valid request here is a type error).
  const base: Record<Method, Record<string, unknown>> = {
    getDataset: {},
    getSession: {},
    listSeries: {},
    gradingProgress: {},
    levelMeasures: { patientId: 1 },
    setAnnotator: { name: 'fuzz' },
    openSeries: { seriesId: '1_t1' },
    setSeriesStatus: { seriesId: '1_t1', status: 'in_progress' },
    // An empty diff (refused by the service): every mutation of it must fail.
    commitEdit: { seriesId: '1_t1', baseRevision: 0, tool: 'brush', label: 1, description: 'fuzz edit', diff: Uint8Array.of(0xd1, 0) },
    undo: { seriesId: '1_t1' },
    redo: { seriesId: '1_t1' },
    history: { seriesId: '1_t1' },
    getGradings: { patientId: 1 },
    setGrading: { patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: 3 },
    undoGrading: { patientId: 1 },
    gradingHistory: { patientId: 1, ivdLabel: 1 },
    setLevelReviewed: { patientId: 1, ivdLabel: 2, reviewed: true },
    startExport: { outDir: bad, format: 'mha', changedOnly: false, force: false },
    exportStatus: { jobId: 'export-1' },
    cancelExport: { jobId: 'export-1' },
    listMeasurements: { seriesId: '1_t1' },
    addMeasurement: { seriesId: '1_t1', kind: 'ruler', points: [[0, 0, 0], [1, 0, 0]], note: 'fuzz' },
    deleteMeasurement: { id: 1 },
    restoreMeasurement: { id: 1 },
    qaOverview: {},
    qaSeries: { seriesId: '1_t1' },
    getDashboard: {},
    listReaders: {},
    importAnnotations: { fileName: 'reader.spinepkg', data: 'AAAA' },
    exportAnnotations: { annotator: 'Dr. Probe' },
    agreement: { a: 'local', b: 'reader:Dr. B' },
    seriesAgreement: { seriesId: '1_t1', a: 'original', b: 'reader:Dr. B' },
    readerLabels: { seriesId: '1_t1', source: 'reader:Dr. B', revision: 0 },
    adjudicate: { kind: 'level', patientId: 1, ivdLabel: 2, from: 'reader:Dr. B' },
    adjudicationProgress: { a: 'reader:Dr. A', b: 'reader:Dr. B' },
  };
  return structuredClone((base as Record<string, Record<string, unknown>>)[method] ?? {});
}

const WRONG_TYPES: unknown[] = [null, true, 0, -1, 1.5, '', 'x', [], [1], {}, { a: 1 }];
const HUGE = ['1e308', '-1e308', '1e400', '-1e400', '9007199254740993', '-0', '0.1', '1e-400', '4294967296', '123456789012345678901234567890'];
const NAN_ISH = ['NaN', 'Infinity', '-Infinity', '1e309', '0x1F', '1_000', ' 1', '١'];
const TEXTS = ['\ud800', 'a\udc00b', '\ud800\ud800', 'x\u0000y', 'line\nbreak', '\u007f', '\u202e', '😀', 'a'.repeat(100_000), '', '   '];

/**
 * A contract call mutated away from a valid request. `mustFail` is set only when the contract refuses it for sure
 * (strict objects, wrong types, missing fields, bad texts, out-of-range values).
 */
function apiCase(r: Rng): Case {
  const method = r.pick(METHODS);
  const body = validRequest(method);
  const keys = Object.keys(body);
  const raw: Record<string, string> = {};
  let mustFail = false;
  let note = '';
  const kind = r.pick(['extra field', 'drop field', 'wrong type', 'huge number', 'nan-ish string', 'text', 'deep', 'odd body', 'out of range', 'proto'] as const);
  const key = keys.length > 0 ? r.pick(keys) : null;
  switch (kind) {
    case 'extra field': {
      const k = r.pick(['sneaky', 'constructor', 'toString', 'seriesID', 'value2', ' seriesId']);
      body[k] = r.pick(WRONG_TYPES);
      mustFail = true;
      note = `extra field ${JSON.stringify(k)}`;
      break;
    }
    case 'drop field':
      if (key) {
        delete body[key];
        mustFail = true;
      }
      note = `dropped ${key ?? '(nothing)'}`;
      break;
    case 'wrong type':
      if (key) {
        const old = body[key];
        const v = r.pick(WRONG_TYPES.filter((w) => typeof w !== typeof old || (Array.isArray(w) !== Array.isArray(old))));
        body[key] = v;
        mustFail = !(method === 'setGrading' && key === 'value' && v === null);
        note = `${key}=${JSON.stringify(v)}`;
      }
      break;
    case 'huge number':
      if (key) {
        const v = r.pick(HUGE);
        body[key] = '@@RAW@@';
        raw['@@RAW@@'] = v;
        // Strings, enums and booleans never take a number. Of the numbers, only -0 and 1e-400 (both read as 0)
        // can be valid somewhere (an IVD label 0 history); the rest are not safe integers, not finite, not legal
        // grading values, or name no patient.
        mustFail = typeof validRequest(method)[key] !== 'number' || !['-0', '1e-400'].includes(v);
        note = `${key}=${v}`;
      }
      break;
    case 'nan-ish string':
      if (key) {
        const v = r.pick(NAN_ISH);
        body[key] = v;
        if (method === 'startExport') guardOutDir(body);
        // Only the free-text fields take any string.
        mustFail = !['name', 'tool', 'description'].includes(key) || method === 'commitEdit';
        note = `${key}=${JSON.stringify(v)}`;
      }
      break;
    case 'text':
      if (key) {
        const v = r.pick(TEXTS);
        const old = body[key];
        const text = typeof old === 'string' && r.chance(0.5) ? `${old}${v}` : v;
        body[key] = method === 'startExport' && key === 'outDir' ? `${ds}/${v}` : text; // stays inside the source: refused
        const unchanged = typeof old === 'string' && text === old;
        mustFail = method === 'commitEdit' || (!unchanged && (typeof old !== 'string' || !storedTextOk(key, text)));
        note = `${key}=${JSON.stringify(v.slice(0, 12))}${v.length > 12 ? `…(${v.length})` : ''}`;
      }
      break;
    case 'deep': {
      const n = r.pick([64, 1000, 10_000, 100_000]);
      const form = r.pick(['[', '{"a":'] as const);
      if (key && r.chance(0.6)) {
        body[key] = '@@DEEP@@';
        raw['@@DEEP@@'] = deep(n, form);
        note = `${key} nested ${n} deep`;
      } else {
        return { input: `${method}: body nested ${n} deep`, req: post(method, Buffer.from(deep(n, form))), expect: { mustFail: true, status: [400] } };
      }
      mustFail = true;
      break;
    }
    case 'odd body': {
      const text = r.pick(['null', '[]', '"x"', '1', 'true', '[{}]', `[${JSON.stringify(body)}]`]);
      return { input: `${method}: body ${text.slice(0, 40)}`, req: post(method, Buffer.from(text)), expect: { mustFail: true, status: [400] } };
    }
    case 'out of range': {
      const choices: [string, unknown][] = [
        ['patientId', r.pick([-1, 99, 2 ** 31, 0.5])],
        ['ivdLabel', r.pick([-1, 0, 26, 4, 25, 1.5])],
        ['value', r.pick([-1, 6, 0.5, 4, 99])],
        ['label', r.pick([-1, 26, 99, 126, 158, 200, 226, 255, 256, 1.5])],
        ['baseRevision', r.pick([-1, 0.5, 99999])],
        ['status', r.pick(['DONE', 'finished', ''])],
        ['field', r.pick(['Pfirrman grade', 'reviewed', '_undo', 'PFIRRMANN'])],
        ['format', r.pick(['nii', 'MHA', 'zip'])],
        ['jobId', r.pick(['export-0', 'export-999', 'export--1', 'export-1e3'])],
        ['seriesId', r.pick(['99_t1', '1_t9', '1_t1/../x', '0_t1', '1_T1'])],
      ];
      const usable = choices.filter(([k]) => k in body);
      if (usable.length === 0) return { input: `${method}: nothing to push out of range (valid request)`, req: post(method, jsonWith(body, {})), expect: {} };
      const [k, v] = r.pick(usable);
      body[k] = v;
      // Refused by the schema or by the service (no such patient, level, series or job; an illegal value; an empty
      // diff), except a legal grading value and the history of a level that merely has no events.
      const legalValue = k === 'value' && v === 4;
      const historyOfLevel = method === 'gradingHistory' && k === 'ivdLabel' && (v === 0 || v === 4 || v === 25);
      mustFail = !legalValue && !historyOfLevel;
      note = `${k}=${JSON.stringify(v)}`;
      break;
    }
    case 'proto': {
      const text = JSON.stringify(body).replace(/^\{/, r.pick(['{"__proto__":{"seriesId":"1_t1"},', '{"__proto__":null,', '{"constructor":{"prototype":{}},']));
      return { input: `${method}: prototype keys ${text.slice(0, 60)}`, req: post(method, Buffer.from(text)), expect: { mustFail: true, status: [400] } };
    }
  }
  if (method === 'startExport') guardOutDir(body);
  return { input: `${method}: ${kind} ${note}`, req: request(method, body, raw), expect: mustFail ? { mustFail: true, status: [200, 400] } : {} };
}

/** A call as the renderer sends it: a Uint8Array diff goes framed after the other fields, the rest as JSON. */
function request(method: string, body: Record<string, unknown>, raw: Record<string, string> = {}): Req {
  const { diff, ...rest } = body;
  return diff instanceof Uint8Array ? postFramed(method, jsonWith(rest, raw), diff) : post(method, jsonWith(body, raw));
}

/** An octet-stream body framed as common/wire.ts says (u32 LE length of the JSON part, JSON, bytes); `declared` lies. */
function postFramed(method: string, json: Buffer, bytes: Uint8Array, declared?: number): Req {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(declared ?? json.length);
  return post(method, Buffer.concat([head, json, bytes]), { headers: { 'Content-Type': 'application/octet-stream' } });
}

/** Whether `text` is a valid value of a free-text field (annotator name, tool, description) per the contract. */
function storedTextOk(key: string, text: string): boolean {
  if (!['name', 'tool', 'description'].includes(key)) return false;
  const t = key === 'name' ? text.trim() : text;
  const max = key === 'name' ? 80 : key === 'tool' ? 40 : 200;
  // eslint-disable-next-line no-control-regex
  const bad = /[\u0000-\u001f\u007f-\u009f]/.test(t) || /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(t);
  return t.length >= 1 && t.length <= max && !bad;
}

/** Never let a fuzzed startExport name a writable folder: anything not inside the source dataset is put there. */
function guardOutDir(body: Record<string, unknown>): void {
  const v = body.outDir;
  if (typeof v === 'string' && v.startsWith('/') && !v.startsWith(`${ds}/`)) body.outDir = `${ds}/${v.slice(1)}`;
}

function post(method: string, body: Buffer, extra: Partial<Req> = {}): Req {
  return { method: 'POST', target: `/api/${method}`, body, ...extra };
}

const BAD_JSON = [
  '{', '{"seriesId":', '{"seriesId":"1_t1",}', "{'seriesId':'1_t1'}", '{"seriesId":NaN}', '{"seriesId":Infinity}', '{/*c*/}', '\ufeff{}',
  '{"a":1}{"b":2}', '{"seriesId":"1_t1","seriesId":"2_t1"}', '{"seriesId":"\\ud800"}', '{"seriesId":"\\u00"}', 'undefined', '{"x":1e999}', ' ', '\u0000',
];

function badJsonCase(r: Rng): Case {
  const method = r.pick(['openSeries', 'listSeries', 'setAnnotator', 'commitEdit', 'setGrading']);
  if (r.chance(0.2)) {
    const bytes = r.bytes(r.int(1, 64));
    return { input: `${method}: ${bytes.length} random body bytes`, req: post(method, bytes), expect: { mustFail: true, status: [200, 400] } };
  }
  const text = r.pick(BAD_JSON);
  // '{}' variants parse (empty body, BOM-less whitespace) and are then judged by the schema.
  return { input: `${method}: body ${JSON.stringify(text)}`, req: post(method, Buffer.from(text, 'utf8')), expect: { mustFail: method !== 'listSeries' || !/^\s*$/.test(text), status: [200, 400] } };
}

function unknownMethodCase(r: Rng): Case {
  const name = r.pick(['noSuchMethod', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'listSeries/extra', 'LISTSERIES', '%00', 'list%53eries', 'a'.repeat(3000), 'listSeries%2f..', 'valueOf']);
  return { input: `POST /api/${name.slice(0, 30)}`, req: post(name, Buffer.from('{}')), expect: { mustFail: true, status: [400, 404] } };
}

function httpMethodCase(r: Rng): Case {
  const method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'FOO', 'get', 'PROPFIND']);
  const target = r.pick(['/api/listSeries', '/api/openSeries', '/volume/1_t1/image', '/api/nope', '/index.html', '/']);
  const post405 = target.startsWith('/volume/') && method !== 'GET';
  const api405 = target.startsWith('/api/');
  const statuses = api405 || post405 ? [405] : method === 'GET' ? [200, 404] : [400, 404, 405, 501];
  return { input: `${method} ${target}`, req: { method, target, body: r.chance(0.5) ? Buffer.from('{}') : undefined }, expect: { status: statuses, framing: method === 'get' || method === 'FOO' || method === 'PROPFIND', mustFail: true } };
}

function authCase(r: Rng): Case {
  const target = r.pick(['/api/listSeries', '/volume/1_t1/image', '/', '/index.html', '/api/setAnnotator']);
  const variant = r.pick(['none', 'wrong bearer', 'lowercase bearer', 'token+1', 'token in query', 'cookie wrong name', 'cookie wrong value', 'empty bearer', 'basic'] as const);
  const headers: Record<string, string> = {};
  let t = target;
  switch (variant) {
    case 'none': break;
    case 'wrong bearer': headers['Authorization'] = `Bearer ${'0'.repeat(64)}`; break;
    case 'lowercase bearer': headers['Authorization'] = `bearer ${server.token}`; break;
    case 'token+1': headers['Authorization'] = `Bearer ${server.token}1`; break;
    case 'token in query': t = `${target}?token=${server.token}`; break;
    case 'cookie wrong name': headers['Cookie'] = `token=${server.token}; spine_tokens=${server.token}`; break;
    case 'cookie wrong value': headers['Cookie'] = `spine_token_${server.port}=${server.token.slice(1)}; spine_token=${server.token.slice(1)}`; break;
    case 'empty bearer': headers['Authorization'] = 'Bearer '; break;
    case 'basic': headers['Authorization'] = `Basic ${Buffer.from(`x:${server.token}`).toString('base64')}`; break;
  }
  const method = target.startsWith('/api/') ? 'POST' : 'GET';
  // A token in the query only works for GET / (it sets the cookie: 303).
  const status = variant === 'token in query' && target === '/' ? [303] : [401];
  return { input: `${method} ${t.replace(server.token, '<token>')} (${variant})`, req: { method, target: t, noAuth: true, headers, body: method === 'POST' ? Buffer.from('{"name":"intruder"}') : undefined }, expect: { status, mustFail: true } };
}

function originCase(r: Rng): Case {
  const variant = r.pick(['foreign host', 'no host', 'foreign origin', 'cross-site', 'null origin', 'localhost other port'] as const);
  const headers: Record<string, string> = {};
  let noHost = false;
  if (variant === 'foreign host') headers['Host'] = `evil.example:${server.port}`;
  if (variant === 'no host') noHost = true;
  if (variant === 'foreign origin') headers['Origin'] = 'http://evil.example';
  if (variant === 'cross-site') headers['Sec-Fetch-Site'] = 'cross-site';
  if (variant === 'null origin') headers['Origin'] = 'null';
  if (variant === 'localhost other port') headers['Host'] = `localhost:${server.port + 1}`;
  return { input: `POST /api/listSeries (${variant})`, req: { method: 'POST', target: '/api/listSeries', headers, noHost, body: Buffer.from('{}') }, expect: { status: [403], mustFail: true, framing: noHost } };
}

function pathCase(r: Rng): Case {
  // [target, acceptable statuses, malformed at the HTTP level]. An absolute-form target naming this server may be
  // served (RFC 9112 §3.2.2) or refused; '//evil' is a path, not an authority.
  const targets: [string, number[], boolean?][] = [
    ['/%', [400]], ['/%ff', [400]], ['/%E0%A4%A', [400]], ['/%zz', [400]], ['//evil', [400, 404]], ['//', [400]], ['*', [400, 404]],
    [`http://127.0.0.1:${server.port}/api/listSeries`, [200, 400, 405]], ['http://evil.example/', [400, 403]], ['/..%2f..%2fsecret.txt', [404]],
    ['/../secret.txt', [404]], ['/%2e%2e/secret.txt', [404]], ['/assets/../../secret.txt', [404]], ['/index.html%00.js', [404, 400]], ['/%00', [404, 400]],
    ['/link-out', [404]], ['/api/listSeries?x=%', [200, 400, 405]], ['/api/%6cistSeries', [404, 405]], ['/volume/1_t1%2Fimage', [404]],
    ['/volume/..%2F..%2Fetc/image', [404]], ['/volume/99_t1/image', [404]], ['/volume/1_t1/other', [404]], ['/volume/1_t1/image/extra', [404]],
    [`/${'a'.repeat(4000)}`, [404]], ['/?token=wrong', [401]], ['/index.html', [200]], ['/assets/app.js', [200]], ['/assets/', [404]],
    ['/favicon.ico', [404]], ['/volume/1_t1/image?x=1', [200]], ['/volume/1_t1/mask', [200]], ['/volume//image', [404]], ['/%c0%ae%c0%ae/secret.txt', [400, 404]],
    ['/ spaces', [400], true], ['/tab\there', [400], true], ['/\u00e9', [400, 404], true], [`/${'b'.repeat(20_000)}`, [414, 431, 400, 404], true],
  ];
  const [target, status, framing] = r.pick(targets);
  const method = target.startsWith('/api/') || target.includes('/api/') ? 'POST' : 'GET';
  const n = target.startsWith('/volume/1_t1/') && status.includes(200) ? ws.index.series.find((s) => s.id === '1_t1')!.image!.geometry.size.reduce((a, b) => a * b, 1) : undefined;
  const volumeBytes = n === undefined ? undefined : target.startsWith('/volume/1_t1/mask') ? n : n * 2;
  return {
    input: `${method} ${JSON.stringify(target.slice(0, 60))}`,
    req: { method, target: Buffer.from(target, 'utf8').toString('latin1'), body: method === 'POST' ? Buffer.from('{}') : undefined },
    expect: { status, framing: framing ?? false, ...(volumeBytes === undefined ? {} : { volumeBytes }) },
  };
}

const BAD_OUT_DIRS = (): string[] => ['relative/out', '', 'C:', `${ds}`, `${ds}/inside`, dir, '/', `${ds}/../`, `${dir}/static`, `${ds}\u0000x`, `${ds}/images/../out`, `${storeFile}/x`, `${ds}/${'x'.repeat(5000)}`];

function exportCase(r: Rng): Case {
  const outDir = r.pick(BAD_OUT_DIRS());
  const body = { outDir, format: r.pick(['mha', 'nifti']), changedOnly: r.chance(0.5), force: r.chance(0.5) };
  return {
    input: `startExport outDir=${JSON.stringify(outDir.replace(dir, '<tmp>').slice(0, 60))}${body.force ? ' force' : ''}`,
    req: post('startExport', Buffer.from(JSON.stringify(body))),
    // Refused at once, or started and then failed with a typed error (e.g. a folder that cannot be created).
    expect: { status: [200, 400] },
    followUp: exportFollowUp,
  };
}

/** A started export of a bad folder must end 'failed' with a typed error, having written nothing. */
async function exportFollowUp(reply: Reply): Promise<string | null> {
  const j = JSON.parse(reply.body.toString('utf8')) as { ok: boolean; value?: { jobId: string } };
  if (!j.ok || !j.value) return null;
  const t0 = performance.now();
  for (;;) {
    const st = await ws.service.exportStatus({ jobId: j.value.jobId });
    if (st.state === 'failed') return st.error && st.error.code !== 'internal' ? null : `export failed untyped: ${JSON.stringify(st.error)}`;
    if (st.state !== 'running') return `an export to a bad folder ended ${st.state}: ${JSON.stringify(st.result?.outDir ?? null)}`;
    if (performance.now() - t0 > REQUEST_TIMEOUT_MS) return 'an export to a bad folder is still running';
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

/** The current revision and label volume of 1_t1, from the workstation itself (the oracle for diffs). */
async function labelsNow(): Promise<{ revision: number; volume: Uint8Array }> {
  const h = await ws.service.history({ seriesId: '1_t1' });
  return { revision: h.revision, volume: (await ws.volumeBytes('1_t1', 'mask')).slice() };
}

function varint(v: number): number[] {
  const out: number[] = [];
  let x = v >>> 0;
  while (x >= 0x80) {
    out.push((x & 0x7f) | 0x80);
    x >>>= 7;
  }
  out.push(x);
  return out;
}

/** commitEdit with a crafted diff: well-formed or not, writing SPIDER labels or not. */
async function commitCase(r: Rng): Promise<Case> {
  const { revision, volume } = await labelsNow();
  const n = volume.length;
  const at = r.int(0, n - 1);
  const before = volume[at]!;
  const legal = [1, 2, 3, 100, 201, 202, 0].filter((v) => v !== before);
  const kind = r.pick(['valid', 'valid', 'after not a label', 'after not a label', 'after not a label', 'label not a label', 'before mismatch', 'index out of range', 'no-op run', 'random bytes', 'bad magic', 'truncated', 'huge count', 'base64 in JSON', 'empty', 'stale revision', 'unknown series', 'bad text', 'frame short', 'frame length lies', 'frame JSON not an object', 'diff in the JSON part', 'random frame'] as const);
  const label = r.pick(legal);
  let diff: Uint8Array;
  let body: Record<string, unknown> = { seriesId: '1_t1', baseRevision: revision, tool: 'brush', label, description: 'fuzz edit' };
  let mustFail = true;
  let req: Req | null = null;
  const enc = (bytes: number[] | Uint8Array) => Uint8Array.from(bytes);
  const good = (): Uint8Array => encodeDiff({ indices: Uint32Array.of(at), before: Uint8Array.of(before), after: Uint8Array.of(label) });
  switch (kind) {
    case 'valid':
      diff = good();
      mustFail = false;
      break;
    case 'after not a label': {
      const bad = r.pick([26, 99, 126, 158, 199, 200, 226, 255].filter((v) => v !== before));
      diff = encodeDiff({ indices: Uint32Array.of(at), before: Uint8Array.of(before), after: Uint8Array.of(bad) });
      body.label = r.chance(0.5) ? label : 0;
      break;
    }
    case 'label not a label':
      diff = good();
      body.label = r.pick([26, 99, 126, 158, 200, 226, 255, 256, -1, 1.5]);
      break;
    case 'before mismatch':
      diff = encodeDiff({ indices: Uint32Array.of(at), before: Uint8Array.of((before + 1) & 0xff), after: Uint8Array.of(label === ((before + 1) & 0xff) ? 0 : label) });
      break;
    case 'index out of range':
      diff = enc([0xd1, ...varint(1), ...varint(n + r.int(0, 1000)), ...varint(1), before, label]);
      break;
    case 'no-op run':
      diff = enc([0xd1, ...varint(1), ...varint(at), ...varint(1), before, before]);
      break;
    case 'random bytes':
      diff = enc(r.bytes(r.int(1, 40)));
      break;
    case 'bad magic':
      diff = enc([0xd2, ...varint(1), ...varint(at), ...varint(1), before, label]);
      break;
    case 'truncated':
      diff = enc([0xd1, ...varint(3), ...varint(at), ...varint(1)]);
      break;
    case 'huge count':
      diff = enc([0xd1, 0xff, 0xff, 0xff, 0xff, 0x0f, ...varint(at), ...varint(1), before, label]);
      break;
    case 'base64 in JSON':
      // The form commitEdit took before diffs travelled as bytes: refused by the schema.
      diff = good();
      req = post('commitEdit', Buffer.from(JSON.stringify({ ...body, diff: r.pick([Buffer.from(diff).toString('base64'), '@@@@', '', '0Q==']) })));
      break;
    case 'empty':
      diff = new Uint8Array(0);
      break;
    case 'frame short':
      diff = good();
      req = post('commitEdit', Buffer.from(r.bytes(r.int(0, 3))), { headers: { 'Content-Type': 'application/octet-stream' } });
      break;
    case 'frame length lies': {
      diff = good();
      const json = Buffer.from(JSON.stringify(body));
      req = postFramed('commitEdit', json, diff, r.pick([json.length + diff.length + 1, 0xffff_ffff, 2 ** 20 + 1, Math.max(0, json.length - 1), 0]));
      break;
    }
    case 'frame JSON not an object':
      diff = good();
      req = postFramed('commitEdit', Buffer.from(r.pick(['null', '[]', '"x"', '1', `[${JSON.stringify(body)}]`, '{"a":'])), diff);
      break;
    case 'diff in the JSON part':
      diff = good();
      req = postFramed('commitEdit', Buffer.from(JSON.stringify({ ...body, diff: r.pick(['AAAA', [1, 2], {}, null]) })), diff);
      break;
    case 'random frame':
      diff = good();
      req = post('commitEdit', Buffer.from(r.bytes(r.int(4, 80))), { headers: { 'Content-Type': r.pick(['application/octet-stream', 'Application/Octet-Stream; x=1']) } });
      break;
    case 'stale revision':
      diff = good();
      body.baseRevision = revision + r.pick([1, -1, 1000]);
      if ((body.baseRevision as number) < 0) body.baseRevision = revision + 1;
      break;
    case 'unknown series':
      diff = good();
      body.seriesId = r.pick(['99_t1', '1_t9', '2_t2']);
      break;
    case 'bad text':
      diff = good();
      body[r.pick(['tool', 'description'])] = r.pick(['\ud800', 'a\u0000', '', 'x'.repeat(300), '\n']);
      break;
  }
  body = { ...body, diff };
  const shown = `commitEdit ${kind} voxel ${at} ${before}→${kind === 'after not a label' ? '?' : label} label=${JSON.stringify(body.label)} rev ${String(body.baseRevision)}`;
  return { input: shown, req: req ?? request('commitEdit', body), expect: mustFail ? { mustFail: true, status: [200, 400] } : { status: [200] } };
}

function overCapCase(variant: 'declared' | 'streamed'): Case {
  if (variant === 'declared') {
    // Content-Length over the cap, then only a little of the body: the answer must come before the body does.
    return { input: 'setAnnotator: Content-Length over the cap, short body', req: { method: 'POST', target: '/api/setAnnotator', headers: { 'Content-Length': String(OVER_CAP_BYTES), 'Content-Type': 'application/json' }, body: undefined, streamBytes: 64 * 1024 }, expect: { status: [413], mustFail: true } };
  }
  return { input: 'setAnnotator: chunked body over the cap', req: { method: 'POST', target: '/api/setAnnotator', streamBytes: OVER_CAP_BYTES, chunked: true }, expect: { status: [413], mustFail: true } };
}

async function makeCase(index: number): Promise<Case> {
  const r = caseRng(TARGET, index);
  // Two fixed cases first, so that both over-cap shapes always run; the rest are drawn.
  if (index === 0) return overCapCase('declared');
  if (index === 1) return overCapCase('streamed');
  const category = r.pick(['api', 'api', 'api', 'api', 'json', 'unknown', 'http', 'auth', 'origin', 'path', 'path', 'commit', 'commit', 'export'] as const);
  switch (category) {
    case 'api': return apiCase(r);
    case 'json': return badJsonCase(r);
    case 'unknown': return unknownMethodCase(r);
    case 'http': return httpMethodCase(r);
    case 'auth': return authCase(r);
    case 'origin': return originCase(r);
    case 'path': return pathCase(r);
    case 'commit': return commitCase(r);
    case 'export': return exportCase(r);
  }
}

// --- the run --- //

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-fuzz-api-'));
  ds = join(dir, 'ds');
  storeFile = join(dir, 'store.sqlite');
  const a = tinyGrid('A', 4, 5, 9);
  put(join(ds, 'images', '1_t1.mha'), imageBytes(a, 'int16', false, 1));
  put(join(ds, 'masks', '1_t1.mha'), maskBytes(a));
  put(join(ds, 'images', '1_t2.mha'), imageBytes(tinyGrid('B'), 'uint16', true, 2));
  put(join(ds, 'masks', '1_t2.mha'), maskBytes(tinyGrid('B')));
  put(join(ds, 'images', '2_t1.mha'), imageBytes(a, 'float32', true, 3));
  put(join(ds, 'overview.csv'), overviewCsv(['1_t1', '1_t2', '2_t1']));
  put(join(ds, 'radiological_gradings.csv'), gradingsCsvFor([1, 2]));
  put(join(dir, 'static', 'index.html'), '<!doctype html><title>app</title>');
  put(join(dir, 'static', 'assets', 'app.js'), 'console.log(1)');
  put(join(dir, 'secret.txt'), 'outside the static root');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'static', 'link-out'));
  datasetBefore = hashTree(ds);
  ws = await openWorkstation({ datasetRoot: ds, storeFile, annotator: 'fuzz', log: () => undefined });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(dir, 'static') });

  for (const index of caseIndices(CASES)) {
    const t0 = performance.now();
    const c = await makeCase(index);
    const answer = await send(encodeRequest(c.req), c.req.method === 'HEAD');
    judge(index, c, answer);
    log.count('answers', answer.kind === 'reply' ? `HTTP ${answer.reply.status}` : answer.kind);
    log.count('requests', c.input.split(/[ :(]/)[0] ?? '?');
    if (c.followUp && answer.kind === 'reply' && answer.reply.status === 200) {
      const problem = await c.followUp(answer.reply);
      if (problem) log.add(PROPERTIES.refused, { case: index, input: c.input, kind: 'follow-up', detail: problem });
    }
    log.cases++;
    trace(TARGET, index, c.input, performance.now() - t0);
  }

  // Afterwards: the server still answers, the store is sound, the dataset untouched.
  const after = (kind: string, detail: string): void => log.add(PROPERTIES.after, { case: -1, input: 'after all cases', kind, detail });
  const list = await send(encodeRequest(post('listSeries', Buffer.from('{}'))));
  if (list.kind !== 'reply' || list.reply.status !== 200 || !(JSON.parse(list.reply.body.toString()) as { ok: boolean }).ok) after('listSeries fails after the run', JSON.stringify(list).slice(0, 300));
  await server.close();
  ws.close();
  const integrity = storeIntegrity(storeFile);
  if (integrity !== 'ok') after('integrity_check failed', integrity);
  const changed = treeDiff(datasetBefore, hashTree(ds));
  if (changed.length > 0) after('dataset files changed', changed.join(', '));
  log.elapsedMs = performance.now() - log.startedAt;
  log.save();
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

group(`API fuzz: ${CASES} malformed requests to the web server, seed ${JSON.stringify(FUZZ_SEED)}`, () => {
  it(`ran ${CASES} requests`, () => {
    if (!REPRODUCING) expect(log.cases).toBe(CASES);
  });
  for (const property of Object.values(PROPERTIES)) {
    it(property, () => {
      expect(log.failures(property), log.summary(property)).toEqual([]);
    });
  }
});
