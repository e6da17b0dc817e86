// `spine-ws sample`: writes a synthetic SPIDER-layout dataset.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/errors.js';
import { bundledSamplePath, ensureDataDir } from '../core/paths.js';
import { generateSample } from '../core/sample/index.js';

export async function runSample(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      patients: { type: 'string', short: 'n' },
      profile: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('Usage: spine-ws sample --out DIR [--patients N] [--profile tiny|realistic] [--seed S]\n');
    return 0;
  }
  if (!values.out) throw new AppError('invalid_request', 'sample needs --out DIR');
  const profile = values.profile ?? 'tiny';
  if (profile !== 'tiny' && profile !== 'realistic') throw new AppError('invalid_request', `--profile must be tiny or realistic (got ${profile})`);
  const patients = values.patients === undefined ? undefined : Number(values.patients);
  if (patients !== undefined && !Number.isInteger(patients)) throw new AppError('invalid_request', `--patients must be an integer (got ${values.patients})`);
  const t0 = performance.now();
  const res = await generateSample({ out: values.out, profile: profile, patients, seed: values.seed });
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(`Wrote ${res.series.length} series of ${res.patients.length} patients to ${res.out} (${profile}, ${ms} ms)\n`);
  for (const s of res.series) {
    process.stdout.write(`  ${s.id.padEnd(14)} ${s.geometry.size.join('×').padEnd(14)} ${s.pixelType.padEnd(8)} ${s.orientation}${s.compressedImage ? ' compressed' : ''}\n`);
  }
  if (res.faults.length) {
    process.stdout.write('Deliberate label faults (for quality checks):\n');
    for (const f of res.faults) process.stdout.write(`  ${f.seriesId}: ${f.description}\n`);
  }
  return 0;
}

/** The bundled sample dataset's folder, generated on first use. @throws AppError('io') for an unwritable data folder. */
export async function ensureBundledSample(): Promise<string> {
  const dir = bundledSamplePath();
  ensureDataDir();
  if (!existsSync(dir)) {
    process.stdout.write(`Generating the bundled sample dataset in ${dir} …\n`);
    await generateSample({ out: dir, profile: 'tiny', seed: 'bundled' });
  }
  return dir;
}
