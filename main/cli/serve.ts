// `spine-ws serve [DATASET] [--port N]`: web mode. Serves the built renderer and the service contract on
// 127.0.0.1 only, with a per-launch token, and prints the URL to open.
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/errors.js';
import { fileAnnotatorMemory } from '../core/identity.js';
import { ensureDataDir, settingsPath } from '../core/paths.js';
import { openWorkstation } from '../core/workstation.js';
import { assertPortFree, startWebServer } from '../server/http.js';
import { ensureRendererBuilt } from './build.js';
import { workstationVersion } from './export.js';
import { ensureBundledSample } from './sample.js';

export async function runServe(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { port: { type: 'string', short: 'p' }, annotator: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('Usage: spine-ws serve [DATASET] [--port N] [--annotator NAME]\n');
    return 0;
  }
  if (positionals.length > 1) throw new AppError('invalid_request', 'serve takes at most one DATASET folder');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('invalid_request', `--port must be 0–65535 (got ${values.port})`);
  return serve(positionals[0], port, values.annotator);
}

/**
 * Serves `dataset` (default: the bundled sample) until SIGINT / SIGTERM. Failures are typed for the CLI's one
 * line: an unwritable data folder and a busy port are 'io' (exit 1), an unreadable dataset 'not_found'.
 */
export async function serve(dataset: string | undefined, port: number, annotator?: string): Promise<number> {
  // Cheap checks first, so a wrong folder, an unwritable data folder or a busy port is told at once, not after
  // building the viewer and scanning the dataset.
  if (dataset !== undefined && !isFolder(dataset)) {
    throw new AppError('not_found', `Dataset folder "${dataset}" does not exist or is not a folder`, { file: dataset });
  }
  ensureDataDir(); // the store and settings live there
  await assertPortFree(port);
  const root = dataset ?? (await ensureBundledSample());
  const staticDir = await ensureRendererBuilt();
  const ws = await openWorkstation({
    datasetRoot: root,
    annotatorMemory: fileAnnotatorMemory(settingsPath()),
    appVersion: workstationVersion(),
    ...(annotator ? { annotator } : {}),
  });
  let server: Awaited<ReturnType<typeof startWebServer>>;
  try {
    server = await startWebServer({
      service: ws.service,
      volumes: ws,
      staticDir,
      port,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    ws.close(); // releases the store's writer lock before the error is reported
    throw err;
  }
  const problems = ws.index.problems.filter((p) => p.severity === 'error').length;
  process.stdout.write(`Spine Workstation (web mode): ${ws.index.series.length} series of ${ws.index.patients.length} patients from ${ws.index.root}` +
    `${problems ? `, ${problems} problem(s)` : ''}\nAnnotation store: ${ws.store.file}\nOpen ${server.url}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = (): void => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  ws.close();
  return 0;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
