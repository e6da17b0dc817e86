// The in-app benches' common set-up: a generated realistic dataset in a temp folder, the real workstation (SQLite
// store) behind the real web server, and Debian Chromium on the app with the test hook (window.__spine). Used by
// bench/view3d, bench/previewFrames and bench/next. close() stops everything and removes the folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureRendererBuilt } from '../../main/cli/build.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';
import { CHROMIUM_ARGS } from '../../tests/e2e/support/app.js';
import { installTestHook } from '../../tests/e2e/support/testHook.js';

export interface BenchAppOptions {
  /** Names the temp folder (spine-bench-<name>-…). */
  name: string;
  /** Patients of the realistic sample (default 1). */
  patients?: number;
  /** Sample seed (default 'bench'). */
  seed?: string;
  /** Main's series cache size (the workstation's default when absent). */
  cacheSeries?: number;
  /** Runs after the workstation opened and before the page loads (e.g. marking series done). */
  prepare?: (ws: Workstation) => Promise<void>;
  viewport?: { width: number; height: number };
}

export interface BenchApp {
  dir: string;
  /** The dataset root (images/, masks/, …). */
  root: string;
  ws: Workstation;
  server: WebServer;
  browser: Browser;
  /** The app, loaded, with the test hook installed; page errors are printed. */
  page: Page;
  /** Closes the browser, server and workstation and removes the temp folder; safe to call twice. */
  close(): Promise<void>;
}

export async function startBenchApp(opts: BenchAppOptions): Promise<BenchApp> {
  const dir = mkdtempSync(join(tmpdir(), `spine-bench-${opts.name}-`));
  const root = join(dir, 'dataset');
  const stops: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (e) {
        console.error(`bench clean-up: ${(e as Error).message}`);
      }
    }
  };
  try {
    console.log(`generating a realistic dataset (${opts.patients ?? 1} patient(s)) …`);
    await generateSample({ out: root, patients: opts.patients ?? 1, profile: 'realistic', seed: opts.seed ?? 'bench' });
    const staticDir = await ensureRendererBuilt();
    const ws = await openWorkstation({
      datasetRoot: root, storeFile: join(dir, 'store.sqlite'), annotator: 'bench',
      ...(opts.cacheSeries === undefined ? {} : { cacheSeries: opts.cacheSeries }),
    });
    stops.push(() => ws.close());
    await opts.prepare?.(ws);
    const server = await startWebServer({ service: ws.service, volumes: ws, staticDir });
    stops.push(() => server.close());
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    stops.push(() => browser.close());
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1600, height: 900 } });
    page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
    await installTestHook(page);
    await page.goto(server.url);
    return { dir, root, ws, server, browser, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Double-clicks `seriesId` in the worklist and waits until the page has opened it (its first complete render). */
export async function openByDoubleClick(page: Page, seriesId: string): Promise<void> {
  await page.waitForSelector(`[data-series="${seriesId}"]`);
  await page.locator(`[data-series="${seriesId}"]`).dblclick();
  await page.waitForFunction((id) => window.__spine?.lastOpen?.seriesId === id, seriesId, { timeout: 120_000 });
}
