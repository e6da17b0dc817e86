// The desktop-only part of the contract (issue 7): what the Electron preload adds to window.spine next to the
// service methods of contract.ts. Web mode has none of it (the renderer checks for null).
import { z } from 'zod';
import type { Api } from './contract.js';
import { MENU_COMMANDS, type MenuCommand } from './commands.js';

/** Commands the native menu sends to the renderer: their labels, places and keys are in commands.ts. */
export { MENU_COMMANDS, type MenuCommand } from './commands.js';

export interface DesktopBridge {
  /** A native folder dialog; null when cancelled. */
  pickDirectory(req: { title: string }): Promise<string | null>;
  /** Subscribes to native menu commands; returns the unsubscribe function. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

// --- transport constants shared by main/electron and preload/ (issue 7) --- //

/**
 * The privileged scheme of the desktop app. The renderer and the volume bytes share one origin (spine://app), so
 * the renderer's CSP `connect-src 'self'` covers the volumes and no CORS is involved.
 */
export const SPINE_SCHEME = 'spine';
export const SPINE_APP_HOST = 'app';
export const SPINE_APP_ORIGIN = `${SPINE_SCHEME}://${SPINE_APP_HOST}`;
export const SPINE_INDEX_URL = `${SPINE_APP_ORIGIN}/index.html`;

/** The ipcMain.handle / ipcRenderer.invoke channel of one contract method. */
export function methodChannel(method: string): string {
  return `api:${method}`;
}

/** Channels of the desktop-only bridge: pickDirectory is invoked, menu commands are pushed by main. */
export const DESKTOP_CHANNELS = {
  pickDirectory: 'desktop:pickDirectory',
  menuCommand: 'desktop:menuCommand',
} as const;

/** URL of a series' raw voxel bytes in the desktop app (served by main/electron/protocol.ts). */
export function desktopVolumeUrl(seriesId: string, kind: 'image' | 'mask'): string {
  return `${SPINE_APP_ORIGIN}/volume/${encodeURIComponent(seriesId)}/${kind}`;
}

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value);
}

/** What the Electron preload exposes as window.spine: exactly the contract, the volume URLs and the desktop bridge. */
export type SpineBridge = Api & { volumeUrl(seriesId: string, kind: 'image' | 'mask'): string; desktop: DesktopBridge };

/** The request of DesktopBridge.pickDirectory, validated in main like every contract request. */
export const pickDirectoryRequest = z.object({ title: z.string().min(1).max(200) }).strict();

/**
 * File name of the better-sqlite3 addon built for Electron's ABI (ARCHITECTURE.md §5): kept in out/native/, apart
 * from node_modules' Node build, so `npm test` keeps working after `npm start`.
 */
export function electronNativeFileName(abi: string, platform: string, arch: string): string {
  return `better-sqlite3-electron-abi${abi}-${platform}-${arch}.node`;
}
