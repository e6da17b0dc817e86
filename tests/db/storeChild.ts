// A separate process for the db tests (run as `node --import tsx tests/db/storeChild.ts <command> <file>`):
//   hold <file>    open the store for writing, print {"ready":true,...}, close it when stdin says "close".
//   append <file>  open the store, journal one edit, print {"appended":seq} and wait to be killed (SIGKILL).
//   open <file>    try to open the store for writing and print the outcome ({"opened":true} or {"error":code}).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../common/errors.js';
import { openStore } from '../../main/core/store/index.js';

/** The diff bytes the durability test expects to find after the crash. */
export const CHILD_DIFF = Uint8Array.from([1, 2, 3, 250, 251, 252]);

function report(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function main(): void {
  const [command, file] = process.argv.slice(2);
  if (command === undefined || file === undefined) throw new Error('usage: storeChild <hold|append|open> <file>');
  if (command === 'open') {
    try {
      openStore(file).close();
      report({ opened: true });
    } catch (err) {
      report({ error: err instanceof AppError ? err.code : String(err), message: String(err) });
    }
    return;
  }
  const store = openStore(file);
  const annotatorId = store.annotators.ensure('child');
  store.series.ensure('7_t2', 7);
  if (command === 'hold') {
    store.edits.append({
      seriesId: '7_t2',
      annotatorId,
      tool: 'brush',
      label: 204,
      voxelCount: 3,
      description: 'Brush L4/L5, 3 voxels',
      encoding: 'rle-u8-v1',
      diff: CHILD_DIFF,
    });
    report({ ready: true, pid: process.pid });
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (text: string) => {
      if (text.includes('close')) {
        store.close();
        process.exit(0);
      }
    });
    return;
  }
  if (command === 'append') {
    const { seq } = store.edits.append({
      seriesId: '7_t2',
      annotatorId,
      tool: 'brush',
      label: 203,
      voxelCount: 6,
      description: 'Brush L3/L4, 6 voxels',
      encoding: 'rle-u8-v1',
      diff: CHILD_DIFF,
    });
    report({ appended: seq, pid: process.pid });
    // Stay alive with the store open until the test kills this process with SIGKILL.
    setInterval(() => undefined, 60_000);
    return;
  }
  throw new Error(`unknown command ${command}`);
}

// Importing this module (for CHILD_DIFF) must not run it.
if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) main();
