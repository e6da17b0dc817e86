// The `spine-ws` command as a user runs it: a real child process on real folders.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRADING_FIELDS } from '../../../common/gradings.js';
import { generateSample } from '../../../main/core/sample/index.js';
import { openWorkstation } from '../../../main/core/workstation.js';

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

  it('info reports how many grading rows it read (text and --json), and how many records it skipped', async () => {
    const out = join(dir, 'graded');
    await generateSample({ out, patients: 2, seed: 11 });
    const file = join(out, 'radiological_gradings.csv');
    // As many rows as the released file (1,520), with its distribution of IVD labels per patient (DATASET.md §3.2).
    const rows: string[] = [];
    for (let i = 0; i < 218; i++) {
      const levels = [1, 2, 3, 4, 5, ...(i < 217 ? [6] : []), ...(i < 144 ? [7] : []), ...(i < 55 ? [8] : []), ...(i < 12 ? [9] : []), ...(i < 2 ? [0] : [])];
      for (const k of levels) rows.push(`${i + 1},${k},0,0,0,0,0,1,1,${1 + ((i + k) % 5)}`);
    }
    expect(rows).toHaveLength(1520);
    const header = readFileSync(file, 'utf8').split('\r\n')[0]!;
    writeFileSync(file, [header, ...rows].join('\r\n') + '\r\n');
    const info = run('info', out);
    expect(info.code, info.out).toBe(0);
    expect(info.out).toMatch(/^Gradings {2}1520 rows read from radiological_gradings\.csv$/m);
    const json = JSON.parse(run('info', out, '--json').out) as { gradings: unknown };
    expect(json.gradings).toEqual({ file: 'radiological_gradings.csv', rows: 1520, skipped: 0 });

    // A bad key and a malformed quote: the rows read say so, and the records skipped are counted.
    writeFileSync(file, [header, ...rows, '999,x,0,0,0,0,0,1,1,3', '998,1,"0,0,0,0,0,1,1,3'].join('\r\n') + '\r\n');
    const bad = run('info', out);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^Gradings {2}1520 rows read from radiological_gradings\.csv; 2 more records skipped \(see problems\)$/m);
    expect((JSON.parse(run('info', out, '--json').out) as { gradings: unknown }).gradings).toEqual({ file: 'radiological_gradings.csv', rows: 1520, skipped: 2 });

    rmSync(file);
    expect(run('info', out).out).toMatch(/^Gradings {2}none \(no readable radiological_gradings\.csv\)$/m);
    expect((JSON.parse(run('info', out, '--json').out) as { gradings: unknown }).gradings).toBeNull();
  });

  it('export leaves an incomplete new level out with a warning; --strict refuses it (exit 1, nothing written)', async () => {
    const ds = join(dir, 'strict');
    await generateSample({ out: ds, patients: 2, seed: 5 });
    const file = join(ds, 'radiological_gradings.csv');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    writeFileSync(file, lines.filter((l) => !l.startsWith('2,1,') && !l.startsWith('2,3,')).join('\r\n')); // two new levels
    const csvRows = lines.filter((l) => l !== '').length - 1 - 2;
    const storeFile = join(dir, 'strict.sqlite');
    const grade = async (levels: [number, string, number][]): Promise<void> => {
      const ws = await openWorkstation({ datasetRoot: ds, storeFile, annotator: 'alice', log: () => undefined });
      try {
        for (const [k, field, value] of levels) await ws.service.setGrading({ patientId: 2, ivdLabel: k, field: field as never, value });
      } finally {
        ws.close();
      }
    };
    await grade([[1, 'pfirrmann', 3], [3, 'modic', 1], [3, 'bulging', 0]]);

    const refused = run('export', ds, '--out', join(dir, 'strict-out'), '--store', storeFile, '--strict');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('export: refused (--strict): 2 levels would be left out of radiological_gradings.csv because they are not fully graded; nothing was written');
    const others = (except: string[]) => GRADING_FIELDS.map((f) => f.column).filter((c) => !except.includes(c)).join(', ');
    expect(refused.err).toContain(`  patient 2 IVD label 1 (no value for ${others(['Pfirrman grade'])})`);
    expect(refused.err).toContain(`  patient 2 IVD label 3 (no value for ${others(['Modic', 'Disc bulging'])})`);
    expect(existsSync(join(dir, 'strict-out'))).toBe(false);
    expect(existsSync(join(dir, 'strict-out.partial'))).toBe(false);

    const loose = run('export', ds, '--out', join(dir, 'loose-out'), '--store', storeFile);
    expect(loose.code, loose.err).toBe(0);
    expect(loose.err).toContain('export: warning: radiological_gradings.csv: patient 2 IVD label 1 not exported: incomplete');
    expect(loose.err).toContain('export: warning: radiological_gradings.csv: patient 2 IVD label 3 not exported: incomplete');
    const info = run('info', join(dir, 'loose-out'));
    expect(info.code, info.out).toBe(0);
    expect(info.out).toMatch(/Problems {2}0 error\(s\)/);
    expect(info.out).toContain(`Gradings  ${csvRows} rows read`);

    // Level 1 graded completely: it is exported; level 3 still blocks --strict.
    await grade(GRADING_FIELDS.map((f) => [1, f.field, f.values[0]!]));
    const one = run('export', ds, '--out', join(dir, 'strict-out'), '--store', storeFile, '--strict');
    expect(one.code).toBe(1);
    expect(one.err).toContain('1 level would be left out of radiological_gradings.csv because it is not fully graded');
    await grade(GRADING_FIELDS.map((f) => [3, f.field, f.values[1]!]));
    const ok = run('export', ds, '--out', join(dir, 'strict-out'), '--store', storeFile, '--strict');
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).not.toContain('not exported');
    expect(run('info', join(dir, 'strict-out')).out).toContain(`Gradings  ${csvRows + 2} rows read`);
  });

  it('names a missing dataset folder in one line', () => {
    const r = run('info', join(dir, 'nope'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('nope');
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});
