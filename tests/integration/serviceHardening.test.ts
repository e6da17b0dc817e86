// Issue 11, items 6 and 9 at the service: label values are SPIDER labels, text with lone UTF-16 surrogates is
// refused at the contract, and a failed save of the annotator name leaves the annotator as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DIFF_BYTES, requestSchemas } from '../../common/contract.js';
import { AppError } from '../../common/errors.js';
import { fileAnnotatorMemory } from '../../main/core/identity.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation } from '../../main/core/workstation.js';
import { diffBytes, workstationCases } from './journalHelpers.js';

let root: string;
let pristine: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-hardening-'));
  pristine = join(root, 'pristine');
  await generateSample({ out: pristine, patients: 1, seed: 'hardening' });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
const { open, fresh } = workstationCases(() => ({ root, pristine }));

const LONE = ['\uD800', 'a\uDC00b', 'x\uDBFF'];

describe('contract schemas', () => {
  it('refuse lone UTF-16 surrogates in annotator names, tool ids and descriptions; accept real pairs', () => {
    for (const bad of LONE) {
      expect(requestSchemas.setAnnotator.safeParse({ name: `Dr ${bad}` }).success, JSON.stringify(bad)).toBe(false);
      const edit = { seriesId: '1_t1', baseRevision: 0, tool: 'brush', label: 1, description: 'Brush', diff: Uint8Array.of(0xd1, 0) };
      expect(requestSchemas.commitEdit.safeParse({ ...edit, description: `Brush ${bad}` }).success).toBe(false);
      expect(requestSchemas.commitEdit.safeParse({ ...edit, tool: `b${bad}` }).success).toBe(false);
    }
    expect(requestSchemas.setAnnotator.safeParse({ name: 'Dr 😀 Łukasz' }).success).toBe(true);
  });

  it('take only SPIDER label values', () => {
    const edit = { seriesId: '1_t1', baseRevision: 0, tool: 'brush', description: 'Brush', diff: Uint8Array.of(0xd1, 0) };
    for (const ok of [0, 1, 25, 100, 101, 125, 201, 225]) expect(requestSchemas.commitEdit.safeParse({ ...edit, label: ok }).success, String(ok)).toBe(true);
    for (const bad of [26, 99, 126, 158, 200, 226, 255, 256, -1, 1.5]) expect(requestSchemas.commitEdit.safeParse({ ...edit, label: bad }).success, String(bad)).toBe(false);
  });

  it('take the diff as bytes only, up to 96 MiB', () => {
    const edit = { seriesId: '1_t1', baseRevision: 0, tool: 'brush', label: 1, description: 'Brush' };
    const parsed = requestSchemas.commitEdit.safeParse({ ...edit, diff: Buffer.from([0xd1, 0]) });
    expect(parsed.success).toBe(true);
    expect(requestSchemas.commitEdit.safeParse({ ...edit, diff: new Uint8Array(MAX_DIFF_BYTES) }).success).toBe(true);
    // base64 text (the old form), other views and plain arrays are refused, and so is one byte over the cap.
    for (const bad of ['0QA=', [0xd1, 0], Uint16Array.of(0xd1), new DataView(new ArrayBuffer(2)), new ArrayBuffer(2), { 0: 0xd1, length: 1 }, null, new Uint8Array(MAX_DIFF_BYTES + 1)]) {
      expect(requestSchemas.commitEdit.safeParse({ ...edit, diff: bad }).success, Object.prototype.toString.call(bad)).toBe(false);
    }
  });
});

describe('service', () => {
  it('refuses a diff that writes a value outside the SPIDER set (158), and stores nothing', async () => {
    const paths = fresh();
    const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'alice', log: () => undefined });
    open.push(ws);
    const opened = await ws.service.openSeries({ seriesId: '1_t1' });
    const mask = await ws.volumeBytes('1_t1', 'mask');
    const err = await ws.service
      .commitEdit({ seriesId: '1_t1', baseRevision: opened.revision, tool: 'relabel', label: 0, description: 'Relabel', diff: diffBytes({ indices: Uint32Array.of(0), before: Uint8Array.of(mask[0]!), after: Uint8Array.of(158) }) })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_request');
    expect((err as AppError).message).toContain('158');
    expect(ws.store.edits.count('1_t1').total).toBe(0);
  });

  it('setAnnotator whose name cannot be saved (unwritable settings path) fails typed and keeps the annotator', async () => {
    const paths = fresh();
    // A settings file under a regular file: every write fails (ENOTDIR), also as root.
    const blocker = join(root, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const memory = fileAnnotatorMemory(join(blocker, 'settings.json'));
    const ws = await openWorkstation({ datasetRoot: paths.dataset, storeFile: paths.storeFile, annotator: 'alice', annotatorMemory: memory, log: () => undefined });
    open.push(ws);
    const err = await ws.service.setAnnotator({ name: 'bob' }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('io');
    expect((await ws.service.getSession({})).annotator).toBe('alice');
  });
});
