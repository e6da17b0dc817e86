// `spine-ws agree` as a child process (issue 16 item 2). Two scripted readers work in their own stores on copies of
// one generated sample (real workstations: commitEdit with brush strokes, setGrading), their work is packed
// (exportAnnotations) and imported into the adjudicator's store (importAnnotations); then `agree --json` must give
// Dice per series and label equal to plain counts over the readers' volumes built here (the mask file read with our
// reader plus the same strokes applied), and κ per field equal to κ computed here from its definition. Also the text
// output, the HTML report (--report, never inside the dataset), typed refusals and exit codes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgreementReport } from '../../common/contractReaders.js';
import { GRADING_FIELDS, type GradingField } from '../../common/gradings.js';
import { encodeDiff } from '../../common/labelDiff.js';
import { storePathFor } from '../../main/core/paths.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation } from '../../main/core/workstation.js';
import { applied, brushDiff, originalLabels, prng } from './journalHelpers.js';

const CLI = join(process.cwd(), 'bin', 'spine-ws.mjs');
let root: string;
let ds: string;
let dataDir: string;
/** Readers' volumes per series id (only the series they edited), built in the test. */
const vols: Record<'A' | 'B', Map<string, Uint8Array>> = { A: new Map(), B: new Map() };
const original = new Map<string, Uint8Array>();
/** The grades each reader set: key `${patient}:${level}` → field → value. */
const grades: Record<'A' | 'B', Map<string, Partial<Record<GradingField, number>>>> = { A: new Map(), B: new Map() };
let ids: string[] = [];

/** The scripted grades: B differs from A in known places and leaves the last level of each patient ungraded. */
function scriptedGrade(reader: 'A' | 'B', p: number, l: number, field: GradingField): number | null {
  const pf = 1 + ((p * 2 + l) % 5);
  const modic = (p + l) % 4;
  if (field === 'pfirrmann') return reader === 'A' ? pf : l % 2 ? pf : Math.min(5, pf + 1);
  if (field === 'modic') return reader === 'A' || l !== 1 ? modic : (modic + 1) % 4;
  if (field === 'narrowing') return reader === 'A' ? l % 2 : p % 2;
  return null;
}

/** One reader's session in its own store: strokes on two series, grades on every level; returns the package. */
async function readerSession(reader: 'A' | 'B', seriesIds: string[], seed: number): Promise<{ fileName: string; data: string }> {
  const ws = await openWorkstation({ datasetRoot: ds, storeFile: join(root, `reader-${reader}.sqlite`), annotator: `Reader ${reader}`, log: () => undefined });
  try {
    const rnd = prng(seed);
    for (const id of seriesIds) {
      let volume = original.get(id)!;
      let { revision } = await ws.service.openSeries({ seriesId: id });
      const size = ws.index.series.find((s) => s.id === id)!.image!.geometry.size;
      for (let k = 0; k < 3; k++) {
        const { diff, label } = brushDiff(volume, size, rnd, 10);
        ({ revision } = await ws.service.commitEdit({ seriesId: id, baseRevision: revision, tool: 'brush', label, description: `stroke ${k}`, diff: encodeDiff(diff) }));
        volume = applied(volume, diff);
      }
      vols[reader].set(id, volume);
    }
    for (const patient of ws.index.patients) {
      const levels = patient.gradedLevels.filter((l) => l >= 1);
      for (const l of reader === 'B' ? levels.slice(0, -1) : levels) {
        for (const field of ['pfirrmann', 'modic', 'narrowing'] as GradingField[]) {
          const value = scriptedGrade(reader, patient.id, l, field)!;
          const level = await ws.service.setGrading({ patientId: patient.id, ivdLabel: l, field, value });
          // A value equal to the CSV's is no change (no event, nothing stored), so it is not the reader's grade.
          if (!level.edited.includes(field)) continue;
          const key = `${patient.id}:${l}`;
          grades[reader].set(key, { ...grades[reader].get(key), [field]: value });
        }
      }
    }
    return await ws.service.exportAnnotations({ annotator: `Reader ${reader}` });
  } finally {
    ws.close();
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-agree-cli-'));
  ds = join(root, 'ds');
  dataDir = join(root, 'data');
  await generateSample({ out: ds, patients: 2, seed: 'agree-cli' });
  const probe = await openWorkstation({ datasetRoot: ds, storeFile: join(root, 'probe.sqlite'), annotator: 'Probe', log: () => undefined });
  ids = probe.index.series.filter((s) => s.maskFile).map((s) => s.id);
  probe.close();
  for (const id of ids) original.set(id, await originalLabels(ds, id));
  const pkgA = await readerSession('A', [ids[0]!, ids[1]!], 11);
  const pkgB = await readerSession('B', [ids[1]!, ids[2]!], 12);
  // The adjudicator's store, where the CLI finds it by default.
  const adj = await openWorkstation({ datasetRoot: ds, storeFile: storePathFor(ds, { SPINE_WS_DATA_DIR: dataDir }), annotator: 'Adj', log: () => undefined });
  try {
    await adj.service.importAnnotations({ fileName: pkgA.fileName, data: pkgA.data });
    await adj.service.importAnnotations({ fileName: pkgB.fileName, data: pkgB.data });
  } finally {
    adj.close();
  }
}, 240_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SPINE_WS_DATA_DIR: dataDir }, timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** κ from its definition with disagreement weights; null when undefined. */
function referenceKappa(pairs: [number, number][], cats: readonly number[], quadratic: boolean): number | null {
  const k = cats.length, n = pairs.length;
  if (n === 0) return null;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [a, b] of pairs) o[cats.indexOf(a)]![cats.indexOf(b)]! += 1;
  const row = o.map((r) => r.reduce((s, x) => s + x, 0));
  const col = cats.map((_, j) => o.reduce((s, r) => s + r[j]!, 0));
  let num = 0, den = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    const v = quadratic ? (i - j) ** 2 : i === j ? 0 : 1;
    num += v * o[i]![j]!;
    den += (v * row[i]! * col[j]!) / n;
  }
  return den === 0 ? null : 1 - num / den;
}

function pairs(field: GradingField): [number, number][] {
  const out: [number, number][] = [];
  for (const [key, a] of grades.A) {
    const va = a[field], vb = grades.B.get(key)?.[field];
    if (va !== undefined && vb !== undefined) out.push([va, vb]);
  }
  return out;
}

describe('spine-ws agree', () => {
  it('--json: Dice per series and label and κ per field equal independent computations (default: the two readers)', () => {
    const r = cli(['agree', ds, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/A = reader:Reader A, B = reader:Reader B \(default: the first two imported readers by name\)/);
    const report = JSON.parse(r.stdout) as AgreementReport;
    expect(report.series.map((s) => s.seriesId).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const a = vols.A.get(id) ?? original.get(id)!, b = vols.B.get(id) ?? original.get(id)!;
      const want = new Map<number, [number, number, number]>();
      for (let p = 0; p < a.length; p++) {
        for (const [v, side] of [[a[p]!, 0], [b[p]!, 1]] as const) if (v !== 0) (want.get(v) ?? want.set(v, [0, 0, 0]).get(v)!)[side]++;
        if (a[p] !== 0 && a[p] === b[p]) want.get(a[p]!)![2]++;
      }
      const s = report.series.find((x) => x.seriesId === id)!;
      expect(s.skipped).toBeNull();
      expect(s.labels.map((l) => [l.value, l.voxelsA, l.voxelsB, l.intersection]), id).toEqual([...want].sort((x, y) => x[0] - y[0]).map(([v, c]) => [v, ...c]));
      for (const l of s.labels) expect(l.dice).toBeCloseTo((2 * l.intersection) / (l.voxelsA + l.voxelsB), 12);
      expect(s.differing, id).toBe(vols.A.has(id) || vols.B.has(id));
    }
    for (const spec of GRADING_FIELDS) {
      const f = report.gradings.find((x) => x.field === spec.field)!;
      const ps = pairs(spec.field);
      expect(f.n, spec.field).toBe(ps.length);
      const want = referenceKappa(ps, spec.values, spec.field === 'pfirrmann');
      if (want === null) expect(f.kappa, spec.field).toBeNull();
      else expect(f.kappa, spec.field).toBeCloseTo(want, 10);
    }
    expect(report.gradings.find((x) => x.field === 'pfirrmann')!.n).toBeGreaterThan(3);
  });

  it('prints κ per field, per level, Dice per label and the worst series as text', () => {
    const r = cli(['agree', ds]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Sources {3}A = reader:Reader A, B = reader:Reader B \(default: the first two imported readers by name\)/);
    const pf = referenceKappa(pairs('pfirrmann'), [1, 2, 3, 4, 5], true)!;
    const line = r.stdout.split('\n').find((l) => l.startsWith('Pfirrmann grade'))!;
    expect(line.split(/\s+/).slice(2, 5)).toEqual([String(pairs('pfirrmann').length), expect.any(String), pf.toFixed(2)]);
    expect(r.stdout).toMatch(/Kappa per level/);
    expect(r.stdout).toMatch(/Dice per label/);
    expect(r.stdout).toMatch(new RegExp(`Lowest Dice[\\s\\S]*(${ids[0]}|${ids[1]}|${ids[2]})`));
  });

  it('--report writes one self-contained page with the plots; never inside the dataset', () => {
    const out = join(root, 'report');
    const r = cli(['agree', ds, '--a', 'reader:Reader B', '--b', 'original', '--report', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Sources {3}A = reader:Reader B, B = original\n/);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    expect(html).not.toMatch(/<script|\s(src|href)=/);
    // A confusion matrix for every field that has pairs (B's grades against the CSV's).
    for (const field of ['pfirrmann', 'modic', 'narrowing']) expect(html).toMatch(new RegExp(`data-plot="confusion" data-field="${field}"`));
    expect(html).toMatch(/data-plot="dice"/);
    expect(html).toMatch(/<svg/);
    const inside = cli(['agree', ds, '--report', join(ds, 'agree-report')]);
    expect(inside.status).toBe(2);
    expect(inside.stderr).toMatch(/lies inside the dataset/);
    expect(existsSync(join(ds, 'agree-report'))).toBe(false);
  });

  it('refuses unknown readers and bad options typed; local vs original agree exactly in the adjudicator store', () => {
    const nobody = cli(['agree', ds, '--a', 'reader:Nobody']);
    expect(nobody.status).toBe(1);
    expect(nobody.stderr).toMatch(/not_found: No reader Nobody in this store \(imported: Reader A, Reader B\)/);
    expect(cli(['agree', ds, '--basis', 'last']).status).toBe(2);
    expect(cli(['agree', ds, '--a', 'someone']).status).toBe(2);
    const same = JSON.parse(cli(['agree', ds, '--a', 'local', '--b', 'original', '--json']).stdout) as AgreementReport;
    expect(same.summary).toMatchObject({ seriesDiffering: 0, seriesSkipped: 0, meanDice: 1 });
    const noStore = cli(['agree', ds, '--store', join(root, 'missing.sqlite')]);
    expect(noStore.status).toBe(1);
    expect(noStore.stderr).toMatch(/not_found: No annotation store/);
  });

  it('a mask that cannot be read is listed as not compared, with the file, and the exit code is 1', () => {
    const id = ids[ids.length - 1]!;
    const file = join(ds, 'masks', `${id}.mha`);
    truncateSync(file, statSync(file).size - 64);
    const r = cli(['agree', ds]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`Not compared\\n${id}\\s+.*masks/${id}\\.mha`));
  });
});
