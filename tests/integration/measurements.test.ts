// Measurements (issue 13, item 4 "Measure") over the real web-mode server: a workstation on a generated sample dataset
// with a real SQLite store, called through POST /api/<method> exactly as the renderer calls it. Rulers and angles are
// added with world points (LPS, mm) and main computes their value from the series geometry; they are listed per
// series with annotator and time, deleted softly and restored, survive a restart of the workstation, are refused with
// typed errors when malformed, and are written into the export manifest (export-manifest.json and CHANGES.md).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportStatus, MeasurementInfo } from '../../common/contract.js';
import type { ErrorCode } from '../../common/errors.js';
import { indexToWorld, type Vec3, type VolumeGeometry } from '../../common/geometry.js';
import { generateSample } from '../../main/core/sample/index.js';
import { openWorkstation, type Workstation } from '../../main/core/workstation.js';
import { startWebServer, type WebServer } from '../../main/server/http.js';
import { readManifest } from './exportHelpers.js';

let dir: string;
let ws: Workstation;
let server: WebServer;

async function start(): Promise<void> {
  ws = await openWorkstation({ datasetRoot: join(dir, 'ds'), storeFile: join(dir, 'store.sqlite'), annotator: 'tester', appVersion: 'measure-test' });
  server = await startWebServer({ service: ws.service, volumes: ws, staticDir: join(dir, 'ds') });
}
async function stop(): Promise<void> {
  await server.close();
  ws.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spine-measure-'));
  await generateSample({ out: join(dir, 'ds'), patients: 2, seed: 'measure' });
  await start();
});
afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: { ok: true; value: unknown } | { ok: false; error: { code: ErrorCode; message: string } };
}

/** POST /api/<method> with `body` as it is (a string is sent unchanged: malformed JSON stays malformed). */
function post(method: string, body: unknown): Promise<Reply> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: `/api/${method}`,
        headers: { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply['body'] }));
      },
    );
    req.on('error', fail);
    req.end(text);
  });
}

/** The value of a call that must succeed (HTTP 200, ok: true). */
async function value<T>(method: string, body: unknown): Promise<T> {
  const r = await post(method, body);
  expect(r.body, `${method} ${JSON.stringify(body)}`).toMatchObject({ ok: true });
  expect(r.status).toBe(200);
  return (r.body as { value: T }).value;
}

/** A refusal: its HTTP status and typed error code. */
async function refusal(method: string, body: unknown): Promise<{ status: number; code: ErrorCode; message: string }> {
  const r = await post(method, body);
  if (r.body.ok) throw new Error(`${method} ${JSON.stringify(body)} was accepted`);
  return { status: r.status, code: r.body.error.code, message: r.body.error.message };
}

const SERIES = '1_t1';
function geometry(seriesId = SERIES): VolumeGeometry {
  const g = ws.index.series.find((s) => s.id === seriesId)?.image?.geometry;
  if (!g) throw new Error(`no geometry for ${seriesId}`);
  return g;
}
/** World position (LPS, mm) of a voxel index of the series. */
const at = (ijk: Vec3, seriesId = SERIES): Vec3 => indexToWorld(geometry(seriesId), ijk);

describe('measurements over the web-mode server', () => {
  let ruler: MeasurementInfo;
  let angle: MeasurementInfo;
  let gone: MeasurementInfo;
  let diagId: number;

  it('adds a ruler and an angle; main computes mm and degrees from the world points', async () => {
    const g = geometry();
    expect(g.size.every((n) => n >= 8)).toBe(true);
    ruler = await value<MeasurementInfo>('addMeasurement', { seriesId: SERIES, kind: 'ruler', points: [at([1, 1, 1]), at([4, 5, 1])], note: 'L4 | anterior height' });
    const expectedMm = Math.hypot(3 * g.spacing[0], 4 * g.spacing[1]);
    expect(ruler).toMatchObject({ seriesId: SERIES, kind: 'ruler', unit: 'mm', annotator: 'tester', note: 'L4 | anterior height' });
    expect(ruler.value).toBeCloseTo(expectedMm, 9);
    expect(ruler.points).toEqual([at([1, 1, 1]), at([4, 5, 1])]);
    expect(Number.isNaN(Date.parse(ruler.createdAt))).toBe(false);

    // Arms along two index axes: 90° whatever the direction matrix; along one axis both ways: 180°.
    angle = await value<MeasurementInfo>('addMeasurement', { seriesId: SERIES, kind: 'angle', points: [at([5, 2, 2]), at([2, 2, 2]), at([2, 6, 2])] });
    expect(angle).toMatchObject({ kind: 'angle', unit: 'deg', note: null, annotator: 'tester' });
    expect(angle.value).toBeCloseTo(90, 9);
    const straight = await value<MeasurementInfo>('addMeasurement', { seriesId: SERIES, kind: 'angle', points: [at([1, 2, 2]), at([3, 2, 2]), at([7, 2, 2])] });
    expect(straight.value).toBeCloseTo(180, 9);
    // 45°: the second arm one voxel along i and one along j, in a voxel-isotropic plane or not (atan of the ratio).
    const diag = await value<MeasurementInfo>('addMeasurement', { seriesId: SERIES, kind: 'angle', points: [at([3, 1, 1]), at([1, 1, 1]), at([2, 2, 1])] });
    expect(diag.value).toBeCloseTo((Math.atan2(g.spacing[1], g.spacing[0]) * 180) / Math.PI, 9);
    gone = straight;
    diagId = diag.id;
    expect((await value<{ id: number }>('deleteMeasurement', { id: diag.id })).id).toBe(diag.id);
  });

  it('lists per series, oldest first; deletes softly (again: the same answer) and restores', async () => {
    const list = await value<{ seriesId: string; measurements: MeasurementInfo[] }>('listMeasurements', { seriesId: SERIES });
    expect(list.seriesId).toBe(SERIES);
    expect(list.measurements.map((m) => m.id)).toEqual([ruler.id, angle.id, gone.id]);
    expect(list.measurements[0]).toEqual(ruler);
    // Another series of the dataset has its own (empty) list.
    expect((await value<{ measurements: MeasurementInfo[] }>('listMeasurements', { seriesId: '2_t1' })).measurements).toEqual([]);

    const del = await value<{ id: number; seriesId: string; deletedAt: string }>('deleteMeasurement', { id: ruler.id });
    expect(del).toMatchObject({ id: ruler.id, seriesId: SERIES });
    expect(await value('deleteMeasurement', { id: ruler.id })).toEqual(del);
    expect((await value<{ measurements: MeasurementInfo[] }>('listMeasurements', { seriesId: SERIES })).measurements.map((m) => m.id)).toEqual([angle.id, gone.id]);
    expect(await value('restoreMeasurement', { id: ruler.id })).toEqual(ruler);
    await value('deleteMeasurement', { id: gone.id });
    expect((await value<{ measurements: MeasurementInfo[] }>('listMeasurements', { seriesId: SERIES })).measurements.map((m) => m.id)).toEqual([ruler.id, angle.id]);
    // The store keeps the deleted ones, with who deleted them.
    const stored = ws.store.measurements.forSeries(SERIES, { includeDeleted: true });
    const deleted = stored.filter((m) => m.deletedAt !== null);
    expect(deleted.map((m) => m.id)).toEqual([gone.id, diagId]);
    expect(deleted.map((m) => ws.store.annotators.name(m.deletedBy!))).toEqual(['tester', 'tester']);
  });

  it('refuses malformed requests with HTTP 400 invalid_request before the service sees them', async () => {
    const p = [at([1, 1, 1]), at([2, 2, 1]), at([3, 1, 1])];
    const bad: [what: string, body: unknown][] = [
      ['a ruler with 3 points', { seriesId: SERIES, kind: 'ruler', points: p }],
      ['a ruler with 1 point', { seriesId: SERIES, kind: 'ruler', points: p.slice(0, 1) }],
      ['an angle with 2 points', { seriesId: SERIES, kind: 'angle', points: p.slice(0, 2) }],
      ['an angle with 4 points', { seriesId: SERIES, kind: 'angle', points: [...p, p[0]] }],
      ['no points', { seriesId: SERIES, kind: 'ruler', points: [] }],
      ['a point of 2 coordinates', { seriesId: SERIES, kind: 'ruler', points: [[1, 2], p[1]] }],
      ['NaN (null in JSON)', { seriesId: SERIES, kind: 'ruler', points: [[Number.NaN, 0, 0], p[1]] }],
      ['a coordinate as text', { seriesId: SERIES, kind: 'ruler', points: [['1', 0, 0], p[1]] }],
      ['NaN as a bare token', `{"seriesId":"${SERIES}","kind":"ruler","points":[[NaN,0,0],[1,1,1]]}`],
      ['Infinity (1e999)', `{"seriesId":"${SERIES}","kind":"ruler","points":[[1e999,0,0],[1,1,1]]}`],
      ['a coordinate beyond 1e6 mm', { seriesId: SERIES, kind: 'ruler', points: [[2e6, 0, 0], p[1]] }],
      ['an unknown kind', { seriesId: SERIES, kind: 'circle', points: p.slice(0, 2) }],
      ['a malformed series id', { seriesId: '../1_t1', kind: 'ruler', points: p.slice(0, 2) }],
      ['an empty note', { seriesId: SERIES, kind: 'ruler', points: p.slice(0, 2), note: '' }],
      ['a note with a line break', { seriesId: SERIES, kind: 'ruler', points: p.slice(0, 2), note: 'a\nb' }],
      ['a value from the client', { seriesId: SERIES, kind: 'ruler', points: p.slice(0, 2), value: 3 }],
    ];
    for (const [what, body] of bad) {
      expect(await refusal('addMeasurement', body), what).toMatchObject({ status: 400, code: 'invalid_request' });
    }
    for (const body of [{ id: 0 }, { id: -1 }, { id: 1.5 }, { id: '1' }, {}, { id: 1, extra: true }]) {
      expect(await refusal('deleteMeasurement', body), JSON.stringify(body)).toMatchObject({ status: 400, code: 'invalid_request' });
    }
    expect(await refusal('listMeasurements', {})).toMatchObject({ status: 400, code: 'invalid_request' });
    // Nothing was stored by any of them.
    expect(ws.store.measurements.forSeries(SERIES, { includeDeleted: true })).toHaveLength(4);
  });

  it('answers typed service errors for an unknown series or id, points outside the image and zero lengths', async () => {
    const inside = [at([1, 1, 1]), at([2, 2, 1])];
    // Schema-valid requests the service refuses: HTTP 200 with { ok: false } (ARCHITECTURE.md §3).
    expect(await refusal('addMeasurement', { seriesId: '99_t1', kind: 'ruler', points: inside })).toMatchObject({ status: 200, code: 'not_found' });
    expect(await refusal('listMeasurements', { seriesId: '99_t1' })).toMatchObject({ status: 200, code: 'not_found' });
    expect(await refusal('deleteMeasurement', { id: 9999 })).toMatchObject({ status: 200, code: 'not_found' });
    expect(await refusal('restoreMeasurement', { id: 9999 })).toMatchObject({ status: 200, code: 'not_found' });
    const g = geometry();
    const outside = await refusal('addMeasurement', { seriesId: SERIES, kind: 'ruler', points: [inside[0], at([g.size[0] + 2, 1, 1])] });
    expect(outside).toMatchObject({ status: 200, code: 'invalid_request' });
    expect(outside.message).toMatch(/outside the image/);
    // Half a voxel beyond the last centre is still inside the image (its outer face).
    await value('addMeasurement', { seriesId: SERIES, kind: 'ruler', points: [at([-0.5, 1, 1]), at([g.size[0] - 0.5, 1, 1])], note: 'full width' })
      .then((m) => value('deleteMeasurement', { id: (m as MeasurementInfo).id }));
    expect(await refusal('addMeasurement', { seriesId: SERIES, kind: 'ruler', points: [inside[0], inside[0]] })).toMatchObject({ status: 200, code: 'invalid_request' });
    expect(await refusal('addMeasurement', { seriesId: SERIES, kind: 'angle', points: [inside[0], inside[0], inside[1]] })).toMatchObject({ status: 200, code: 'invalid_request' });
    expect(ws.store.measurements.forSeries(SERIES).map((m) => m.id)).toEqual([ruler.id, angle.id]);
  });

  it('keeps every measurement across a restart of the workstation and the server', async () => {
    const before = await value<{ measurements: MeasurementInfo[] }>('listMeasurements', { seriesId: SERIES });
    await stop();
    await start();
    const after = await value<{ measurements: MeasurementInfo[] }>('listMeasurements', { seriesId: SERIES });
    expect(after).toEqual(before);
    expect(after.measurements.map((m) => m.id)).toEqual([ruler.id, angle.id]);
  });

  it('writes the standing measurements of each series into export-manifest.json and CHANGES.md', async () => {
    const other = await value<MeasurementInfo>('addMeasurement', { seriesId: '2_t1', kind: 'ruler', points: [at([0, 0, 0], '2_t1'), at([0, 3, 0], '2_t1')] });
    const out = join(dir, 'export');
    const { jobId } = await value<{ jobId: string }>('startExport', { outDir: out, format: 'mha', changedOnly: false, force: false });
    let st = await value<ExportStatus>('exportStatus', { jobId });
    while (st.state === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      st = await value<ExportStatus>('exportStatus', { jobId });
    }
    expect(st.state).toBe('done');
    const manifest = readManifest(out);
    const bySeries = new Map(manifest.series.map((s) => [s.seriesId, s]));
    const strip = ({ seriesId: _s, ...m }: MeasurementInfo): Omit<MeasurementInfo, 'seriesId'> => m;
    expect(bySeries.get(SERIES)?.measurements).toEqual([strip(ruler), strip(angle)]);
    expect(bySeries.get('2_t1')?.measurements).toEqual([strip(other)]);
    // Every other series has an empty list; the series records keep their fields, measurements come last.
    for (const s of manifest.series) {
      if (s.seriesId !== SERIES && s.seriesId !== '2_t1') expect(s.measurements, s.seriesId).toEqual([]);
      expect(Object.keys(s)).toEqual(['seriesId', 'patientId', 'labels', 'revision', 'activeEdits', 'included', 'changes', 'files', 'measurements']);
    }
    expect(Object.keys(manifest)).toEqual(['format', 'formatVersion', 'workstation', 'createdAt', 'source', 'options', 'notes', 'layout', 'series', 'gradings', 'warnings', 'files']);
    expect(manifest.warnings.filter((w) => /measurement/.test(w))).toEqual([]);
    const changes = readFileSync(join(out, 'CHANGES.md'), 'utf8');
    expect(changes).toContain('## Measurements (3 in 2 series)');
    expect(changes).toContain(`| ${ruler.id} | ruler | ${ruler.value.toFixed(2)} mm |`);
    expect(changes).toContain(`| ${angle.id} | angle | 90.00 ° |`);
    expect(changes).toContain('L4 \\| anterior height'); // the note's pipe cannot break the table
    expect(changes).not.toContain(`| ${gone.id} | angle |`); // deleted: not exported
  });

  it('says so when a --changed-only export leaves measured series out', async () => {
    const out = join(dir, 'export-changed');
    const { jobId } = await value<{ jobId: string }>('startExport', { outDir: out, format: 'mha', changedOnly: true, force: false });
    let st = await value<ExportStatus>('exportStatus', { jobId });
    while (st.state === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      st = await value<ExportStatus>('exportStatus', { jobId });
    }
    expect(st.state).toBe('done');
    const manifest = readManifest(out);
    expect(manifest.series).toEqual([]); // no label or grading changes
    expect(manifest.warnings).toContain(`3 measurements of 2 series not in this export are not listed (${SERIES}, 2_t1)`);
  });
});
