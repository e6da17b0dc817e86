// `spine-ws qa DATASET --report DIR` as a child process on a generated sample: DIR/index.html is written whole
// (no temporary file left), is self-contained (no script, no external reference), every inline plot is
// well-formed SVG, it holds each dashboard plot and lists every fault the generator injected; the volume outliers
// of the JSON report are the points marked in the plots; statuses and grading values come from the annotation
// store when there is one; a DIR inside the dataset (also through a symlink) is refused and nothing is written.
// The page is then opened in Chromium (screenshot in test-results/) to check it loads and shows every plot.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QaFinding, QaReport } from '../../main/core/qa/index.js';
import { storePathFor } from '../../main/core/paths.js';
import { generateSample, type SampleFault, type SampleResult } from '../../main/core/sample/index.js';
import { openWorkstation } from '../../main/core/workstation.js';
import { findAll, hasClass, parseXml, type XmlNode } from '../unit/plotsXml.js';

const CLI = join(process.cwd(), 'bin', 'spine-ws.mjs');
let root: string;
let sample: SampleResult;
const env = (): NodeJS.ProcessEnv => ({ ...process.env, SPINE_WS_DATA_DIR: join(root, 'data') });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'spine-qa-report-'));
  // 10 patients: every label group of a sequence is large enough for the volume-outlier check (with the default
  // seed, one canal volume is an outlier).
  sample = await generateSample({ out: join(root, 'ds'), patients: 10 });
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...env(), ...extraEnv }, timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The codes that explain each kind of injected fault (as in qaCli.test.ts). */
const EXPLAINS: Record<SampleFault['kind'], QaFinding['code'][]> = {
  swapped_labels: ['level_order'],
  stray_island: ['island', 'far_from_spine'],
  missing_disc_slice: ['island'],
};

/** Every inline <svg>…</svg> of the page, parsed strictly, by its data-plot figure kind. */
function plotsOf(html: string): { kind: string; svg: XmlNode }[] {
  const out: { kind: string; svg: XmlNode }[] = [];
  for (const m of html.matchAll(/<figure class="[^"]*" data-plot="([a-z]+)">(<svg[\s\S]*?<\/svg>)<\/figure>/g)) out.push({ kind: m[1]!, svg: parseXml(m[2]!) });
  return out;
}

/** The pfirrmann plot's count for a level and grade. */
function pfirrmannCount(html: string, level: string, grade: number): number {
  const svg = plotsOf(html).find((p) => p.svg.attrs.id === 'report-grades-pfirrmann')!.svg;
  const group = findAll(svg, (n) => hasClass('bar-group')(n) && n.attrs['data-category'] === level)[0]!;
  return Number(findAll(group, (n) => hasClass('bar')(n) && n.attrs['data-series'] === String(grade))[0]!.attrs['data-value']);
}

describe('spine-ws qa --report', () => {
  let html = '';
  let report: QaReport;
  const out = (): string => join(root, 'report');

  it('writes DIR/index.html: exit code as without --report, no temporary file left, self-contained', () => {
    const r = cli(['qa', sample.out, '--report', out()]);
    expect(r.status, r.stderr).toBe(1); // the sample's injected faults are errors
    expect(r.stdout).toContain(`Report    ${join(out(), 'index.html')}`);
    expect(readdirSync(out())).toEqual(['index.html']);
    html = readFileSync(join(out(), 'index.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
    // The only URL is the SVG namespace name (never fetched).
    for (const u of html.matchAll(/https?:\/\/[^\s"'<>]+/g)) expect(u[0]).toBe('http://www.w3.org/2000/svg');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    // --json: the same run's report, for the checks below; the report path then goes to stderr.
    const j = cli(['qa', sample.out, '--json', '--report', join(root, 'report-json')]);
    expect(j.status).toBe(1);
    report = JSON.parse(j.stdout) as QaReport;
    expect(j.stderr).toContain(join(root, 'report-json', 'index.html'));
  });

  it('holds each plot as well-formed SVG: progress, findings, volumes per sequence, Pfirrmann and Modic', () => {
    const plots = plotsOf(html);
    const sequences = [...new Set(sample.series.map((s) => s.id.split('_').slice(1).join('_')))].sort();
    expect(plots.map((p) => p.svg.attrs.id)).toEqual([
      'report-progress',
      'report-findings',
      ...sequences.map((s) => `report-volumes-${s}`),
      'report-grades-pfirrmann',
      'report-grades-modic',
    ]);
    expect(html.match(/<svg /g)).toHaveLength(plots.length);
    for (const p of plots) {
      expect(p.svg.attrs.role).toBe('img');
      expect(findAll(p.svg, hasClass('no-data')), p.svg.attrs.id).toEqual([]);
    }
    // Progress: every series counted once (no store yet: all to do).
    const bars = findAll(plots[0]!.svg, hasClass('bar'));
    expect(bars.reduce((s, b) => s + Number(b.attrs['data-value']), 0)).toBe(sample.series.length);
    expect(bars.find((b) => b.attrs['data-category'] === 'To do')!.attrs['data-value']).toBe(String(sample.series.length));
    // Findings: one row per check code of the JSON report, totals equal.
    const rows = findAll(plots[1]!.svg, hasClass('bar-row'));
    expect(rows.map((r) => r.attrs['data-category']).sort()).toEqual([...new Set(report.findings.map((f) => f.code))].sort());
    expect(rows.reduce((s, r) => s + Number(r.attrs['data-value']), 0)).toBe(report.findings.length);
    // Volumes: one point per series and label; the marked outliers are exactly the volume_outlier findings.
    const volumePlots = plots.filter((p) => p.kind === 'volumes');
    const points = volumePlots.reduce((s, p) => s + findAll(p.svg, hasClass('point')).length, 0);
    expect(points).toBe(report.summaries.reduce((s, x) => s + x.labels.length, 0));
    const marked = volumePlots.reduce((s, p) => s + findAll(p.svg, hasClass('outlier')).length, 0);
    const outliers = report.findings.filter((f) => f.code === 'volume_outlier');
    expect(outliers.length).toBeGreaterThan(0);
    expect(marked).toBe(outliers.length);
    for (const f of outliers) expect(html).toMatch(new RegExp(`<tr><td>${f.seriesId}</td><td>[^<]+</td><td>[^<]+\\(${f.labels[0]}\\)</td>`));
  });

  it('lists every injected fault in the findings table, and every finding once', () => {
    expect(sample.faults.length).toBeGreaterThan(0);
    for (const fault of sample.faults) {
      const rows = [...html.matchAll(/<tr data-code="([a-z_]+)" data-series="([^"]+)">/g)].filter(
        (m) => m[2] === fault.seriesId && EXPLAINS[fault.kind].includes(m[1] as QaFinding['code']),
      );
      expect(rows, `${fault.seriesId} ${fault.kind}`).not.toHaveLength(0);
    }
    expect(html.match(/<tr data-code=/g)).toHaveLength(report.findings.length);
    expect(html).toContain(`<b>${report.counts.error}</b> errors`);
  });

  it('takes statuses and grading values from the annotation store (CSV overridden), read-only', async () => {
    const storeFile = storePathFor(sample.out, env());
    mkdirSync(join(root, 'data', 'stores'), { recursive: true });
    const ws = await openWorkstation({ datasetRoot: sample.out, storeFile, annotator: 'reporter' });
    let changed: { level: string; from: number; to: number } | null = null;
    try {
      await ws.service.setSeriesStatus({ seriesId: sample.series[0]!.id, status: 'done' });
      // The first level the CSV grades: its Pfirrmann grade changed in the store.
      for (const p of sample.patients) {
        const lv = (await ws.service.getGradings({ patientId: p })).levels.find((l) => l.ivdLabel >= 1 && l.inMask && l.values.pfirrmann !== null);
        if (!lv) continue;
        const from = lv.values.pfirrmann!;
        const to = from === 5 ? 1 : 5;
        await ws.service.setGrading({ patientId: p, ivdLabel: lv.ivdLabel, field: 'pfirrmann', value: to });
        changed = { level: lv.name, from, to };
        break;
      }
    } finally {
      ws.close();
    }
    expect(changed, 'a graded level').not.toBeNull();
    const { level, from, to } = changed!;
    const r = cli(['qa', sample.out, '--report', out()]);
    expect(r.status, r.stderr).toBe(1);
    expect(readdirSync(out())).toEqual(['index.html']);
    const after = readFileSync(join(out(), 'index.html'), 'utf8');
    expect(pfirrmannCount(after, level, from)).toBe(pfirrmannCount(html, level, from) - 1);
    expect(pfirrmannCount(after, level, to)).toBe(pfirrmannCount(html, level, to) + 1);
    const progress = plotsOf(after)[0]!.svg;
    expect(findAll(progress, (n) => hasClass('bar')(n) && n.attrs['data-category'] === 'Done')[0]!.attrs['data-value']).toBe('1');
    html = after;
  });

  it('a store that cannot be read: the report is still written, statuses unknown, with a warning', () => {
    const data = join(root, 'data-broken');
    const storeFile = storePathFor(sample.out, { SPINE_WS_DATA_DIR: data });
    mkdirSync(join(data, 'stores'), { recursive: true });
    writeFileSync(storeFile, 'this is not an SQLite file, it is long enough to have a header of 100 bytes '.repeat(3));
    const dir = join(root, 'report-broken-store');
    const r = cli(['qa', sample.out, '--report', dir], { SPINE_WS_DATA_DIR: data });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/qa: warning: the annotation store could not be read .*statuses unknown, CSV gradings only/);
    const page = readFileSync(join(dir, 'index.html'), 'utf8');
    const bars = findAll(plotsOf(page)[0]!.svg, hasClass('bar'));
    expect(bars.find((b) => b.attrs['data-category'] === 'Unknown')!.attrs['data-value']).toBe(String(sample.series.length));
  });

  it('refuses a DIR inside the dataset (also through a symlink) and writes nothing there', () => {
    const inside = join(sample.out, 'qa-report');
    const a = cli(['qa', sample.out, '--report', inside]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/^spine-ws: invalid_request: --report .* lies inside the dataset/);
    expect(existsSync(inside)).toBe(false);
    expect(cli(['qa', sample.out, '--report', sample.out]).status).toBe(2);
    const link = join(root, 'link-to-ds');
    symlinkSync(sample.out, link);
    const b = cli(['qa', sample.out, '--report', join(link, 'reports', 'qa')]);
    expect(b.status).toBe(2);
    expect(existsSync(join(sample.out, 'reports'))).toBe(false);
  });

  it('a DIR that cannot be made is a typed io error (exit 1); bad arguments exit 2', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const r = cli(['qa', sample.out, '--report', join(file, 'sub')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^spine-ws: io: Cannot write the report/);
    expect(cli(['qa', sample.out, '--report']).status).toBe(2);
  });

  it('opens in Chromium: every plot is drawn with a size, nothing is blocked (screenshot in test-results/)', async () => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      for (const [w, h] of [[1366, 768], [1920, 1080]] as const) {
        const page = await browser.newPage({ viewport: { width: w, height: h } });
        const messages: string[] = [];
        page.on('console', (m) => messages.push(m.text()));
        page.on('requestfailed', (q) => messages.push(`failed ${q.url()}`));
        await page.goto(`file://${join(out(), 'index.html')}`);
        const boxes = await page.locator('svg.plot').evaluateAll((els) => els.map((e) => {
          const r = e.getBoundingClientRect();
          return { id: e.id, w: r.width, h: r.height, right: r.right };
        }));
        expect(boxes).toHaveLength(plotsOf(html).length);
        for (const b of boxes) {
          expect(b.w, b.id).toBeGreaterThan(300);
          expect(b.h, b.id).toBeGreaterThan(100);
          expect(b.right, b.id).toBeLessThanOrEqual(w);
        }
        // No horizontal scrolling of the page.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(w);
        expect(messages).toEqual([]);
        mkdirSync(resolve('test-results'), { recursive: true });
        await page.screenshot({ path: resolve('test-results', `qa-report-${w}x${h}.png`), fullPage: true });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
