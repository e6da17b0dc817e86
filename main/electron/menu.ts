// The native menu as a template built by a pure function: File (Open Dataset…, Open Recent, Export…, Quit),
// Edit (Undo/Redo, text editing), View (layouts, overlay), Help (shortcuts, About). Commands the renderer
// owns come from common/commands.ts (label, menu, section, key) and are pushed to it as MenuCommand; their
// keys are shown but not registered
// (registerAccelerator: false), because the renderer already answers them itself and a registered accelerator
// would run them twice or steal them from text fields.
import type { MenuItemConstructorOptions } from 'electron';
import { keyToAccelerator, menuSections, type MenuName } from '../../common/commands.js';
import type { MenuCommand } from '../../common/desktop.js';

export interface MenuDeps {
  appName: string;
  isMac: boolean;
  recent: readonly string[];
  openDataset(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  send(command: MenuCommand): void;
}

export function buildMenuTemplate(d: MenuDeps): MenuItemConstructorOptions[] {
  /** The renderer's commands of one menu, sections separated by a line. */
  const commands = (menu: MenuName): MenuItemConstructorOptions[] =>
    menuSections(menu).flatMap((section, i): MenuItemConstructorOptions[] => [
      ...(i > 0 ? [{ type: 'separator' } as const] : []),
      ...section.map((e): MenuItemConstructorOptions => ({
        label: e.label.replace('{app}', d.appName),
        id: `command:${e.command}`,
        click: () => d.send(e.command),
        ...(e.key ? { accelerator: keyToAccelerator(e.key), registerAccelerator: false } : {}),
      })),
    ]);
  const recentItems: MenuItemConstructorOptions[] = d.recent.length
    ? [
        ...d.recent.map((p): MenuItemConstructorOptions => ({ label: p, click: () => d.openRecent(p) })),
        { type: 'separator' },
        { label: 'Clear Recent', id: 'clear-recent', click: () => d.clearRecent() },
      ]
    : [{ label: 'No recent datasets', enabled: false }];
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open Dataset…', id: 'open-dataset', accelerator: 'CmdOrCtrl+O', click: () => d.openDataset() },
        { label: 'Open Recent', id: 'open-recent', submenu: recentItems },
        { type: 'separator' },
        ...commands('File'),
        { type: 'separator' },
        d.isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        ...commands('Edit'),
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...commands('View'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        ...commands('Help'),
      ],
    },
  ];
  if (d.isMac) template.unshift({ label: d.appName, submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { type: 'separator' }, { role: 'quit' }] });
  return template;
}
