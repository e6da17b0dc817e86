// level_measurements.csv for an export (issue 15, item 5): the measurements per disc level of every series of the
// exported patients (gradings/levelMeasures.ts), from the labels at the export's journal revision and, for T2
// series, the image, so a revised dataset carries the numbers its grades can be checked against. Written into the
// export's partial folder like every other file: it appears only with the committed export. Only a revised dataset
// in the SPIDER layout gets it (labels or gradings changed): an export without changes still reproduces its input
// byte for byte, and an nnU-Net folder holds only its own files.
//
// Format: UTF-8, LF line ends, a header line, one row per (patient, series, IVD label) in that order; empty cell =
// not measurable (the Notes cell says why). Lengths in mm, slip positive = forward; RFC 4180 quoting.
import type { LevelMeasure } from '../../../common/contractLevelMeasures.js';
import { discName } from '../../../common/labels.js';
import type { SeriesEntry } from '../dataset/index.js';
import { measureSeriesEntry } from '../gradings/levelMeasuresService.js';
import { check, type ExportContext } from './context.js';
import type { SeriesRecord } from './manifest.js';
import { MaskNotExportable, readLabels } from './seriesLabels.js';

export const LEVEL_MEASURES_FILE = 'level_measurements.csv';
export const LEVEL_MEASURES_HEADER = [
  'Patient', 'Series', 'Sequence', 'IVD label', 'Level', 'Label revision',
  'Disc height anterior (mm)', 'Disc height middle (mm)', 'Disc height posterior (mm)', 'Vertebra mid-height (mm)',
  'DHI anterior', 'DHI middle', 'DHI posterior', 'DHI mean',
  'Slip (mm)', 'Slip (%)', 'Meyerding grade', 'Canal AP (mm)', 'Nucleus/CSF T2 ratio', 'Notes',
] as const;

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function measureRow(patientId: number, revision: number, m: LevelMeasure): string {
  return [
    patientId, m.seriesId, m.sequence, m.ivdLabel, discName(m.ivdLabel), revision,
    m.discHeightMm?.anterior, m.discHeightMm?.middle, m.discHeightMm?.posterior, m.vertebraHeightMm,
    m.dhi?.anterior, m.dhi?.middle, m.dhi?.posterior, m.dhi?.mean,
    m.slipMm, m.slipPercent, m.meyerding, m.canalApMm, m.signalRatio, m.notes.join('; '),
  ].map(cell).join(',');
}

/**
 * The file's bytes for the series of the exported patients (dataset order); null when nothing was revised (no
 * exported series' labels changed and no grading changed) or no series has labels.
 * One series at a time (memory stays at one label volume; a T2 image is streamed, never held whole); a mask that cannot be read exactly is left
 * out with a warning, never measured as empty.
 */
export async function exportLevelMeasures(ctx: ExportContext, records: readonly SeriesRecord[], gradingsChanged: boolean): Promise<Uint8Array | null> {
  // The nnU-Net layout holds exactly its own files.
  if (ctx.req.format !== 'mha' || (!gradingsChanged && !records.some((r) => r.labels === 'changed'))) return null;
  const patients = new Set(records.map((r) => r.patientId));
  const lines: string[] = [LEVEL_MEASURES_HEADER.join(',')];
  const series = ctx.deps.index.series.filter((e: SeriesEntry) => patients.has(e.patientId) && e.image);
  series.sort((a, b) => a.patientId - b.patientId);
  for (const e of series) {
    check(ctx);
    if (!e.maskFile && ctx.deps.store.edits.count(e.id).active === 0) continue;
    let read: Awaited<ReturnType<typeof readLabels>>;
    try {
      read = await readLabels(ctx, e, true);
    } catch (err) {
      if (!(err instanceof MaskNotExportable)) throw err;
      ctx.warnings.push(`${LEVEL_MEASURES_FILE}: ${e.id} left out (${err.message})`);
      continue;
    }
    // T2: the image streams through (only the sampled voxels are kept), as in the service.
    const m = await measureSeriesEntry(ctx.root, e, { volume: read.current, revision: read.revision });
    if (m.skipped) ctx.warnings.push(`${LEVEL_MEASURES_FILE}: ${e.id} not measured (${m.skipped})`);
    for (const l of m.levels) lines.push(measureRow(e.patientId, m.revision, l));
  }
  return lines.length > 1 ? Buffer.from(lines.join('\n') + '\n', 'utf8') : null;
}
