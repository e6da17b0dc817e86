// `spine-ws qa` as a child process on generated samples: every fault the generator injected (its own list) is
// found in the right series with the right labels; the same generator without faults gives no finding at all;
// exit codes 1 / 0 / 2; --json parses.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanDataset } from '../../main/core/dataset/index.js';
import { defaultReadMask, runQa, type QaFinding, type QaReport } from '../../main/core/qa/index.js';
import { generateSample, type SampleFault, type SampleResult } from '../../main/core/sample/index.js';

const CLI = join(process.cwd(), 'bin', 'spine-ws.mjs');
let root: string;
let faulty: SampleResult;
let clean: SampleResult;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-qa-cli-'));
  faulty = await generateSample({ out: join(root, 'faulty'), patients: 5, seed: 'qa-cli' });
  clean = await generateSample({ out: join(root, 'clean'), patients: 5, seed: 'qa-cli', faults: false });
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SPINE_WS_DATA_DIR: join(root, 'data') }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The codes that explain each kind of injected fault. */
const EXPLAINS: Record<SampleFault['kind'], QaFinding['code'][]> = {
  swapped_labels: ['level_order'],
  stray_island: ['island', 'far_from_spine'],
  missing_disc_slice: ['island'],
};

describe('spine-ws qa', () => {
  it('finds every fault the generator injected, and exits 1', () => {
    expect(faulty.faults.map((f) => f.kind).sort()).toEqual(['missing_disc_slice', 'stray_island', 'swapped_labels']);
    const r = cli(['qa', faulty.out, '--json']);
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as QaReport;
    expect(report.seriesChecked).toBe(faulty.series.length);
    for (const fault of faulty.faults) {
      const hits = report.findings.filter(
        (f) => f.seriesId === fault.seriesId && EXPLAINS[fault.kind].includes(f.code) && fault.labels.every((l) => f.labels.includes(l)),
      );
      expect(hits, `${fault.seriesId} ${fault.kind}`).not.toHaveLength(0);
    }
    // Nothing is reported for series the generator left alone.
    const faultySeries = new Set(faulty.faults.map((f) => f.seriesId));
    expect(report.findings.filter((f) => !faultySeries.has(f.seriesId))).toEqual([]);
    expect(report.counts.error).toBeGreaterThan(0);
  });

  it('the stray island is reported where the generator put it', () => {
    const fault = faulty.faults.find((f) => f.kind === 'stray_island')!;
    const centre = /at voxel (\d+),(\d+),(\d+)/.exec(fault.description)!.slice(1).map(Number);
    const report = JSON.parse(cli(['qa', faulty.out, '--json']).stdout) as QaReport;
    const island = report.findings.find((f) => f.seriesId === fault.seriesId && f.code === 'island')!;
    expect(island.ijk).toEqual(centre);
  });

  it('streamed mask files, whole volumes on this thread or on workers, and a mixed readMask give the same report', async () => {
    const index = await scanDataset(faulty.out);
    const streamed = await runQa(index);
    expect(await runQa(index, { readMask: defaultReadMask })).toEqual(streamed);
    expect(await runQa(index, { workers: 2, concurrency: 3 })).toEqual(streamed);
    // Every other series from a reader (as the app's live labels), the rest streamed (null).
    let n = 0;
    expect(await runQa(index, { readMask: (s, r) => (n++ % 2 ? defaultReadMask(s, r) : Promise.resolve(null)) })).toEqual(streamed);
    expect(n).toBe(faulty.series.length);
    expect(streamed.counts.error).toBeGreaterThan(0);
  });

  it('prints a table with one line per finding', () => {
    const r = cli(['qa', faulty.out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Findings {2}\d+ error\(s\)/);
    expect(r.stdout).toMatch(/^E\s+level_order\s+2_t1\s+2,3\s/m);
    expect(r.stdout).toMatch(/^\S\s+island\s+3_t1\s+3\s/m);
  });

  it('a clean phantom has zero findings and exits 0', () => {
    const r = cli(['qa', clean.out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as QaReport;
    expect(report.findings).toEqual([]);
    expect(report.seriesChecked).toBe(clean.series.length);
    const table = cli(['qa', clean.out]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('Findings  0 error(s), 0 warning(s), 0 info');
  });

  it('an unreadable mask is an error finding of its series; the other series are still checked', () => {
    const copy = join(root, 'broken');
    cpSync(clean.out, copy, { recursive: true });
    truncateSync(join(copy, 'masks', '2_t1.mha'), 400);
    const r = cli(['qa', copy, '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as QaReport;
    const broken = report.findings.filter((f) => f.code === 'mask_unreadable');
    expect(broken.map((f) => [f.seriesId, f.severity])).toEqual([['2_t1', 'error']]);
    expect(report.seriesChecked).toBe(clean.series.length - 1);
  });

  it('bad arguments exit 2; a folder that is no dataset exits 1', () => {
    expect(cli(['qa']).status).toBe(2);
    expect(cli(['qa', clean.out, '--bogus']).status).toBe(2);
    expect(cli(['qa', clean.out, '--concurrency', '0']).status).toBe(2);
    const missing = cli(['qa', join(root, 'nope')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^spine-ws: /);
  });
});
