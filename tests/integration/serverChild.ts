// The real web-mode server in its own process, for the crash test (tests/integration/crash.test.ts):
//   node --import tsx tests/integration/serverChild.ts <dataset> <store.sqlite> <staticDir> <token> [checkpointEvery]
// Opens a workstation on the dataset and store, starts startWebServer on 127.0.0.1 with the fixed token and a free
// port, prints one JSON line {"port":…,"pid":…} and serves until SIGTERM (or until it is killed).
import { openWorkstation } from '../../main/core/workstation.js';
import { startWebServer } from '../../main/server/http.js';

async function main(): Promise<void> {
  const [datasetRoot, storeFile, staticDir, token, every] = process.argv.slice(2);
  if (!datasetRoot || !storeFile || !staticDir || !token) {
    throw new Error('usage: serverChild <dataset> <store.sqlite> <staticDir> <token> [checkpointEvery]');
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const ws = await openWorkstation({
    datasetRoot,
    storeFile,
    annotator: 'crash-test',
    log,
    ...(every === undefined ? {} : { checkpointEvery: Number(every) }),
  });
  const server = await startWebServer({ service: ws.service, volumes: ws, staticDir, token, port: 0, log });
  process.stdout.write(`${JSON.stringify({ port: server.port, pid: process.pid })}\n`);
  process.once('SIGTERM', () => {
    void server.close().then(async () => {
      await ws.idle();
      ws.close();
      process.exit(0);
    });
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
