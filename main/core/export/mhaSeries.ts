// One series of a SPIDER-layout (.mha) export: the image copied byte for byte, the mask rebuilt (original pixel
// type and header fields, compression as the original) when its labels changed and copied byte for byte
// otherwise; and, in a full export, every other file of the source folder copied too.
import { basename, join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import { orientationCode, voxelCount, type VolumeGeometry } from '../../../common/geometry.js';
import { IMAGES_DIR, MASKS_DIR } from '../dataset/index.js';
import type { PixelType } from '../mha/index.js';
import { PIXEL_TYPES } from '../mha/index.js';
import { check, copyInto, ensureDir, listFiles, transferList, volumeFiles, writeInto, type ExportContext } from './context.js';
import type { SeriesRecord } from './manifest.js';
import { includedAs, type SeriesPlan } from './plan.js';
import { qaScanTask, seriesQaOfScans } from './qa.js';
import { labelChanges, readLabels } from './seriesLabels.js';
import { CHANGES_FILE, MANIFEST_FILE } from './target.js';

const OPPOSITE: Record<string, string> = { L: 'R', R: 'L', P: 'A', A: 'P', S: 'I', I: 'S' };

/** Header fields for a new int16 mask on `g` (a series that had no mask), in ITK's order. */
function newMaskFields(g: VolumeGeometry): Record<string, string> {
  return {
    ObjectType: 'Image',
    NDims: '3',
    BinaryData: 'True',
    BinaryDataByteOrderMSB: 'False',
    CompressedData: 'True',
    TransformMatrix: g.direction.map(String).join(' '),
    Offset: g.origin.map(String).join(' '),
    CenterOfRotation: '0 0 0',
    AnatomicalOrientation: [...orientationCode(g)].map((c) => OPPOSITE[c] ?? '?').join(''),
    ElementSpacing: g.spacing.map(String).join(' '),
    DimSize: g.size.join(' '),
    ElementType: PIXEL_TYPES.int16.elementType,
    ElementDataFile: 'LOCAL',
  };
}

/**
 * The header of a rebuilt mask: the original's fields in the original order and text, with only what describes
 * the stored bytes replaced (little-endian, compression and its size, data file; HeaderSize dropped).
 */
export function rebuiltHeader(fields: Record<string, string>, compressedSize: number | null, dataFile: string): string {
  const lines: string[] = [];
  let sawCompressed = false;
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'ElementDataFile' || k === 'HeaderSize' || k === 'CompressedDataSize') continue;
    if (k === 'BinaryDataByteOrderMSB' || k === 'ElementByteOrderMSB') lines.push(`${k} = False`);
    else if (k === 'CompressedData') {
      sawCompressed = true;
      lines.push(`CompressedData = ${compressedSize === null ? 'False' : 'True'}`);
      if (compressedSize !== null) lines.push(`CompressedDataSize = ${compressedSize}`);
    } else lines.push(`${k} = ${v}`);
  }
  if (!sawCompressed && compressedSize !== null) lines.push('CompressedData = True', `CompressedDataSize = ${compressedSize}`);
  lines.push(`ElementDataFile = ${dataFile}`);
  return lines.join('\n') + '\n';
}

export async function exportSeriesMha(ctx: ExportContext, plan: SeriesPlan): Promise<SeriesRecord | null> {
  const e = plan.entry;
  const record: SeriesRecord = {
    seriesId: e.id,
    patientId: e.patientId,
    labels: e.maskFile ? 'unchanged' : 'no_mask',
    revision: ctx.deps.journal.storedRevision(e.id),
    activeEdits: 0,
    included: 'all',
    changes: [],
    files: [],
  };
  let labelsChanged = false;
  const n = e.image ? voxelCount(e.image.geometry) : 0;
  // The image copy is independent of the mask work: queued at once when the series is in the export for sure, so
  // a large series' copy runs on one worker while its mask is rebuilt on the other.
  let imageQueued = false;
  const queueImage = (): void => {
    imageQueued = true;
    ctx.copies.queue(async () => {
      await ensureDir(ctx, IMAGES_DIR);
      for (const rel of await volumeFiles(ctx.root, e.imageFile)) {
        await copyInto(ctx, rel);
        record.files.push(rel);
      }
    });
  };
  if (!ctx.req.changedOnly || plan.gradingsChanged) queueImage();
  if (plan.activeEdits > 0 && e.image) {
    ctx.progress.current = e.id;
    const read = await readLabels(ctx, e, true);
    record.revision = read.revision;
    record.activeEdits = read.activeEdits;
    const pixelType: PixelType = e.mask?.pixelType ?? 'int16';
    const compress = e.mask ? e.mask.compressed : true;
    const res = await ctx.pool.run(
      { kind: 'mask', original: read.original, current: read.current, pixelType, compress, level: ctx.level, scan: qaScanTask(e.image.geometry) },
      transferList(read.original, read.current),
    );
    check(ctx);
    if (res.overflow !== undefined) {
      throw new AppError('invalid_dataset', `${e.maskFile}: label ${res.overflow} does not fit the mask's pixel type ${pixelType}`, { file: e.maskFile ?? undefined });
    }
    const g = e.image.geometry;
    record.changes = labelChanges(res.stats, g.spacing[0] * g.spacing[1] * g.spacing[2]);
    labelsChanged = res.data !== undefined;
    ctx.progress.bytesDone += n;
    if (labelsChanged) {
      record.labels = 'changed';
      record.qa = seriesQaOfScans(e, g, res.scans!);
      {
        const maskRel = e.maskFile ?? `${MASKS_DIR}/${e.id}.mha`;
        const fields = read.fields ?? newMaskFields(g);
        const split = /\.mhd$/i.test(maskRel);
        const dataName = split ? (fields.ElementDataFile ?? basename(maskRel).replace(/\.mhd$/i, compress ? '.zraw' : '.raw')) : 'LOCAL';
        if (split && (dataName === 'LOCAL' || /[\\/]/.test(dataName))) {
          throw new AppError('invalid_file', `${maskRel}: cannot rebuild a mask whose data file is ${dataName}`, { file: maskRel });
        }
        const head = Buffer.from(rebuiltHeader(fields, compress ? res.data!.length : null, dataName), 'utf8');
        await ensureDir(ctx, MASKS_DIR);
        if (split) {
          const dataRel = `${MASKS_DIR}/${dataName}`;
          await writeInto(ctx, dataRel, [res.data!], 'rebuilt', e.maskFile ?? undefined);
          await writeInto(ctx, maskRel, [head], 'rebuilt', e.maskFile ?? undefined);
          record.files.push(maskRel, dataRel);
        } else {
          await writeInto(ctx, maskRel, [head, res.data!], 'rebuilt', e.maskFile ?? undefined);
          record.files.push(maskRel);
        }
      }
    }
  }
  const included = includedAs(ctx.req, plan, labelsChanged);
  if (included === null) return null;
  record.included = included;
  if (!imageQueued) queueImage();
  if (!labelsChanged && e.maskFile) {
    const maskFile = e.maskFile;
    ctx.copies.queue(async () => {
      await ensureDir(ctx, MASKS_DIR);
      for (const rel of await volumeFiles(ctx.root, maskFile)) {
        await copyInto(ctx, rel);
        record.files.push(rel);
      }
    });
  }
  return record;
}

/**
 * A full SPIDER export also carries every other regular file of images/, masks/ and the top folder (an export
 * without edits is then a byte-for-byte copy of the source). A previous export's manifest and CHANGES.md are
 * replaced by this export's, with a warning.
 */
export async function copyRestOfSource(ctx: ExportContext): Promise<void> {
  for (const folder of [IMAGES_DIR, MASKS_DIR]) {
    const names = await listFiles(join(ctx.root, folder));
    if (names.length > 0) await ensureDir(ctx, folder);
    for (const name of names) await copyInto(ctx, `${folder}/${name}`);
  }
  for (const name of await listFiles(ctx.root)) {
    if (name === MANIFEST_FILE || name === CHANGES_FILE) {
      ctx.warnings.push(`the source's ${name} (from an earlier export) is replaced by this export's`);
      continue;
    }
    await copyInto(ctx, name);
  }
}
