// Contract conformance of the desktop transport, without the Electron binary. The real main/electron/ipc.ts
// (registerIpc) and the real preload entry (preload/index.ts) run against a recording stand-in for the `electron`
// module: ipcMain.handle records each channel and its handler, contextBridge.exposeInMainWorld records what the
// page would get as window.spine, ipcRenderer.invoke records each call. The contract's METHODS list is then
// compared with what was really registered and really exposed, and the expectations are written out here
// (channel `api:<method>`, the desktop extras by name, a sample request per method) rather than computed with the
// helpers the transports use, so a transport that drops, renames or adds a channel fails. The built preload bundle
// requires only 'electron', and the exposed bridge wired to the registered handlers reaches a real workstation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipcMain } from 'electron';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { METHODS, requestSchemas, type Method, type Responses, type Service, type WireRequest } from '../../common/contract.js';
import { MENU_COMMANDS, type MenuCommand, type SpineBridge } from '../../common/desktop.js';
import type { Result } from '../../common/errors.js';
import { bytesToBase64, encodeDiff } from '../../common/labelDiff.js';
import { buildDesktop } from '../../main/cli/electron.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { registerIpc, type InvokeEventLike } from '../../main/electron/ipc.js';
import { createSpineBridge } from '../../preload/bridge.js';

type MainHandler = (event: InvokeEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: unknown, ...args: unknown[]) => void;

const fake = vi.hoisted(() => {
  const state = {
    /** Channel → handler, as ipcMain holds them now. */
    handlers: new Map<string, MainHandler>(),
    /** Every ipcMain.handle call, in order (a channel registered twice would appear twice). */
    registered: [] as string[],
    removed: [] as string[],
    /** Every contextBridge.exposeInMainWorld call. */
    exposed: [] as { key: string; api: unknown }[],
    /** Every ipcRenderer.invoke call. */
    invoked: [] as { channel: string; args: unknown[] }[],
    listeners: new Map<string, RendererListener>(),
    /** What ipcRenderer.invoke answers; null: undefined (nothing is wired yet). */
    route: null as null | ((channel: string, args: unknown[]) => Promise<unknown>),
  };
  const electron = {
    ipcMain: {
      handle(channel: string, handler: MainHandler): void {
        // Electron throws on a second handler for one channel; so does the stand-in.
        if (state.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
        state.handlers.set(channel, handler);
        state.registered.push(channel);
      },
      removeHandler(channel: string): void {
        state.handlers.delete(channel);
        state.removed.push(channel);
      },
    },
    ipcRenderer: {
      invoke(channel: string, ...args: unknown[]): Promise<unknown> {
        state.invoked.push({ channel, args });
        return state.route ? state.route(channel, args) : Promise.resolve(undefined);
      },
      on(channel: string, listener: RendererListener): void {
        state.listeners.set(channel, listener);
      },
      removeListener(channel: string, listener: RendererListener): void {
        if (state.listeners.get(channel) === listener) state.listeners.delete(channel);
      },
    },
    contextBridge: {
      exposeInMainWorld(key: string, api: unknown): void {
        state.exposed.push({ key, api });
      },
    },
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

/** The desktop-only channel main registers next to the contract methods (ARCHITECTURE.md §3). */
const PICK_DIRECTORY_CHANNEL = 'desktop:pickDirectory';
const MENU_COMMAND_CHANNEL = 'desktop:menuCommand';
/** The channel of a contract method, as ARCHITECTURE.md §3 names it (not computed with common/desktop.ts). */
const channelOf = (m: string): string => `api:${m}`;

const WINDOW = 7;
const trusted: InvokeEventLike = { sender: { id: WINDOW }, senderFrame: { url: 'spine://app/index.html' } };

/**
 * One valid request per method. Keyed by Method, so a method added to the contract without a sample here is a type
 * error (and, at run time, the key check below fails).
 */
const VALID: { [M in Method]: WireRequest<M> } = {
  getDataset: {},
  getSession: {},
  setAnnotator: { name: 'Dr. Probe' },
  listSeries: {},
  openSeries: { seriesId: '1_t1' },
  setSeriesStatus: { seriesId: '1_t1', status: 'done' },
  commitEdit: { seriesId: '1_t1', baseRevision: 0, tool: 'brush', label: 3, description: 'Brush, 1 voxel', diff: Uint8Array.of(1, 2, 3) },
  undo: { seriesId: '1_t1' },
  redo: { seriesId: '1_t1' },
  levelMeasures: { patientId: 1 },
  history: { seriesId: '1_t1' },
  getGradings: { patientId: 1 },
  setGrading: { patientId: 1, ivdLabel: 2, field: 'pfirrmann', value: 3 },
  undoGrading: { patientId: 1 },
  gradingHistory: { patientId: 1, ivdLabel: 2 },
  setLevelReviewed: { patientId: 1, ivdLabel: 2, reviewed: true },
  gradingProgress: {},
  listMeasurements: { seriesId: '1_t1' },
  addMeasurement: { seriesId: '1_t1', kind: 'ruler', points: [[0, 0, 0], [0, 10, 0]] },
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
  startExport: { outDir: '/tmp/out', format: 'mha', changedOnly: false, force: false },
  exportStatus: { jobId: 'export-1' },
  cancelExport: { jobId: 'export-1' },
};

/** Requests no method's schema takes (every schema is a strict object; a missing request counts as {} in ipc.ts). */
const INVALID: unknown[] = [{ notInTheContract: true }, 'getDataset', 42, []];

/** A service that records which method was called with what, and answers { method }; it lists no methods itself. */
const serviceCalls: { method: string; req: unknown }[] = [];
const recordingService = new Proxy({} as Service, {
  get: (_target, key) => (req: unknown) => {
    serviceCalls.push({ method: String(key), req });
    return Promise.resolve({ method: String(key) });
  },
});

/** The service the registered handlers use: the recording one, then a real workstation's. */
let service: Service | null = recordingService;
let unregister: () => void = () => undefined;

/** window.spine as the preload exposed it (its keys are checked below before anything else relies on them). */
const spine = (): SpineBridge => fake.state.exposed[0]!.api as SpineBridge;
/** The handler ipc.ts registered on a channel. */
function handlerOn(channel: string): MainHandler {
  const h = fake.state.handlers.get(channel);
  if (!h) throw new Error(`no handler registered on ${channel}`);
  return h;
}
/** Electron's invoke: the registered handler runs with our window's event and a structured clone of the request. */
function wireRendererToMain(): void {
  fake.state.route = (channel, args) => Promise.resolve(handlerOn(channel)(trusted, ...args.map((a) => structuredClone(a))));
}

beforeAll(async () => {
  unregister = registerIpc(ipcMain, {
    service: () => service,
    windowId: () => WINDOW,
    track: (work) => work(),
    pickDirectory: (title) => Promise.resolve(`/picked/${title}`),
  });
  await import('../../preload/index.js');
});

describe('contract ↔ ipc.ts ↔ preload', () => {
  it('has a sample request for exactly the contract methods, and each sample passes its schema', () => {
    expect(Object.keys(VALID).sort()).toEqual([...METHODS].sort());
    for (const m of METHODS) expect(requestSchemas[m].safeParse(VALID[m]).success, m).toBe(true);
    // Every method has a response type, and no response type lacks a method.
    expectTypeOf<keyof Responses>().toEqualTypeOf<Method>();
  });

  it('ipc.ts registers exactly one handler per contract method on api:<method>, plus desktop:pickDirectory, nothing else', () => {
    for (const m of METHODS) expect(fake.state.registered.filter((c) => c === channelOf(m)), m).toHaveLength(1);
    expect([...fake.state.registered].sort()).toEqual([...METHODS.map(channelOf), PICK_DIRECTORY_CHANNEL].sort());
    expect([...fake.state.handlers.keys()].sort()).toEqual([...fake.state.registered].sort());
  });

  it('the preload exposes window.spine once: exactly the contract methods, volumeUrl and the desktop bridge', () => {
    expect(fake.state.exposed.map((e) => e.key)).toEqual(['spine']);
    const api = fake.state.exposed[0]!.api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...METHODS, 'desktop', 'volumeUrl'].sort());
    for (const m of METHODS) expect(typeof api[m], m).toBe('function');
    expect(Object.keys(api.desktop as object).sort()).toEqual(['onMenuCommand', 'pickDirectory']);
    expect(spine().volumeUrl('12_t2', 'mask')).toBe('spine://app/volume/12_t2/mask');
    // Type level: what the preload builds is what renderer/platform/api.ts expects of window.spine.
    expectTypeOf(createSpineBridge).returns.toExtend<NonNullable<Window['spine']>>();
  });

  it('each exposed method invokes its own channel, once, with the request as given', async () => {
    fake.state.route = null;
    for (const m of METHODS) {
      fake.state.invoked.length = 0;
      const req = { probe: m };
      await (spine()[m] as (r: unknown) => Promise<unknown>)(req);
      expect(fake.state.invoked, m).toEqual([{ channel: channelOf(m), args: [req] }]);
      expect(fake.state.invoked[0]!.args[0], m).toBe(req);
    }
  });

  it('each registered handler validates its request: invalid ones answer invalid_request as data, the service never runs', async () => {
    serviceCalls.length = 0;
    for (const m of METHODS) {
      for (const bad of INVALID) {
        const res = (await handlerOn(channelOf(m))(trusted, bad)) as Result<unknown>;
        expect(res, `${m} ${JSON.stringify(bad)}`).toEqual({ ok: false, error: { code: 'invalid_request', message: expect.stringMatching(new RegExp(`^${m}: `)) as unknown } });
      }
    }
    expect(serviceCalls).toEqual([]);
  });

  it('a valid request goes from the exposed function through its channel to the same service method, unchanged', async () => {
    wireRendererToMain();
    for (const m of METHODS) {
      serviceCalls.length = 0;
      const res = await (spine()[m] as (r: unknown) => Promise<Result<unknown>>)(VALID[m]);
      expect(res, m).toEqual({ ok: true, value: { method: m } });
      expect(serviceCalls, m).toEqual([{ method: m, req: VALID[m] }]);
    }
  });

  it('desktop.pickDirectory goes through desktop:pickDirectory, whose handler validates too', async () => {
    wireRendererToMain();
    fake.state.invoked.length = 0;
    expect(await spine().desktop.pickDirectory({ title: 'Export to' })).toBe('/picked/Export to');
    expect(fake.state.invoked.map((i) => i.channel)).toEqual([PICK_DIRECTORY_CHANNEL]);
    await expect(spine().desktop.pickDirectory({ title: '' })).rejects.toThrow('pickDirectory: expected { title }');
    const res = (await handlerOn(PICK_DIRECTORY_CHANNEL)(trusted, { title: 'x', extra: 1 })) as Result<unknown>;
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('menu commands reach the listener without the IPC event, unknown ones are dropped, unsubscribe works', () => {
    const got: MenuCommand[] = [];
    const off = spine().desktop.onMenuCommand((c) => got.push(c));
    const push = fake.state.listeners.get(MENU_COMMAND_CHANNEL)!;
    for (const c of MENU_COMMANDS) push({ sender: 'secret' }, c);
    push({}, 'rm -rf');
    push({}, { toString: () => 'undo' });
    expect(got).toEqual([...MENU_COMMANDS]);
    off();
    expect(fake.state.listeners.has(MENU_COMMAND_CHANNEL)).toBe(false);
  });

  it('builds a preload bundle whose only require is electron, and a main bundle with only electron and better-sqlite3 external', async () => {
    const out = mkdtempSync(join(tmpdir(), 'spine-out-'));
    try {
      const b = await buildDesktop(out);
      const preload = readFileSync(b.preload, 'utf8');
      expect([...new Set([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]))]).toEqual(['electron']);
      const main = readFileSync(b.main, 'utf8');
      const bare = new Set([...main.matchAll(/^import .* from ["']([^"'.][^"']*)["'];?$/gm)].map((m) => m[1]!).filter((s) => !s.startsWith('node:')));
      expect([...bare].sort()).toEqual(['better-sqlite3', 'electron']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('window.spine → registered IPC handlers → a real workstation', () => {
  let dir: string;
  let ws: Workstation;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spine-ipc-'));
    await generateSample({ out: join(dir, 'dataset'), patients: 1, seed: 'ipc' });
    ws = await openWorkstation({ datasetRoot: join(dir, 'dataset'), storeFile: join(dir, 'store.sqlite'), annotator: 'ipc' });
    service = ws.service;
    wireRendererToMain();
  });
  afterAll(() => {
    service = recordingService;
    ws?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers contract calls as { ok, value } data on the method channels', async () => {
    fake.state.invoked.length = 0;
    const ds = await spine().getDataset({});
    expect(ds).toMatchObject({ ok: true, value: { name: 'dataset', patients: 1 } });
    const series = await spine().listSeries({});
    expect(series.ok && series.value.length).toBeGreaterThan(0);
    expect(fake.state.invoked.map((i) => i.channel)).toEqual(['api:getDataset', 'api:listSeries']);
  });

  it('returns errors as data: schema rejections and service errors never throw across', async () => {
    const bad = await spine().openSeries({ seriesId: '../../etc/passwd' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const missing = await spine().openSeries({ seriesId: '99_t1' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('takes commitEdit with its diff as bytes (structured clone), refuses base64 text, and returns the history entry', async () => {
    const seriesId = '1_t1';
    const opened = await spine().openSeries({ seriesId });
    if (!opened.ok) throw new Error(opened.error.message);
    const mask = await ws.volumeBytes(seriesId, 'mask');
    const after = mask[0] === 1 ? 2 : 1;
    const diff = encodeDiff({ indices: Uint32Array.of(0), before: Uint8Array.of(mask[0]!), after: Uint8Array.of(after) });
    const req = { seriesId, baseRevision: opened.value.revision, tool: 'brush', label: after, description: 'Brush, 1 voxel', diff };
    const text = await (spine().commitEdit as (r: unknown) => Promise<Result<unknown>>)({ ...req, diff: bytesToBase64(diff) });
    expect(text).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('diff must be bytes') as unknown } });
    expect(ws.store.edits.count(seriesId).total).toBe(0);
    const ack = await spine().commitEdit(req);
    expect(ack).toMatchObject({ ok: true, value: { seq: 1, revision: opened.value.revision + 1, discarded: [], edit: { seq: 1, tool: 'brush', label: after, voxelCount: 1, description: 'Brush, 1 voxel', state: 'active', annotator: 'ipc' } } });
    expect(Buffer.from(ws.store.edits.get(seriesId, 1)!.diff).equals(Buffer.from(diff))).toBe(true);
  });
});

describe('unregistering', () => {
  it('removes exactly the channels ipc.ts registered', () => {
    unregister();
    expect([...fake.state.removed].sort()).toEqual([...fake.state.registered].sort());
    expect(fake.state.handlers.size).toBe(0);
  });
});
