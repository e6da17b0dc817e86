// `spine-ws export` as a child process: it reads the annotation store read-only while a workstation holds the
// writer lock, reports progress on stderr and exits with the documented codes; a SIGKILL mid-export leaves no
// DIR, and the next export removes the stale DIR.partial.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetaImage } from '../../main/core/mha/index.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation } from '../../main/core/workstation.js';
import { expectManifestHashes, readManifest } from './exportHelpers.js';
import { brushDiff, diffBytes, hashTree, prng, sameBytes, workstationCases } from './journalHelpers.js';
import { applyDiff } from '../../common/labelDiff.js';

const CLI = join(process.cwd(), 'bin', 'spine-ws.mjs');
let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-export-cli-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 6, seed: 'export-cli' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const { open, fresh } = workstationCases(() => ({ root, pristine }));
const env = (): NodeJS.ProcessEnv => ({ ...process.env, SPINE_WS_DATA_DIR: join(root, 'data') });

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: env(), timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('spine-ws export', () => {
  it('exports while the workstation holds the store (read-only open), with progress and a summary', async () => {
    const paths = fresh();
    const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'alice', log: () => undefined });
    open.push(ws);
    const opened = await ws.service.openSeries({ seriesId: '1_t1' });
    const mask = (await ws.volumeBytes('1_t1', 'mask')).slice();
    const { diff, label } = brushDiff(mask, opened.image.geometry.size, prng(7), 8);
    await ws.service.commitEdit({ seriesId: '1_t1', baseRevision: 0, tool: 'brush', label, description: 'Brush', diff: diffBytes(diff) });
    applyDiff(mask, diff, 'forward');
    const before = hashTree(paths.dataset);

    const out = join(root, 'cli-out');
    const r = cli(['export', paths.dataset, '--out', out, '--store', paths.storeFile]);
    expect(r.stderr).toMatch(/export: writing \d+\/\d+ files/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Exported 13 series (1 with changed labels)');
    expect(r.stdout).toContain(`Manifest: ${join(out, 'export-manifest.json')}`);
    const exported = await readMetaImage(join(out, 'masks', '1_t1.mha'));
    expect(sameBytes(Uint8Array.from(exported.data), mask)).toBe(true);
    expect(readManifest(out).series.find((s) => s.seriesId === '1_t1')).toMatchObject({ labels: 'changed', revision: 1 });
    expectManifestHashes(out);
    // The CLI adapter gives the engine package.json's version.
    expect(readManifest(out).workstation.version).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
    expect(hashTree(paths.dataset)).toEqual(before);
    // The workstation still writes: the CLI took no lock.
    expect((await ws.service.undo({ seriesId: '1_t1' })).revision).toBe(2);
  });

  it('exit codes: --help 0, usage 2, refused 1', () => {
    const paths = fresh();
    const help = cli(['export', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--changed-only');
    expect(cli(['export', paths.dataset]).status).toBe(2);
    expect(cli(['export', paths.dataset, '--out', join(root, 'x'), '--format', 'png']).status).toBe(2);
    const inside = cli(['export', paths.dataset, '--out', join(paths.dataset, 'out')]);
    expect(inside.status).toBe(2);
    expect(inside.stderr).toContain('inside the source dataset');
    const existing = cli(['export', paths.dataset, '--out', paths.dataset + '/..', '--force']);
    expect(existing.status).toBe(2);
    expect(existing.stderr).toContain('contains the source dataset');
    const nonEmpty = cli(['export', paths.dataset, '--out', join(root, 'pristine')]);
    expect(nonEmpty.status).toBe(1);
    expect(nonEmpty.stderr).toContain('conflict');
  });

  it('SIGKILL mid-export leaves no DIR; the next export removes the stale DIR.partial', async () => {
    const paths = fresh();
    const out = join(root, 'killed');
    const partial = `${out}.partial`;
    const child = spawn(process.execPath, [CLI, 'export', paths.dataset, '--out', out, '--format', 'nifti', '--workers', '1'], { env: env(), stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((ok) => child.on('exit', (_code, signal) => ok(signal)));
    const t0 = Date.now();
    while (!existsSync(join(partial, 'labelsTr')) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(existsSync(partial)).toBe(true);
    expect(existsSync(out)).toBe(false);

    const again = cli(['export', paths.dataset, '--out', out, '--format', 'nifti']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('stale killed.partial');
    expect(existsSync(partial)).toBe(false);
    expectManifestHashes(out);
  });
});
