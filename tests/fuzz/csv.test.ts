// Fuzz target 2 (issue 11, item 10): mutated overview.csv and radiological_gradings.csv (line breaks CR, LF, CRLF,
// mixed; BOM; quoting; missing and extra columns; duplicated rows; bad numbers; huge fields; empty file; header
// only; broken bytes) in a tiny SPIDER-layout dataset, through the scan, a workstation on a temporary store, a
// grading edit of a level the masks hold (service.setGrading with a legal value) and an export
// (service.startExport, exportStatus polled) whose result is scanned again.
//
// Each case: the scan completes and lists every series; the edit is stored; the export either succeeds and its
// folder re-scans with the edit in radiological_gradings.csv and every other grading as in the source, or it fails
// with a typed error and leaves no folder behind. Never an untyped error or a hang; the store's integrity_check is
// 'ok' and the source dataset's bytes are unchanged.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import type { ExportStatus, GradingLevel } from '../../common/contract.js';
import { GRADING_FIELDS, type GradingField } from '../../common/gradings.js';
import { parseGradingsCsv, scanDataset, type DatasetIndex, type GradingRow } from '../../main/core/dataset/index.js';
import { toCsv } from '../../main/core/sample/csv.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import {
  attempt,
  badOutcome,
  caseIndices,
  caseRng,
  describe,
  FailureLog,
  FUZZ_SEED,
  gradingsTable,
  outcomeLabel,
  hashTree,
  imageBytes,
  maskBytes,
  overviewTable,
  put,
  REPRODUCING,
  storeIntegrity,
  tinyGrid,
  treeDiff,
  trace,
  type Rng,
} from './fuzzKit.js';
import { mutateCsv, type CsvKind } from './csvMutations.js';

const TARGET = 'csv';
// 200 mutated datasets per run (~0.3 s each: scan, open, export): the suite has to stay under CI's 20 minutes.
// SPINE_FUZZ_CASES runs more for a deeper local hunt (other seeds: SPINE_FUZZ_SEED).
const CASES = Math.max(1, Number(process.env.SPINE_FUZZ_CASES ?? 200) || 200);
/** An export of the tiny dataset takes ~0.1 s; this much means it hangs. */
const EXPORT_TIMEOUT_MS = 20_000;

const PROPERTIES = {
  scan: 'scan: completes and lists every series whatever the CSVs hold',
  edit: 'grading edit: a legal value on a level the masks hold is stored',
  exportTyped: 'export: succeeds, or fails with a typed error and leaves no folder',
  roundTrip: 'export: the result re-scans, with the edit and every other grading as in the source',
  integrity: 'store: PRAGMA integrity_check is ok',
  unchanged: 'dataset: bytes unchanged',
} as const;

const SERIES = ['1_t1', '1_t2', '2_t1'];
const log = new FailureLog(TARGET, 'tests/fuzz/csv.test.ts');
let runDir: string;

/** The volumes of every case's dataset (project writer; the same bytes in every case). */
const VOLUMES: ReadonlyArray<[string, Buffer]> = (() => {
  const a = tinyGrid('A', 4, 5, 9);
  const b = tinyGrid('B', 3, 4, 8);
  return [
    ['images/1_t1.mha', imageBytes(a, 'int16', false, 1)],
    ['masks/1_t1.mha', maskBytes(a)],
    ['images/1_t2.mha', imageBytes(b, 'uint16', true, 2)],
    ['masks/1_t2.mha', maskBytes(b)],
    ['images/2_t1.mha', imageBytes(a, 'float32', true, 3)],
    ['masks/2_t1.mha', maskBytes(a)],
  ];
})();

interface Case {
  index: number;
  input: string;
  dir: string;
  ds: string;
  storeFile: string;
  outDir: string;
  changedOnly: boolean;
}

function buildCase(index: number, r: Rng): Case {
  const dir = join(runDir, `c${index}`);
  const ds = join(dir, 'ds');
  for (const [rel, bytes] of VOLUMES) put(join(ds, rel), bytes);
  const which = r.pick(['overview', 'gradings', 'gradings', 'both'] as const);
  const notes: string[] = [];
  const files: Record<CsvKind, { name: string; table: ReturnType<typeof gradingsTable> }> = {
    overview: { name: 'overview.csv', table: overviewTable(SERIES) },
    gradings: { name: 'radiological_gradings.csv', table: gradingsTable([1, 2]) },
  };
  for (const kind of ['overview', 'gradings'] as const) {
    const { name, table } = files[kind];
    if (which === kind || which === 'both') {
      const { bytes, notes: n } = mutateCsv(table, kind, r);
      notes.push(`${name}: ${n.join(', ') || 'rewritten'}`);
      if (bytes) put(join(ds, name), bytes);
    } else {
      put(join(ds, name), toCsv(table.header, table.rows)); // as released: CRLF, quoted where needed
    }
  }
  const changedOnly = r.chance(0.4);
  return { index, input: `${notes.join(' | ')}${changedOnly ? ' | changed-only export' : ''}`, dir, ds, storeFile: join(dir, 'store.sqlite'), outDir: join(dir, 'export'), changedOnly };
}

/** Physical lines of a file: line breaks are CRLF, LF or a lone CR. */
function physicalLines(bytes: Buffer): number {
  return bytes.toString('latin1').split(/\r\n|\n|\r/).length;
}

function checkScan(c: Case, index: DatasetIndex, fail: (kind: string, detail: string) => void): void {
  const ids = index.series.map((s) => s.id);
  if (JSON.stringify(ids) !== JSON.stringify(SERIES)) fail('series lost or invented', ids.join(','));
  for (const s of index.series) {
    if (!s.image || !s.mask) fail('a volume header became unreadable', `${s.id}: ${JSON.stringify(s.problems)}`);
  }
  for (const p of index.problems) {
    if (p.line === undefined || !p.file) continue;
    const file = join(c.ds, p.file);
    if (!existsSync(file)) continue;
    const lines = physicalLines(readFileSync(file));
    if (!Number.isInteger(p.line) || p.line < 1 || p.line > lines) fail('a problem names a line the file does not have', `${p.file} line ${p.line} of ${lines}: ${p.message}`);
  }
}

/** A field and a legal value that differs from the level's current one. */
function pickEdit(level: GradingLevel, r: Rng): { field: GradingField; value: number } {
  const spec = r.pick(GRADING_FIELDS);
  const current = level.values[spec.field];
  const choices = spec.values.filter((v) => v !== current);
  return { field: spec.field, value: r.pick(choices) };
}

async function waitForExport(ws: Workstation, jobId: string): Promise<ExportStatus | 'hang'> {
  const t0 = performance.now();
  for (;;) {
    const st = await ws.service.exportStatus({ jobId });
    if (st.state !== 'running') return st;
    if (performance.now() - t0 > EXPORT_TIMEOUT_MS) return 'hang';
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

const keyOf = (g: Pick<GradingRow, 'patient' | 'ivdLabel'>): string => `${g.patient}:${g.ivdLabel}`;

/**
 * The exported dataset re-scans (a changed-only export without any series has no images/ folder: its CSVs are read
 * directly); overview.csv is the source's, byte for byte; the gradings are the source's with exactly the one edit.
 */
async function checkExport(c: Case, source: DatasetIndex, edit: { ivdLabel: number; field: GradingField; value: number }, fail: (kind: string, detail: string) => void): Promise<void> {
  if (!c.changedOnly || existsSync(join(c.outDir, 'images'))) {
    const scan = await attempt(() => scanDataset(c.outDir));
    if (scan.kind !== 'ok') return fail(`the export does not re-scan (${scan.kind})`, describe(scan));
    const ids = scan.value.series.map((s) => s.id);
    if (!c.changedOnly && JSON.stringify(ids) !== JSON.stringify(SERIES)) fail('the export lost series', ids.join(','));
  }
  if (source.overview && !readFileSync(join(c.outDir, 'overview.csv')).equals(readFileSync(join(c.ds, 'overview.csv')))) {
    fail('overview.csv is not copied byte for byte', '');
  }
  const src = source.gradings;
  if (!src) return;
  const file = join(c.outDir, 'radiological_gradings.csv');
  if (!existsSync(file)) return fail('the export has no radiological_gradings.csv', '');
  const parsed = await attempt(() => parseGradingsCsv(readFileSync(file), 'radiological_gradings.csv'));
  if (parsed.kind !== 'ok') return fail('the exported radiological_gradings.csv is unusable', describe(parsed));
  const exported = new Map(parsed.value.rows.map((g) => [keyOf(g), g]));
  for (const row of src.rows) {
    const e = exported.get(keyOf(row));
    if (!e) {
      fail('a source grading row is missing from the export', `patient ${row.patient} IVD ${row.ivdLabel}`);
      continue;
    }
    for (const spec of GRADING_FIELDS) {
      const edited = row.patient === 1 && row.ivdLabel === edit.ivdLabel && spec.field === edit.field;
      const want = edited ? edit.value : row[spec.field];
      if (e[spec.field] !== want) {
        fail(edited ? 'the edit is not in the exported CSV' : 'an unedited grading changed in the export', `patient ${row.patient} IVD ${row.ivdLabel} ${spec.column}: ${e[spec.field]} (want ${want})`);
      }
    }
  }
}

async function runCase(index: number): Promise<void> {
  const t0 = performance.now();
  const r = caseRng(TARGET, index);
  const c = buildCase(index, r);
  const failOn = (property: string) => (kind: string, detail: string): void => log.add(property, { case: index, input: c.input, kind, detail });
  const before = hashTree(c.ds);

  const scan = await attempt(() => scanDataset(c.ds));
  if (scan.kind !== 'ok') failOn(PROPERTIES.scan)(`scan ${scan.kind}`, describe(scan));
  else {
    checkScan(c, scan.value, failOn(PROPERTIES.scan));
    for (const code of new Set(scan.value.problems.map((p) => `${p.file ?? ''} ${p.code}`))) log.count('scan problems reported (cases)', code);
    log.count('usable CSVs', `overview ${scan.value.overview ? 'yes' : 'no'}, gradings ${scan.value.gradings ? 'yes' : 'no'}`);
  }
  const source = scan.kind === 'ok' ? scan.value : null;

  const opened = await attempt(() => openWorkstation({ datasetRoot: c.ds, storeFile: c.storeFile, annotator: 'fuzz', log: () => undefined }));
  if (opened.kind !== 'ok') failOn(PROPERTIES.edit)(`openWorkstation ${opened.kind}`, describe(opened));
  else {
    const ws = opened.value;
    try {
      await editAndExport(c, ws, source ?? ws.index, r, failOn);
    } finally {
      ws.close();
    }
    try {
      const integrity = storeIntegrity(c.storeFile);
      if (integrity !== 'ok') failOn(PROPERTIES.integrity)('integrity_check failed', integrity);
    } catch (err) {
      failOn(PROPERTIES.integrity)('the store cannot be opened', String(err));
    }
  }
  const changed = treeDiff(before, hashTree(c.ds));
  if (changed.length > 0) failOn(PROPERTIES.unchanged)('dataset files changed', changed.join(', '));
  rmSync(c.dir, { recursive: true, force: true });
  trace(TARGET, index, c.input, performance.now() - t0);
}

async function editAndExport(c: Case, ws: Workstation, source: DatasetIndex, r: Rng, failOn: (property: string) => (kind: string, detail: string) => void): Promise<void> {
  const failEdit = failOn(PROPERTIES.edit);
  const levels = await attempt(() => ws.service.getGradings({ patientId: 1 }));
  if (levels.kind !== 'ok') return failEdit(`getGradings ${levels.kind}`, describe(levels));
  const editable = levels.value.levels.filter((l) => l.inMask && l.ivdLabel >= 1);
  if (editable.length === 0) return failEdit('no level of the masks is listed', JSON.stringify(levels.value.levels.map((l) => l.ivdLabel)));
  const level = r.pick(editable);
  const { field, value } = pickEdit(level, r);
  const set = await attempt(() => ws.service.setGrading({ patientId: 1, ivdLabel: level.ivdLabel, field, value }));
  if (set.kind !== 'ok') return failEdit(`setGrading ${set.kind}`, `${level.name} ${field}=${value}: ${describe(set)}`);
  if (set.value.values[field] !== value) return failEdit('setGrading did not store the value', `${field}: ${set.value.values[field]} (want ${value})`);

  const failExport = failOn(PROPERTIES.exportTyped);
  const started = await attempt(() => ws.service.startExport({ outDir: c.outDir, format: 'mha', changedOnly: c.changedOnly, force: false }));
  const bad = badOutcome(started);
  if (bad) return failExport(`startExport ${started.kind}`, bad);
  if (started.kind !== 'ok') return log.count('export', `refused ${outcomeLabel(started)}`); // typed, up front
  const st = await waitForExport(ws, started.value.jobId);
  if (st === 'hang') return failExport('export hangs', `still running after ${EXPORT_TIMEOUT_MS} ms`);
  log.count('export', st.state === 'failed' ? `failed ${st.error?.code ?? '?'}` : st.state);
  if (st.state === 'failed') {
    if (!st.error || st.error.code === 'internal') failExport('export fails with an untyped error', JSON.stringify(st.error));
    if (existsSync(c.outDir) || existsSync(`${c.outDir}.partial`)) failExport('a failed export leaves a folder', c.outDir);
    return;
  }
  if (st.state !== 'done') return failExport(`export ends ${st.state}`, JSON.stringify(st.error ?? null));
  await checkExport(c, source, { ivdLabel: level.ivdLabel, field, value }, failOn(PROPERTIES.roundTrip));
}

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), 'spine-fuzz-csv-'));
  const times: [number, number][] = [];
  for (const index of caseIndices(CASES)) {
    const t0 = performance.now();
    await runCase(index);
    times.push([performance.now() - t0, index]);
    log.cases++;
  }
  times.sort((a, b) => b[0] - a[0]);
  console.log('SLOWEST', JSON.stringify(times.slice(0, 15).map(([t, i]) => [Math.round(t), i])), 'MEDIAN', Math.round(times[times.length >> 1]![0]));
  log.elapsedMs = performance.now() - log.startedAt;
  log.save();
}, 300_000);

afterAll(() => {
  if (runDir) rmSync(runDir, { recursive: true, force: true });
});

group(`CSV fuzz: ${CASES} mutated overview/gradings CSVs, seed ${JSON.stringify(FUZZ_SEED)}`, () => {
  it(`ran ${CASES} cases`, () => {
    if (!REPRODUCING) expect(log.cases).toBe(CASES);
  });
  for (const property of Object.values(PROPERTIES)) {
    it(property, () => {
      expect(log.failures(property), log.summary(property)).toEqual([]);
    });
  }
});
