// The desktop-only part of the contract (issue 7): what the Electron preload adds to window.spine next to the
// service methods of contract.ts. Web mode has none of it (the renderer checks for null).

/** Commands the native menu sends to the renderer. */
export const MENU_COMMANDS = [
  'export',
  'undo',
  'redo',
  'toggle-overlay',
  'layout-three',
  'layout-maximise',
  'shortcuts',
  'about',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export interface DesktopBridge {
  /** A native folder dialog; null when cancelled. */
  pickDirectory(req: { title: string }): Promise<string | null>;
  /** Subscribes to native menu commands; returns the unsubscribe function. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}
