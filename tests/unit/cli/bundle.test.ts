// How `spine-ws` starts: bin/spine-ws.mjs runs the CLI bundled by bin/cli-bundle.mjs into out/cli/, rebuilt when a
// source changes. The rebuild rules are tested on a throwaway project, so the checkout's own out/cli is untouched.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBundleStaleReason, ensureCliBundle } from '../../../bin/cli-bundle.mjs';
import { COMMANDS } from '../../../main/cli/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin', 'spine-ws.mjs');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spine-bundle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `main(args)` of a built entry file in a fresh Node process. */
function runEntry(entry: string, ...args: string[]): { code: number | null; out: string; err: string } {
  const script = `const { main } = await import(${JSON.stringify(pathToFileURL(entry).href)}); process.exitCode = await main(process.argv.slice(1));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Writes a file and gives it a modification time of its own (coarse clocks could otherwise repeat one). */
let clock = Date.now() / 1000 - 10_000;
function write(file: string, text: string): void {
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, text);
  clock += 7;
  utimesSync(file, clock, clock);
}

describe('spine-ws --help', () => {
  it('lists every command the dispatcher knows, and exits 0', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const listed = [...r.stdout.matchAll(/^ {2}spine-ws ([a-z]+)\b/gm)].map((m) => m[1]);
    expect(new Set(listed)).toEqual(new Set(Object.keys(COMMANDS)));
    expect(Object.keys(COMMANDS).sort()).toEqual(['agree', 'export', 'info', 'pack', 'qa', 'sample', 'serve', 'start', 'unpack']);
  });

  it('--version reads package.json through the bundle (import.meta.url still points at the sources)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('the bundle leaves packages external (better-sqlite3 loads its native addon from node_modules)', async () => {
    const { entry } = await ensureCliBundle();
    const outDir = resolve(entry, '..');
    const stamp = JSON.parse(readFileSync(join(outDir, 'build.json'), 'utf8')) as { inputs: Record<string, number> };
    const inputs = Object.keys(stamp.inputs);
    expect(inputs).toContain('main/cli/index.ts');
    expect(inputs).toContain('main/core/store/db.ts');
    expect(inputs.filter((f) => f.includes('node_modules'))).toEqual([]);
    const code = readdirSync(outDir).filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(outDir, f), 'utf8')).join('\n');
    expect(code).toMatch(/^import \w+ from "better-sqlite3";$/m);
  });
});

describe('the CLI bundle is rebuilt when a source changes', () => {
  const project = () => join(dir, 'project');
  const opts = () => ({ root: project(), outDir: join(project(), 'out', 'cli') });

  beforeAll(() => {
    write(join(project(), 'common', 'greeting.ts'), "export const greeting: string = 'hello';\n");
    write(join(project(), 'main', 'cli', 'index.ts'), [
      "import { readFileSync } from 'node:fs';",
      "import { greeting } from '../../common/greeting.js';",
      'export async function main(args: string[]): Promise<number> {',
      "  const name = args[0] === 'lazy' ? (await import('./lazy.js')).name : 'world';",
      "  const note = readFileSync(new URL('./note.txt', import.meta.url), 'utf8').trim();",
      "  process.stdout.write(`${greeting} ${name} (${note})\\n`);",
      '  return 0;',
      '}',
    ].join('\n'));
    write(join(project(), 'main', 'cli', 'lazy.ts'), "export const name = 'lazy';\n");
    write(join(project(), 'main', 'cli', 'note.txt'), 'beside the source\n');
  });

  it('builds on first use, then reuses the bundle while nothing changed', async () => {
    expect(cliBundleStaleReason(opts())).toBe('not built yet');
    const first = await ensureCliBundle(opts());
    expect(first.rebuilt).toBe('not built yet');
    expect(runEntry(first.entry)).toMatchObject({ code: 0, out: 'hello world (beside the source)\n' });
    expect(runEntry(first.entry, 'lazy').out).toBe('hello lazy (beside the source)\n');
    expect(cliBundleStaleReason(opts())).toBeNull();
    const again = await ensureCliBundle(opts());
    expect(again).toEqual({ entry: first.entry, rebuilt: null });
  });

  it('an edited source, also one only imported lazily, makes the next start rebuild', async () => {
    write(join(project(), 'common', 'greeting.ts'), "export const greeting: string = 'good morning';\n");
    expect(cliBundleStaleReason(opts())).toBe('common/greeting.ts changed');
    const edited = await ensureCliBundle(opts());
    expect(edited.rebuilt).toBe('common/greeting.ts changed');
    expect(runEntry(edited.entry).out).toBe('good morning world (beside the source)\n');

    write(join(project(), 'main', 'cli', 'lazy.ts'), "export const name = 'sleepy';\n");
    const lazy = await ensureCliBundle(opts());
    expect(lazy.rebuilt).toBe('main/cli/lazy.ts changed');
    expect(runEntry(lazy.entry, 'lazy').out).toBe('good morning sleepy (beside the source)\n');
    expect((await ensureCliBundle(opts())).rebuilt).toBeNull();
  });

  it('a deleted source or a deleted bundle file counts as a change', async () => {
    rmSync(join(project(), 'main', 'cli', 'lazy.ts'));
    expect(cliBundleStaleReason(opts())).toBe('main/cli/lazy.ts changed');
    write(join(project(), 'main', 'cli', 'lazy.ts'), "export const name = 'back';\n");
    const { entry } = await ensureCliBundle(opts());
    rmSync(entry);
    expect(cliBundleStaleReason(opts())).toBe('the bundle is missing');
    const rebuilt = await ensureCliBundle(opts());
    expect(runEntry(rebuilt.entry, 'lazy').out).toBe('good morning back (beside the source)\n');
  });
});
