// e2e fixture: a generated sample dataset in a temp folder, the real web-mode server with a real SQLite store,
// and Debian's Chromium driven by playwright-core. No fake API anywhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureRendererBuilt } from '../../../main/cli/build.js';
import { generateSample, type SampleResult } from '../../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../../main/server/http.js';

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
  close(): Promise<void>;
}

export async function startApp(opts: { patients?: number; seed?: string } = {}): Promise<AppFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'spine-e2e-'));
  const dataset = join(dir, 'dataset');
  const sample = await generateSample({ out: dataset, patients: opts.patients ?? 3, seed: opts.seed ?? 'e2e' });
  const staticDir = await ensureRendererBuilt(() => undefined);
  const ws = await openWorkstation({ datasetRoot: dataset, storeFile: join(dir, 'store.sqlite'), annotator: 'e2e' });
  const server = await startWebServer({ service: ws.service, volumes: ws, staticDir });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const fixture: AppFixture = {
    dir, dataset, sample, ws, server, browser,
    async newPage(viewport = { width: 1400, height: 820 }) {
      const page = await browser.newPage({ viewport });
      page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
      // The fixture's current server: a test may restart it.
      await page.goto(fixture.server.url);
      return page;
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
