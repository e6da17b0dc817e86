// Electron smoke tests (Playwright _electron): boot the desktop app on a generated sample, paint a stroke, quit,
// start again and find the stroke. They need the Electron binary, which is downloaded from outside the npm
// registry: where node_modules/electron has none, they are skipped and the reason is printed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS } from '../../common/contract.js';
import type { Vec3 } from '../../common/geometry.js';
import { ensureRendererBuilt } from '../../main/cli/build.js';
import { buildDesktop, desktopLaunch, electronBinary, ensureElectronNative } from '../../main/cli/electron.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openFromWorklist } from '../e2e/support/app.js';
import { labelPoint, WorkstationPage } from '../e2e/support/workstationPage.js';

const binary = electronBinary();
const SKIP_REASON = 'no Electron binary in node_modules/electron (it is downloaded from outside the npm registry, which this machine cannot reach)';
if (!binary) console.warn(`tests/electron/smoke.test.ts skipped: ${SKIP_REASON}`);

const SERIES = '1_t1';

describe.skipIf(!binary)(`desktop app smoke (skipped when ${SKIP_REASON})`, () => {
  let dir: string;
  let dataset: string;
  let launchEnv: { args: string[]; env: NodeJS.ProcessEnv };
  let app: ElectronApplication | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spine-electron-'));
    dataset = join(dir, 'dataset');
    await generateSample({ out: dataset, patients: 1, seed: 'smoke' });
    await ensureRendererBuilt(() => undefined);
    await buildDesktop();
    const nativeBinding = await ensureElectronNative(() => undefined);
    const userData = join(dir, 'user-data');
    mkdirSync(userData);
    // The annotator remembered in the user-data folder, as the desktop app stores it.
    writeFileSync(join(userData, 'settings.json'), JSON.stringify({ annotator: 'smoke' }));
    launchEnv = desktopLaunch({ dataset, nativeBinding, env: { SPINE_WS_USER_DATA: userData, SPINE_WS_DATA_DIR: join(dir, 'data') } });
  }, 300_000);
  afterAll(async () => {
    await app?.close().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function launch(): Promise<Page> {
    // Chromium's own sandbox cannot start as root; the renderer stays sandbox: true either way.
    const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    app = await _electron.launch({ executablePath: binary!, args: [...rootArgs, ...launchEnv.args], env: launchEnv.env as Record<string, string> });
    const page = await app.firstWindow();
    await page.waitForSelector(`[data-series="${SERIES}"]`, { timeout: 60_000 });
    await openFromWorklist(page, SERIES);
    return page;
  }

  it('exposes exactly the contract as window.spine, and no Node', async () => {
    const page = await launch();
    const keys = await page.evaluate(() => Object.keys(window.spine ?? {}).sort());
    expect(keys).toEqual([...METHODS, 'desktop', 'volumeUrl'].sort());
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(page.url()).toBe('spine://app/index.html');
    await app!.close();
    app = null;
  }, 180_000);

  it('paints a stroke, quits, starts again and the stroke is there', async () => {
    let page = await launch();
    let ws = new WorkstationPage(page, WorkstationPage.shots('electron'));
    await ws.setOpacity(1);
    await page.locator('select[aria-label="Active label"]').selectOption('208');
    await page.locator('[data-testid="viewer"]').hover();
    await page.keyboard.press('b');
    const p = await labelPoint(join(dataset, 'masks', `${SERIES}.mha`), 3);
    const a: Vec3 = [p[0], p[1] - 25, p[2]];
    const b: Vec3 = [p[0], p[1] - 25, p[2] - 20];
    await ws.setCrosshair(p);
    const [x0, y0] = await ws.toPage('sagittal', a);
    const [x1, y1] = await ws.toPage('sagittal', b);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x1, y1, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('[data-testid="save-state"]')?.textContent?.startsWith('saved'), null, { timeout: 30_000 });
    const painted = await ws.labelVoxels(208);
    expect(painted).toBeGreaterThan(0);
    await app!.close(); // quit: waits for commits in flight before the store closes
    app = null;

    page = await launch();
    ws = new WorkstationPage(page, WorkstationPage.shots('electron'));
    expect(await ws.labelVoxels(208)).toBe(painted);
    const history = await page.evaluate((id) => window.spine!.history({ seriesId: id }), SERIES);
    expect(history.ok && history.value.edits.map((e) => e.annotator)).toEqual(['smoke']);
  }, 300_000);
});
