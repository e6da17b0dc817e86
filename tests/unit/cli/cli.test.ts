// The `spine-ws` command as a user runs it: a real child process on real folders.
import { spawnSync } from 'node:child_process';
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

  it('names a missing dataset folder in one line', () => {
    const r = run('info', join(dir, 'nope'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
