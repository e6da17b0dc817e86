// The desktop shell's pure parts: draining quit and dataset switching (host), remembered state, the menu.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { MENU_COMMANDS, type MenuCommand } from '../../common/desktop.js';
import type { Workstation } from '../../main/core/workstation.js';
import { createWorkstationHost } from '../../main/electron/host.js';
import { buildMenuTemplate } from '../../main/electron/menu.js';
import { DEFAULT_STATE, loadDesktopState, MAX_RECENT, saveDesktopState, visibleBounds, withRecent } from '../../main/electron/state.js';

const tmp = mkdtempSync(join(tmpdir(), 'spine-shell-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeWorkstation(name: string, events: string[]): Workstation {
  return {
    service: { name } as unknown as Workstation['service'],
    index: { root: name } as Workstation['index'],
    idle: () => {
      events.push(`${name}:idle`);
      return Promise.resolve();
    },
    close: () => void events.push(`${name}:close`),
  } as unknown as Workstation;
}

describe('workstation host', () => {
  it('quitting waits for calls in flight, including ones that arrive while draining, then closes', async () => {
    const events: string[] = [];
    const host = createWorkstationHost((root) => Promise.resolve(fakeWorkstation(root, events)));
    await host.open(join(tmp));
    let release!: () => void;
    const commit = host.track(() => new Promise<void>((r) => { release = r; }).then(() => void events.push('commit')));
    expect(host.inFlight()).toBe(1);
    const closing = host.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([]);
    const late = host.track(() => {
      events.push('late');
      return Promise.resolve();
    });
    release();
    await Promise.all([commit, late, closing]);
    expect(events).toEqual(['late', 'commit', `${tmp}:idle`, `${tmp}:close`]);
    expect(host.service()).toBeNull();
  });

  it('switching opens the new dataset first, keeps the old one when that fails, and reopening is a no-op', async () => {
    const events: string[] = [];
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    mkdirSync(a);
    mkdirSync(b);
    const host = createWorkstationHost((root) => {
      if (root.endsWith('bad')) return Promise.reject(new Error('not a dataset'));
      events.push(`${root}:open`);
      return Promise.resolve(fakeWorkstation(root, events));
    });
    expect((await host.open(a)).changed).toBe(true);
    expect((await host.open(a)).changed).toBe(false);
    await expect(host.open(join(tmp, 'bad'))).rejects.toThrow('not a dataset');
    expect(host.current()?.index.root).toBe(a);
    await host.open(b);
    expect(events).toEqual([`${a}:open`, `${b}:open`, `${a}:idle`, `${a}:close`]);
    await host.close();
  });
});

describe('remembered state', () => {
  it('keeps recent datasets unique, newest first, bounded', () => {
    let r: string[] = [];
    for (let i = 0; i < 15; i++) r = withRecent(r, `/d${i % 12}`);
    expect(r.length).toBe(MAX_RECENT);
    expect(r[0]).toBe('/d2');
    expect(new Set(r).size).toBe(r.length);
  });

  it('round-trips and survives a broken or foreign file', () => {
    const file = join(tmp, 'state', 'desktop-state.json');
    expect(loadDesktopState(file)).toEqual(DEFAULT_STATE);
    const state = { recentDatasets: ['/x'], window: { x: 10, y: 20, width: 1200, height: 800, maximized: true } };
    saveDesktopState(file, state);
    expect(loadDesktopState(file)).toEqual(state);
    writeFileSync(file, '{ not json');
    expect(loadDesktopState(file)).toEqual(DEFAULT_STATE);
    writeFileSync(file, JSON.stringify({ recentDatasets: 'nope', window: { width: -1 } }));
    expect(loadDesktopState(file)).toEqual(DEFAULT_STATE);
  });

  it('restores window bounds only where a display still shows them', () => {
    const saved = { x: 2000, y: 100, width: 1200, height: 800, maximized: false };
    expect(visibleBounds(saved, [{ x: 0, y: 0, width: 1920, height: 1080 }, { x: 1920, y: 0, width: 1920, height: 1080 }])).toEqual(saved);
    expect(visibleBounds(saved, [{ x: 0, y: 0, width: 1920, height: 1080 }])).toBeNull();
    expect(visibleBounds(null, [{ x: 0, y: 0, width: 1920, height: 1080 }])).toBeNull();
  });
});

describe('menu', () => {
  const sent: MenuCommand[] = [];
  const calls: string[] = [];
  const template = buildMenuTemplate({
    appName: 'Spine Workstation', isMac: false, recent: ['/data/spider'],
    openDataset: () => void calls.push('open'), openRecent: (p) => void calls.push(`recent ${p}`), clearRecent: () => void calls.push('clear'),
    send: (c) => void sent.push(c),
  });
  const items = (menu: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    menu.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? items(i.submenu) : [])]);
  const all = items(template);
  const click = (i: MenuItemConstructorOptions): void => (i.click as unknown as () => void)();

  it('has File, Edit, View and Help with the issue\'s entries', () => {
    expect(template.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Help']);
    const labels = all.map((i) => i.label ?? i.role);
    for (const l of ['Open Dataset…', 'Open Recent', 'Export…', 'Quit', 'Undo', 'Redo', 'One Large View + Two Small', 'Three Views in a Row', 'Toggle Label Overlay', 'Keyboard Shortcuts', 'About Spine Workstation']) {
      expect(labels).toContain(l);
    }
  });

  it('sends every menu command, with keys shown but left to the renderer', () => {
    for (const i of all.filter((x) => x.id?.startsWith('command:'))) {
      click(i);
      if (i.accelerator) expect(i.registerAccelerator, i.label).toBe(false);
    }
    expect([...sent].sort()).toEqual([...MENU_COMMANDS].sort());
  });

  it('opens datasets from the dialog and the recent list', () => {
    click(all.find((i) => i.id === 'open-dataset')!);
    click(all.find((i) => i.label === '/data/spider')!);
    click(all.find((i) => i.id === 'clear-recent')!);
    expect(calls).toEqual(['open', 'recent /data/spider', 'clear']);
  });
});

describe('Electron-ABI better-sqlite3', () => {
  it('reads the ABI an addon was built for, so a Node build is never installed as the Electron one', async () => {
    const { readFileSync } = await import('node:fs');
    const { createRequire } = await import('node:module');
    const { addonAbi, electronNativePath, electronTarget } = await import('../../main/cli/electron.js');
    const nodeBuild = join(createRequire(import.meta.url).resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');
    expect(addonAbi(readFileSync(nodeBuild))).toBe(process.versions.modules);
    expect(addonAbi(new Uint8Array([1, 2, 3]))).toBeNull();
    const { abi } = electronTarget();
    expect(abi).not.toBe(process.versions.modules);
    // Kept out of node_modules: `npm test` loads node_modules' build, the desktop app this one.
    expect(electronNativePath(abi)).toMatch(new RegExp(`out/native/better-sqlite3-electron-abi${abi}-${process.platform}-${process.arch}\\.node$`));
  });
});
