// Export dialog (issue 6) in Chromium against the real web-mode server and a real SQLite store: an annotator
// opens the dialog, types an output folder, exports, watches the progress and reads the result; and cancels an
// export midway, which leaves nothing behind.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportManifest } from '../../main/core/export/index.js';
import { brushDiff, diffBytes, prng } from '../integration/journalHelpers.js';
import { startApp, type AppFixture } from './support/app.js';

let app: AppFixture;
let page: Page;

beforeAll(async () => {
  // Enough patients that a NIfTI export takes a few hundred ms (time to see it running and cancel it).
  app = await startApp({ patients: 16, seed: 'export-e2e' });
  page = await app.newPage();
  await page.waitForSelector('[data-series="1_t1"]');
});
afterAll(async () => app?.close());

async function openDialog(): Promise<void> {
  await page.locator('[data-testid="export-open"]').click();
  await page.waitForSelector('[data-testid="export-dialog"]');
}

describe('export dialog', () => {
  it('exports into a typed folder, shows progress and the result with the manifest location', async () => {
    // One label edit and one grading change, made through the service as the UI would.
    const opened = await app.ws.service.openSeries({ seriesId: '1_t1' });
    const mask = (await app.ws.volumeBytes('1_t1', 'mask')).slice();
    const { diff, label } = brushDiff(mask, opened.image.geometry.size, prng(3), 6);
    await app.ws.service.commitEdit({ seriesId: '1_t1', baseRevision: opened.revision, tool: 'brush', label, description: 'Brush', diff: diffBytes(diff) });
    await app.ws.service.setGrading({ patientId: 2, ivdLabel: 1, field: 'pfirrmann', value: 5 === (await app.ws.service.getGradings({ patientId: 2 })).levels[0]!.values.pfirrmann ? 4 : 5 });

    await openDialog();
    expect(await page.locator('text=Browse…').count(), 'no native folder dialog in web mode').toBe(0);
    const out = join(app.dir, 'revised');
    await page.locator('[data-testid="export-out"]').fill(out);
    await page.locator('[data-testid="export-start"]').click();
    await page.waitForSelector('[data-testid="export-progress"]');
    const result = page.locator('[data-testid="export-result"]');
    await result.waitFor({ timeout: 60_000 });
    const text = await result.innerText();
    expect(text).toContain('Exported 33 series (1 with changed labels) and 1 grading change');
    expect(text).toContain(join(out, 'export-manifest.json'));
    expect(await page.locator('[data-testid="export-progress"]').getAttribute('data-state')).toBe('done');
    expect(await page.locator('progress[aria-label="Export progress"]').getAttribute('value')).toBe('100');
    await page.screenshot({ path: join('test-results', 'export-done.png') }).catch(() => undefined);

    const manifest = JSON.parse(readFileSync(join(out, 'export-manifest.json'), 'utf8')) as ExportManifest;
    expect(manifest.series.filter((s) => s.labels === 'changed').map((s) => s.seriesId)).toEqual(['1_t1']);
    expect(manifest.gradings.changes).toHaveLength(1);
    expect(manifest.gradings.changes[0]).toMatchObject({ patientId: 2, ivdLabel: 1, field: 'pfirrmann', annotator: 'e2e' });

    // The same folder again: refused with a typed error the person can act on.
    await page.locator('[data-testid="export-start"]').click();
    const err = page.locator('[data-testid="export-error"]');
    await err.waitFor();
    expect(await err.innerText()).toContain('conflict');
    expect(await err.innerText()).toContain('use --force');
    await page.locator('button:has-text("Close")').click();
    await page.waitForSelector('[data-testid="export-dialog"]', { state: 'detached' });
  });

  it('says which new levels were left out because they are not completely graded', async () => {
    // A level the CSV lacks (a disc painted in one voxel), graded in one field only: never written as a row with
    // empty cells.
    const k = Math.max(...(await app.ws.service.getGradings({ patientId: 3 })).levels.map((l) => l.ivdLabel)) + 1;
    const opened = await app.ws.service.openSeries({ seriesId: '3_t1' });
    const mask = await app.ws.volumeBytes('3_t1', 'mask');
    await app.ws.service.commitEdit({ seriesId: '3_t1', baseRevision: opened.revision, tool: 'brush', label: 200 + k, description: 'Brush', diff: diffBytes({ indices: Uint32Array.of(0), before: Uint8Array.of(mask[0]!), after: Uint8Array.of(200 + k) }) });
    await app.ws.service.setGrading({ patientId: 3, ivdLabel: k, field: 'pfirrmann', value: 3 });
    await openDialog();
    const out = join(app.dir, 'incomplete');
    await page.locator('[data-testid="export-out"]').fill(out);
    await page.locator('[data-testid="export-start"]').click();
    const leftOut = page.locator('[data-testid="export-levels-left-out"]');
    await leftOut.waitFor({ timeout: 60_000 });
    expect(await leftOut.innerText()).toContain('1 new disc level(s) were not exported');
    expect(await page.locator('.export-warnings').innerText()).toContain(`IVD label ${k} not exported: incomplete`);
    await page.screenshot({ path: join('test-results', 'export-levels-left-out.png') }).catch(() => undefined);
    expect(readFileSync(join(out, 'radiological_gradings.csv'), 'latin1')).not.toMatch(new RegExp(`(^|\\n)3,${k},`));
    expect(readFileSync(join(out, 'CHANGES.md'), 'utf8')).toContain('not exported');
    await page.locator('button:has-text("Close")').click();
    await page.waitForSelector('[data-testid="export-dialog"]', { state: 'detached' });
  });

  it('cancels a running export, which leaves neither the folder nor its .partial', async () => {
    await openDialog();
    const out = join(app.dir, 'cancelled');
    await page.locator('[data-testid="export-out"]').fill(out);
    await page.locator('input[name="export-format"]').nth(1).check();
    await page.locator('[data-testid="export-start"]').click();
    await page.waitForSelector('[data-testid="export-running"]', { timeout: 30_000 });
    expect(await page.locator('[data-testid="export-running"]').innerText()).toMatch(/\d+% · \d+\/\d+ files/);
    await page.locator('[data-testid="export-cancel"]').click();
    await page.waitForSelector('[data-testid="export-cancelled"]', { timeout: 30_000 });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(await page.locator('[data-testid="export-start"]').isEnabled()).toBe(true);
  });
});
