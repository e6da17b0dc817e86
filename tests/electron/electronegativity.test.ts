// @doyensec/electronegativity over what the desktop app runs: the bundled main process and preload (as .js, the
// extensions it scans) and the renderer's index.html. Fails on any finding of medium severity or above that is
// not accepted below; each accepted one is justified in a comment next to the code it is about.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { ensureRendererBuilt, PROJECT_ROOT } from '../../main/cli/build.js';
import { buildDesktop } from '../../main/cli/electron.js';

const ACCEPTED: Record<string, string> = {
  // Justified at the `preload:` line of main/electron/main.ts.
  PRELOAD_JS_CHECK: 'main.js',
  // 'unsafe-inline' styles only; justified next to style-src in main/electron/security.ts.
  CSP_GLOBAL_CHECK: 'index.html',
};

const dir = mkdtempSync(join(tmpdir(), 'spine-eneg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sarif { runs: { results: { ruleId: string; locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[] }[] }[] }

it('electronegativity finds nothing of medium severity or above beyond the justified findings', async () => {
  const out = join(dir, 'out');
  const built = await buildDesktop(out);
  const scan = join(dir, 'scan');
  mkdirSync(scan);
  copyFileSync(built.main, join(scan, 'main.js'));
  copyFileSync(built.preload, join(scan, 'preload.js'));
  copyFileSync(join(await ensureRendererBuilt(() => undefined), 'index.html'), join(scan, 'index.html'));
  copyFileSync(join(PROJECT_ROOT, 'package.json'), join(scan, 'package.json'));
  const pkgDir = dirname(createRequire(import.meta.url).resolve('@doyensec/electronegativity/package.json'));
  const report = join(dir, 'report.sarif');
  // Offline it cannot fetch Electron's release list (it says so and goes on with its bundled one).
  await promisify(execFile)(process.execPath, [join(pkgDir, 'dist', 'index.js'), '-i', scan, '-s', 'medium', '-o', report, '-v', 'false'], { timeout: 120_000 });
  const results = (JSON.parse(readFileSync(report, 'utf8')) as Sarif).runs.flatMap((r) => r.results);
  const found = results.map((r) => `${r.ruleId} ${(r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? 'N/A').split('/').pop()}`);
  const unexpected = found.filter((f) => {
    const [rule, file] = f.split(' ');
    return ACCEPTED[rule!] !== file;
  });
  expect(unexpected, `findings: ${found.join(', ')}`).toEqual([]);
  // The scan really ran over the bundle: the accepted preload finding points into it.
  expect(found).toContain('PRELOAD_JS_CHECK main.js');
}, 180_000);
