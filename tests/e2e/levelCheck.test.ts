// Level check next to the grading dock (issue 15 item 4) in Chromium against the real web server and a real SQLite
// store. Patient 1's T2 mask is rewritten in the temporary dataset with every level one higher (vertebra n → n + 1,
// partial 100 + n → 101 + n, disc 200 + n → 201 + n), so T2 is named one level above its T1 and T2 SPACE. Opening
// 1_t2 shows the warning; N shifts the open series' labels down by one as ONE journal entry (checked in the store's
// journal and in the label volume in the page, not in any .mha file); the line turns OK; undo restores the shifted
// naming and the warning. Screenshots in test-results/levelCheck/ at 1366×768 and 1920×1080.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFromWorklist, startApp, type AppFixture } from './support/app.js';
import { WorkstationPage } from './support/workstationPage.js';

const SERIES = '1_t2';
let app: AppFixture;
/** The generated (correct) labels of 1_t2, before the shift was written into its mask. */
let original: Uint8Array;

/** Rewrites a generated MetaImage mask (zlib, MET_SHORT or MET_UCHAR) with `map` applied to every voxel. */
function rewriteMask(file: string, map: (v: number) => number): Uint8Array {
  const bytes = readFileSync(file);
  const marker = Buffer.from('ElementDataFile = LOCAL\n');
  const at = bytes.indexOf(marker);
  if (at < 0) throw new Error(`${file}: no LOCAL data`);
  let header = bytes.subarray(0, at + marker.length).toString('latin1');
  const compressed = /CompressedData = True/.test(header);
  const raw = compressed ? inflateSync(bytes.subarray(at + marker.length)) : Buffer.from(bytes.subarray(at + marker.length));
  const type = /ElementType = (\w+)/.exec(header)![1];
  const values = type === 'MET_SHORT' ? new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2) : type === 'MET_UCHAR' ? raw : null;
  if (!values) throw new Error(`${file}: element type ${type}`);
  const before = Uint8Array.from(values);
  for (let i = 0; i < values.length; i++) values[i] = map(values[i]!);
  const data = compressed ? deflateSync(raw) : raw;
  if (compressed) header = header.replace(/CompressedDataSize = \d+/, `CompressedDataSize = ${data.length}`);
  writeFileSync(file, Buffer.concat([Buffer.from(header, 'latin1'), data]));
  return before;
}

const up = (v: number): number => ((v >= 1 && v <= 24) || (v >= 101 && v <= 124) || (v >= 201 && v <= 224) ? v + 1 : v);

beforeAll(async () => {
  app = await startApp({
    patients: 3,
    seed: 'e2e', // patient 1 has T1, T2 and T2 SPACE, none with an injected label fault
    prepare: (dataset) => {
      original = rewriteMask(join(dataset, 'masks', `${SERIES}.mha`), up);
    },
  });
}, 120_000);
afterAll(async () => app?.close());

/** Per-value voxel counts and a position-weighted checksum: equal exactly when the volumes are equal (in practice). */
function fingerprint(labels: ArrayLike<number>): string {
  const counts = new Map<number, number>();
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!v) continue;
    counts.set(v, (counts.get(v) ?? 0) + 1);
    sum = (sum + v * ((i % 9973) + 1)) % 1_000_000_007;
  }
  return `${[...counts.entries()].sort((a, b) => a[0] - b[0]).map(([v, n]) => `${v}:${n}`).join(',')}#${sum}`;
}

const inPage = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const labels = window.__spine!.store.get().opened!.labels;
    const counts = new Map<number, number>();
    let sum = 0;
    for (let i = 0; i < labels.length; i++) {
      const v = labels[i]!;
      if (!v) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      sum = (sum + v * ((i % 9973) + 1)) % 1_000_000_007;
    }
    return `${[...counts.entries()].sort((a, b) => a[0] - b[0]).map(([v, n]) => `${v}:${n}`).join(',')}#${sum}`;
  });

const line = (page: Page): Promise<string> => page.locator('[data-testid="level-check-line"]').innerText();
const state = (page: Page): Promise<string | null> => page.locator('[data-testid="level-check"]').getAttribute('data-state');
const status = (page: Page): Promise<string> => page.locator('[data-testid="statusbar"]').innerText();

/** The check finished on the current labels (not re-running) with the given state. */
async function settledState(page: Page, want: 'ok' | 'warn'): Promise<void> {
  await expect.poll(() => state(page), { timeout: 40_000 }).toBe(want);
  await expect.poll(() => page.locator('[data-testid="level-check"].stale').count(), { timeout: 20_000 }).toBe(0);
}

/** Keys go to the window (nothing focused), as in the viewer context. */
async function viewerKey(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}

describe('level check', () => {
  it('warns about T2 named one level above its siblings; N shifts it as one journal entry; undo restores', async () => {
    const page = await app.newPage({ width: 1366, height: 768 });
    const ws = new WorkstationPage(page, WorkstationPage.shots('levelCheck'));
    await page.waitForSelector(`[data-series="${SERIES}"]`);
    await openFromWorklist(page, SERIES);
    const shifted = fingerprint(original.map(up));
    expect(await inPage(page)).toBe(shifted);
    expect(shifted).not.toBe(fingerprint(original));

    await settledState(page, 'warn');
    const warning = await line(page);
    expect(warning).toContain('lowest vertebra is 2 (L4), not 1 (L5)');
    expect(warning).toContain('T2 is named 1 level above T1, T2 SPACE');
    expect(warning).toContain('gradings CSV levels 1–7, discs 2–8');
    await expect.poll(() => page.locator('[data-testid="level-check-shift"]').innerText()).toBe('Shift naming down 1 (Shift+N)');
    // The line sits directly above the dock and does not cover the label panel.
    const lineBox = (await page.locator('[data-testid="level-check"]').boundingBox())!;
    const dockBox = (await page.locator('[data-testid="grading-panel"]').boundingBox())!;
    const rightBox = (await page.locator('[data-testid="right-panel"]').boundingBox())!;
    expect(Math.abs(lineBox.y + lineBox.height - dockBox.y)).toBeLessThanOrEqual(2);
    expect(lineBox.x + lineBox.width).toBeLessThanOrEqual(rightBox.x + 1);
    expect(lineBox.height).toBeLessThan(30);
    await ws.shot('warning-1366');

    const active = (): number => app.ws.store.edits.count(SERIES).active;
    const before = active();
    await viewerKey(page, 'Shift+N');
    await expect.poll(active, { timeout: 20_000 }).toBe(before + 1);
    const entry = app.ws.store.edits.history(SERIES).at(-1)!;
    expect(entry.description).toMatch(/^Level naming: shift levels 2–8 down by 1/);
    expect(await inPage(page)).toBe(fingerprint(original));
    await expect.poll(() => status(page)).toContain('Level naming: shift levels 2–8 down by 1');
    await settledState(page, 'ok');
    expect(await line(page)).toBe('Levels L5–T11: 7 vertebrae, 7 discs, T1 = T2 = T2 SPACE ✓');
    expect(active()).toBe(before + 1); // exactly one entry
    await ws.shot('ok-1366');

    // Nothing certain to shift now: the key changes nothing and says why.
    await viewerKey(page, 'Shift+N');
    await expect.poll(() => status(page)).toContain('Level naming not shifted: the naming is not off');
    expect(active()).toBe(before + 1);

    // Undo restores the shifted naming, and the warning.
    await viewerKey(page, 'Control+z');
    await expect.poll(active, { timeout: 20_000 }).toBe(before);
    await expect.poll(() => inPage(page), { timeout: 20_000 }).toBe(shifted);
    await settledState(page, 'warn');
    expect(await line(page)).toBe(warning);
    await page.close();
  });

  it('fits one line at 1920×1080 too', async () => {
    const page = await app.newPage({ width: 1920, height: 1080 });
    const ws = new WorkstationPage(page, WorkstationPage.shots('levelCheck'));
    await page.waitForSelector(`[data-series="${SERIES}"]`);
    await openFromWorklist(page, SERIES);
    await settledState(page, 'warn');
    const box = (await page.locator('[data-testid="level-check"]').boundingBox())!;
    expect(box.height).toBeLessThan(30);
    // The whole line is shown (not cut off) at this width.
    const cut = await page.locator('[data-testid="level-check-line"]').evaluate((el) => el.scrollWidth > el.clientWidth);
    expect(cut).toBe(false);
    await ws.shot('warning-1920');
    await page.close();
  });
});
