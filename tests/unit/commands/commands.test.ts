// The command registry (renderer/commands.ts) and the menu description it shares with main (common/commands.ts):
// keys are unique per context, every menu entry has its command, and keys read and match as documented.
import { describe, expect, it } from 'vitest';
import { keyToAccelerator, MENU_COMMANDS, MENU_ENTRIES, menuSections, parseKey } from '../../../common/commands.js';
import { COMMANDS, CONTEXTS, commandForKey, commandForMenu, formatKey, keyMatches, shownInput } from '../../../renderer/commands.js';
import { TOOLS } from '../../../renderer/tools/index.js';

const ev = (key: string, m: { ctrl?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key, ctrlKey: m.ctrl ?? false, metaKey: false, shiftKey: m.shift ?? false, altKey: m.alt ?? false,
});

/** A key as the event it produces, so 'S' and 'Shift+s' count as one key. */
function canonical(spec: string): string {
  const k = parseKey(spec);
  return `${k.mod ? 'Mod+' : ''}${k.mod && k.shift ? 'Shift+' : ''}${k.mod ? k.key.toLowerCase() : k.key}`;
}

describe('command registry', () => {
  it('has unique ids and no two commands of one context sharing a key', () => {
    expect(new Set(COMMANDS.map((c) => c.id)).size).toBe(COMMANDS.length);
    for (const ctx of CONTEXTS) {
      const seen = new Map<string, string>();
      for (const c of COMMANDS.filter((x) => x.context === ctx.id)) {
        for (const k of c.keys) {
          const key = canonical(k);
          expect(seen.get(key), `${ctx.id}: ${k} of ${c.id}`).toBeUndefined();
          seen.set(key, c.id);
        }
      }
    }
  });

  it('knows a key clash when there is one', () => {
    // The check above must be able to fail: 'S' is the event of Shift+S, and Ctrl+Z the one of Ctrl+z.
    expect(canonical('Mod+Z')).toBe(canonical('Mod+z'));
    expect(canonical('S')).not.toBe(canonical('s'));
  });

  it('selects every tool by its hotkey, and every command shows something in the overlay', () => {
    for (const t of TOOLS) expect(commandForKey('viewer', ev(t.hotkey))?.tool, t.id).toBe(t.id);
    for (const c of COMMANDS) expect(shownInput(c), c.id).not.toBe('');
    for (const ctx of CONTEXTS) expect(COMMANDS.some((c) => c.context === ctx.id), ctx.id).toBe(true);
  });

  it('matches keys with their modifiers only', () => {
    expect(keyMatches('Mod+z', ev('z', { ctrl: true }))).toBe(true);
    expect(keyMatches('Mod+z', ev('Z', { ctrl: true, shift: true }))).toBe(false);
    expect(keyMatches('Mod+Shift+z', ev('Z', { ctrl: true, shift: true }))).toBe(true);
    expect(keyMatches('h', ev('h', { ctrl: true }))).toBe(false);
    expect(keyMatches('h', ev('h', { alt: true }))).toBe(false);
    expect(keyMatches('S', ev('S', { shift: true }))).toBe(true);
    expect(keyMatches('s', ev('S', { shift: true }))).toBe(false);
    expect(commandForKey('viewer', ev('?', { shift: true }))?.id).toBe('shortcuts');
    expect(commandForKey('grading', ev('s'))?.id).toBe('grading-toggle-spondylolisthesis');
    expect(commandForKey('viewer', ev('s'))?.id).toBe('series-next');
    expect(commandForKey('viewer', ev('q'))).toBeNull();
  });

  it('reads keys as people write them', () => {
    expect(formatKey('Mod+Shift+z')).toMatch(/^(Ctrl|⌘)\+Shift\+Z$/);
    expect(formatKey('S')).toBe('Shift+S');
    expect(formatKey('b')).toBe('B');
    expect(formatKey('Escape')).toBe('Esc');
    expect(formatKey('[')).toBe('[');
    expect(keyToAccelerator('Mod+Shift+z')).toBe('CmdOrCtrl+Shift+Z');
    expect(keyToAccelerator('?')).toBe('?');
    expect(keyToAccelerator('S')).toBe('Shift+S');
  });
});

describe('menu description shared with main', () => {
  it('has one entry per menu command, each run by a registry command whose keys it shows', () => {
    expect(MENU_ENTRIES.map((e) => e.command).sort()).toEqual([...MENU_COMMANDS].sort());
    for (const e of MENU_ENTRIES) {
      const c = commandForMenu('viewer', e.command);
      expect(c, e.command).not.toBeNull();
      // The key the menu shows is the registry's first key of the command, so the two never disagree.
      expect(e.key, e.command).toBe(c!.keys[0]);
    }
    expect(commandForMenu('grading', 'undo')?.id).toBe('grading-undo');
    expect(commandForMenu('grading', 'redo')?.id).toBe('redo');
  });

  it('groups a menu into its sections in order', () => {
    expect(menuSections('View').map((s) => s.map((e) => e.command))).toEqual([
      ['layout-large', 'layout-grid', 'layout-three', 'layout-maximise'],
      ['toggle-overlay'],
      ['toggle-left-panel', 'toggle-right-panel'],
      ['agreement'],
    ]);
    expect(menuSections('File').map((s) => s.map((e) => e.command))).toEqual([['export'], ['import-annotations', 'export-annotations']]);
  });
});
