// `spine-ws start` (what `npm start` runs): the desktop app where the Electron binary exists, web mode otherwise
// (with a one-line reason). Without a DATASET the app opens the last dataset or the bundled sample dataset,
// generated on first run into the app's data folder.
import { AppError } from '../../common/errors.js';
import { ensureRendererBuilt } from './build.js';
import { buildDesktop, electronBinary, ensureElectronNative, launchDesktop } from './electron.js';
import { serve } from './serve.js';

export { electronBinary } from './electron.js';

export async function runStart(args: string[]): Promise<number> {
  const dataset = args[0];
  if (args.length > 1) throw new AppError('invalid_request', 'start takes at most one DATASET folder');
  const binary = electronBinary();
  if (!binary) {
    process.stdout.write('Starting web mode: the Electron binary is not installed on this machine.\n');
    return serve(dataset, 0);
  }
  let nativeBinding: string;
  try {
    await ensureRendererBuilt();
    await buildDesktop();
    nativeBinding = await ensureElectronNative();
  } catch (err) {
    const why = err instanceof AppError ? err.message : String(err instanceof Error ? err.message : err);
    process.stdout.write(`Starting web mode: the desktop app cannot start: ${why}\n`);
    return serve(dataset, 0);
  }
  process.stdout.write('Starting the desktop app …\n');
  return launchDesktop({ binary, nativeBinding, ...(dataset ? { dataset } : {}) });
}
