// The native menu as a template built by a pure function: File (Open Dataset…, Open Recent, Export…, Quit),
// Edit (Undo/Redo, text editing), View (layouts, overlay), Help (shortcuts, About). Commands the renderer
// owns are pushed to it as MenuCommand (common/desktop.ts); their keys are shown but not registered
// (registerAccelerator: false), because the renderer already answers them itself and a registered accelerator
// would run them twice or steal them from text fields.
import type { MenuItemConstructorOptions } from 'electron';
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
  const command = (label: string, cmd: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    id: `command:${cmd}`,
    click: () => d.send(cmd),
    ...(accelerator ? { accelerator, registerAccelerator: false } : {}),
  });
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
        command('Export…', 'export', 'CmdOrCtrl+E'),
        { type: 'separator' },
        d.isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        command('Undo', 'undo', 'CmdOrCtrl+Z'),
        command('Redo', 'redo', 'CmdOrCtrl+Shift+Z'),
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
        command('Three Views', 'layout-three'),
        command('Maximise View Under Pointer', 'layout-maximise', 'M'),
        { type: 'separator' },
        command('Toggle Label Overlay', 'toggle-overlay', 'H'),
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
        command('Keyboard Shortcuts', 'shortcuts', '?'),
        command(`About ${d.appName}`, 'about'),
      ],
    },
  ];
  if (d.isMac) template.unshift({ label: d.appName, submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { type: 'separator' }, { role: 'quit' }] });
  return template;
}
