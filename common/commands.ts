// The native menu's renderer commands as pure data, shared by main (main/electron/menu.ts builds the menu from it)
// and the renderer (renderer/commands.ts binds each command to its action and keys), so both agree on ids,
// labels, places and keys. Imports nothing: common/ is pure.

/** Commands the native menu sends to the renderer (desktop:menuCommand). */
export const MENU_COMMANDS = [
  'export',
  'import-annotations',
  'export-annotations',
  'undo',
  'redo',
  'toggle-overlay',
  'layout-large',
  'layout-grid',
  'layout-three',
  'layout-maximise',
  'toggle-left-panel',
  'toggle-right-panel',
  'agreement',
  'shortcuts',
  'about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export type MenuName = 'File' | 'Edit' | 'View' | 'Help';

export interface MenuEntry {
  command: MenuCommand;
  menu: MenuName;
  /** Entries of one menu with different sections are separated by a line, in section order. */
  section: number;
  /** `{app}` stands for the application's name. */
  label: string;
  /**
   * The key shown beside the entry, in the renderer's key syntax (see `keyToAccelerator`): the renderer answers
   * it, so main only shows it and never registers it.
   */
  key?: string;
}

/** Every menu command, in menu order. */
export const MENU_ENTRIES: readonly MenuEntry[] = [
  { command: 'export', menu: 'File', section: 0, label: 'Export…', key: 'Mod+e' },
  { command: 'import-annotations', menu: 'File', section: 1, label: 'Import Annotations…' },
  { command: 'export-annotations', menu: 'File', section: 1, label: 'Export Annotations…' },
  { command: 'undo', menu: 'Edit', section: 0, label: 'Undo', key: 'Mod+z' },
  { command: 'redo', menu: 'Edit', section: 0, label: 'Redo', key: 'Mod+Shift+z' },
  { command: 'layout-large', menu: 'View', section: 0, label: 'One Large View + Two Small', key: '1' },
  { command: 'layout-grid', menu: 'View', section: 0, label: 'Two by Two (with the 3-D View)', key: '2' },
  { command: 'layout-three', menu: 'View', section: 0, label: 'Three Views in a Row', key: '3' },
  { command: 'layout-maximise', menu: 'View', section: 0, label: 'Maximise View Under Pointer', key: 'm' },
  { command: 'toggle-overlay', menu: 'View', section: 1, label: 'Toggle Label Overlay', key: 'h' },
  { command: 'toggle-left-panel', menu: 'View', section: 2, label: 'Show / Hide the Worklist', key: '{' },
  { command: 'toggle-right-panel', menu: 'View', section: 2, label: 'Show / Hide the Label Panel', key: '}' },
  { command: 'agreement', menu: 'View', section: 3, label: 'Agreement Between Readers…', key: 'K' },
  { command: 'shortcuts', menu: 'Help', section: 0, label: 'Keyboard Shortcuts', key: '?' },
  { command: 'about', menu: 'Help', section: 0, label: 'About {app}' },
];

export function menuEntry(command: MenuCommand): MenuEntry {
  const e = MENU_ENTRIES.find((x) => x.command === command);
  if (!e) throw new Error(`no menu entry for ${command}`);
  return e;
}

/** The entries of one menu grouped by section, in order. */
export function menuSections(menu: MenuName): MenuEntry[][] {
  const entries = MENU_ENTRIES.filter((e) => e.menu === menu);
  const sections = [...new Set(entries.map((e) => e.section))].sort((a, b) => a - b);
  return sections.map((s) => entries.filter((e) => e.section === s));
}

/**
 * Key syntax shared by the renderer's registry and the menu: `+`-joined parts, `Mod` = Ctrl (Cmd on macOS),
 * `Shift`, then the key as KeyboardEvent.key reports it ('b', 'S', '?', 'PageUp', 'Escape'). A letter without Mod
 * is matched exactly, so 'S' is Shift+S.
 */
export interface ParsedKey {
  mod: boolean;
  shift: boolean;
  key: string;
}

export function parseKey(spec: string): ParsedKey {
  const parts = spec.length > 1 ? spec.split('+') : [spec];
  const key = parts.pop() ?? '';
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), key };
}

/** The Electron accelerator showing a key ('Mod+Shift+z' → 'CmdOrCtrl+Shift+Z'). */
export function keyToAccelerator(spec: string): string {
  const k = parseKey(spec);
  const upper = k.key.length === 1 && k.key.toLowerCase() !== k.key.toUpperCase();
  const shifted = upper && k.key === k.key.toUpperCase();
  return [k.mod ? 'CmdOrCtrl' : '', k.shift || shifted ? 'Shift' : '', k.key.length === 1 ? k.key.toUpperCase() : k.key].filter(Boolean).join('+');
}
