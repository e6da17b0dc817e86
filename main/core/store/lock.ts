// The single-writer lock of an annotation store: an exclusive `<store>.lock` file naming its holder, with
// stale-lock recovery so a crashed workstation never locks its user out. Plain Node.
//
// SQLite's own locking already keeps the file consistent with several writers; this lock exists so that a
// second window or process gets a clear "open elsewhere" error instead of two editors interleaving one journal.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { AppError } from '../../../common/errors.js';
import { displayName, isErrno } from './db.js';

/** Contents of a lock file (JSON). */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** When the holder took the lock, ISO-8601 UTC. */
  readonly startedAt: string;
  /** Random token proving which acquisition wrote the file. */
  readonly nonce: string;
}

/** A held lock; `release()` is idempotent. */
export interface StoreLock {
  readonly path: string;
  readonly owner: LockOwner;
  release(): void;
}

/** A lock file that cannot be parsed is only trusted this long: long enough for its writer to fill it in. */
const UNREADABLE_LOCK_GRACE_MS = 30_000;
const MAX_ATTEMPTS = 5;

/** Lock paths held by this process, so a second open in the same process is refused too. */
const heldByThisProcess = new Map<string, LockOwner>();
let exitHookInstalled = false;

/** The lock file that guards `storeFile`. */
export function lockPathFor(storeFile: string): string {
  return `${storeFile}.lock`;
}

/**
 * Takes the writer lock of `storeFile`, recovering a stale lock left by a dead process on this host.
 * @throws AppError('db_locked') naming the store and the holder when another live process holds it (or when it
 * is held by a process on another host, whose liveness cannot be checked); AppError('io') when the lock file
 * cannot be created.
 */
export function acquireLock(storeFile: string, now: () => Date): StoreLock {
  const lockPath = lockPathFor(storeFile);
  if (heldByThisProcess.has(lockPath)) {
    throw lockedError(storeFile, 'it is already open for writing in this process');
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const owner: LockOwner = {
      pid: process.pid,
      hostname: os.hostname(),
      startedAt: now().toISOString(),
      nonce: crypto.randomBytes(12).toString('hex'),
    };
    if (tryCreate(lockPath, owner, storeFile)) {
      heldByThisProcess.set(lockPath, owner);
      installExitHook();
      return { path: lockPath, owner, release: () => releaseLock(lockPath, owner) };
    }
    const found = readLockFile(lockPath);
    if (found === 'missing') continue; // released between our attempt and the read: try again
    const verdict = judge(found);
    if (verdict.stale) {
      removeIfUnchanged(lockPath, found.raw);
      continue;
    }
    throw lockedError(storeFile, verdict.reason);
  }
  throw lockedError(storeFile, 'the lock file keeps changing');
}

function tryCreate(lockPath: string, owner: LockOwner, storeFile: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx', 0o644);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw new AppError('io', `Cannot create the lock file of annotation store ${displayName(storeFile)}`, {
      file: storeFile,
      cause: err,
    });
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

interface FoundLock {
  readonly raw: string;
  readonly owner: LockOwner | null;
  readonly mtimeMs: number;
}

function readLockFile(lockPath: string): FoundLock | 'missing' {
  try {
    const raw = fs.readFileSync(lockPath, 'utf8');
    const mtimeMs = fs.statSync(lockPath).mtimeMs;
    return { raw, owner: parseOwner(raw), mtimeMs };
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return 'missing';
    throw err;
  }
}

const lockOwnerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.string(),
  nonce: z.string(),
});

function parseOwner(raw: string): LockOwner | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = lockOwnerSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

type Verdict = { stale: true } | { stale: false; reason: string };

/** Decides whether a found lock belongs to a live holder. */
function judge(found: FoundLock): Verdict {
  const { owner } = found;
  if (owner === null) {
    const age = Date.now() - found.mtimeMs;
    return age > UNREADABLE_LOCK_GRACE_MS ? { stale: true } : { stale: false, reason: 'another process is opening it' };
  }
  const holder = `process ${owner.pid} on ${owner.hostname} since ${owner.startedAt}`;
  if (owner.hostname !== os.hostname()) {
    return {
      stale: false,
      reason: `it is open in ${holder} (another computer; if that computer is off, delete the .lock file)`,
    };
  }
  // Our own pid but not a lock we took: a previous process that had the same pid (e.g. pid 1 in a container).
  if (owner.pid === process.pid) return { stale: true };
  return isAlive(owner.pid) ? { stale: false, reason: `it is open in ${holder}` } : { stale: true };
}

/** `kill(pid, 0)` sends nothing: ESRCH means no such process; EPERM means it exists but is not ours. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}

/**
 * Removes a stale lock only if it still holds what we judged, so we never delete a lock that another process
 * has just taken over. The window between this check and the unlink is microseconds; if two openers race
 * through it, SQLite's own locking still keeps the database consistent.
 */
function removeIfUnchanged(lockPath: string, raw: string): void {
  const again = readLockFile(lockPath);
  if (again === 'missing' || again.raw !== raw) return;
  try {
    fs.unlinkSync(lockPath);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

function releaseLock(lockPath: string, owner: LockOwner): void {
  if (heldByThisProcess.get(lockPath) !== owner) return;
  heldByThisProcess.delete(lockPath);
  const found = readLockFile(lockPath);
  // Only delete our own lock file, identified by its nonce.
  if (found !== 'missing' && found.owner?.nonce === owner.nonce) {
    try {
      fs.unlinkSync(lockPath);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
}

/** A process that exits without closing its stores still removes its lock files (not possible on SIGKILL). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [lockPath, owner] of [...heldByThisProcess]) {
      try {
        releaseLock(lockPath, owner);
      } catch {
        // Exiting anyway; a leftover lock is recovered as stale by the next opener.
      }
    }
  });
}

function lockedError(storeFile: string, reason: string): AppError {
  return new AppError('db_locked', `Annotation store ${displayName(storeFile)} is locked for writing: ${reason}`, {
    file: storeFile,
  });
}
