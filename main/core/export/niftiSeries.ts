// One series of an nnU-Net v2 raw export: labelsTr/<series>.nii.gz (labels remapped to contiguous values on a
// worker) and imagesTr/<series>_0000.nii.gz (the image converted), and the dataset.json written at the end.
// A series without readable labels is left out with a warning (labelsTr needs labels).
import { basename, join } from 'node:path';
import { AppError } from '../../../common/errors.js';
import { sameGrid, voxelCount } from '../../../common/geometry.js';
import { readMetaImage } from '../mha/index.js';
import { bytesPerVoxel } from '../mha/index.js';
import { check, ensureDir, transferList, writeInto, type ExportContext } from './context.js';
import type { SeriesRecord } from './manifest.js';
import { niftiHeader, nnunetLabels, PARTIAL_FOLD_NOTE, remapTable } from './nifti.js';
import { includedAs, type SeriesPlan } from './plan.js';
import { qaScanTask, seriesQaOfScans } from './qa.js';
import { labelChanges, MaskNotExportable, readLabels, type LabelRead } from './seriesLabels.js';

export async function exportSeriesNifti(ctx: ExportContext, plan: SeriesPlan, folded: Map<number, number>): Promise<SeriesRecord | null> {
  const e = plan.entry;
  if (!e.image) {
    ctx.warnings.push(`${e.imageFile}: unreadable image, series ${e.id} left out of the nnU-Net export`);
    return null;
  }
  if (!e.maskFile && plan.activeEdits === 0) {
    ctx.warnings.push(`${e.id}: no mask and no edits, left out of the nnU-Net export (labelsTr needs labels)`);
    return null;
  }
  ctx.progress.current = e.id;
  const g = e.image.geometry;
  const n = voxelCount(g);
  let read: LabelRead;
  try {
    read = await readLabels(ctx, e, plan.activeEdits > 0);
  } catch (err) {
    if (!(err instanceof MaskNotExportable)) throw err;
    // labelsTr needs the labels: the series is left out, and said so in the result, CHANGES.md and the manifest.
    ctx.warnings.push(`${err.message}; series ${e.id} left out of the nnU-Net export`);
    ctx.progress.bytesDone += n * (1 + bytesPerVoxel(e.image.pixelType));
    return null;
  }
  const record: SeriesRecord = {
    seriesId: e.id,
    patientId: e.patientId,
    labels: e.maskFile ? 'unchanged' : 'no_mask',
    revision: read.revision,
    activeEdits: read.activeEdits,
    included: 'all',
    changes: [],
    files: [],
  };
  let labelsChanged = false;
  let current = read.current;
  if (plan.activeEdits > 0) {
    // Stats only (the worker keeps nothing); `current` is handed back as a copy for the remap.
    const keep = current.slice();
    const res = await ctx.pool.run(
      { kind: 'mask', original: read.original, current, pixelType: 'uint8', compress: false, level: ctx.level, scan: qaScanTask(g) },
      transferList(read.original, current),
    );
    current = keep;
    record.changes = labelChanges(res.stats, g.spacing[0] * g.spacing[1] * g.spacing[2]);
    labelsChanged = res.stats.changed > 0;
    if (labelsChanged) {
      record.labels = 'changed';
      record.qa = seriesQaOfScans(e, g, res.scans!);
    }
  }
  const included = includedAs(ctx.req, plan, labelsChanged);
  if (included === null) {
    ctx.progress.bytesDone += n * (1 + bytesPerVoxel(e.image.pixelType));
    return null;
  }
  record.included = included;
  const labelHeader = niftiHeader({ geometry: g, pixelType: 'uint8', file: e.maskFile ?? e.imageFile, description: `SPIDER ${e.id} labels (nnU-Net remap)` });
  const lab = await ctx.pool.run({ kind: 'remap', current, remap: remapTable(), header: labelHeader, level: ctx.level }, transferList(current));
  check(ctx);
  if (lab.unknown !== undefined) {
    throw new AppError('invalid_dataset', `${e.id}: label value ${lab.unknown} (voxel ${lab.index}) is not a SPIDER value; it has no nnU-Net label`);
  }
  for (let v = 101; v <= 125; v++) {
    const c = lab.counts?.[v] ?? 0;
    if (c > 0) folded.set(v, (folded.get(v) ?? 0) + c);
  }
  await ensureDir(ctx, 'labelsTr');
  const labelRel = `labelsTr/${e.id}.nii.gz`;
  await writeInto(ctx, labelRel, [lab.data!], 'converted', e.maskFile ?? undefined);
  record.files.push(labelRel);
  ctx.progress.bytesDone += n;
  ctx.report();

  const image = await readMetaImage(join(ctx.root, e.imageFile), { within: ctx.root });
  check(ctx);
  if (!sameGrid(image.geometry, g)) throw new AppError('invalid_file', `${e.imageFile} changed since the dataset was scanned`, { file: e.imageFile });
  const bytes = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const imageBytes = bytes.length; // `bytes` is moved to the worker
  const imageHeader = niftiHeader({ geometry: g, pixelType: image.pixelType, file: e.imageFile, description: `SPIDER ${e.id}` });
  const img = await ctx.pool.run({ kind: 'gzip', parts: [imageHeader, bytes], level: ctx.level }, transferList(bytes));
  await ensureDir(ctx, 'imagesTr');
  const imageRel = `imagesTr/${e.id}_0000.nii.gz`;
  await writeInto(ctx, imageRel, [img.data], 'converted', e.imageFile);
  record.files.push(imageRel);
  ctx.progress.bytesDone += imageBytes;
  ctx.report();
  return record;
}

/**
 * The nnU-Net dataset.json (after every series: it counts them), with a warning per partially visible vertebra
 * value folded into its whole vertebra.
 */
export async function writeDatasetJson(ctx: ExportContext, numTraining: number, folded: ReadonlyMap<number, number>): Promise<void> {
  for (const [v, c] of folded) ctx.warnings.push(`${c} voxels of partially visible vertebra ${v} were exported as vertebra ${v - 100} (${PARTIAL_FOLD_NOTE})`);
  const datasetJson = {
    channel_names: { '0': 'MRI' },
    labels: nnunetLabels(),
    numTraining,
    file_ending: '.nii.gz',
    name: `SPIDER revised (${basename(ctx.root)})`,
    description: 'Exported by Spine Workstation from a SPIDER-layout dataset; labels remapped to contiguous values (see labelRemap in export-manifest.json).',
    reference: 'van der Graaf et al., Sci Data 11, 264 (2024); Zenodo 10159290',
    licence: 'CC BY 4.0',
  };
  await writeInto(ctx, 'dataset.json', [Buffer.from(JSON.stringify(datasetJson, null, 2) + '\n')], 'generated');
}
