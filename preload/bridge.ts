// The object the preload exposes as window.spine, built from the contract alone: one function per METHOD that
// invokes its IPC channel, the volume URL builder and the desktop bridge. No logic beyond forwarding; main
// validates every request. A pure function of an ipcRenderer-like object, so it is tested without Electron.
import { METHODS, type Api, type Method } from '../common/contract.js';
import type { Result } from '../common/errors.js';
import {
  DESKTOP_CHANNELS,
  desktopVolumeUrl,
  isMenuCommand,
  methodChannel,
  type MenuCommand,
  type SpineBridge,
} from '../common/desktop.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createSpineBridge(ipc: IpcRendererLike): SpineBridge {
  const api = {} as Record<Method, (req: unknown) => Promise<unknown>>;
  for (const method of METHODS) {
    const channel = methodChannel(method);
    api[method] = (req: unknown) => ipc.invoke(channel, req);
  }
  return {
    ...(api as unknown as Api),
    volumeUrl: (seriesId: string, kind: 'image' | 'mask') => desktopVolumeUrl(seriesId, kind),
    desktop: {
      async pickDirectory(req: { title: string }): Promise<string | null> {
        const res = (await ipc.invoke(DESKTOP_CHANNELS.pickDirectory, req)) as Result<string | null>;
        if (!res.ok) throw new Error(res.error.message);
        return res.value;
      },
      onMenuCommand(listener: (command: MenuCommand) => void): () => void {
        // The IPC event object never reaches the page (it carries `sender`): only a checked command does.
        const forward = (_event: unknown, command: unknown): void => {
          if (isMenuCommand(command)) listener(command);
        };
        ipc.on(DESKTOP_CHANNELS.menuCommand, forward);
        return () => void ipc.removeListener(DESKTOP_CHANNELS.menuCommand, forward);
      },
    },
  };
}
