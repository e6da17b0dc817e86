// The one test-only seam: production code never calls test code. If an e2e test (or a bench) installed
// window.__spineTestHook before the page's scripts ran (tests/e2e/support/testHook.ts, via addInitScript), the
// entry point hands it the app store, read-only, and the menu-command channel; the hook builds window.__spine
// from them. Without that hook nothing is exposed.
import type { MenuCommand } from '../common/commands.js';
import { appStore, menuCommands, type AppState, type OpenTiming } from './state/appStore.js';
import type { ReadonlyStore } from './state/store.js';
import type { Viewer } from './viewer/index.js';

export type { OpenTiming } from './state/appStore.js';

/** What the hook receives. */
export interface TestHookTarget {
  store: ReadonlyStore<AppState>;
  /** Runs a native-menu command as the desktop menu would (web mode has no native menu). */
  menu: (command: MenuCommand) => void;
}

/** What the e2e hook makes of it: window.__spine, read by tests and the viewer bench. */
export interface SpineTestView {
  readonly viewer: Viewer | null;
  readonly lastOpen: OpenTiming | null;
  menu: (command: MenuCommand) => void;
  store: ReadonlyStore<AppState>;
}

declare global {
  /** The workstation version, from package.json (vite define). */
  const __APP_VERSION__: string;
  interface Window {
    __spineTestHook?: (target: TestHookTarget) => void;
    __spine?: SpineTestView;
  }
}

/** Called once by main.tsx: offers the store to a test hook if one was installed, else does nothing. */
export function offerTestHook(): void {
  window.__spineTestHook?.({ store: { get: appStore.get, subscribe: appStore.subscribe }, menu: (c) => menuCommands.emit(c) });
}
