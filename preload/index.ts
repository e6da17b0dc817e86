// Preload of the desktop window (sandboxed, context-isolated): exposes the bridge as window.spine and nothing
// else. Bundled by main/cli/electron.ts into one CommonJS file whose only require is 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import { createSpineBridge } from './bridge.js';

contextBridge.exposeInMainWorld('spine', createSpineBridge(ipcRenderer));
