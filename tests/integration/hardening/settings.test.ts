// The remembered annotator (settings.json) when the disk says no: a typed 'io' error, never a half-written file,
// no temporary file left behind. Real files; the "full disk" is a child process under a file-size limit of 0.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/errors.js';
import { fileAnnotatorMemory } from '../../../main/core/identity.js';

const here = dirname(fileURLToPath(import.meta.url));
const projectRoot = resolve(here, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'spine-hardening-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ORIGINAL = `${JSON.stringify({ annotator: 'Dr. Before', theme: 'dark' }, null, 2)}\n`;

/** Runs settingsChild.ts; with `fsizeZero` under `ulimit -f 0` and SIGXFSZ ignored, so writes fail with EFBIG. */
function saveInChild(file: string, name: string, fsizeZero: boolean): Record<string, unknown> {
  const node = [process.execPath, '--import', 'tsx', join(here, 'settingsChild.ts'), file, name].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = fsizeZero ? `trap '' XFSZ; ulimit -f 0; exec ${node}` : `exec ${node}`;
  const r = spawnSync('sh', ['-c', script], { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (!line.startsWith('{')) throw new Error(`child printed no result (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe('AnnotatorMemory.save', () => {
  it('saves atomically, keeping the other keys and leaving no temporary file', () => {
    const folder = join(dir, 'ok');
    mkdirSync(folder);
    const file = join(folder, 'settings.json');
    writeFileSync(file, ORIGINAL);
    const memory = fileAnnotatorMemory(file);
    memory.save('Dr. After');
    expect(memory.load()).toBe('Dr. After');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ annotator: 'Dr. After', theme: 'dark' });
    expect(readdirSync(folder)).toEqual(['settings.json']);
  });

  it('throws a typed io error for a path that cannot be written (a folder that is a regular file)', () => {
    // Tests run as root, where a chmod 0555 folder is still writable: a path under a regular file fails for root too.
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a regular file');
    const file = join(blocker, 'data', 'settings.json');
    let err: unknown;
    try {
      fileAnnotatorMemory(file).save('Dr. Nobody');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'io', file, message: expect.stringContaining('settings.json') });
    expect((err as AppError).message).toContain('ENOTDIR');
    expect((err as AppError).message).not.toContain('\n');
  });

  it('on a full disk (every write fails) throws io and leaves settings.json as it was, with no temporary file', () => {
    const folder = join(dir, 'full');
    mkdirSync(folder);
    const file = join(folder, 'settings.json');
    writeFileSync(file, ORIGINAL);
    // The same child without the limit saves: the failure below is the limit's doing (and tsx's cache is warm).
    const free = join(dir, 'free');
    mkdirSync(free);
    expect(saveInChild(join(free, 'settings.json'), 'Dr. Free', false)).toEqual({ saved: true });

    const r = saveInChild(file, 'Dr. Full', true);
    expect(r).toMatchObject({ error: 'io', typed: true });
    expect(String(r.message)).toMatch(/settings\.json.*EFBIG/);
    expect(readFileSync(file, 'utf8')).toBe(ORIGINAL);
    expect(readdirSync(folder)).toEqual(['settings.json']);
  });
});
