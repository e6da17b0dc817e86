// The single-writer guarantee: a second writer (in another process or this one) gets db_locked naming the file,
// readers still work, and a lock left by a dead process is recovered.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../main/core/store/index.js';
import { lockPathFor } from '../../main/core/store/lock.js';
import { catchAppError, deadPid, startStoreChild, tempDir } from './helpers.js';

function writeLock(file: string, owner: Record<string, unknown>): void {
  fs.writeFileSync(lockPathFor(file), JSON.stringify(owner));
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
