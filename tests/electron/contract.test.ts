// Contract conformance of the desktop transport, without the Electron binary: every METHOD has a schema and an
// IPC handler, the preload bridge exposes exactly the contract (+ volumeUrl + desktop), the built preload bundle
// requires only 'electron', and a bridge wired to the handlers reaches a real workstation.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS, requestSchemas, type Api } from '../../common/contract.js';
import { DESKTOP_CHANNELS, MENU_COMMANDS, methodChannel, type MenuCommand, type SpineBridge } from '../../common/desktop.js';
import type { Result } from '../../common/errors.js';
import { bytesToBase64, encodeDiff } from '../../common/labelDiff.js';
import { buildDesktop } from '../../main/cli/electron.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { createIpcHandlers, registerIpc, type IpcDeps, type InvokeEventLike } from '../../main/electron/ipc.js';
import { createSpineBridge, type IpcRendererLike } from '../../preload/bridge.js';

const WINDOW = 7;
const trusted: InvokeEventLike = { sender: { id: WINDOW }, senderFrame: { url: 'spine://app/index.html' } };

function deps(ws: Workstation | null): IpcDeps {
  return { service: () => ws?.service ?? null, windowId: () => WINDOW, track: (w) => w(), pickDirectory: async () => '/picked' };
}

/** An ipcRenderer whose invoke calls the main-side handlers with our window's event (what Electron does). */
function wired(d: IpcDeps): IpcRendererLike & { invoked: string[] } {
  const { methods, pickDirectory } = createIpcHandlers(d);
  const byChannel = new Map<string, (e: InvokeEventLike, r: unknown) => Promise<Result<unknown>>>(
    METHODS.map((m) => [methodChannel(m), methods[m]]),
  );
  byChannel.set(DESKTOP_CHANNELS.pickDirectory, pickDirectory);
  const invoked: string[] = [];
  return {
    invoked,
    invoke: async (channel, ...args) => {
      invoked.push(channel);
      const h = byChannel.get(channel);
      if (!h) throw new Error(`No handler for ${channel}`);
      return h(trusted, structuredClone(args[0])); // IPC copies arguments by structured clone
    },
    on: () => undefined,
    removeListener: () => undefined,
  };
}

describe('contract conformance', () => {
  it('every method has a schema and exactly one IPC handler, on its own channel', () => {
    expect(METHODS.length).toBeGreaterThan(10);
    for (const m of METHODS) expect(requestSchemas[m], m).toBeDefined();
    const { methods } = createIpcHandlers(deps(null));
    expect(Object.keys(methods).sort()).toEqual([...METHODS].sort());
    const handled: string[] = [];
    const removed: string[] = [];
    const unregister = registerIpc({ handle: (c: string) => void handled.push(c), removeHandler: (c: string) => void removed.push(c) }, deps(null));
    expect(handled.sort()).toEqual([...METHODS.map(methodChannel), DESKTOP_CHANNELS.pickDirectory].sort());
    expect(new Set(handled).size).toBe(handled.length);
    unregister();
    expect(removed.sort()).toEqual(handled.sort());
  });

  it('the preload exposes exactly the contract, volumeUrl and the desktop bridge', () => {
    const bridge = createSpineBridge(wired(deps(null)));
    expect(Object.keys(bridge).sort()).toEqual([...METHODS, 'desktop', 'volumeUrl'].sort());
    expect(Object.keys(bridge.desktop).sort()).toEqual(['onMenuCommand', 'pickDirectory']);
    for (const m of METHODS) expect(typeof bridge[m], m).toBe('function');
    // Type level: the bridge is what the renderer's platform/api.ts expects of window.spine.
    const asWindow: NonNullable<Window['spine']> = bridge;
    const asApi: Api = bridge;
    expect(asWindow && asApi).toBeTruthy();
    expect(bridge.volumeUrl('12_t2', 'mask')).toBe('spine://app/volume/12_t2/mask');
  });

  it('menu commands reach the listener without the IPC event, unknown ones are dropped, unsubscribe works', () => {
    const listeners = new Map<string, (e: unknown, ...a: unknown[]) => void>();
    const ipc: IpcRendererLike = {
      invoke: async () => null,
      on: (c, l) => void listeners.set(c, l),
      removeListener: (c) => void listeners.delete(c),
    };
    const got: MenuCommand[] = [];
    const off = createSpineBridge(ipc).desktop.onMenuCommand((c) => got.push(c));
    const push = listeners.get(DESKTOP_CHANNELS.menuCommand)!;
    for (const c of MENU_COMMANDS) push({ sender: 'secret' }, c);
    push({}, 'rm -rf');
    push({}, { toString: () => 'undo' });
    expect(got).toEqual([...MENU_COMMANDS]);
    off();
    expect(listeners.has(DESKTOP_CHANNELS.menuCommand)).toBe(false);
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

describe('bridge → IPC handlers → a real workstation', () => {
  let dir: string;
  let ws: Workstation;
  let bridge: SpineBridge;
  let ipc: ReturnType<typeof wired>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spine-ipc-'));
    await generateSample({ out: join(dir, 'dataset'), patients: 1, seed: 'ipc' });
    ws = await openWorkstation({ datasetRoot: join(dir, 'dataset'), storeFile: join(dir, 'store.sqlite'), annotator: 'ipc' });
    ipc = wired(deps(ws));
    bridge = createSpineBridge(ipc);
  });
  afterAll(() => {
    ws?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers contract calls as { ok, value } data on the method channels', async () => {
    const ds = await bridge.getDataset({});
    expect(ds).toMatchObject({ ok: true, value: { name: 'dataset', patients: 1 } });
    const series = await bridge.listSeries({});
    expect(series.ok && series.value.length).toBeGreaterThan(0);
    expect(ipc.invoked).toEqual(['api:getDataset', 'api:listSeries']);
  });

  it('returns errors as data: schema rejections and service errors never throw across', async () => {
    const bad = await bridge.openSeries({ seriesId: '../../etc/passwd' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const missing = await bridge.openSeries({ seriesId: '99_t1' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await bridge.desktop.pickDirectory({ title: 'Export to' })).toBe('/picked');
  });

  it('takes commitEdit with its diff as bytes (structured clone), refuses base64 text, and returns the history entry', async () => {
    const seriesId = '1_t1';
    const opened = await bridge.openSeries({ seriesId });
    if (!opened.ok) throw new Error(opened.error.message);
    const mask = await ws.volumeBytes(seriesId, 'mask');
    const after = mask[0] === 1 ? 2 : 1;
    const diff = encodeDiff({ indices: Uint32Array.of(0), before: Uint8Array.of(mask[0]!), after: Uint8Array.of(after) });
    const req = { seriesId, baseRevision: opened.value.revision, tool: 'brush', label: after, description: 'Brush, 1 voxel', diff };
    const text = await (bridge.commitEdit as (r: unknown) => Promise<Result<unknown>>)({ ...req, diff: bytesToBase64(diff) });
    expect(text).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('diff must be bytes') } });
    expect(ws.store.edits.count(seriesId).total).toBe(0);
    const ack = await bridge.commitEdit(req);
    expect(ack).toMatchObject({ ok: true, value: { seq: 1, revision: opened.value.revision + 1, discarded: [], edit: { seq: 1, tool: 'brush', label: after, voxelCount: 1, description: 'Brush, 1 voxel', state: 'active', annotator: 'ipc' } } });
    expect(Buffer.from(ws.store.edits.get(seriesId, 1)!.diff).equals(Buffer.from(diff))).toBe(true);
  });
});
