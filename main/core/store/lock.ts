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
  /**
   * The holder process's identity beyond its pid, where the system tells it (Linux: boot id and start time from
   * /proc/<pid>/stat): a live process with the same pid but another start is a later process reusing the pid.
   * Absent in lock files written without /proc (and by older versions).
   */
  readonly processStart?: string;
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
    const start = processStartOf(process.pid);
    const owner: LockOwner = {
      pid: process.pid,
      hostname: os.hostname(),
      startedAt: now().toISOString(),
      nonce: crypto.randomBytes(12).toString('hex'),
      ...(typeof start === 'string' ? { processStart: start } : {}),
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
  processStart: z.string().optional(),
});

function parseOwner(raw: string): LockOwner | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = lockOwnerSchema.safeParse(json);
  if (!parsed.success) return null;
  const { processStart, ...rest } = parsed.data;
  return processStart === undefined ? rest : { ...rest, processStart };
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
  return isAlive(owner) ? { stale: false, reason: `it is open in ${holder}` } : { stale: true };
}

/**
 * Whether the lock's holder still runs. Where /proc/<pid>/stat can be read (Linux) it decides: state Z (zombie:
 * exited, not yet reaped by its parent) or X = dead; a different start than the lock recorded = the pid now
 * belongs to another process. Otherwise `kill(pid, 0)`: ESRCH means no such process, EPERM means it exists but
 * is not ours.
 */
function isAlive(owner: LockOwner): boolean {
  const start = processStartOf(owner.pid);
  if (start === 'dead') return false;
  if (typeof start === 'string') return owner.processStart === undefined || owner.processStart === start;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}

let bootId: string | null | undefined;

/** This boot's id (Linux), so start times from different boots never compare equal; null where unknown. */
function currentBootId(): string | null {
  if (bootId === undefined) {
    try {
      bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/** `<boot id>:<ticks>`, or the literal 'dead' (a zombie); both are strings, so the type says it in words. */
type ProcessStart = string;

/**
 * A process's start as `<boot id>:<start time in clock ticks>` from /proc/<pid>/stat; 'dead' for a zombie; null
 * when /proc cannot tell (no such process, not Linux, /proc not mounted or hiding the process).
 */
export function processStartOf(pid: number): ProcessStart | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    // No entry: no such process, or /proc is absent or hides other users' processes (hidepid); kill(pid, 0) decides.
    return null;
  }
  // "pid (comm) state ppid … starttime(22nd) …"; comm may hold spaces and parentheses, so split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === 'Z' || state === 'X' || state === 'x') return 'dead';
  if (startTime === undefined || !/^\d+$/.test(startTime)) return null;
  return `${currentBootId() ?? 'unknown-boot'}:${startTime}`;
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
