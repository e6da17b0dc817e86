// The annotation package format (main/core/readers/package.ts): a written package reads back exactly, and each
// check refuses what it is for, typed and naming the file — magic, newer format, truncation, checksum, header
// schema, tiling of the diffs, dataset identity, series sizes, malformed diffs, non-SPIDER labels, grades.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../common/errors.js';
import { encodeDiff } from '../../../common/labelDiff.js';
import { decodePackage, encodePackage, type PackageContent } from '../../../main/core/readers/package.js';
import { packageFileName } from '../../../main/core/readers/pack.js';

const FP = 'c0ffee'.repeat(10);
const diffOf = (entries: [index: number, before: number, after: number][]): Uint8Array =>
  encodeDiff({
    indices: Uint32Array.from(entries, (e) => e[0]),
    before: Uint8Array.from(entries, (e) => e[1]),
    after: Uint8Array.from(entries, (e) => e[2]),
  });

function content(over: Partial<PackageContent> = {}): PackageContent {
  return {
    dataset: { name: 'spider', fingerprint: FP },
    annotator: 'Reader A',
    createdAt: '2025-02-03T04:05:06.789Z',
    appVersion: '1.0.0',
    series: [
      { seriesId: '1_t1', voxelCount: 100, changed: 3, encoding: 'rle-u8-v1', diff: diffOf([[4, 0, 3], [5, 0, 3], [90, 201, 0]]), revision: 7 },
      { seriesId: '2_t2', voxelCount: 50, changed: 1, encoding: 'rle-u8-v1', diff: diffOf([[0, 5, 100]]), revision: 1 },
    ],
    grades: [
      { patientId: 1, ivdLabel: 1, field: 'pfirrmann', value: 3, firstValue: 2, setAt: '2025-02-03T04:00:00.000Z' },
      { patientId: 1, ivdLabel: 1, field: 'modic', value: null, firstValue: 1, setAt: null },
    ],
    warnings: ['2_t2: also holds active label edits by Bob'],
    ...over,
  };
}

/** Rewrites the header of a package (as JSON text) and reseals it: lengths and checksum made right again. */
function reseal(bytes: Uint8Array, edit: (h: Record<string, unknown>) => void, version = 1): Uint8Array {
  const b = Buffer.from(bytes);
  const n = b.readUInt32LE(10);
  const h = JSON.parse(b.subarray(14, 14 + n).toString('utf8')) as Record<string, unknown>;
  edit(h);
  const json = Buffer.from(JSON.stringify(h));
  const prefix = Buffer.alloc(14);
  prefix.write('SPINEPKG', 0, 'latin1');
  prefix.writeUInt16LE(version, 8);
  prefix.writeUInt32LE(json.length, 10);
  const body = Buffer.concat([prefix, json, b.subarray(14 + n, b.length - 32)]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function refusal(fn: () => unknown, code = 'invalid_file'): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    return (err as AppError).message;
  }
  throw new Error('expected a refusal');
}

describe('annotation package format', () => {
  const bytes = encodePackage(content());

  it('reads back exactly what was written, with the SHA-256 of the file', () => {
    const p = decodePackage(bytes, 'a.spinepkg', { dataset: { name: 'spider', fingerprint: FP }, voxelsOf: (id) => (id === '1_t1' ? 100 : 50) });
    const c = content();
    expect(p.annotator).toBe(c.annotator);
    expect(p.dataset).toEqual(c.dataset);
    expect(p.createdAt).toBe(c.createdAt);
    expect(p.grades).toEqual(c.grades);
    expect(p.warnings).toEqual(c.warnings);
    expect(p.series.map((s) => ({ ...s, diff: [...s.diff] }))).toEqual(c.series.map((s) => ({ ...s, diff: [...s.diff] })));
    expect(p.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(p.byteLength).toBe(bytes.length);
    expect(String.fromCharCode(...bytes.subarray(0, 8))).toBe('SPINEPKG');
  });

  it('refuses damaged files naming the file', () => {
    expect(refusal(() => decodePackage(bytes.subarray(0, bytes.length - 1), 'x.spinepkg'))).toMatch(/^x\.spinepkg: corrupted or truncated/);
    expect(refusal(() => decodePackage(bytes.subarray(0, 20), 'x.spinepkg'))).toMatch(/^x\.spinepkg: truncated/);
    const flipped = bytes.slice();
    flipped[40]! ^= 4;
    expect(refusal(() => decodePackage(flipped, 'x.spinepkg'))).toContain('checksum');
    expect(refusal(() => decodePackage(Uint8Array.from([1, 2, 3]), 'x.spinepkg'))).toContain('wrong magic');
    expect(refusal(() => decodePackage(reseal(bytes, () => undefined, 2), 'x.spinepkg'))).toContain('package format 2 by a newer workstation');
  });

  it('refuses a header that breaks the schema or the tiling of the diffs', () => {
    const cases: [(h: Record<string, unknown>) => void, string][] = [
      [(h) => { h.extra = 1; }, 'header is invalid'],
      [(h) => { (h.series as { offset: number }[])[1]!.offset += 1; }, 'lies outside its place'],
      [(h) => { (h.series as { length: number }[])[1]!.length -= 1; }, 'belong to no series'],
      [(h) => { (h.series as { voxelCount: number }[])[0]!.voxelCount = 2 ** 40; }, 'header is invalid at series.0.voxelCount'],
      [(h) => { (h.series as { changed: number }[])[0]!.changed = 2; }, 'it changes 3 voxels, the header says 2'],
      [(h) => { (h.series as { voxelCount: number }[])[0]!.voxelCount = 50; }, 'outside a volume of 50 voxels'],
      [(h) => { (h.series as unknown[]).push((h.series as unknown[])[0]); }, 'series 1_t1 appears twice'],
      [(h) => { (h.grades as { value: number }[])[0]!.value = 9; }, 'illegal value 9'],
      [(h) => { (h.grades as unknown[]).push((h.grades as unknown[])[0]); }, 'appears twice'],
      [(h) => { (h.grades as { firstValue: null }[])[1]!.firstValue = null; }, 'holds no value'],
      [(h) => { (h.grades as { ivdLabel: number }[])[0]!.ivdLabel = 0; }, 'header is invalid at grades.0.ivdLabel'],
    ];
    for (const [edit, expected] of cases) {
      expect(refusal(() => decodePackage(reseal(bytes, edit), 'h.spinepkg'))).toContain(expected);
    }
  });

  it('refuses a diff writing a value that is no SPIDER label', () => {
    const bad = encodePackage(content({ series: [{ seriesId: '1_t1', voxelCount: 100, changed: 1, encoding: 'rle-u8-v1', diff: diffOf([[3, 0, 158]]), revision: 1 }] }));
    expect(refusal(() => decodePackage(bad, 'l.spinepkg'))).toContain('writes the label value 158');
  });

  it('refuses another dataset naming both, and series the dataset lacks or sizes it does not have', () => {
    const other = refusal(() => decodePackage(bytes, 'a.spinepkg', { dataset: { name: 'mine', fingerprint: 'f'.repeat(64) } }), 'invalid_request');
    expect(other).toContain('dataset spider (fingerprint c0ffeec0ffeec0ff…)');
    expect(other).toContain('the open dataset mine (fingerprint ffffffffffffffff…)');
    expect(refusal(() => decodePackage(bytes, 'a.spinepkg', { voxelsOf: (id) => (id === '1_t1' ? 100 : null) }), 'invalid_request')).toContain('series 2_t2 is not in this dataset');
    expect(refusal(() => decodePackage(bytes, 'a.spinepkg', { voxelsOf: () => 100 }))).toContain('series 2_t2 is for 50 voxels, the dataset\'s image has 100');
  });

  it('names files with safe characters', () => {
    expect(packageFileName('SPIDER dataset', 'Dr. Müller/ÄB', new Date('2025-06-07T23:00:00Z'))).toBe('SPIDER_dataset-Dr._M_ller_B-20250607.spinepkg');
    expect(packageFileName('..', '...', new Date('2025-01-01T00:00:00Z'))).toBe('x-x-20250101.spinepkg');
  });
});
