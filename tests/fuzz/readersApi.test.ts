// Malformed and lying requests to the several-readers methods (issue 16) through the real web-mode server, on a
// generated sample, real .mha files and a real SQLite store. Packages are crafted with the project's own writer
// (encodePackage: a valid checksum) but a header or a diff that lies: grades of patients the dataset lacks, label
// diffs whose "before" values are not the dataset's mask, label 255, duplicate series, a voxel count or series id
// of another dataset; data that is empty or not a package. Every such request must end in a typed error with nothing
// written (the reader tables byte-for-byte the same), never a 5xx or `internal`. Odd reader names (a `reader:`
// prefix, `:`, Unicode, surrounding spaces) work as sources; an unknown reader is refused typed on every method that
// takes a source (agreement, seriesAgreement, readerLabels, adjudicate, adjudicationProgress, commitEdit's
// adjudication, startExport), and a malformed source is a 400. Crafted but legal packages on a second dataset check
// the figures on edge cases against values computed here: κ with an unused category, all-equal values (pe = 1 →
// null), one level; Dice 0 for a label in one source only; a layer on a series without a mask; a layer on a series
// whose mask became unreadable (skipped with the reason); a reader name with ':'.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgreementReport, SourceRef } from '../../common/contractReaders.js';
import { voxelCount } from '../../common/geometry.js';
import type { GradingField } from '../../common/gradings.js';
import { base64ToBytes, bytesToBase64, decodeDiff, encodeDiff } from '../../common/labelDiff.js';
import { decodePackage, encodePackage, type PackageContent } from '../../main/core/readers/package.js';
import { generateSample } from '../../main/core/sample/index.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { brushDiff, diffBytes, prng } from '../integration/journalHelpers.js';
import { contractClient, type Answer } from '../integration/contractClient.js';

let root: string;
let storeFile: string;
let ws: Workstation;
let server: WebServer;
/** Reader A's package: two series edited through commitEdit, Pfirrmann grades set. */
let contentA: PackageContent;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-readers-api-'));
  const ds = join(root, 'spider');
  await generateSample({ out: ds, patients: 2, seed: 'readers-api' });
  const w = await openWorkstation({ datasetRoot: ds, storeFile: join(root, 'a.sqlite'), annotator: 'Reader A', log: () => undefined });
  try {
    const rnd = prng(3);
    for (const e of w.index.series.filter((s) => s.maskFile).slice(0, 2)) {
      const opened = await w.service.openSeries({ seriesId: e.id });
      const { diff, label } = brushDiff(await w.volumeBytes(e.id, 'mask'), opened.image.geometry.size, rnd);
      await w.service.commitEdit({ seriesId: e.id, baseRevision: opened.revision, tool: 'brush', label, description: 'b', diff: diffBytes(diff) });
    }
    const patientId = w.index.series[0]!.patientId;
    const levels = (await w.service.getGradings({ patientId })).levels.filter((l) => l.ivdLabel >= 1);
    for (const l of levels.slice(0, 3)) await w.service.setGrading({ patientId, ivdLabel: l.ivdLabel, field: 'pfirrmann', value: l.values.pfirrmann === 5 ? 4 : 5 });
    contentA = decodePackage(base64ToBytes((await w.service.exportAnnotations({ annotator: 'Reader A' })).data), 'a.spinepkg');
  } finally {
    w.close();
  }
  storeFile = join(root, 'adj.sqlite');
  ws = await openWorkstation({ datasetRoot: ds, storeFile, annotator: 'Adjudicator', log: () => undefined });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(root, 'static') });
}, 120_000);
afterAll(async () => {
  await server?.close();
  ws?.close();
  rmSync(root, { recursive: true, force: true });
});

const { api, ok } = contractClient(() => server);

const b64 = (bytes: Uint8Array): string => bytesToBase64(bytes);
const withContent = (patch: (c: PackageContent) => PackageContent): Uint8Array => encodePackage(patch(structuredClone(contentA)));

/** Every row of the reader tables, through a second read-only connection. */
function readerTables(): string {
  const db = new Database(storeFile, { readonly: true });
  try {
    return ['readers', 'reader_labels', 'reader_grades', 'adjudications']
      .map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()))
      .join('\n');
  } finally {
    db.close();
  }
}


/** A refused import: typed 4xx, the message names the file, nothing written. */
async function refused(bytes: Uint8Array, fileName: string, code?: string): Promise<Answer> {
  const before = readerTables();
  const a = await api('importAnnotations', { fileName, data: b64(bytes) });
  expect(a.ok, JSON.stringify(a)).toBe(false);
  expect([200, 400]).toContain(a.status); // a service error is {ok: false} (200), a malformed request 400
  expect(a.error!.code).not.toBe('internal');
  if (code) expect(a.error!.code).toBe(code);
  expect(a.error!.message).toContain(fileName);
  expect(readerTables()).toBe(before);
  return a;
}


describe('crafted packages with a valid checksum are refused typed, nothing written', () => {
  it('a grade of a patient the dataset lacks', async () => {
    const bytes = withContent((c) => ({ ...c, grades: [...c.grades, { patientId: 9999, ivdLabel: 1, field: 'pfirrmann', value: 3, firstValue: 3, setAt: null }] }));
    const a = await refused(bytes, 'ghost-patient.spinepkg');
    expect(a.error!.message).toMatch(/9999/);
  });

  it('a label diff whose "before" values are not the dataset mask', async () => {
    const bytes = withContent((c) => {
      const s = c.series[0]!;
      const d = decodeDiff(s.diff, s.voxelCount);
      // Claim the original held another value than it does at every changed voxel (still a legal SPIDER label).
      const before = d.before.map((v) => (v === 0 ? 100 : 0));
      const diff = encodeDiff({ indices: d.indices, before, after: d.after.map((v, k) => (v === before[k] ? (v === 0 ? 1 : 0) : v)) });
      return { ...c, series: [{ ...s, diff }, ...c.series.slice(1)] };
    });
    const a = await refused(bytes, 'lying-before.spinepkg');
    expect(a.error!.message).toMatch(/does not fit|mask/);
  });

  it('a diff writing label 255', async () => {
    const bytes = withContent((c) => {
      const s = c.series[0]!;
      const d = decodeDiff(s.diff, s.voxelCount);
      return { ...c, series: [{ ...s, diff: encodeDiff({ ...d, after: d.after.map(() => 255) }) }, ...c.series.slice(1)] };
    });
    await refused(bytes, 'label-255.spinepkg', 'invalid_file');
  });

  it('the same series twice', async () => {
    await refused(withContent((c) => ({ ...c, series: [c.series[0]!, c.series[0]!] })), 'dup.spinepkg', 'invalid_file');
  });

  it('a voxel count that lies about the image', async () => {
    await refused(withContent((c) => ({ ...c, series: c.series.map((s, i) => (i === 0 ? { ...s, voxelCount: s.voxelCount + 1 } : s)) })), 'size.spinepkg', 'invalid_file');
  });

  it('a series id of another dataset', async () => {
    await refused(withContent((c) => ({ ...c, series: c.series.map((s, i) => (i === 0 ? { ...s, seriesId: '777_t2' } : s)) })), 'series.spinepkg', 'invalid_request');
  });

  it('a 0-byte diff, and a header declaring huge lengths (resealed)', async () => {
    await refused(withContent((c) => ({ ...c, series: [{ ...c.series[0]!, diff: new Uint8Array(0) }, ...c.series.slice(1)] })), 'empty-diff.spinepkg', 'invalid_file');
    // The header rewritten to claim a 4 GiB diff and 128 M voxels changed, then resealed with a valid SHA-256.
    const good = withContent((c) => c);
    const view = new DataView(good.buffer, good.byteOffset);
    const hlen = view.getUint32(10, true);
    for (const [k, patch] of [{ length: 0xffff_ffff }, { changed: 1024 * 1024 * 128 }, { voxelCount: 1024 * 1024 * 128 }].entries()) {
      const header = JSON.parse(new TextDecoder().decode(good.subarray(14, 14 + hlen))) as { series: object[] };
      Object.assign(header.series[0]!, patch);
      const json = new TextEncoder().encode(JSON.stringify(header));
      const body = new Uint8Array([...good.subarray(0, 10), 0, 0, 0, 0, ...json, ...good.subarray(14 + hlen, good.length - 32)]);
      new DataView(body.buffer).setUint32(10, json.length, true);
      const sealed = new Uint8Array([...body, ...createHash('sha256').update(body).digest()]);
      await refused(sealed, `huge-${k}.spinepkg`, 'invalid_file');
    }
  });

  it('zero-byte and non-base64 data', async () => {
    const before = readerTables();
    for (const data of ['', 'AAAA', '====', 'SPINEPKG']) {
      const a = await api('importAnnotations', { fileName: 'x.spinepkg', data });
      expect(a.ok).toBe(false);
      expect(a.status).toBeLessThan(500);
      expect(a.error!.code).not.toBe('internal');
    }
    expect(readerTables()).toBe(before);
  });
});

describe('reader names and unknown readers', () => {
  it('odd names work as sources; an unknown reader is not_found on every method taking a source', async () => {
    const names = ['reader:bob', 'a:b:c', 'Zoë Ünïcødé 読影医', '  padded  '];
    for (const [i, name] of names.entries()) {
      const bytes = withContent((c) => ({ ...c, annotator: name, createdAt: `2026-01-0${i + 1}T00:00:00Z` }));
      const r = await ok<{ reader: { name: string } }>('importAnnotations', { fileName: `n${i}.spinepkg`, data: b64(bytes) });
      expect(r.reader.name).toBe(name.trim());
      const src = `reader:${name.trim()}` as SourceRef;
      const rep = await ok<AgreementReport>('agreement', { a: src, b: 'original' });
      expect(rep.summary.seriesDiffering).toBe(contentA.series.length);
    }
    const ghost = 'reader:nobody';
    const seriesId = contentA.series[0]!.seriesId;
    const calls: [string, unknown][] = [
      ['agreement', { a: ghost, b: 'original' }],
      ['agreement', { a: 'local', b: ghost, basis: 'first' }],
      ['seriesAgreement', { seriesId, a: ghost, b: 'local' }],
      ['readerLabels', { seriesId, source: ghost, revision: 0 }],
      ['adjudicate', { kind: 'label', seriesId, label: 1, from: ghost }],
      ['adjudicate', { kind: 'level', patientId: ws.index.series[0]!.patientId, ivdLabel: 1, from: ghost }],
      ['adjudicationProgress', { a: 'local', b: ghost }],
      ['commitEdit', { seriesId, baseRevision: 0, tool: 'adjudicate', label: 1, description: 'x', diff: b64(new Uint8Array(0)), adjudication: { from: ghost } }],
      ['startExport', { outDir: join(root, 'out-ghost'), format: 'mha', changedOnly: false, force: false, source: ghost }],
    ];
    const before = readerTables();
    for (const [method, body] of calls) {
      const a = await api(method, body);
      expect(a.ok, `${method} ${JSON.stringify(a)}`).toBe(false);
      expect(a.status, method).toBeLessThan(500);
      expect(a.error!.code, `${method}: ${a.error!.message}`).not.toBe('internal');
    }
    expect(readerTables()).toBe(before);
    for (const bad of ['reader:', 'reader: ', 'reader:\u0000x', 'Reader:x', 'reader:\uD800']) {
      const a = await api('agreement', { a: bad, b: 'original' });
      expect(a.status, bad).toBe(400);
    }
  });
});


/** κ written from the disagreement form: 1 − Σ v·observed / Σ v·expected; null when Σ v·expected = 0. */
function kappaOf(pairs: [number, number][], cats: readonly number[], quadratic: boolean): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  const v = (x: number, y: number): number => { const i = cats.indexOf(x), j = cats.indexOf(y); return quadratic ? (i - j) ** 2 : i === j ? 0 : 1; };
  let obs = 0, exp = 0;
  for (const [x] of pairs) for (const [, y] of pairs) exp += v(x, y) / (n * n);
  for (const [x, y] of pairs) obs += v(x, y) / n;
  return exp === 0 ? null : 1 - obs / exp;
}

describe('the figures on edge cases (a second dataset: a series without a mask, a mask made unreadable)', () => {
  it('κ with unused categories, equal values (null), one level; Dice 0 for a label in one source; skipped with reason', async () => {
    const ds2 = join(root, 'figs');
    await generateSample({ out: ds2, patients: 2, seed: 'readers-figures' });
    const [noMask, badMask] = readdirSync(join(ds2, 'masks')).sort().slice(0, 2).map((f) => f.replace(/\.mha$/, '')) as [string, string];
    rmSync(join(ds2, 'masks', `${noMask}.mha`));
    const w = await openWorkstation({ datasetRoot: ds2, storeFile: join(root, 'figs.sqlite'), annotator: 'Adj', log: () => undefined });
    try {
      const entry = (id: string) => w.index.series.find((e) => e.id === id)!;
      const n0 = voxelCount(entry(noMask).image!.geometry);
      const bad = entry(badMask);
      const badOriginal = await w.volumeBytes(badMask, 'mask');
      const at = badOriginal.indexOf(0);
      const patient = entry(noMask).patientId;
      const grade = (ivdLabel: number, field: GradingField, value: number): PackageContent['grades'][number] => ({ patientId: patient, ivdLabel, field, value, firstValue: value, setAt: null });
      const pf = [3, 3, 3, 3, 3];
      const modicA = [0, 0, 1, 2, 0], modicB = [0, 1, 1, 2, 0];
      const pkg = (annotator: string, first: number, modic: number[], herniation: [number, number][]): Uint8Array => encodePackage({
        dataset: { name: 'figs', fingerprint: w.index.identity }, annotator, createdAt: '2026-03-03T00:00:00Z', appVersion: 't', warnings: [],
        series: [
          { seriesId: noMask, voxelCount: n0, changed: 5, revision: 1, encoding: 'rle-u8-v1', diff: encodeDiff({ indices: Uint32Array.from([0, 1, 2, 3, 4], (i) => first + i), before: new Uint8Array(5), after: new Uint8Array(5).fill(1) }) },
          { seriesId: badMask, voxelCount: badOriginal.length, changed: 1, revision: 1, encoding: 'rle-u8-v1', diff: encodeDiff({ indices: Uint32Array.of(at), before: Uint8Array.of(0), after: Uint8Array.of(1) }) },
        ],
        grades: [
          ...pf.map((v, i) => grade(i + 1, 'pfirrmann', v)),
          ...modic.map((v, i) => grade(i + 1, 'modic', v)),
          ...herniation.map(([ivd, v]) => grade(ivd, 'herniation', v)),
        ],
      });
      await w.service.importAnnotations({ fileName: 'p.spinepkg', data: b64(pkg('P:Q', 100, modicA, [[1, 1], [2, 1]])) });
      await w.service.importAnnotations({ fileName: 'r.spinepkg', data: b64(pkg('R', 102, modicB, [[1, 0]])) });
      // The mask goes bad after the import (its payload cut short; the header still scans).
      const file = join(ds2, bad.maskFile!);
      const bytes = readFileSync(file);
      writeFileSync(file, bytes.subarray(0, bytes.length - 200));

      const r = await w.service.agreement({ a: 'reader:P:Q', b: 'reader:R' });
      const byField = new Map(r.gradings.map((g) => [g.field, g]));
      const pfF = byField.get('pfirrmann')!;
      expect([pfF.n, pfF.observed, pfF.kappa]).toEqual([5, 1, null]);
      expect(pfF.perLevel.map((l) => [l.ivdLabel, l.n, l.kappa])).toEqual([1, 2, 3, 4, 5].map((i) => [i, 1, null]));
      const mo = byField.get('modic')!;
      const pairs = modicA.map((a, i) => [a, modicB[i]!] as [number, number]);
      expect(mo.n).toBe(5);
      expect(mo.kappa).toBeCloseTo(kappaOf(pairs, [0, 1, 2, 3], false)!, 12);
      expect(mo.confusion[3]).toEqual([0, 0, 0, 0]); // Modic III never used: an empty row and column, κ still defined
      expect(mo.confusion.map((row) => row[3])).toEqual([0, 0, 0, 0]);
      const he = byField.get('herniation')!;
      expect([he.n, he.observed, he.kappa]).toEqual([1, 0, kappaOf([[1, 0]], [0, 1], false)]);
      expect(he.kappa).toBe(0);
      expect(byField.get('narrowing')).toMatchObject({ n: 0, observed: null, kappa: null });

      const s0 = r.series.find((s) => s.seriesId === noMask)!;
      expect(s0.skipped).toBeNull();
      // Voxels 100–104 (P) against 102–106 (R): label 1 overlaps on 3 of 5 + 5.
      expect(s0.labels).toEqual([expect.objectContaining({ value: 1, voxelsA: 5, voxelsB: 5, intersection: 3, dice: 0.6 })]);
      const vsOriginal = await w.service.agreement({ a: 'reader:P:Q', b: 'original' });
      expect(vsOriginal.series.find((s) => s.seriesId === noMask)!.labels).toEqual([expect.objectContaining({ value: 1, voxelsA: 5, voxelsB: 0, intersection: 0, dice: 0 })]);
      const sb = r.series.find((s) => s.seriesId === badMask)!;
      expect(sb.skipped).toMatch(new RegExp(`${bad.maskFile}.*cannot be read exactly`));
      expect(sb.labels).toEqual([]);
      expect(r.summary.seriesSkipped).toBeGreaterThanOrEqual(1);
      // Over HTTP-free service calls too: the unreadable series' compare is a typed error, never internal.
      await expect(w.service.seriesAgreement({ seriesId: badMask, a: 'reader:P:Q', b: 'reader:R' })).rejects.toMatchObject({ code: 'read_only' });
    } finally {
      w.close();
    }
  });
});
