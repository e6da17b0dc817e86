// Boot of the real Electron main process (main/electron/main.ts) against a recording stand-in for the `electron`
// module, where the binary is missing: the startup sequence itself — privileged scheme, single-instance lock,
// permission handlers, spine:// handler, IPC handlers for every method, the workstation opened on --dataset, the
// window's security preferences and URL, hardening of every web contents, remembered state, and a quit that
// closes the store. What only the real binary can show (rendering, the sandboxed preload) is in smoke.test.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METHODS } from '../../common/contract.js';
import { DESKTOP_CHANNELS, methodChannel, SPINE_INDEX_URL, SPINE_SCHEME } from '../../common/desktop.js';
import type { Result } from '../../common/errors.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openStore } from '../../main/core/store/index.js';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Listener[]>();
  const emitter = {
    on(name: string, fn: Listener) {
      listeners.set(name, [...(listeners.get(name) ?? []), fn]);
      return emitter;
    },
    emit(name: string, ...args: unknown[]) {
      for (const fn of listeners.get(name) ?? []) fn(...args);
    },
  };
  const state = {
    userData: '',
    appPath: '',
    schemes: [] as unknown[],
    handles: new Map<string, Listener>(),
    protocolHandler: null as null | ((req: Request) => Promise<Response>),
    permissionRequest: null as null | Listener,
    permissionCheck: null as null | Listener,
    windows: [] as { options: Record<string, unknown>; url: string | null; webContents: { id: number } }[],
    quits: 0,
    exits: [] as number[],
    menus: 0,
    errors: [] as string[],
    ready: null as null | Promise<void>,
  };
  let nextId = 41;
  class BrowserWindow {
    options: Record<string, unknown>;
    url: string | null = null;
    webContents = { id: nextId++, send: () => undefined, reload: () => undefined, isDestroyed: () => false };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      state.windows.push(this);
    }
    loadURL(url: string) {
      this.url = url;
      return Promise.resolve();
    }
    once() {}
    on() {}
    maximize() {}
    isDestroyed() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 1200, height: 800 };
    }
    isMaximized() {
      return false;
    }
  }
  const app = Object.assign(emitter, {
    isPackaged: false,
    requestSingleInstanceLock: () => true,
    getPath: () => state.userData,
    setPath: () => undefined,
    getAppPath: () => state.appPath,
    getName: () => 'Spine Workstation',
    getVersion: () => '0.0.0-boot-test',
    whenReady: () => (state.ready ??= Promise.resolve()),
    quit: () => {
      state.quits++;
      emitter.emit('before-quit', { preventDefault: () => undefined });
    },
    exit: (code: number) => void state.exits.push(code),
  });
  const electron = {
    app,
    BrowserWindow,
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => void state.schemes.push(...s) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Listener) => void (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Listener) => void (state.permissionCheck = fn),
        protocol: { handle: (_scheme: string, fn: (req: Request) => Promise<Response>) => void (state.protocolHandler = fn) },
      },
    },
    ipcMain: { handle: (channel: string, fn: Listener) => void state.handles.set(channel, fn) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => void state.menus++ },
    dialog: {
      showErrorBox: (title: string, text: string) => void state.errors.push(`${title}: ${text}`),
      showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
    },
    screen: { getAllDisplays: () => [] },
  };
  return { state, electron, emitter };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

let dir: string;
let dataset: string;
const argv = process.argv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-boot-'));
  dataset = join(dir, 'dataset');
  await generateSample({ out: dataset, patients: 1, seed: 'boot' });
  fake.state.userData = join(dir, 'userData');
  fake.state.appPath = join(import.meta.dirname, '../..');
  process.env.SPINE_WS_DATA_DIR = join(dir, 'data'); // the store of the dataset goes here, never into the dataset
  process.argv = [...argv, `--dataset=${dataset}`];
  await import('../../main/electron/main.js');
  await fake.state.ready;
  await vi.waitFor(() => expect(fake.state.windows[0]?.url).toBe(SPINE_INDEX_URL), { timeout: 20_000 });
}, 60_000);

afterAll(() => {
  process.argv = argv;
  delete process.env.SPINE_WS_DATA_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const trusted = () => ({ sender: { id: fake.state.windows[0]!.webContents.id }, senderFrame: { url: SPINE_INDEX_URL } });

describe('Electron main process boot (recording stand-in for electron)', () => {
  it('registers spine:// as a privileged scheme and denies every permission', () => {
    expect(fake.state.schemes).toEqual([expect.objectContaining({ scheme: SPINE_SCHEME })]);
    const answers: boolean[] = [];
    fake.state.permissionRequest!(null, 'media', (ok: boolean) => answers.push(ok));
    expect(answers).toEqual([false]);
    expect(fake.state.permissionCheck!()).toBe(false);
    expect(fake.state.errors).toEqual([]);
  });

  it('opens one window with the secure preferences and the app URL', () => {
    expect(fake.state.windows).toHaveLength(1);
    const prefs = fake.state.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String(prefs.preload)).toMatch(/out[/\\]preload[/\\]index\.cjs$/);
  });

  it('answers every contract method over IPC from the window, on the dataset given by --dataset', async () => {
    for (const m of METHODS) expect(fake.state.handles.has(methodChannel(m)), m).toBe(true);
    expect(fake.state.handles.has(DESKTOP_CHANNELS.pickDirectory)).toBe(true);
    const getDataset = fake.state.handles.get(methodChannel('getDataset'))!;
    const res = (await getDataset(trusted(), {})) as Result<{ name: string; series: number }>;
    expect(res).toMatchObject({ ok: true, value: { name: 'dataset' } });
    // Another sender (a frame from elsewhere) is refused as data.
    const other = (await getDataset({ sender: { id: 999 }, senderFrame: { url: 'https://example.com/' } }, {})) as Result<unknown>;
    expect(other.ok).toBe(false);
  });

  it('serves the built renderer with its CSP over spine://', async () => {
    const res = await fake.state.protocolHandler!(new Request(SPINE_INDEX_URL));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<div id="root">');
    const escape = await fake.state.protocolHandler!(new Request('spine://app/..%2F..%2Fpackage.json'));
    expect(escape.status).toBeGreaterThanOrEqual(400);
  });

  it('hardens every web contents: no navigation away, no new windows, no webviews', () => {
    const on = new Map<string, Listener>();
    let openHandler: Listener | null = null;
    fake.emitter.emit('web-contents-created', {}, {
      on: (name: string, fn: Listener) => void on.set(name, fn),
      setWindowOpenHandler: (fn: Listener) => void (openHandler = fn),
    });
    const prevented = (event: string, url?: string): boolean => {
      let p = false;
      on.get(event)!({ preventDefault: () => void (p = true) }, url);
      return p;
    };
    expect(prevented('will-navigate', 'https://example.com/')).toBe(true);
    expect(prevented('will-navigate', 'spine://app/index.html')).toBe(false);
    expect(prevented('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('remembers the dataset, and quitting closes the store (its writer lock is free again)', async () => {
    const state = JSON.parse(readFileSync(join(fake.state.userData, 'desktop-state.json'), 'utf8')) as { recentDatasets: string[] };
    expect(state.recentDatasets[0]).toContain('dataset');
    expect(fake.state.menus).toBeGreaterThan(0);
    const stores = join(process.env.SPINE_WS_DATA_DIR!, 'stores');
    expect(existsSync(stores)).toBe(true);
    fake.state.quits = 0;
    fake.emitter.emit('before-quit', { preventDefault: () => undefined });
    await vi.waitFor(() => expect(fake.state.quits).toBe(1), { timeout: 10_000 });
    // The store is closed: a writer can open it (a held lock would refuse with db_locked).
    const { readdirSync } = await import('node:fs');
    const file = readdirSync(stores).find((f) => f.endsWith('.sqlite'))!;
    const store = openStore(join(stores, file));
    store.close();
  });
});
