// The `spine-ws` command as a user runs it: a real child process on real folders.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../../bin/spine-ws.mjs');
let dir: string;

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, SPINE_WS_DATA_DIR: join(dir, 'data') }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spine-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spine-ws CLI', () => {
  it('prints help', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('spine-ws sample --out DIR');
    expect(r.out).toContain('spine-ws info DATASET');
  });

  it('refuses unknown commands and options with exit code 2', () => {
    expect(run('frobnicate').code).toBe(2);
    const r = run('sample', '--bogus');
    expect(r.code).toBe(2);
    expect(r.err).toContain('bogus');
    expect(r.err).not.toContain('    at '); // no stack trace
  });

  it('writes a sample and describes it with info', () => {
    const out = join(dir, 'ds');
    const s = run('sample', '--out', out, '--patients', '2', '--seed', '7');
    expect(s.code, s.err).toBe(0);
    expect(s.out).toMatch(/Wrote 5 series of 2 patients/);
    const info = run('info', out);
    expect(info.code, info.err).toBe(0);
    expect(info.out).toMatch(/Patients\s+2/);
    expect(info.out).toMatch(/1_t2_SPACE\s+112×160×30/);
    expect(info.out).toContain('PIR');
    const json = JSON.parse(run('info', out, '--json').out) as { patients: number; series: number; byOrientation: Record<string, number>; problems: { errors: number } };
    expect(json).toMatchObject({ patients: 2, series: 5, byOrientation: { LPS: 3, PIR: 2 }, problems: { errors: 0 } });
  });

  it('reports dataset problems and exits 1 when there are errors', () => {
    const out = join(dir, 'broken');
    expect(run('sample', '--out', out, '--patients', '1').code).toBe(0);
    writeFileSync(join(out, 'masks', '1_t2.mha'), 'ObjectType = Image\nNDims = 3\nDimSize = 1 2\n');
    const info = run('info', out);
    expect(info.code).toBe(1);
    expect(info.out).toContain('masks/1_t2.mha');
  });

  it.each([
    ['serve', (ds: string) => ['serve', ds, '--port', '0']],
    ['start', () => ['start']],
  ] as const)('%s prints a 127.0.0.1 URL whose token is enforced, and stops cleanly on SIGTERM', async (name, argv) => {
    const ds = join(dir, `ds-${name}`);
    if (name === 'serve') expect(run('sample', '--out', ds, '--patients', '1').code).toBe(0);
    const child = spawn(process.execPath, [BIN, ...argv(ds)], { env: { ...process.env, SPINE_WS_DATA_DIR: join(dir, `data-${name}`) } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const url = await new Promise<string>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no URL printed:\n${out}`)), 90_000);
      child.stdout.on('data', () => {
        const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/.exec(out);
        if (m) {
          clearTimeout(t);
          ok(m[1]!);
        }
      });
    });
    if (name === 'start') expect(out).toMatch(/^Starting web mode: the Electron (binary is not installed on this machine|shell is not built yet)/m);
    const bare = url.replace(/\?token=.*/, '');
    expect((await fetch(bare)).status).toBe(401);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(303);
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('names a missing dataset folder in one line', () => {
    const r = run('info', join(dir, 'nope'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
