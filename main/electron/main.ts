// Entry of the desktop app's main process (bundled by main/cli/electron.ts to out/main/electron/index.mjs).
// Lifecycle, the one window, menus and dialogs; the work happens in main/core, the checks in ipc.ts,
// protocol.ts and security.ts. Launched as `electron <project> --dataset=DIR` by `spine-ws start`, or packaged.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, type WebContents } from 'electron';
import { DESKTOP_CHANNELS, electronNativeFileName, SPINE_INDEX_URL, SPINE_SCHEME, type MenuCommand } from '../../common/desktop.js';
import { AppError } from '../../common/errors.js';
import { fileAnnotatorMemory } from '../core/identity.js';
import { bundledSamplePath } from '../core/paths.js';
import { generateSample } from '../core/sample/index.js';
import { openWorkstation } from '../core/workstation.js';
import { createWorkstationHost } from './host.js';
import { registerIpc } from './ipc.js';
import { buildMenuTemplate } from './menu.js';
import { createSpineHandler } from './protocol.js';
import { isAppUrl } from './security.js';
import { annotatorFile, desktopStateFile, loadDesktopState, saveDesktopState, visibleBounds, withRecent, type DesktopState } from './state.js';

const log = (line: string): void => void process.stderr.write(`spine-ws desktop: ${line}\n`);

// Must happen before 'ready': spine:// behaves like https (standard, secure origin, fetch allowed).
protocol.registerSchemesAsPrivileged([
  { scheme: SPINE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

// Tests and `spine-ws start` may isolate the user-data folder (recent datasets, window, annotator).
if (process.env.SPINE_WS_USER_DATA) app.setPath('userData', process.env.SPINE_WS_USER_DATA);

/** --dataset=DIR from the command line (spine-ws start, tests); later arguments win. */
export function datasetArgument(argv: readonly string[]): string | null {
  let found: string | null = null;
  for (const a of argv) if (a.startsWith('--dataset=') && a.length > 10) found = a.slice(10);
  return found;
}

/** The better-sqlite3 addon for this Electron's ABI: given by the launcher, or shipped beside the asar. */
function nativeBinding(): string | undefined {
  if (process.env.SPINE_WS_NATIVE_BINDING) return process.env.SPINE_WS_NATIVE_BINDING;
  const name = electronNativeFileName(process.versions.modules, process.platform, process.arch);
  const candidates = app.isPackaged
    ? [join(process.resourcesPath, 'native', name)]
    : [join(app.getAppPath(), 'out', 'native', name)];
  return candidates.find((c) => existsSync(c));
}

function describe(err: unknown): string {
  if (err instanceof AppError) return `${err.message} (${err.code})`;
  log(String(err instanceof Error ? err.stack : err));
  return err instanceof Error && /NODE_MODULE_VERSION|better_sqlite3/.test(err.message)
    ? 'The annotation store module was not built for this Electron version: run `npm start` once (it rebuilds it) or reinstall the app.'
    : 'Unexpected error (details in the log)';
}

function hardenContents(contents: WebContents): void {
  // Navigation stays inside the app; no new windows, no webviews, no redirects elsewhere.
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const userData = app.getPath('userData');
  const stateFile = desktopStateFile(userData);
  let state: DesktopState = loadDesktopState(stateFile);
  const remember = (next: DesktopState): void => {
    state = next;
    try {
      saveDesktopState(stateFile, state);
    } catch (err) {
      log(`cannot save ${stateFile}: ${String(err)}`);
    }
  };
  const binding = nativeBinding();
  const host = createWorkstationHost((datasetRoot) =>
    openWorkstation({
      datasetRoot,
      annotatorMemory: fileAnnotatorMemory(annotatorFile(userData)),
      appVersion: app.getVersion(),
      ...(binding ? { nativeBinding: binding } : {}),
      log,
    }),
  );
  let win: BrowserWindow | null = null;
  let closing = false;
  let closed = false;

  app.on('web-contents-created', (_e, contents) => hardenContents(contents));
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  const send = (command: MenuCommand): void => win?.webContents.send(DESKTOP_CHANNELS.menuCommand, command);
  const refreshMenu = (): void => {
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({
      appName: app.getName(),
      isMac: process.platform === 'darwin',
      recent: state.recentDatasets,
      openDataset: () => void pickAndOpen(),
      openRecent: (p) => void switchTo(p),
      clearRecent: () => {
        remember({ ...state, recentDatasets: [] });
        refreshMenu();
      },
      send,
    })));
  };

  const switchTo = async (datasetRoot: string): Promise<boolean> => {
    try {
      const { ws, changed } = await host.open(datasetRoot);
      remember({ ...state, recentDatasets: withRecent(state.recentDatasets, ws.index.root) });
      refreshMenu();
      if (changed && win) win.webContents.reload();
      return true;
    } catch (err) {
      dialog.showErrorBox('Cannot open the dataset', `${datasetRoot}\n\n${describe(err)}`);
      return false;
    }
  };
  const pickDirectory = async (title: string): Promise<string | null> => {
    const opts = { title, properties: ['openDirectory' as const, 'createDirectory' as const] };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  };
  const pickAndOpen = async (): Promise<void> => {
    const dir = await pickDirectory('Open Dataset');
    if (dir) await switchTo(dir);
  };

  registerIpc(ipcMain, {
    service: () => host.service(),
    windowId: () => (win && !win.isDestroyed() ? win.webContents.id : null),
    track: (work) => host.track(work),
    pickDirectory,
    log,
  });

  // Quitting waits for IPC calls in flight and the store's background work, then closes the store.
  app.on('before-quit', (e) => {
    if (closed) return;
    e.preventDefault();
    if (closing) return;
    closing = true;
    host.close()
      .catch((err: unknown) => log(`closing the store: ${String(err)}`))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
  app.on('window-all-closed', () => app.quit());

  const initialDataset = async (): Promise<string> => {
    const arg = datasetArgument(process.argv);
    if (arg) return arg;
    const recent = state.recentDatasets.find((p) => existsSync(p));
    if (recent) return recent;
    const sample = bundledSamplePath();
    if (!existsSync(sample)) await generateSample({ out: sample, profile: 'tiny', seed: 'bundled' });
    return sample;
  };

  const createWindow = (): BrowserWindow => {
    const bounds = visibleBounds(state.window, screen.getAllDisplays().map((d) => d.workArea));
    const w = new BrowserWindow({
      ...(bounds ? { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height } : { width: 1440, height: 900 }),
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'Spine Workstation',
      backgroundColor: '#111418',
      // Written out here, not built by a helper, so that the electronegativity scan of the bundle can see them.
      webPreferences: {
        // electronegativity PRELOAD_JS_CHECK ("review the use of preload scripts", medium) accepted: the preload
        // runs sandboxed and context-isolated, requires only 'electron' and exposes exactly the contract's methods
        // plus volumeUrl and the desktop bridge (tests/electron/contract.test.ts); main checks every call.
        preload: join(app.getAppPath(), 'out', 'preload', 'index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        // Middle-click on a link would ask for a new window (denied anyway); the viewers use the button, not auxclick.
        disableBlinkFeatures: 'Auxclick',
        spellcheck: false,
      },
    });
    if (bounds?.maximized) w.maximize();
    w.once('ready-to-show', () => w.show());
    w.on('close', () => {
      const b = w.getNormalBounds();
      remember({ ...state, window: { x: b.x, y: b.y, width: b.width, height: b.height, maximized: w.isMaximized() } });
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    return w;
  };

  void app.whenReady().then(async () => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    ses.setPermissionCheckHandler(() => false);
    ses.protocol.handle(SPINE_SCHEME, createSpineHandler({
      rendererDir: join(app.getAppPath(), 'dist', 'renderer'),
      volumes: () => host.current(),
      log,
    }));
    refreshMenu();
    let opened = await switchTo(await initialDataset());
    if (!opened) {
      const sample = bundledSamplePath();
      if (!existsSync(sample)) await generateSample({ out: sample, profile: 'tiny', seed: 'bundled' });
      opened = await switchTo(sample);
    }
    if (!opened) {
      app.quit();
      return;
    }
    win = createWindow();
    await win.loadURL(SPINE_INDEX_URL);
  }).catch((err: unknown) => {
    dialog.showErrorBox('Spine Workstation could not start', describe(err));
    app.exit(1);
  });
}

main();
