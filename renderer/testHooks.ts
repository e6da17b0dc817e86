// A small, read-only window into the running app for e2e tests and benchmarks (STYLE.md §3.7: a test-only hook
// such as window.__test is fine). Holds references, never copies of volumes.
import type { MenuCommand } from '../common/desktop.js';
import type { Viewer } from './viewer/index.js';

export interface OpenTiming {
  seriesId: string;
  /** openSeries call: file read + decode in main, plus the JSON round trip. */
  openMs: number;
  /** Raw-byte transfer of image and labels. */
  transferMs: number;
  /** From volumes in hand to the first complete render. */
  firstRenderMs: number;
  totalMs: number;
}

export const exposeTestHooks: {
  viewer: Viewer | null;
  lastOpen: OpenTiming | null;
  /** Runs a native-menu command as the desktop menu would (web mode has no native menu). */
  menu: ((command: MenuCommand) => void) | null;
} = { viewer: null, lastOpen: null, menu: null };

declare global {
  /** The workstation version, from package.json (vite define). */
  const __APP_VERSION__: string;
  interface Window {
    __spine?: typeof exposeTestHooks;
  }
}
window.__spine = exposeTestHooks;
