// The single-writer guarantee: a second writer (in another process or this one) gets db_locked naming the file,
// readers still work, and a lock left by a dead process is recovered.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../main/core/store/index.js';
import { lockPathFor, processStartOf } from '../../main/core/store/lock.js';
import { catchAppError, deadPid, startStoreChild, tempDir } from './helpers.js';

function writeLock(file: string, owner: Record<string, unknown>): void {
  fs.writeFileSync(lockPathFor(file), JSON.stringify(owner));
}

/** /proc/<pid>/stat, or '' when it cannot be read. */
function readStat(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('writer lock', () => {
  it('refuses a second writable open in the same process until the first is closed', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const first = openStore(file);
    const lock = JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as Record<string, unknown>;
    expect(lock).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    expect(typeof lock.startedAt).toBe('string');

    const err = catchAppError(() => openStore(file), 'db_locked');
    expect(err.message).toContain('store.sqlite');
    expect(err.message).toContain('this process');
    const reader = openStore(file, { readonly: true });
    reader.close();

    first.close();
    first.close(); // idempotent
    expect(fs.existsSync(lockPathFor(file))).toBe(false);
    openStore(file).close();
  });

  it('refuses a writer while another process holds the store, which a reader can still read', async () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const holder = await startStoreChild(['hold', file]);
    try {
      expect(holder.message).toMatchObject({ ready: true });
      const err = catchAppError(() => openStore(file), 'db_locked');
      expect(err.message).toContain('store.sqlite');
      expect(err.message).toContain(`process ${String(holder.message.pid)}`);
      expect(err.file).toBe(file);

      const reader = openStore(file, { readonly: true });
      expect(reader.edits.history('7_t2').map((e) => e.description)).toEqual(['Brush L4/L5, 3 voxels']);
      reader.close();
    } finally {
      holder.child.stdin.write('close\n');
      expect(await holder.exited).toBe(0);
    }
    expect(fs.existsSync(lockPathFor(file))).toBe(false);
    const store = openStore(file);
    expect(store.edits.count('7_t2').active).toBe(1);
    store.close();
  });

  it('a second process trying to write gets db_locked too', async () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const store = openStore(file);
    try {
      const other = await startStoreChild(['open', file]);
      expect(other.message).toMatchObject({ error: 'db_locked' });
      expect(String(other.message.message)).toContain('store.sqlite');
      await other.exited;
    } finally {
      store.close();
    }
  });

  it('recovers a stale lock left by a dead process on this host', async () => {
    const file = path.join(tempDir(), 'store.sqlite');
    openStore(file).close();
    const pid = await deadPid();
    writeLock(file, { pid, hostname: os.hostname(), startedAt: '2024-01-01T00:00:00.000Z', nonce: 'x' });
    const store = openStore(file);
    const lock = JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as Record<string, unknown>;
    expect(lock.pid).toBe(process.pid);
    store.close();
  });

  it('records the holder process start where /proc tells it', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const store = openStore(file);
    try {
      const lock = JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as Record<string, unknown>;
      if (fs.existsSync('/proc/self/stat')) expect(lock.processStart).toMatch(/^.+:\d+$/);
      else expect(lock.processStart).toBeUndefined(); // no /proc (macOS, Windows): liveness by pid alone
    } finally {
      store.close();
    }
  });

  // Linux only (runIf): /proc is what tells a zombie or a reused pid apart; elsewhere the lock falls back to kill(pid, 0).
  it.runIf(fs.existsSync('/proc/self/stat'))('recovers a lock whose holder is a zombie (exited, not yet reaped)', async () => {
    // `sleep 0 &` becomes a zombie: the shell execs into `sleep 30`, which never waits for it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const zombie = Number((await new Promise<Buffer>((ok) => parent.stdout.once('data', ok))).toString().trim());
      await waitFor(() => /\) Z /.test(readStat(zombie)));
      expect(() => process.kill(zombie, 0)).not.toThrow(); // kill(pid, 0) alone counts it as alive
      const file = path.join(tempDir(), 'store.sqlite');
      writeLock(file, { pid: zombie, hostname: os.hostname(), startedAt: '2024-01-01T00:00:00.000Z', nonce: 'x' });
      const store = openStore(file);
      expect((JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as { pid: number }).pid).toBe(process.pid);
      store.close();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it.runIf(fs.existsSync('/proc/self/stat'))('recovers a lock whose pid now belongs to another live process (pid reuse)', async () => {
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = other.pid!;
      await waitFor(() => readStat(pid) !== '');
      const file = path.join(tempDir(), 'store.sqlite');
      // The live process, as the lock's holder would have been recorded by a process started at another time.
      writeLock(file, { pid, hostname: os.hostname(), startedAt: '2024-01-01T00:00:00.000Z', nonce: 'x', processStart: 'another-boot:1' });
      openStore(file).close();
      // The same live process recorded with its real start is a live holder: refused.
      const held = path.join(tempDir(), 'store.sqlite');
      writeLock(held, { pid, hostname: os.hostname(), startedAt: '2024-01-01T00:00:00.000Z', nonce: 'x', processStart: processStartOf(pid) });
      expect(catchAppError(() => openStore(held), 'db_locked').message).toContain(`process ${pid}`);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('recovers a lock naming this pid that this process never took (pid reuse)', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    writeLock(file, { pid: process.pid, hostname: os.hostname(), startedAt: '2024-01-01T00:00:00.000Z', nonce: 'old' });
    openStore(file).close();
  });

  it('does not steal a lock from another host, whose process it cannot check', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    writeLock(file, { pid: 1234, hostname: 'ward-pc-7', startedAt: '2024-01-01T00:00:00.000Z', nonce: 'x' });
    const err = catchAppError(() => openStore(file), 'db_locked');
    expect(err.message).toContain('ward-pc-7');
    expect(fs.existsSync(file)).toBe(false); // refused before the database was created
  });

  it('treats an unreadable lock as held while fresh and as stale once old', () => {
    const file = path.join(tempDir(), 'store.sqlite');
    fs.writeFileSync(lockPathFor(file), '');
    catchAppError(() => openStore(file), 'db_locked');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockPathFor(file), old, old);
    openStore(file).close();
  });

  it('leaves no lock behind when the open fails after taking it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'store.sqlite');
    catchAppError(() => openStore(file, { nativeBinding: path.join(dir, 'missing.node') }), 'db');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
