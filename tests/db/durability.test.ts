// "Nothing an annotator does may ever be lost": an edit acknowledged by append() survives the process being
// killed (SIGKILL, no cleanup at all) right after, and the crashed process's lock does not lock the user out.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../main/core/store/index.js';
import { lockPathFor } from '../../main/core/store/lock.js';
import { startStoreChild, tempDir } from './helpers.js';
import { CHILD_DIFF } from './storeChild.js';

describe('durability', () => {
  it('an acknowledged append survives kill -9 of its process', async () => {
    const file = path.join(tempDir(), 'store.sqlite');
    const writer = await startStoreChild(['append', file]);
    expect(writer.message).toMatchObject({ appended: 1 });
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe('SIGKILL');

    // The crash left its traces: the commit is in the WAL, and the dead process's lock file is still there.
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    const staleLock = JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as { pid: number };
    expect(staleLock.pid).toBe(writer.message.pid);

    const store = openStore(file);
    try {
      const [edit, ...rest] = store.edits.active('7_t2');
      expect(rest).toEqual([]);
      expect(edit).toMatchObject({ seq: 1, label: 203, voxelCount: 6, description: 'Brush L3/L4, 6 voxels' });
      expect(Array.from(edit?.diff ?? [])).toEqual(Array.from(CHILD_DIFF));
      // The lock is ours now.
      const lock = JSON.parse(fs.readFileSync(lockPathFor(file), 'utf8')) as { pid: number };
      expect(lock.pid).toBe(process.pid);
    } finally {
      store.close();
    }
  });
});
