// A small, read-only window into the running app for e2e tests and benchmarks (STYLE.md §3.7: a test-only hook
// such as window.__test is fine). Holds references, never copies of volumes.
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

export const exposeTestHooks: { viewer: Viewer | null; lastOpen: OpenTiming | null } = { viewer: null, lastOpen: null };

declare global {
  interface Window {
    __spine?: typeof exposeTestHooks;
  }
}
window.__spine = exposeTestHooks;
