// `spine-ws serve [DATASET] [--port N]`: web mode. Serves the built renderer and the service contract on
// 127.0.0.1 only, with a per-launch token, and prints the URL to open.
import { parseArgs } from 'node:util';
import { AppError } from '../../common/errors.js';
import { fileAnnotatorMemory } from '../core/identity.js';
import { settingsPath } from '../core/paths.js';
import { openWorkstation } from '../core/workstation.js';
import { startWebServer } from '../server/http.js';
import { ensureRendererBuilt } from './build.js';
import { ensureBundledSample } from './start.js';

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

export async function serve(dataset: string | undefined, port: number, annotator?: string): Promise<number> {
  const root = dataset ?? (await ensureBundledSample());
  const staticDir = await ensureRendererBuilt();
  const ws = await openWorkstation({
    datasetRoot: root,
    annotatorMemory: fileAnnotatorMemory(settingsPath()),
    ...(annotator ? { annotator } : {}),
  });
  const server = await startWebServer({
    service: ws.service,
    volumes: ws,
    staticDir,
    port,
    log: (line) => process.stderr.write(`${line}\n`),
  });
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
