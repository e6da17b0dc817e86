// e2e fixture: a generated sample dataset in a temp folder, the real web-mode server with a real SQLite store,
// and Debian's Chromium driven by playwright-core. No fake API anywhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureRendererBuilt } from '../../../main/cli/build.js';
import { generateSample, type SampleResult } from '../../../main/core/sample/index.js';
import type { AnnotatorMemory } from '../../../main/core/identity.js';
import { openWorkstation, type Workstation, type WorkstationOptions } from '../../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../../main/server/http.js';
import { installTestHook } from './testHook.js';

export { installTestHook } from './testHook.js';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--use-angle=gl-egl', '--ignore-gpu-blocklist',
];

export interface AppFixture {
  dir: string;
  dataset: string;
  sample: SampleResult;
  ws: Workstation;
  server: WebServer;
  browser: Browser;
  /** A new page, already authenticated (the launch URL sets the token cookie). */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Stops the server and closes the workstation, then opens both again on the same dataset, store and options. */
  restart(): Promise<void>;
  /** Stops only the web server (the page's requests are refused); the workstation and its store stay open. */
  stopServer(): Promise<void>;
  /** Starts the web server again on the same port with the same token, so an open page's cookie still works. */
  startServerAgain(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  patients?: number;
  seed?: string;
  /** The launch's annotator (default 'e2e'); null: none given, the remembered one or the UI's question. */
  annotator?: string | null;
  /** Where the chosen annotator is remembered (a settings file). */
  annotatorMemory?: AnnotatorMemory;
  /** Changes the generated dataset before the workstation opens it (e.g. odd CSV rows). */
  prepare?: (dataset: string) => void;
}

/** Workstation options of a fixture launch (and of its restarts). */
function workstationOptions(dir: string, dataset: string, opts: StartOptions = {}): WorkstationOptions {
  const annotator = opts.annotator === undefined ? 'e2e' : opts.annotator;
  return {
    datasetRoot: dataset,
    storeFile: join(dir, 'store.sqlite'),
    ...(annotator === null ? {} : { annotator }),
    ...(opts.annotatorMemory ? { annotatorMemory: opts.annotatorMemory } : {}),
  };
}

export async function startApp(opts: StartOptions = {}): Promise<AppFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'spine-e2e-'));
  const dataset = join(dir, 'dataset');
  const sample = await generateSample({ out: dataset, patients: opts.patients ?? 3, seed: opts.seed ?? 'e2e' });
  opts.prepare?.(dataset);
  const staticDir = await ensureRendererBuilt(() => undefined);
  const ws = await openWorkstation(workstationOptions(dir, dataset, opts));
  const server = await startWebServer({ service: ws.service, volumes: ws, staticDir });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const fixture: AppFixture = {
    dir, dataset, sample, ws, server, browser,
    async newPage(viewport = { width: 1400, height: 820 }) {
      const page = await browser.newPage({ viewport });
      page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
      await installTestHook(page);
      // The fixture's current server: a test may restart it.
      await page.goto(fixture.server.url);
      return page;
    },
    async restart() {
      await fixture.server.close();
      fixture.ws.close();
      fixture.ws = await openWorkstation(workstationOptions(dir, dataset, opts));
      fixture.server = await startWebServer({ service: fixture.ws.service, volumes: fixture.ws, staticDir });
    },
    async stopServer() {
      await fixture.server.close();
    },
    async startServerAgain() {
      const { port, token } = fixture.server;
      fixture.server = await startWebServer({ service: fixture.ws.service, volumes: fixture.ws, staticDir, port, token });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await fixture.server.close();
      fixture.ws.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Opens a series from the worklist by double-click and waits for its first complete render. */
export async function openFromWorklist(page: Page, seriesId: string): Promise<void> {
  await page.locator(`[data-series="${seriesId}"]`).dblclick();
  await page.waitForFunction((id) => window.__spine?.lastOpen?.seriesId === id, seriesId, { timeout: 60_000 });
  await page.evaluate(() => window.__spine?.viewer?.rendered());
}
