// Shared helpers of the db tests: temporary folders, file fingerprints, a fake clock, and child processes that
// hold a store (tests/db/storeChild.ts) so locking and crash durability are tested across real processes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { AppError, type ErrorCode } from '../../common/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '..', '..');

const madeDirs: string[] = [];
afterEach(() => {
  for (const dir of madeDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the current test. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spine-store-'));
  madeDirs.push(dir);
  return dir;
}

/** SHA-256 of a file's bytes. */
export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A folder's entries with each file's hash: equal snapshots mean nothing was created, removed or changed. */
export function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, sha256(path.join(dir, name))]));
}

/** A clock that advances one second per call, starting at 2025-01-01T00:00:00Z. */
export function fakeClock(): () => Date {
  let t = Date.parse('2025-01-01T00:00:00.000Z');
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

/** Runs `fn` and returns the AppError it throws (fails if it does not throw one with `code`). */
export function catchAppError(fn: () => unknown, code: ErrorCode): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError && err.code === code) return err;
    throw new Error(`expected AppError('${code}'), got ${String(err)}`, { cause: err });
  }
  throw new Error(`expected AppError('${code}'), but nothing was thrown`);
}

/** A running `tests/db/storeChild.ts` and the first JSON line it printed. */
export interface StoreChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly message: Record<string, unknown>;
  /** Resolves with the exit code or signal once the process has exited (and been reaped). */
  readonly exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts `node --import tsx tests/db/storeChild.ts ...args` and waits for its first line of output. */
export function startStoreChild(args: readonly string[]): Promise<StoreChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'storeChild.ts'), ...args], {
    cwd: projectRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? code));
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      child.stdout.off('data', onData);
      try {
        const message = JSON.parse(stdout.slice(0, newline)) as Record<string, unknown>;
        resolve({ child, message, exited });
      } catch (err) {
        reject(new Error(`storeChild printed ${stdout}; stderr: ${stderr}`, { cause: err }));
      }
    };
    child.stdout.on('data', onData);
    void exited.then((how) => reject(new Error(`storeChild exited (${String(how)}) before reporting: ${stderr}`)));
  });
}

/** The pid of a process that has certainly exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid;
  await new Promise((resolve) => child.on('exit', resolve));
  if (pid === undefined) throw new Error('could not spawn a short-lived process');
  return pid;
}
