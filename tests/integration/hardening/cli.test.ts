// `spine-ws` runtime failures as a user meets them (real child processes, real folders, a real busy port): one
// typed line on stderr, no stack trace, exit 1; exit 2 is kept for bad arguments.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSample } from '../../../main/core/sample/index.js';

const BIN = resolve(import.meta.dirname, '../../../bin/spine-ws.mjs');
let dir: string;
let dataset: string;
let busy: Server;
let busyPort: number;

function run(args: string[], dataDir = join(dir, 'data')): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, SPINE_WS_DATA_DIR: dataDir }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Exactly one line on stderr, in the CLI's `spine-ws: <code>: …` form, with no stack trace. */
function expectOneLine(err: string, code: string): string {
  const lines = err.trim().split('\n');
  expect(lines, err).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^spine-ws: ${code}: `));
  expect(err).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-hardening-cli-'));
  dataset = join(dir, 'ds');
  await generateSample({ out: dataset, patients: 1, seed: 'cli' });
  writeFileSync(join(dir, 'a-file'), 'a regular file, not a folder');
  busy = createServer();
  await new Promise<void>((ok) => busy.listen(0, '127.0.0.1', () => ok()));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((ok) => busy.close(ok));
  rmSync(dir, { recursive: true, force: true });
});

describe('runtime failures are one typed line and exit 1', () => {
  // Tests run as root, where a chmod 0555 folder is still writable; a data folder under a regular file fails
  // (ENOTDIR) for root as for anyone.
  it.each([
    ['with a dataset', () => ['serve', dataset, '--port', '0']],
    ['with the bundled sample', () => ['serve', '--port', '0']],
  ])('serve %s and a data folder that cannot be written', (_name, args) => {
    const dataDir = join(dir, 'a-file', 'spine-data');
    const r = run(args(), dataDir);
    expect(r.code).toBe(1);
    const line = expectOneLine(r.err, 'io');
    expect(line).toContain(dataDir);
    expect(line).toContain('ENOTDIR');
    expect(line).toContain('SPINE_WS_DATA_DIR');
  });

  it('serve --port N on a busy port says so', () => {
    const r = run(['serve', dataset, '--port', String(busyPort)]);
    expect(r.code).toBe(1);
    expect(expectOneLine(r.err, 'io')).toContain(`port ${busyPort} on 127.0.0.1 is already in use`);
  });

  it('serve on a dataset folder that does not exist', () => {
    const r = run(['serve', join(dir, 'nope'), '--port', '0']);
    expect(r.code).toBe(1);
    expect(expectOneLine(r.err, 'not_found')).toContain('nope');
  });

  it('sample --out a regular file is an io failure, not a bug', () => {
    const r = run(['sample', '--out', join(dir, 'a-file')]);
    expect(r.code).toBe(1);
    expect(expectOneLine(r.err, 'io')).toContain('ENOTDIR');
  });
});

describe('exit code 2 is for bad arguments only', () => {
  it.each([
    [['serve', '--port', 'abc']],
    [['serve', '--port', '70000']],
    [['serve', 'a', 'b']],
    [['serve', '--bogus']],
    [['sample']],
    [['start', 'a', 'b']],
  ])('%j', (args) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
