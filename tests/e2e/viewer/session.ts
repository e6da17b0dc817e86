// Test session for the viewer harness: builds renderer/viewer/harness with vite's JS API into a temp folder, serves
// it on 127.0.0.1 (random port), drives Debian's Chromium with playwright-core, and wraps the page in a small page
// object (pixels, view rectangles, world → display) for the e2e specs.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import type { Vec3 } from '../../../common/geometry.js';
import type { Group } from '../../../renderer/viewer/harness/phantom.js';
import type { LabelDisplay, PointerMode, ToolPointerEvent, ViewId } from '../../../renderer/viewer/index.js';
import { decodePng, type Pixels, type Rect } from './png.js';
import { CHROMIUM_ARGS } from '../support/app.js';

const REPO = resolve(import.meta.dirname, '../../..');
export const RESULTS_DIR = join(REPO, 'test-results', 'viewer');


const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export interface HarnessSession {
  browser: Browser;
  baseUrl: string;
  close(): Promise<void>;
}

function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

export async function startHarness(): Promise<HarnessSession> {
  const outDir = mkdtempSync(join(tmpdir(), 'viewer-harness-'));
  await build({
    configFile: join(REPO, 'renderer/viewer/harness/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  const server = await serve(outDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  mkdirSync(RESULTS_DIR, { recursive: true });
  return {
    browser,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Page object over the harness page of one orientation group. */
export class ViewerPage {
  readonly errors: string[] = [];

  private constructor(
    readonly page: Page,
    readonly group: Group,
  ) {
    page.on('pageerror', (e) => this.errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('favicon') && !m.text().includes('404')) this.errors.push(m.text());
    });
  }

  /** Opens the harness for a group with labels fully opaque and the crosshair on `world` (e.g. the L5 block). */
  static async openAt(session: HarnessSession, group: Group, world: Vec3): Promise<ViewerPage> {
    const vp = await ViewerPage.open(session, group);
    await vp.setLabelDisplay({ opacity: 1, mode: 'fill' });
    await vp.setCrosshair(world);
    return vp;
  }

  static async open(session: HarnessSession, group: Group): Promise<ViewerPage> {
    const page = await session.browser.newPage({ viewport: { width: 1200, height: 460 }, deviceScaleFactor: 1 });
    const vp = new ViewerPage(page, group);
    // Counts bytes handed to WebGL texture uploads, to check what an edit re-uploads, and live textures (created
    // minus deleted), to check that what a layer allocates is given back.
    await page.addInitScript(() => {
      const w = window as unknown as { __uploadedBytes: number; __liveTextures: number };
      w.__uploadedBytes = 0;
      w.__liveTextures = 0;
      const proto = WebGL2RenderingContext.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
      const createTexture = proto['createTexture']!;
      const deleteTexture = proto['deleteTexture']!;
      proto['createTexture'] = function (this: unknown, ...args: unknown[]) {
        const texture = createTexture.apply(this, args);
        if (texture) w.__liveTextures++;
        return texture;
      };
      proto['deleteTexture'] = function (this: unknown, ...args: unknown[]) {
        if (args[0]) w.__liveTextures--;
        return deleteTexture.apply(this, args);
      };
      for (const name of ['texImage2D', 'texSubImage2D', 'texImage3D', 'texSubImage3D']) {
        const original = proto[name]!;
        proto[name] = function (this: unknown, ...args: unknown[]) {
          for (const a of args) if (ArrayBuffer.isView(a)) w.__uploadedBytes += a.byteLength;
          return original.apply(this, args);
        };
      }
    });
    await page.goto(`${session.baseUrl}/?group=${group}`);
    await page.waitForFunction(() => window.__viewer !== undefined);
    await vp.settle();
    return vp;
  }

  /** Waits for the viewer's render-settled signal (never a fixed timeout). */
  async settle(): Promise<void> {
    await this.page.evaluate(() => window.__viewer!.rendered());
  }

  async setLabelDisplay(d: { opacity: number; mode: LabelDisplay['mode']; hidden?: number[]; allHidden?: boolean }): Promise<void> {
    await this.page.evaluate(
      (x) => window.__viewer!.setLabelDisplay({ ...x, hidden: new Set(x.hidden ?? []), allHidden: x.allHidden ?? false }),
      d,
    );
    await this.settle();
  }

  async setCrosshair(world: Vec3): Promise<void> {
    await this.page.evaluate((w) => window.__viewer!.setCrosshair(w), world);
    await this.settle();
  }

  async crosshair(): Promise<Vec3> {
    return this.page.evaluate(() => window.__viewer!.getCrosshair());
  }

  /** Screenshot of the viewer container, saved under test-results/viewer/, decoded to RGBA. */
  async shot(name: string): Promise<Pixels> {
    await this.settle();
    const png = await this.page.locator('#viewer').screenshot({ path: join(RESULTS_DIR, `${this.group}-${name}.png`) });
    return decodePng(png);
  }

  /** A view cell's rectangle in container pixels. */
  async viewRect(view: ViewId): Promise<Rect> {
    return this.page.evaluate((v) => {
      const c = document.getElementById('viewer')!.getBoundingClientRect();
      const r = document.querySelector(`[data-view="${v}"]`)!.getBoundingClientRect();
      return { x: r.left - c.left, y: r.top - c.top, width: r.width, height: r.height };
    }, view);
  }

  /** Container pixel of a world point in a view (throws when not visible). */
  async toDisplay(view: ViewId, world: Vec3): Promise<[number, number]> {
    const xy = await this.page.evaluate(([v, w]) => window.__viewer!.worldToDisplay(v, w), [view, world] as const);
    if (!xy) throw new Error(`${world.join(',')} is not visible in the ${view} view`);
    return xy;
  }

  /** Page coordinates of a world point in a view, for page.mouse. */
  async toPage(view: ViewId, world: Vec3): Promise<[number, number]> {
    const box = await this.page.locator('#viewer').boundingBox();
    const [x, y] = await this.toDisplay(view, world);
    return [box!.x + x, box!.y + y];
  }

  /** Bytes passed to WebGL texture uploads since the page loaded. */
  async uploadedBytes(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __uploadedBytes: number }).__uploadedBytes);
  }

  /** WebGL textures created and not yet deleted. */
  async liveTextures(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as { __liveTextures: number }).__liveTextures);
  }

  async setPointerMode(mode: PointerMode): Promise<void> {
    await this.page.evaluate((m) => window.__viewer!.setPointerMode(m), mode);
  }

  /** From now on, tool pointer events are collected in the page (read them with takeToolEvents). */
  async recordToolEvents(): Promise<void> {
    await this.page.evaluate(() => {
      const w = window as unknown as { __toolEvents: ToolPointerEvent[] };
      w.__toolEvents = [];
      window.__viewer!.onToolPointer((e) => w.__toolEvents.push(e));
    });
  }

  /** Tool pointer events collected since the last call. */
  async takeToolEvents(): Promise<ToolPointerEvent[]> {
    return this.page.evaluate(() => (window as unknown as { __toolEvents: ToolPointerEvent[] }).__toolEvents.splice(0));
  }

  /** A left drag from one page position to another through `steps` pointer moves (modifiers held throughout). */
  async drag(
    from: readonly [number, number],
    to: readonly [number, number],
    opts: { steps?: number; button?: 'left' | 'middle' | 'right'; modifiers?: string[] } = {},
  ): Promise<void> {
    const mouse = this.page.mouse;
    for (const key of opts.modifiers ?? []) await this.page.keyboard.down(key);
    await mouse.move(from[0], from[1]);
    await mouse.down({ button: opts.button ?? 'left' });
    await mouse.move(to[0], to[1], { steps: opts.steps ?? 8 });
    await mouse.up({ button: opts.button ?? 'left' });
    for (const key of opts.modifiers ?? []) await this.page.keyboard.up(key);
    await this.settle();
  }

  async letters(view: ViewId): Promise<Record<string, string>> {
    return this.page.evaluate((v) => {
      const out: Record<string, string> = {};
      for (const el of document.querySelectorAll<HTMLElement>(`[data-viewer-overlay="${v}"] [data-edge]`)) {
        out[el.dataset['edge']!] = el.textContent ?? '';
      }
      return out;
    }, view);
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
