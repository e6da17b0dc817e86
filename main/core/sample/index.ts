// Sample dataset generator: a synthetic lumbar-spine phantom in exact SPIDER layout (images/, masks/,
// overview.csv, radiological_gradings.csv). Deterministic for a seed. Never writes over an existing dataset:
// it builds the folder under a temporary name and renames it into place when complete.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../../../common/errors.js';
import type { Axis, Vec3, VolumeGeometry } from '../../../common/geometry.js';
import { orientationCode, worldToIndex } from '../../../common/geometry.js';
import { discLabel } from '../../../common/labels.js';
import type { PixelArray, PixelType } from '../mha/index.js';
import { pixelArrayFor, writeMetaImage } from '../mha/index.js';
import type { GradingRow, PatientFacts } from './csv.js';
import { gradingsCsv, OVERVIEW_HEADER, overviewRow, toCsv } from './csv.js';
import type { Anatomy } from './phantom.js';
import { createAnatomy, rasterise } from './phantom.js';
import type { OrientationGroup, Profile, SeriesTemplate } from './plan.js';
import { seriesGeometry, seriesPlan } from './plan.js';
import { createRandom, pick, uniform } from './random.js';

export type { Profile } from './plan.js';

export interface SampleOptions {
  /** Folder to create; must not exist yet, or be empty. */
  out: string;
  patients?: number;
  profile?: Profile;
  seed?: string | number;
  /** Inject the deliberate label faults (default true); false gives a clean phantom. */
  faults?: boolean;
}

export type SampleFaultKind = 'swapped_labels' | 'stray_island' | 'missing_disc_slice';

/** A deliberate label fault, for later quality checks. */
export interface SampleFault {
  seriesId: string;
  kind: SampleFaultKind;
  /** Mask values the fault concerns. */
  labels: number[];
  description: string;
}

export interface SampleSeries {
  id: string;
  patientId: number;
  group: OrientationGroup;
  orientation: string;
  pixelType: PixelType;
  geometry: VolumeGeometry;
  compressedImage: boolean;
}

export interface SampleResult {
  out: string;
  patients: number[];
  series: SampleSeries[];
  faults: SampleFault[];
}

const DEFAULT_PATIENTS: Record<Profile, number> = { tiny: 3, realistic: 3 };

export async function generateSample(opts: SampleOptions): Promise<SampleResult> {
  const profile = opts.profile ?? 'tiny';
  const patients = opts.patients ?? DEFAULT_PATIENTS[profile];
  if (!Number.isInteger(patients) || patients < 1 || patients > 257) {
    throw new AppError('invalid_request', `--patients must be an integer from 1 to 257 (got ${patients})`);
  }
  const seed = String(opts.seed ?? 1);
  const out = resolve(opts.out);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new AppError('conflict', `${out} already exists and is not empty; the sample generator never writes over a folder`);
  }
  const tmp = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'images'), { recursive: true });
  mkdirSync(join(tmp, 'masks'), { recursive: true });
  try {
    const result = await writeDataset(tmp, patients, profile, seed, opts.faults ?? true);
    if (existsSync(out)) rmSync(out, { recursive: true }); // empty folder, checked above
    renameSync(tmp, out);
    return { ...result, out };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function writeDataset(dir: string, patients: number, profile: Profile, seed: string, withFaults: boolean): Promise<Omit<SampleResult, 'out'>> {
  const overviewRows: { id: string; cells: string[] }[] = [];
  const gradingRows: GradingRow[] = [];
  const series: SampleSeries[] = [];
  const faults: SampleFault[] = [];
  const ids: number[] = [];
  for (let p = 0; p < patients; p++) {
    const patientId = p + 1;
    ids.push(patientId);
    const rand = createRandom(`${seed}:patient:${patientId}`);
    const vertebrae = p === 0 ? 7 : pick(rand, [6, 7, 7]);
    // Pfirrmann per disc, bottom (L5/S1) first: lower discs degenerate more.
    const pfirrmann = Array.from({ length: vertebrae }, (_, n) =>
      Math.max(1, Math.min(5, Math.round(uniform(rand, 1.5, 3.2) + (n < 2 ? 1.2 : 0) - n * 0.15))),
    );
    const facts: PatientFacts = {
      sex: rand() < 0.6 ? 'F' : 'M',
      age: Math.round(uniform(rand, 22, 80)),
      subset: p % 5 === 4 ? 'validation' : 'training',
      vertebrae,
    };
    const anatomy = createAnatomy({ vertebrae, pfirrmann, seed: `${seed}:${patientId}` });
    gradingRows.push(...gradingsFor(patientId, pfirrmann, rand));
    for (const t of seriesPlan(p, profile)) {
      const id = `${patientId}_${t.suffix}`;
      const geometry = seriesGeometry(anatomy, t);
      const { labels, signal } = rasterise(anatomy, geometry, t.contrast, `${seed}:${id}`);
      const fault = withFaults ? applyFault(p, t, id, anatomy, geometry, labels) : null;
      if (fault) faults.push(fault);
      const compressedImage = t.group === 'B' || p > 0; // both encodings present in every sample
      await writeMetaImage(join(dir, 'images', `${id}.mha`), { geometry, pixelType: t.pixelType, data: toImage(signal, t) }, { compress: compressedImage });
      await writeMetaImage(join(dir, 'masks', `${id}.mha`), { geometry, pixelType: 'int16', data: labels }, { compress: true });
      overviewRows.push({ id, cells: overviewRow(id, t, facts, vertebrae, vertebrae) });
      series.push({ id, patientId, group: t.group, orientation: orientationCode(geometry), pixelType: t.pixelType, geometry, compressedImage });
    }
  }
  // The released overview.csv is sorted by file name as strings (1_t1, 1_t2, 10_t1, …).
  overviewRows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  writeFileSync(join(dir, 'overview.csv'), toCsv(OVERVIEW_HEADER, overviewRows.map((r) => r.cells)));
  writeFileSync(join(dir, 'radiological_gradings.csv'), gradingsCsv(gradingRows));
  return { patients: ids, series, faults };
}

/** Relative signal -> stored intensities: group A normalised to -1000..3096 (int16 or float32), group B raw uint16. */
function toImage(signal: Float32Array, t: SeriesTemplate): PixelArray {
  const out = pixelArrayFor(t.pixelType, signal.length);
  if (t.group === 'A') {
    const round = t.pixelType !== 'float32' && t.pixelType !== 'float64';
    for (let i = 0; i < signal.length; i++) {
      const v = Math.min(3096, Math.max(-1000, -1000 + 4096 * signal[i]!));
      out[i] = round ? Math.round(v) : v;
    }
  } else {
    for (let i = 0; i < signal.length; i++) out[i] = Math.min(65535, Math.round(signal[i]! * 620));
  }
  return out;
}

function gradingsFor(patient: number, pfirrmann: readonly number[], rand: () => number): GradingRow[] {
  return pfirrmann.map((pf, n) => {
    const modic = pf >= 4 && rand() < 0.6 ? 2 : pf >= 4 && rand() < 0.1 ? 1 : 0;
    const endplate = modic > 0 ? 1 : rand() < 0.15 ? 1 : 0;
    return {
      patient,
      ivdLabel: n + 1,
      modic,
      upEndplate: endplate,
      lowEndplate: modic > 0 || rand() < 0.15 ? 1 : 0,
      spondylolisthesis: rand() < 0.04 ? 1 : 0,
      herniation: pf >= 4 && rand() < 0.2 ? 1 : 0,
      narrowing: pf >= 4 ? 1 : rand() < 0.15 ? 1 : 0,
      bulging: pf >= 3 && rand() < 0.7 ? 1 : 0,
      pfirrmann: pf,
    };
  });
}

/** Slice axis (the left-right index axis) of a sagittal series. */
function sliceAxis(g: VolumeGeometry): Axis {
  let best: Axis = 0;
  for (const a of [0, 1, 2] as const) if (Math.abs(g.direction[3 * a]!) > Math.abs(g.direction[3 * best]!)) best = a;
  return best;
}

/**
 * Deliberate faults: patient 2's t1 has vertebrae 2 and 3 swapped; patient 3's t1 has a stray island of
 * vertebra 3 in front of the spine; patient 3's t2 misses disc 203 on its middle sagittal slice.
 */
function applyFault(p: number, t: SeriesTemplate, id: string, a: Anatomy, g: VolumeGeometry, labels: Int16Array): SampleFault | null {
  if (p === 1 && t.suffix === 't1') {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === 2) labels[i] = 3;
      else if (labels[i] === 3) labels[i] = 2;
    }
    return { seriesId: id, kind: 'swapped_labels', labels: [2, 3], description: 'vertebra labels 2 (L4) and 3 (L3) swapped' };
  }
  if (p === 2 && t.suffix === 't1') {
    const l = a.levels[2]!;
    const centre: Vec3 = [a.xCentre, l.y - a.bodyHalfDepth - 30, l.z];
    const c = worldToIndex(g, centre).map(Math.round) as Vec3;
    const s = sliceAxis(g);
    const inPlane = ([0, 1, 2] as const).filter((x) => x !== s);
    let painted = 0;
    for (let d0 = -1; d0 <= 1; d0++) {
      for (let d1 = -1; d1 <= 1; d1++) {
        const ijk: Vec3 = [c[0], c[1], c[2]];
        ijk[inPlane[0]!] += d0;
        ijk[inPlane[1]!] += d1;
        if (ijk.some((v, ax) => v < 0 || v >= g.size[ax]!)) continue;
        labels[ijk[0] + g.size[0] * (ijk[1] + g.size[1] * ijk[2])] = 3;
        painted++;
      }
    }
    return { seriesId: id, kind: 'stray_island', labels: [3], description: `stray island of ${painted} voxels labelled 3 (L3) in front of the spine at voxel ${c.join(',')}` };
  }
  if (p === 2 && t.suffix === 't2') {
    const s = sliceAxis(g);
    const mid = Math.floor(g.size[s] / 2);
    const disc = discLabel(3);
    let removed = 0;
    const [nx, ny] = g.size;
    for (let i = 0; i < labels.length; i++) {
      const ijk = [i % nx, Math.floor(i / nx) % ny, Math.floor(i / (nx * ny))];
      if (ijk[s] === mid && labels[i] === disc) {
        labels[i] = 0;
        removed++;
      }
    }
    return { seriesId: id, kind: 'missing_disc_slice', labels: [disc], description: `disc 203 (L3/L4) removed on slice ${mid} (${removed} voxels)` };
  }
  return null;
}
