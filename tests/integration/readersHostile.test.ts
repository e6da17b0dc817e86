// Consistency of the several-readers code (issue 16) under change, races and crashes, through the real web-mode
// server and the service, on a generated sample, real .mha files and real SQLite stores (malformed and lying
// requests: tests/fuzz/readersApi.test.ts). Replacing a reader's layer makes agreement, progress and the in-flight
// sharing of agreement runs tell the truth about the new layer, never the old one; an undone adjudication edit is
// not counted as decided; an export racing a replace is refused, not mixed; two imports of one package at once are
// one import; an agreement run while commitEdit lands is one state. kill -9 of the server in the middle of a
// large import leaves the whole layer or nothing. Local edits counted sparsely (net diff) equal
// the edited volume's counts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdjudicationProgress, AgreementReport, SeriesAgreementResponse, SourceRef } from '../../common/contractReaders.js';
import { base64ToBytes, bytesToBase64, decodeDiff, encodeDiff, type VoxelDiff } from '../../common/labelDiff.js';
import { runExport } from '../../main/core/export/index.js';
import { netDiff, runAgreement } from '../../main/core/readers/agreeRun.js';
import { diffCounts, histogram, volumeCounts } from '../../main/core/readers/agreement.js';
import { decodePackage, encodePackage, type PackageContent } from '../../main/core/readers/package.js';
import { readOnlySourceContext, sourceLabels } from '../../main/core/readers/sources.js';
import { generateSample } from '../../main/core/sample/index.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { readManifest } from './exportHelpers.js';
import { brushDiff, diffBytes, prng } from './journalHelpers.js';
import { contractClient } from './contractClient.js';

const here = dirname(fileURLToPath(import.meta.url));
let root: string;
let ds: string;
let storeFile: string;
let ws: Workstation;
let server: WebServer;
/** Reader A's package (two series edited, three Pfirrmann grades) and Reader B's (other edits and grades). */
let pkgA: Uint8Array;
let pkgB: Uint8Array;
/** Reader B's package: the second reader adjudicated against. */
let pkgR: Uint8Array;
let pkgHalf: Uint8Array;
let contentA: PackageContent;

async function author(annotator: string, seed: number): Promise<Uint8Array> {
  const w = await openWorkstation({ datasetRoot: ds, storeFile: join(root, `${seed}.sqlite`), annotator, log: () => undefined });
  try {
    const rnd = prng(seed);
    for (const e of w.index.series.filter((s) => s.maskFile).slice(0, 2)) {
      for (let i = 0; i < 2; i++) {
        const opened = await w.service.openSeries({ seriesId: e.id });
        const { diff, label } = brushDiff(await w.volumeBytes(e.id, 'mask'), opened.image.geometry.size, rnd);
        await w.service.commitEdit({ seriesId: e.id, baseRevision: opened.revision, tool: 'brush', label, description: 'b', diff: diffBytes(diff) });
      }
    }
    const levels = (await w.service.getGradings({ patientId: w.index.series[0]!.patientId })).levels.filter((l) => l.ivdLabel >= 1);
    for (const [k, l] of levels.slice(0, 3).entries()) {
      await w.service.setGrading({ patientId: w.index.series[0]!.patientId, ivdLabel: l.ivdLabel, field: 'pfirrmann', value: ((seed + k) % 5) + 1 });
    }
    return base64ToBytes((await w.service.exportAnnotations({ annotator })).data);
  } finally {
    w.close();
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-readers-hostile-'));
  ds = join(root, 'spider');
  await generateSample({ out: ds, patients: 2, seed: 'readers-hostile' });
  pkgA = await author('Reader A', 3);
  pkgB = await author('Reader A', 8); // the same reader name, other strokes
  pkgR = await author('Reader B', 13);
  contentA = decodePackage(pkgA, 'a.spinepkg');
  // Reader A's second package: the first series' diff halved (same strokes, fewer voxels), so the labels A changed
  // still differ from B's, but not as before.
  pkgHalf = withContent((c) => {
    const s = c.series[0]!;
    const d = decodeDiff(s.diff, s.voxelCount);
    const n = Math.ceil(d.indices.length / 2);
    const half = { indices: d.indices.slice(0, n), before: d.before.slice(0, n), after: d.after.slice(0, n) };
    return { ...c, createdAt: '2026-02-02T00:00:00Z', series: [{ ...s, changed: n, diff: encodeDiff(half) }, ...c.series.slice(1)] };
  });
  storeFile = join(root, 'adj.sqlite');
  ws = await openWorkstation({ datasetRoot: ds, storeFile, annotator: 'Adjudicator', log: () => undefined });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(root, 'static') });
}, 180_000);
afterAll(async () => {
  await server?.close();
  ws?.close();
  rmSync(root, { recursive: true, force: true });
});

const { ok } = contractClient(() => server);

const b64 = (bytes: Uint8Array): string => bytesToBase64(bytes);
const withContent = (patch: (c: PackageContent) => PackageContent): Uint8Array => encodePackage(patch(structuredClone(contentA)));

/** Sources' labels of a series computed independently of the workstation's caches (a read-only context). */
async function labelsOf(source: SourceRef, seriesId: string): Promise<Uint8Array> {
  const e = ws.index.series.find((s) => s.id === seriesId)!;
  return (await sourceLabels(readOnlySourceContext(ws.index, ws.store), source, e))!;
}
/** The agreement recomputed from scratch (no cache, no shared run). */
const fresh = (a: SourceRef, b: SourceRef): Promise<AgreementReport> => runAgreement(readOnlySourceContext(ws.index, ws.store), a, b, 'current');
const figures = (r: AgreementReport): unknown => ({ series: r.series, summary: r.summary, gradings: r.gradings });

/** The take-label rule written from its definition: source's L → L; local L the source lacks → 0. */
function takeDiff(cur: Uint8Array, src: Uint8Array, label: number): VoxelDiff {
  const idx: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < cur.length; i++) {
    const v = src[i] === label ? label : cur[i] === label ? 0 : cur[i]!;
    if (v !== cur[i]) {
      idx.push(i);
      after.push(v);
    }
  }
  return { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => cur[i]!), after: Uint8Array.from(after) };
}

const sameLabel = (x: Uint8Array, y: Uint8Array, label: number): boolean => x.every((v, i) => (v === label) === (y[i] === label));

describe("replacing a reader's layer: agreement, progress and provenance tell the truth about the new layer", () => {
  const A: SourceRef = 'reader:Reader A';
  const B: SourceRef = 'reader:Reader B';
  it('adjudicate from the old layer, replace, then agreement / progress / provenance; undo', async () => {
    await ok('importAnnotations', { fileName: 'a.spinepkg', data: b64(pkgA) });
    await ok('importAnnotations', { fileName: 'r.spinepkg', data: b64(pkgR) });
    const seriesId = contentA.series[0]!.seriesId;
    const p0 = await ok<AdjudicationProgress>('adjudicationProgress', { a: A, b: B });
    expect(p0.labels.decided).toBe(0);
    expect(p0.labels.total).toBeGreaterThan(0);

    // Take the first label where local and A differ, from A's current (old) layer.
    const opened = await ws.service.openSeries({ seriesId });
    const cur = (await ws.volumeBytes(seriesId, 'mask')).slice();
    const oldA = await labelsOf(A, seriesId);
    const labB = await labelsOf(B, seriesId);
    const label = [...new Set(oldA)].find((l) => l !== 0 && !sameLabel(cur, oldA, l) && !sameLabel(labB, oldA, l))!;
    expect(label).toBeDefined();
    const take = await ws.service.commitEdit({
      seriesId, baseRevision: opened.revision, tool: 'adjudicate', label, description: 'take', diff: encodeDiff(takeDiff(cur, oldA, label)), adjudication: { from: A },
    });
    const p1 = await ok<AdjudicationProgress>('adjudicationProgress', { a: A, b: B });
    expect(p1.labels.decided).toBe(1);
    const liveOf = async (): Promise<boolean | undefined> =>
      (await ok<SeriesAgreementResponse>('seriesAgreement', { seriesId, a: A, b: B })).decisions.find((d) => d.kind === 'label' && d.label === label)?.live;
    expect(await liveOf()).toBe(true);

    // Another package of the same reader replaces the layer.
    const r = await ok<{ alreadyImported: boolean }>('importAnnotations', { fileName: 'half.spinepkg', data: b64(pkgHalf), replace: true });
    expect(r.alreadyImported).toBe(false);
    const newA = await labelsOf(A, seriesId);
    const holdsNow = sameLabel((await ws.volumeBytes(seriesId, 'mask')).slice(), newA, label);
    expect(figures(await ok<AgreementReport>('agreement', { a: 'local', b: A }))).toEqual(figures(await fresh('local', A)));
    expect(figures(await ok<AgreementReport>('agreement', { a: A, b: 'original' }))).toEqual(figures(await fresh(A, 'original')));
    // The decision took the replaced layer's label: it decides nothing about the new one.
    const p2 = await ok<AdjudicationProgress>('adjudicationProgress', { a: A, b: B });
    expect(sameLabel(newA, labB, label)).toBe(false); // still an item to decide
    expect(p2.labels.decided).toBe(0);
    expect(await liveOf()).toBe(false); // listed for the panel, but marked as no longer deciding

    // Provenance: the manifest says whether the exported label still equals what A (now) has.
    const out = join(root, 'export-after-replace');
    await runExport(
      { index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 1, appVersion: '1.0.0' },
      { outDir: out, format: 'mha', changedOnly: false, force: false },
    );
    const m = readManifest(out);
    const rec = m.provenance!.labels.find((l) => l.seriesId === seriesId && l.value === label)!;
    expect(rec.decision).toMatchObject({ from: A, editSeq: take.seq, holds: holdsNow });
    expect(rec.from).toBe(holdsNow ? A : 'edited');

    // Back to the old package: the decision predates this import too. Taken again, then undone: not decided.
    await ok('importAnnotations', { fileName: 'a.spinepkg', data: b64(pkgA), replace: true });
    expect((await ok<AdjudicationProgress>('adjudicationProgress', { a: A, b: B })).labels.decided).toBe(0);
    await ws.service.undo({ seriesId }); // the first take
    const again = await ws.service.openSeries({ seriesId });
    const now = (await ws.volumeBytes(seriesId, 'mask')).slice();
    await ws.service.commitEdit({
      seriesId, baseRevision: again.revision, tool: 'adjudicate', label, description: 'take', diff: encodeDiff(takeDiff(now, oldA, label)), adjudication: { from: A },
    });
    expect((await ok<AdjudicationProgress>('adjudicationProgress', { a: A, b: B })).labels.decided).toBe(1);
    await ws.service.undo({ seriesId });
    const p3 = await ok<AdjudicationProgress>('adjudicationProgress', { a: A, b: B });
    expect(p3.labels.decided).toBe(0);
    expect(await liveOf()).toBe(false); // the take was undone
  });

  it('an agreement run in flight while the layer is replaced: a later request sees the new layer; no stale cache', async () => {
    await ok('importAnnotations', { fileName: 'a.spinepkg', data: b64(pkgA), replace: true });
    const before = await fresh(A, 'original');
    const p1 = ws.service.agreement({ a: A, b: 'original' });
    // Replaced while p1 reads its first series (synchronously, so it cannot finish first).
    const pkg = decodePackage(pkgB, 'b.spinepkg');
    const id = ws.store.annotators.ensure('Adjudicator');
    const layer = (p: typeof pkg) => ({
      name: p.annotator, sha256: p.sha256, packageCreatedAt: p.createdAt, appVersion: p.appVersion, datasetFingerprint: p.dataset.fingerprint,
      importedBy: id, labels: p.series, grades: p.grades,
    });
    ws.store.readers.importLayer(layer(pkg), { replace: true });
    const p2 = ws.service.agreement({ a: A, b: 'original' });
    const [, r2] = await Promise.all([p1, p2]);
    const after = await fresh(A, 'original');
    expect(figures(after)).not.toEqual(figures(before));
    expect(figures(r2)).toEqual(figures(after));
    // Back to package A: the figures are A's again, not anything cached while the swap was in flight.
    ws.store.readers.importLayer(layer(decodePackage(pkgA, 'a.spinepkg')), { replace: true });
    expect(figures(await ws.service.agreement({ a: A, b: 'original' }))).toEqual(figures(before));
  });
});

describe('exports and imports racing a replace', () => {
  const A: SourceRef = 'reader:Reader A';
  const exportDeps = () => ({ index: ws.index, store: ws.store, journal: ws.labels, storeFile: ws.store.file, workers: 1, appVersion: '1.0.0' });
  const layerOf = (bytes: Uint8Array) => {
    const p = decodePackage(bytes, 'x.spinepkg');
    return {
      name: p.annotator, sha256: p.sha256, packageCreatedAt: p.createdAt, appVersion: p.appVersion, datasetFingerprint: p.dataset.fingerprint,
      importedBy: ws.store.annotators.ensure('Adjudicator'), labels: p.series, grades: p.grades,
    };
  };

  it("an export of reader:A while A's layer is replaced mid-run is refused typed, no folder; then it exports", async () => {
    ws.store.readers.importLayer(layerOf(pkgA), { replace: true });
    const out = join(root, 'export-race');
    let swapped = false;
    const run = runExport(exportDeps(), { outDir: out, format: 'mha', changedOnly: false, force: false, source: A }, {
      onProgress: (p) => {
        // The first series written: the layer of the rest would be another package's.
        if (!swapped && p.phase === 'writing' && p.filesDone >= 1) {
          swapped = true;
          ws.store.readers.importLayer(layerOf(pkgHalf), { replace: true });
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/Reader A was imported or replaced/) });
    expect(swapped).toBe(true);
    expect(existsSync(out)).toBe(false);
    const again = await runExport(exportDeps(), { outDir: out, format: 'mha', changedOnly: false, force: false, source: A });
    expect(again.seriesExported).toBe(ws.index.series.length);
  });

  it('the same package imported twice at once: one import, the other a no-op', async () => {
    const bytes = withContent((c) => ({ ...c, annotator: 'Twice' }));
    const [x, y] = await Promise.all([0, 1].map(() => ws.service.importAnnotations({ fileName: 't.spinepkg', data: b64(bytes) })));
    expect([x!.alreadyImported, y!.alreadyImported].sort()).toEqual([false, true]);
    expect(ws.store.readers.list().filter((r) => r.name === 'Twice')).toHaveLength(1);
  });

  it('an agreement run while commitEdit lands is one state, before or after the edit, never a mix', async () => {
    const seriesId = ws.index.series.find((e) => e.maskFile)!.id;
    const before = await fresh('local', A);
    const opened = await ws.service.openSeries({ seriesId });
    const { diff, label } = brushDiff(await ws.volumeBytes(seriesId, 'mask'), opened.image.geometry.size, prng(99), 8);
    const p = ws.service.agreement({ a: 'local', b: A });
    const t0 = performance.now();
    await ws.service.commitEdit({ seriesId, baseRevision: opened.revision, tool: 'brush', label, description: 'during', diff: diffBytes(diff) });
    const commitMs = performance.now() - t0;
    const after = await fresh('local', A);
    const r = await p;
    expect([figures(before), figures(after)]).toContainEqual(figures(r));
    expect(figures(await ws.service.agreement({ a: 'local', b: A }))).toEqual(figures(after));
    expect(commitMs).toBeLessThan(2000);
  });
});

describe("local edits are counted as their net diff (agreeRun netDiff), exactly as the edited volume's counts", () => {
  it('random overlapping edits, in order, against a reader diff', () => {
    const rnd = prng(77);
    for (let round = 0; round < 40; round++) {
      const n = 64 + Math.floor(rnd() * 400);
      const o = Uint8Array.from({ length: n }, () => (rnd() < 0.6 ? 0 : [1, 2, 100, 201][Math.floor(rnd() * 4)]!));
      const volume = o.slice();
      const edits: VoxelDiff[] = [];
      for (let k = 0, m = 1 + Math.floor(rnd() * 5); k < m; k++) {
        const idx = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * n / 3) }, () => Math.floor(rnd() * n)))].sort((x, y) => x - y);
        const after = idx.map((i) => { let v; do v = [0, 1, 2, 3, 100, 202][Math.floor(rnd() * 6)]!; while (v === volume[i]); return v; });
        const d = { indices: Uint32Array.from(idx), before: Uint8Array.from(idx, (i) => volume[i]!), after: Uint8Array.from(after) };
        idx.forEach((i, e) => (volume[i] = after[e]!));
        edits.push(d);
      }
      const ridx = [...new Set(Array.from({ length: Math.floor(rnd() * n / 4) }, () => Math.floor(rnd() * n)))].sort((x, y) => x - y);
      const reader = { indices: Uint32Array.from(ridx), before: Uint8Array.from(ridx, (i) => o[i]!), after: Uint8Array.from(ridx, (i) => (o[i] === 5 ? 6 : 5)) };
      const rv = o.slice();
      ridx.forEach((i, e) => (rv[i] = reader.after[e]!));
      const net = netDiff(edits);
      const asVolume = o.slice();
      net.indices.forEach((i, e) => (asVolume[i] = net.after[e]!));
      expect(asVolume).toEqual(volume);
      expect(diffCounts(o, histogram(o), net, reader)).toEqual(volumeCounts(volume, rv));
      expect(diffCounts(o, histogram(o), reader, net)).toEqual(volumeCounts(rv, volume));
    }
  });
});

describe('kill -9 of the web server in the middle of a large import', () => {
  /** The server in its own process (serverChild.ts), on the shared dataset and `store`. */
  function child(store: string): Promise<{ proc: ChildProcessWithoutNullStreams; port: number; exited: Promise<unknown> }> {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'serverChild.ts'), ds, store, join(root, 'static'), 'kill-token'], {
      cwd: join(here, '..', '..'), stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok(signal ?? code)));
    let err = '';
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    return new Promise((ok, fail) => {
      let out = '';
      proc.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) ok({ proc, port: (JSON.parse(out.slice(0, nl)) as { port: number }).port, exited });
      });
      void exited.then((how) => fail(new Error(`server exited (${String(how)}) before listening: ${err}`)));
    });
  }

  it('the store holds the whole layer or none of it, and passes integrity_check', async () => {
    // Every series changed at every other voxel: a package of a few MB whose import takes a while.
    const layers: PackageContent['series'] = [];
    for (const e of ws.index.series) {
      if (!e.image) continue;
      const o = await labelsOf('original', e.id);
      const idx = Uint32Array.from({ length: Math.floor(o.length / 2) }, (_, k) => 2 * k);
      const diff = encodeDiff({ indices: idx, before: Uint8Array.from(idx, (i) => o[i]!), after: Uint8Array.from(idx, (i) => (o[i] === 0 ? 1 : 0)) });
      layers.push({ seriesId: e.id, voxelCount: o.length, changed: idx.length, encoding: 'rle-u8-v1', diff, revision: 1 });
    }
    const big = encodePackage({ ...structuredClone(contentA), annotator: 'Big', series: layers });
    const body = JSON.stringify({ fileName: 'big.spinepkg', data: b64(big) });
    const store = join(root, 'killed.sqlite');
    const inspect = (): { integrity: unknown; readers: number; labels: number; grades: number } => {
      const db = new Database(store);
      try {
        const one = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
        return {
          integrity: db.pragma('integrity_check', { simple: true }),
          readers: one("SELECT count(*) AS n FROM readers WHERE name = 'Big'"),
          labels: one("SELECT count(*) AS n FROM reader_labels JOIN readers ON readers.id = reader_id WHERE name = 'Big'"),
          grades: one("SELECT count(*) AS n FROM reader_grades JOIN readers ON readers.id = reader_id WHERE name = 'Big'"),
        };
      } finally {
        db.close();
      }
    };
    const outcomes: string[] = [];
    for (const delay of [0, 250, 500, 650, 800, 950]) {
      const s = await child(store);
      const sent = fetch(`http://127.0.0.1:${s.port}/api/importAnnotations`, {
        method: 'POST', headers: { Authorization: 'Bearer kill-token', 'Content-Type': 'application/json' }, body,
      }).then((r) => r.json() as Promise<{ ok: boolean }>, () => null);
      await new Promise((r) => setTimeout(r, delay));
      s.proc.kill('SIGKILL');
      await s.exited;
      const answered = await sent;
      const st = inspect();
      expect(st.integrity).toBe('ok');
      if (st.readers === 0) expect([st.labels, st.grades]).toEqual([0, 0]);
      else expect([st.readers, st.labels, st.grades]).toEqual([1, layers.length, contentA.grades.length]);
      if (answered?.ok) expect(st.readers).toBe(1); // acknowledged: durable
      outcomes.push(`${delay} ms: ${st.readers === 1 ? 'whole layer' : 'nothing'}${answered ? ' (answered)' : ''}`);
      if (st.readers === 1) break;
    }
    // Whatever the kills left, the import completes (or is already there) and the layer is the package's.
    const s = await child(store);
    const r = await fetch(`http://127.0.0.1:${s.port}/api/importAnnotations`, {
      method: 'POST', headers: { Authorization: 'Bearer kill-token', 'Content-Type': 'application/json' }, body,
    }).then((x) => x.json() as Promise<{ ok: boolean }>);
    s.proc.kill('SIGTERM');
    await s.exited;
    expect(r.ok).toBe(true);
    expect(inspect()).toEqual({ integrity: 'ok', readers: 1, labels: layers.length, grades: contentA.grades.length });
    console.log(`kill -9 during a ${(big.length / 2 ** 20).toFixed(1)} MiB import: ${outcomes.join('; ')}`);
  }, 120_000);
});
