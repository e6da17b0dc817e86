// `spine-ws` command line: thin wrapper over main/core. Each command returns an exit code; errors from core
// are printed as one clear line (code, file, problem), never as a stack trace.
import { parseArgs } from 'node:util';
import { AppError } from '../../common/errors.js';

const HELP = `spine-ws — Spine Workstation command line

Usage:
  spine-ws sample --out DIR [--patients N] [--profile tiny|realistic] [--seed S]
      Write a synthetic lumbar-spine dataset in SPIDER layout (images/, masks/, overview.csv,
      radiological_gradings.csv). Deterministic for a seed. DIR must not exist or be empty.
  spine-ws info DATASET [--json]
      Scan a SPIDER-layout folder (headers only) and print counts, problems and the geometry of each series.
  spine-ws serve [DATASET] [--port N] [--annotator NAME]
      Web mode: serve the workstation on 127.0.0.1 with a per-launch token and print the URL to open.
      Without DATASET, the bundled sample (generated on first run into the data folder).
  spine-ws qa DATASET [--json] [--report DIR]
      Label quality checks over every mask (levels, discs, islands, canal, volumes, gradings); exit 1 on errors.
      --report DIR writes DIR/index.html: the dataset dashboard (progress, findings, volumes, grades) as plots.
  spine-ws export DATASET --out DIR [--changed-only] [--format mha|nifti] [--force]
      Write a revised dataset (original + label edits and gradings) with a change manifest; see export --help.
  spine-ws pack DATASET --annotator NAME --out FILE [--force]
      Write one annotator's label edits and gradings as an annotation package (.spinepkg) for other readers.
  spine-ws unpack DATASET FILE [--replace] [--annotator NAME]
      Import an annotation package as a read-only reader layer (checked in full first; idempotent).
  spine-ws agree DATASET [--a SRC] [--b SRC] [--basis current|first] [--json] [--report DIR]
      Agreement of two readers: Dice per series and label, Cohen's kappa per grading field; see agree --help.
  spine-ws start [DATASET]
      What \`npm start\` runs: the desktop app where the Electron binary exists, web mode otherwise.
  spine-ws --help | --version

Environment:
  SPINE_WS_DATA_DIR   where annotation stores and the bundled sample live (default: the per-user data folder)
`;

export type Command = (args: string[]) => Promise<number>;

/**
 * Each command's module is imported only when that command runs, so `--help`, `--version` and a mistyped command
 * load none of main/core (SQLite, zod, csv-parse …) and answer as fast as Node starts.
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  sample: async () => (await import('./sample.js')).runSample,
  info: async () => (await import('./info.js')).runInfo,
  serve: async () => (await import('./serve.js')).runServe,
  start: async () => (await import('./start.js')).runStart,
  export: async () => (await import('./export.js')).runExportCommand,
  qa: async () => (await import('./qa.js')).runQaCommand,
  pack: async () => (await import('./pack.js')).runPackCommand,
  unpack: async () => (await import('./pack.js')).runUnpackCommand,
  agree: async () => (await import('./agree.js')).runAgreeCommand,
};

export async function main(argv: string[]): Promise<number> {
  // `spine-ws info DS | head`: a closed pipe ends the command quietly, as other command-line tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!load) {
    process.stderr.write(`spine-ws: unknown command '${cmd}'\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (err) {
    return reportError(err);
  }
}

/**
 * Prints what went wrong as one line and returns the exit code: 2 for bad arguments only (unknown options, a
 * request the command refuses: AppError 'invalid_request'); 1 for every runtime failure (a typed AppError such as
 * not_found, invalid_dataset, io, db_locked, or an operating-system error: a folder that cannot be written, a busy
 * port); 70 with the stack for anything else, which is a bug.
 */
export function reportError(err: unknown): number {
  if (err instanceof AppError) {
    process.stderr.write(`spine-ws: ${err.code}: ${err.message}\n`);
    return err.code === 'invalid_request' ? 2 : 1;
  }
  if (err instanceof TypeError && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`spine-ws: ${err.message}\n`);
    return 2;
  }
  if (isSystemError(err)) {
    process.stderr.write(`spine-ws: io: ${err.message.split('\n')[0]}\n`);
    return 1;
  }
  process.stderr.write(`spine-ws: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 70;
}

/** An error the operating system reported (ENOENT, EACCES, ENOSPC, EADDRINUSE …): a runtime failure, not a bug. */
function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((err as NodeJS.ErrnoException).code!) && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** parseArgs with strict options, shared by the commands. */
export { parseArgs };
