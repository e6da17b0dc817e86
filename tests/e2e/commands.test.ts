// The command registry in the real app (issue 12): every command with a key does what it says when that key is
// pressed in its context, and the `?` overlay lists every command once per context, in sections, inside a
// 1366×768 window. Real server, real SQLite store, Debian Chromium.
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKey } from '../../common/commands.js';
import type { Vec3 } from '../../common/geometry.js';
import { COMMANDS, CONTEXTS, formatKey, type Command } from '../../renderer/commands.js';
import type { LayoutKind } from '../../renderer/viewer/index.js';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

const SERIES = '1_t1';
let app: AppFixture;
let page: Page;
let ws: WorkstationPage;

beforeAll(async () => {
  app = await startApp();
  page = await app.newPage({ width: 1366, height: 768 });
  ws = new WorkstationPage(page, WorkstationPage.shots('commands'));
  await page.waitForSelector(`[data-series="${SERIES}"]`);
  await openFromWorklist(page, SERIES);
}, 180_000);
afterAll(async () => {
  await app?.close();
});

/** A registry key as Playwright presses it ('Mod+Shift+z' → 'Control+Shift+z'). */
function playwrightKey(spec: string): string {
  const k = parseKey(spec);
  return [k.mod ? 'Control' : '', k.shift ? 'Shift' : '', k.key].filter(Boolean).join('+');
}

const press = (spec: string): Promise<void> => page.keyboard.press(playwrightKey(spec));
const text = async (selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? '';
const hasClass = async (selector: string, cls: string): Promise<boolean> => ((await page.locator(selector).first().getAttribute('class')) ?? '').split(' ').includes(cls);
const status = (): Promise<string> => text('[data-testid="statusbar"]');
const openSeries = (): Promise<string> => text('[data-testid="open-series"]');
const radius = async (): Promise<number> => parseFloat(await text('.tool-bar .num'));
const activeLabel = (): Promise<string> => page.locator('select[aria-label="Active label"]').inputValue();
const crosshair = (): Promise<Vec3> => page.evaluate(() => window.__spine!.viewer!.getCrosshair());
const inDock = (): Promise<boolean> => page.evaluate(() => document.activeElement?.closest('[data-testid="grading-panel"]') != null);

/** Keys go to the window, with the pointer over the sagittal view. */
async function viewerContext(): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const [x, y] = await ws.toPage('sagittal', await crosshair());
  await page.mouse.move(x + 5, y + 5);
}

/** The grading dock focused with an editable level selected (the second row: cranial levels are segmented). */
async function gradingContext(): Promise<void> {
  if (await inDock()) return;
  await page.locator('[data-testid="grading-panel"] tr[data-level] td.level-name').nth(1).click();
  await expect.poll(inDock).toBe(true);
}
const selected = () => page.locator('[data-testid="grading-panel"] tr.selected');
const selectedLevel = async (): Promise<number> => Number(await selected().getAttribute('data-level'));
const selectedCell = async (field: string): Promise<string> => (await selected().locator(`td[data-field="${field}"]`).textContent()) ?? '';
const gradingSaved = (): Promise<void> => expect.poll(() => text('[data-testid="grading-save"]'), { timeout: 20_000 }).toMatch(/^saved/);

type Effect = (key: string) => Promise<void>;

/** Presses a key of a grading toggle and checks the selected level's cell flips. */
const toggles = (field: string): Effect => async (key) => {
  const before = await selectedCell(field);
  await press(key);
  await expect.poll(() => selectedCell(field), { timeout: 20_000 }).not.toBe(before);
  await gradingSaved();
};

/** What each keyed command visibly does; `key` is one of its registry keys, pressed in its context. */
const effects: Record<string, Effect> = {
  ...Object.fromEntries(
    COMMANDS.filter((c) => c.tool).map((c): [string, Effect] => [c.id, async (key) => {
      await press(key);
      await expect.poll(() => hasClass(`[data-tool="${c.tool}"]`, 'on')).toBe(true);
    }]),
  ),
  'navigate': async (key) => {
    await press('b');
    await press(key);
    await expect.poll(() => hasClass('[aria-label="Tools"] button', 'on')).toBe(true);
  },
  // A previewed grow of the active label: Enter keeps it (one more active journal entry), undone again afterwards.
  'preview-accept': async (key) => {
    const active = (): number => app.ws.store.edits.count(SERIES).active;
    await page.locator('select[aria-label="Shape operation"]').selectOption('grow');
    await page.locator('input[aria-label="Shape radius (mm)"]').fill('3');
    await page.locator('[data-testid="shape-preview"]').click();
    await page.locator('[data-testid="op-preview"]').waitFor({ timeout: 40_000 });
    const before = active();
    await viewerContext();
    await press(key);
    await expect.poll(() => page.locator('[data-testid="op-preview"]').count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(active, { timeout: 20_000 }).toBe(before + 1);
    await press('Mod+z');
    await expect.poll(active, { timeout: 20_000 }).toBe(before);
  },
  // The level check above the dock: 1_t1's naming is right, so the key shifts nothing and says so.
  'level-shift': async (key) => {
    const before = app.ws.store.edits.count(SERIES).active;
    await press(key);
    await expect.poll(status, { timeout: 20_000 }).toMatch(/Level naming/); // after the pointer readout, when the pointer is over a view
    expect(app.ws.store.edits.count(SERIES).active).toBe(before);
  },
  'brush-smaller': async (key) => {
    const r = await radius();
    await press(key);
    await expect.poll(radius).toBe(r - 0.5);
  },
  'brush-larger': async (key) => {
    const r = await radius();
    await press(key);
    await expect.poll(radius).toBe(r + 0.5);
  },
  'label-next': async (key) => {
    const v = await activeLabel();
    await press(key);
    await expect.poll(activeLabel).not.toBe(v);
  },
  // Over the sagittal view: the range is centred on the intensity under the pointer (threshold brush chosen).
  'threshold-sample': async (key) => {
    await press(key);
    await expect.poll(status).toContain('Threshold sampled at');
    expect(await hasClass('[data-tool="threshold"]', 'on')).toBe(true);
  },
  'label-previous': async (key) => {
    await press('.');
    const v = await activeLabel();
    await press(key);
    await expect.poll(activeLabel).not.toBe(v);
  },
  // Nothing edited in this file: the journal answers, and the status bar says so.
  'undo': async (key) => {
    await press('Mod+Shift+z');
    await expect.poll(status).toContain('Nothing to redo');
    await press(key);
    await expect.poll(status).toContain('Nothing to undo');
  },
  'redo': async (key) => {
    await press('Mod+z');
    await expect.poll(status).toContain('Nothing to undo');
    await press(key);
    await expect.poll(status).toContain('Nothing to redo');
  },
  'slice-next': async (key) => {
    const before = await crosshair();
    await press(key);
    await expect.poll(crosshair).not.toEqual(before);
  },
  'slice-previous': async (key) => {
    const before = await crosshair();
    await press(key);
    await expect.poll(crosshair).not.toEqual(before);
  },
  'auto-window': async (key) => {
    await page.evaluate(() => window.__spine!.viewer!.setWindowLevel(1, 0));
    await press(key);
    await expect.poll(() => page.evaluate(() => window.__spine!.viewer!.getWindowLevel())).not.toEqual({ window: 1, level: 0 });
  },
  'reset-view': async (key) => {
    const point = await crosshair();
    const at = async (): Promise<number[]> => (await ws.toPage('sagittal', point)).map((v) => Math.round(v));
    const before = await at();
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -400);
    await page.keyboard.up('Control');
    await expect.poll(at).not.toEqual(before);
    await press(key);
    await expect.poll(at).toEqual(before);
  },
  'layout-maximise': async (key) => {
    await press(key);
    await expect.poll(() => page.locator('[data-viewer-root]').getAttribute('data-maximised')).toBe('sagittal');
    await press(key);
    await expect.poll(() => page.locator('[data-viewer-root]').getAttribute('data-maximised')).toBeNull();
  },
  // The grading layout (tests/e2e/gradingLayout.test.ts checks it in depth): G shows and hides it; ← / → / Home step.
  'grading-layout': async (key) => {
    await press(key);
    await page.locator('[data-testid="grading-layout"]').waitFor();
    await press(key);
    await expect.poll(() => page.locator('[data-testid="grading-layout"]').count()).toBe(0);
  },
  ...Object.fromEntries((['grading-mid-previous', 'grading-mid-next', 'grading-mid'] as const).map((id): [string, Effect] => [id, async (key) => {
    const offset = (): Promise<string> => text('[data-testid="mid-offset"]');
    await press('G');
    await expect.poll(offset, { timeout: 20_000 }).toBe('mid');
    if (id === 'grading-mid') {
      await press('ArrowRight');
      await expect.poll(offset).toBe('mid +1');
    }
    await press(key);
    await expect.poll(offset).toBe({ 'grading-mid-previous': 'mid −1', 'grading-mid-next': 'mid +1', 'grading-mid': 'mid' }[id]);
    await press('G');
    await expect.poll(() => page.locator('[data-testid="grading-layout"]').count()).toBe(0);
  }])),
  ...Object.fromEntries((['layout-grid', 'layout-three', 'layout-large'] as const).map((id): [string, Effect] => [id, async (key) => {
    const kind = ({ 'layout-grid': '2x2', 'layout-three': '1x3', 'layout-large': '1+2' } as const)[id];
    const other: LayoutKind = kind === '1x3' ? '2x2' : '1x3';
    await page.evaluate((k) => window.__spine!.viewer!.setLayout({ kind: k }), other);
    await expect.poll(() => hasClass(`[aria-label="Layout"] button[data-layout="${kind}"]`, 'on')).toBe(false);
    await viewerContext();
    await press(key);
    await expect.poll(() => hasClass(`[aria-label="Layout"] button[data-layout="${kind}"]`, 'on')).toBe(true);
  }])),
  'layout-large-view': async (key) => {
    await page.evaluate(() => window.__spine!.viewer!.setLayout({ kind: '1x3', large: 'axial' }));
    await viewerContext();
    await press(key); // the pointer is over the sagittal view
    await expect.poll(() => page.evaluate(() => window.__spine!.viewer!.getLayout())).toEqual({ kind: '1+2', large: 'sagittal', maximised: null });
  },
  ...Object.fromEntries((['panel-left', 'panel-right'] as const).map((id): [string, Effect] => [id, async (key) => {
    const cls = id === 'panel-left' ? 'left-collapsed' : 'right-collapsed';
    const collapsed = (): Promise<boolean> => hasClass('main.workspace', cls);
    await press(key);
    await expect.poll(collapsed).toBe(true);
    await viewerContext(); // the views grew: the pointer goes back over the sagittal view
    await press(key);
    await expect.poll(collapsed).toBe(false);
  }])),
  'labels-toggle': async (key) => {
    await press(key);
    await expect.poll(() => text('[data-testid="label-panel"] button[title^="Hide or show"]')).toBe('Show all');
    await press(key);
    await expect.poll(() => text('[data-testid="label-panel"] button[title^="Hide or show"]')).toBe('Hide all');
  },
  'crosshair-toggle': async (key) => {
    const lines = page.locator('[data-viewer-overlay="sagittal"] > svg').first();
    await press(key);
    await expect.poll(() => lines.evaluate((e) => getComputedStyle(e).display)).toBe('none');
    await press(key);
    await expect.poll(() => lines.evaluate((e) => getComputedStyle(e).display)).not.toBe('none');
  },
  'labels-outline': async (key) => {
    await press(key);
    await expect.poll(() => hasClass('[data-testid="label-panel"] button:text-is("Outline")', 'on')).toBe(true);
    await press(key);
    await expect.poll(() => hasClass('[data-testid="label-panel"] button:text-is("Fill")', 'on')).toBe(true);
  },
  // The Compare panel (collapsed: this store has no reader) opens with B's outline on; again: the outline off.
  'compare-outline': async (key) => {
    const box = page.locator('[data-testid="compare-outline"]');
    const checked = async (): Promise<boolean | null> => ((await box.count()) ? box.isChecked() : null);
    await press(key);
    await expect.poll(checked).toBe(true);
    await press(key);
    await expect.poll(checked).toBe(false);
    await page.locator('[data-testid="compare"] .compare-toggle').click(); // collapsed again, as before
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await expect.poll(checked).toBe(null);
  },
  'series-next': async (key) => {
    await press(key);
    await expect.poll(openSeries, { timeout: 60_000 }).not.toBe(SERIES);
    await press('S');
    await expect.poll(openSeries, { timeout: 60_000 }).toBe(SERIES);
  },
  'series-previous': async (key) => {
    await press(key);
    await expect.poll(openSeries, { timeout: 60_000 }).not.toBe(SERIES);
    await press('s');
    await expect.poll(openSeries, { timeout: 60_000 }).toBe(SERIES);
  },
  'grading-focus': async (key) => {
    await press(key);
    await expect.poll(inDock).toBe(true);
  },
  ...Object.fromEntries(
    ([['review-todo', 'todo'], ['review-in-progress', 'in_progress'], ['review-done', 'done'], ['review-second-look', 'second_look']] as const).map(
      ([id, st]): [string, Effect] => [id, async (key) => {
        const checked = (s: string) => page.locator(`[data-testid="review"] button[data-status="${s}"]`).getAttribute('aria-checked');
        if ((await checked(st)) === 'true') {
          await press(st === 'done' ? 'T' : 'D'); // start from another status, so the key visibly changes it
          await expect.poll(() => checked(st)).toBe('false');
        }
        await press(key);
        await expect.poll(() => checked(st), { timeout: 20_000 }).toBe('true');
      }],
    ),
  ),
  'review-next': async (key) => {
    await press(key);
    await expect.poll(openSeries, { timeout: 60_000 }).not.toBe(SERIES);
    await openFromWorklist(page, SERIES);
  },
  'export': async (key) => {
    await press(key);
    const dialog = page.locator('[data-testid="export-dialog"]');
    await dialog.waitFor();
    await dialog.locator('button', { hasText: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  },
  'dashboard': async (key) => {
    await press(key);
    const dialog = page.locator('[data-testid="dashboard"]');
    await dialog.waitFor();
    await dialog.locator('[data-testid="dashboard-close"]').click();
    await dialog.waitFor({ state: 'detached' });
  },
  'agreement': async (key) => {
    await press(key);
    const dialog = page.locator('[data-testid="agreement"]');
    await dialog.waitFor();
    await dialog.locator('[data-testid="agreement-close"]').click();
    await dialog.waitFor({ state: 'detached' });
  },
  'shortcuts': async (key) => {
    await press(key);
    await page.locator('[data-testid="shortcuts"]').waitFor();
    await press('?');
    await page.locator('[data-testid="shortcuts"]').waitFor({ state: 'detached' });
  },
  'dialog-close': async (key) => {
    await press('?');
    await page.locator('[data-testid="shortcuts"]').waitFor();
    await press(key);
    await page.locator('[data-testid="shortcuts"]').waitFor({ state: 'detached' });
  },
  'grading-next': async (key) => {
    const before = await selectedLevel();
    await press(key);
    await expect.poll(selectedLevel).not.toBe(before);
    await press('ArrowUp');
    await expect.poll(selectedLevel).toBe(before);
  },
  'grading-previous': async (key) => {
    await press('ArrowDown');
    const below = await selectedLevel();
    await press(key);
    await expect.poll(selectedLevel).not.toBe(below);
  },
  'grading-pfirrmann': async (key) => {
    if ((await selectedCell('pfirrmann')) === key) {
      await press(key === '1' ? '2' : '1');
      await expect.poll(() => selectedCell('pfirrmann'), { timeout: 20_000 }).not.toBe(key);
    }
    await press(key);
    await expect.poll(() => selectedCell('pfirrmann'), { timeout: 20_000 }).toBe(key);
    await gradingSaved();
  },
  'grading-modic': async (key) => {
    const before = await selectedCell('modic');
    await press(key);
    await page.locator('[data-testid="modic-armed"]').waitFor();
    const next = before === '3' ? '2' : '3';
    await press(next);
    await expect.poll(() => selectedCell('modic'), { timeout: 20_000 }).toBe(next);
    await gradingSaved();
  },
  'grading-toggle-upEndplate': toggles('upEndplate'),
  'grading-toggle-lowEndplate': toggles('lowEndplate'),
  'grading-toggle-spondylolisthesis': toggles('spondylolisthesis'),
  'grading-toggle-herniation': toggles('herniation'),
  'grading-toggle-narrowing': toggles('narrowing'),
  'grading-toggle-bulging': toggles('bulging'),
  'grading-reviewed': async (key) => {
    const level = await selectedLevel();
    const row = page.locator(`[data-testid="grading-panel"] tr[data-level="${level}"]`);
    if (await hasClass(`[data-testid="grading-panel"] tr[data-level="${level}"]`, 'reviewed')) throw new Error('level already reviewed');
    await press(key);
    await expect.poll(async () => ((await row.getAttribute('class')) ?? '').includes('reviewed'), { timeout: 20_000 }).toBe(true);
    await gradingSaved();
    // Enter moved on: back to the level, for the next command.
    await row.locator('td.level-name').click();
  },
  'grading-undo': async (key) => {
    const before = await selectedCell('bulging');
    await press('b');
    await expect.poll(() => selectedCell('bulging'), { timeout: 20_000 }).not.toBe(before);
    await gradingSaved();
    await press(key);
    await expect.poll(() => selectedCell('bulging'), { timeout: 20_000 }).toBe(before);
  },
  'grading-leave': async (key) => {
    await press(key);
    await expect.poll(inDock).toBe(false);
  },
};

const keyed = COMMANDS.filter((c) => c.keys.length > 0);

async function enter(c: Command): Promise<void> {
  if (c.context === 'grading') await gradingContext();
  else await viewerContext();
}

describe('commands as data', () => {
  it('has an observable effect checked for every command with a key', () => {
    expect(Object.keys(effects).sort()).toEqual(keyed.map((c) => c.id).sort());
  });

  for (const ctx of CONTEXTS) {
    it(`runs every ${ctx.id} command by each of its keys`, async () => {
      for (const c of keyed.filter((x) => x.context === ctx.id)) {
        for (const key of c.keys) {
          await enter(c);
          try {
            await effects[c.id]!(key);
          } catch (e) {
            throw new Error(`${c.id} by ${key}: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
      }
      await press('Escape');
    }, 180_000);
  }

  it('lists every command once per context in the overlay, which fits a 1366×768 window', async () => {
    await viewerContext();
    await press('?');
    const overlay = page.locator('[data-testid="shortcuts"]');
    await overlay.waitFor();
    const sections = await overlay.locator('section[data-context]').evaluateAll((els) => els.map((s) => ({
      context: s.getAttribute('data-context'),
      title: s.querySelector('h3')?.textContent ?? '',
      ids: [...s.querySelectorAll('tr[data-command]')].map((r) => r.getAttribute('data-command')),
      keys: [...s.querySelectorAll('tr[data-command] td:first-child kbd')].map((k) => k.textContent ?? ''),
    })));
    expect(sections.map((s) => s.context)).toEqual(CONTEXTS.map((c) => c.id));
    for (const s of sections) {
      const expected = COMMANDS.filter((c) => c.context === s.context);
      expect(s.title).toContain(CONTEXTS.find((c) => c.id === s.context)!.title);
      expect(s.ids).toEqual(expected.map((c) => c.id));
      // Each key once per context, written as people read it.
      expect(new Set(s.keys).size, s.context!).toBe(s.keys.length);
      for (const c of expected.filter((x) => x.keys.length && !x.shown)) expect(s.keys).toContain(c.keys.map(formatKey).join(' / '));
    }
    expect(await overlay.textContent()).toContain('Modic type');

    // Fits the window; what does not fit scrolls inside the card, and its last row can be reached.
    const card = (await overlay.locator('.overlay-card').boundingBox())!;
    expect(card.x).toBeGreaterThanOrEqual(0);
    expect(card.y).toBeGreaterThanOrEqual(0);
    expect(card.x + card.width).toBeLessThanOrEqual(1366);
    expect(card.y + card.height).toBeLessThanOrEqual(768);
    writeFileSync(WorkstationPage.shots('commands-overlay-1366x768.png'), await page.screenshot());
    const scroller = overlay.locator('.shortcut-sections');
    await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    const last = (await overlay.locator('tr[data-command]').last().boundingBox())!;
    expect(last.y + last.height).toBeLessThanOrEqual(card.y + card.height + 1);
    expect(last.y).toBeGreaterThanOrEqual(card.y);
    writeFileSync(WorkstationPage.shots('commands-overlay-1366x768-scrolled.png'), await page.screenshot());
    await press('Escape');
    await overlay.waitFor({ state: 'detached' });
  });
});
