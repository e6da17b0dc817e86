// The one ipcMain registration of the desktop app: a handler per contract METHOD, generated
// from the contract, plus the desktop bridge's folder dialog. Every handler checks the sender (our window's
// webContents, a frame on spine://app), then hands the request to the shared dispatcher (common/dispatch.ts:
// schema, service, typed errors); results and errors cross as { ok, value } / { ok:false, error } data, never as
// throws. Binary fields (commitEdit's diff) cross as Uint8Array by structured clone.
import type { IpcMain } from 'electron';
import { METHODS, type Method, type Service } from '../../common/contract.js';
import { dispatch } from '../../common/dispatch.js';
import { DESKTOP_CHANNELS, methodChannel, pickDirectoryRequest } from '../../common/desktop.js';
import { AppError, toErrorInfo, type Result } from '../../common/errors.js';
import { isAppUrl } from './security.js';

/** The part of an IpcMainInvokeEvent the checks read (an Electron event satisfies it). */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

export type IpcHandler = (event: InvokeEventLike, req: unknown) => Promise<Result<unknown>>;

export interface IpcDeps {
  /** The open workstation's service; null while none is open (switching datasets, quitting). */
  service(): Service | null;
  /** webContents id of the app window; null before it exists. */
  windowId(): number | null;
  /** Runs a call while counting it as in flight (quitting waits for these). */
  track<T>(work: () => Promise<T>): Promise<T>;
  /** Native folder dialog (dialog.showOpenDialog); null when cancelled. */
  pickDirectory(title: string): Promise<string | null>;
  log?: (line: string) => void;
}

/** Why a sender is refused, or null when it is our window's spine://app frame. */
export function senderProblem(event: InvokeEventLike, windowId: number | null): string | null {
  if (windowId === null || event.sender.id !== windowId) return 'IPC from an unknown window';
  const url = event.senderFrame?.url;
  if (url === undefined || !isAppUrl(url)) return 'IPC from a frame outside spine://app';
  return null;
}

function refused(message: string): Result<never> {
  return { ok: false, error: { code: 'invalid_request', message } };
}

/** One handler per contract method, keyed by method: a missing one is a compile error (mapped type). */
export function createIpcHandlers(deps: IpcDeps): { methods: Record<Method, IpcHandler>; pickDirectory: IpcHandler } {
  const log = deps.log ?? (() => undefined);
  const handlerFor = (method: Method): IpcHandler => async (event, req) => {
    const problem = senderProblem(event, deps.windowId());
    if (problem) {
      log(`${method}: refused: ${problem}`);
      return refused(problem);
    }
    const outcome = await dispatch(deps.service(), method, req ?? {}, { run: (work) => deps.track(work), log });
    return outcome.kind === 'refused' ? { ok: false, error: outcome.error } : outcome.result;
  };
  const methods = Object.fromEntries(METHODS.map((m) => [m, handlerFor(m)])) as Record<Method, IpcHandler>;
  const pickDirectory: IpcHandler = async (event, req) => {
    const problem = senderProblem(event, deps.windowId());
    if (problem) return refused(problem);
    const parsed = pickDirectoryRequest.safeParse(req);
    if (!parsed.success) return refused('pickDirectory: expected { title }');
    try {
      return { ok: true, value: await deps.pickDirectory(parsed.data.title) };
    } catch (err) {
      return { ok: false, error: toErrorInfo(err instanceof AppError ? err : new AppError('io', 'The folder dialog failed')) };
    }
  };
  return { methods, pickDirectory };
}

/** Registers the handlers on ipcMain; returns the function that removes them. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, deps: IpcDeps): () => void {
  const { methods, pickDirectory } = createIpcHandlers(deps);
  const channels: string[] = [];
  for (const method of METHODS) {
    const channel = methodChannel(method);
    ipcMain.handle(channel, (event, req: unknown) => methods[method](event, req));
    channels.push(channel);
  }
  ipcMain.handle(DESKTOP_CHANNELS.pickDirectory, (event, req: unknown) => pickDirectory(event, req));
  channels.push(DESKTOP_CHANNELS.pickDirectory);
  return () => {
    for (const c of channels) ipcMain.removeHandler(c);
  };
}
