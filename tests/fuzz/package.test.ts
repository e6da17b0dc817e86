// Fuzz target (issue 16): mutated annotation packages through importAnnotations on a real workstation and store.
// Every case starts from a valid package written by a scripted reader (real commitEdit diffs and gradings on a
// generated sample) and mutates it: raw byte damage (flips, truncation, insertion, splices), or a mutation of the
// header JSON, the blob area or the prefix that is then *resealed* (lengths and SHA-256 recomputed by this test's own
// writer of the layout), so the checks behind the checksum are reached too (offsets, sizes, huge voxel counts,
// duplicates, illegal grades, malformed diffs, foreign labels).
// Each case must end in a typed error or a successful import, never an untyped error or a hang; allocate no more
// than the package and the dataset's images justify; and a refused case writes nothing (the reader tables are
// byte-for-byte the same). Failures are collected and printed with their case index (SPINE_FUZZ_CASE=i reproduces).
import { watchAllocations } from './allocWatch.js'; // first: wraps the allocators before the project's modules load
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe as group, expect, it } from 'vitest';
import { voxelCount } from '../../common/geometry.js';
import { base64ToBytes, bytesToBase64 } from '../../common/labelDiff.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { brushDiff, diffBytes, prng } from '../integration/journalHelpers.js';
import { attempt, badOutcome, caseIndices, caseRng, describe, outcomeLabel, REPRODUCING, trace, type Rng } from './fuzzKit.js';

const TARGET = 'package';
const CASES = 400;
const PREFIX = 14; // "SPINEPKG", u16 version, u32 header length

let root: string;
let storeFile: string;
let ws: Workstation;
let good: Uint8Array;
let maxVoxels: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-fuzz-package-'));
  const ds = join(root, 'ds');
  await generateSample({ out: ds, patients: 1, seed: 'fuzz-package' });
  const author = await openWorkstation({ datasetRoot: ds, storeFile: join(root, 'a.sqlite'), annotator: 'Reader A', log: () => undefined });
  try {
    const rnd = prng(11);
    for (const e of author.index.series.slice(0, 2)) {
      for (let i = 0; i < 2; i++) {
        const opened = await author.service.openSeries({ seriesId: e.id });
        const { diff, label } = brushDiff(await author.volumeBytes(e.id, 'mask'), opened.image.geometry.size, rnd);
        await author.service.commitEdit({ seriesId: e.id, baseRevision: opened.revision, tool: 'brush', label, description: 'b', diff: diffBytes(diff) });
      }
    }
    const levels = (await author.service.getGradings({ patientId: 1 })).levels.filter((l) => l.ivdLabel >= 1);
    for (const l of levels.slice(0, 3)) {
      await author.service.setGrading({ patientId: 1, ivdLabel: l.ivdLabel, field: 'pfirrmann', value: l.values.pfirrmann === 5 ? 4 : 5 });
    }
    good = base64ToBytes((await author.service.exportAnnotations({ annotator: 'Reader A' })).data);
  } finally {
    author.close();
  }
  storeFile = join(root, 'c.sqlite');
  ws = await openWorkstation({ datasetRoot: ds, storeFile, annotator: 'Adj', log: () => undefined });
  maxVoxels = Math.max(...ws.index.series.map((e) => (e.image ? voxelCount(e.image.geometry) : 0)));
}, 120_000);
afterAll(() => {
  ws?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The layout written independently of package.ts: prefix, header, blobs, SHA-256 of all before. */
function seal(header: string, blobs: Uint8Array, version = 1): Uint8Array {
  const json = Buffer.from(header, 'utf8');
  const body = Buffer.alloc(PREFIX + json.length + blobs.length);
  body.write('SPINEPKG', 0, 'latin1');
  body.writeUInt16LE(version, 8);
  body.writeUInt32LE(json.length, 10);
  json.copy(body, PREFIX);
  body.set(blobs, PREFIX + json.length);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function unseal(bytes: Uint8Array): { header: Record<string, unknown>; blobs: Uint8Array } {
  const b = Buffer.from(bytes);
  const n = b.readUInt32LE(10);
  return { header: JSON.parse(b.subarray(PREFIX, PREFIX + n).toString('utf8')) as Record<string, unknown>, blobs: b.subarray(PREFIX + n, b.length - 32) };
}

const WILD: unknown[] = [0, -1, 1, 2 ** 31, 2 ** 32, 2 ** 53, 1e308, 0.5, NaN, null, '', 'x', [], {}, true, 'rle-u8-v2', '1_t1', 255, 158, 6];

/** Sets a random leaf (or removes/duplicates an element) somewhere in the header. */
function mutateJson(h: Record<string, unknown>, r: Rng): string {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, p: (string | number)[]): void => {
    paths.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(h, []);
  for (let m = r.int(1, 3); m > 0; m--) {
    const p = r.pick(paths.slice(1));
    const parent = p.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)?.[k], h) as Record<string | number, unknown> | unknown[] | undefined;
    if (!parent || typeof parent !== 'object') continue;
    const key = p.at(-1)!;
    const choice = r.int(0, 3);
    if (choice === 0 && Array.isArray(parent)) parent.push(structuredClone(parent[Number(key)]));
    else if (choice === 1) delete (parent as Record<string | number, unknown>)[key];
    else if (choice === 2 && typeof (parent as Record<string | number, unknown>)[key] === 'number') {
      (parent as Record<string | number, number>)[key]! += r.pick([-1, 1, 7, -1000, 2 ** 27, 2 ** 30]);
    } else (parent as Record<string | number, unknown>)[key] = r.pick(WILD);
  }
  return r.chance(0.05) ? JSON.stringify(h).slice(0, -1) : JSON.stringify(h);
}

/** One mutated package and what was done. */
function mutant(r: Rng): { bytes: Uint8Array; what: string } {
  const b = Buffer.from(good);
  switch (r.int(0, 5)) {
    case 0: {
      const n = r.int(1, 4);
      for (let i = 0; i < n; i++) {
        const at = r.int(0, b.length - 1);
        b[at] = b[at]! ^ (1 << r.int(0, 7));
      }
      return { bytes: b, what: `raw: ${n} bit flips` };
    }
    case 1: {
      const at = r.int(0, b.length - 1);
      return { bytes: b.subarray(0, at), what: `raw: truncated at ${at}` };
    }
    case 2: {
      const at = r.int(0, b.length);
      return { bytes: Buffer.concat([b.subarray(0, at), r.bytes(r.int(1, 40)), b.subarray(at)]), what: `raw: bytes inserted at ${at}` };
    }
    case 3: {
      const { header, blobs } = unseal(good);
      const text = mutateJson(header, r);
      return { bytes: seal(text, blobs), what: `resealed header ${text.slice(0, 400)}` };
    }
    case 4: {
      const { header, blobs } = unseal(good);
      const bl = Buffer.from(blobs);
      const n = r.int(1, 3);
      for (let i = 0; i < n; i++) bl[r.int(0, bl.length - 1)] = r.int(0, 255);
      return { bytes: seal(JSON.stringify(header), bl), what: `resealed blob with ${n} bytes changed` };
    }
    default: {
      const { header, blobs } = unseal(good);
      const version = r.pick([0, 1, 2, 65535]);
      const sealed = Buffer.from(seal(JSON.stringify(header), blobs, version));
      if (r.chance(0.5)) sealed.writeUInt32LE(r.pick([0, 1, 2 ** 32 - 1, sealed.length]), 10);
      return { bytes: sealed, what: `resealed prefix: version ${version}, header length ${sealed.readUInt32LE(10)}` };
    }
  }
}

/** Every row of the reader tables, as text. */
function tables(): string {
  const db = new Database(storeFile, { readonly: true });
  try {
    return JSON.stringify(['readers', 'reader_labels', 'reader_grades', 'adjudications'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
  } finally {
    db.close();
  }
}

group('fuzz: annotation packages', () => {
  it('mutated packages are refused typed or imported, never crash, hang, over-allocate or write on refusal', async () => {
    const failures: string[] = [];
    const stats = new Map<string, number>();
    for (const i of caseIndices(CASES)) {
      const r = caseRng(TARGET, i);
      const { bytes, what } = mutant(r);
      const before = tables();
      const { value: outcome, largest, what: alloc } = await watchAllocations(() =>
        attempt(() => ws.service.importAnnotations({ fileName: `case-${i}.spinepkg`, data: bytesToBase64(bytes), replace: true })),
      );
      trace(TARGET, i, what, outcome.ms);
      const label = outcomeLabel(outcome);
      stats.set(label, (stats.get(label) ?? 0) + 1);
      const bad = badOutcome(outcome);
      if (bad) failures.push(`case ${i} (${what.slice(0, 200)}): ${bad}`);
      const limit = 16 * bytes.length + 8 * maxVoxels + (1 << 20);
      if (largest > limit) failures.push(`case ${i} (${what.slice(0, 200)}): allocated ${largest} bytes (${alloc}), limit ${limit}`);
      if (outcome.kind === 'typed') {
        if (tables() !== before) failures.push(`case ${i} (${what.slice(0, 200)}): refused (${describe(outcome)}) but the store changed`);
        if (outcome.error.code === 'invalid_file' && !outcome.error.message.startsWith(`case-${i}.spinepkg: `)) {
          failures.push(`case ${i}: the error does not name the file: ${outcome.error.message}`);
        }
      }
    }
    if (failures.length) console.log(failures.join('\n'));
    if (!REPRODUCING) console.log(`fuzz ${TARGET}: ${[...stats].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    expect(failures).toEqual([]);
    if (!REPRODUCING) {
      // The mutations reach the checks behind the checksum, not only the checksum itself.
      expect(stats.get('invalid_file') ?? 0).toBeGreaterThan(CASES / 2);
    }
  }, 300_000);
});
