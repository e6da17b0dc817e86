// The shown series as vtk.js data: one vtkImageData for the image, one for the labels and (while a tool shows one)
// one for the preview mask, all wrapping the caller's typed arrays without a copy and placed with spacing, origin
// AND direction. Owns (and deletes) them.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js';
import type { VolumeGeometry } from '../../common/geometry.js';
import { sameGrid, voxelCount } from '../../common/geometry.js';
import { intensityRange } from './intensity.js';
import { viewFrames, type ViewFrame } from './orientation.js';
import type { ImageVolume, LabelVolume, ViewId } from './types.js';

export interface Series {
  geometry: VolumeGeometry;
  /** Slicing axis and camera frame of each view (throws for grids too oblique to show). */
  frames: Record<ViewId, ViewFrame>;
  imageData: vtkImageData;
  labelData: vtkImageData;
  /** Camera distance from the slice plane (mm): beyond the volume diagonal. */
  depthMm: number;
  /** Image minimum and maximum. */
  range: [number, number];
  /** Points the label image data at a new array on the same grid (the old vtk array is deleted). */
  replaceLabels(labels: LabelVolume): void;
  /** The preview mask as image data (null when none). */
  readonly previewData: vtkImageData | null;
  /**
   * Wraps a preview mask (same voxel count; reusing the image data when one exists) or, with null, deletes the
   * preview image data and drops the mask. Throws on a wrong length.
   */
  setPreviewMask(mask: Uint8Array | null): vtkImageData | null;
  dispose(): void;
}

function checkVolume(what: string, g: VolumeGeometry, length: number): void {
  if (g.size.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${what}: invalid size ${g.size.join('×')}`);
  if (g.spacing.some((s) => !(s > 0))) throw new Error(`${what}: spacing must be positive (${g.spacing.join(' ')})`);
  if (length !== voxelCount(g)) throw new Error(`${what}: ${length} voxels for a ${g.size.join('×')} grid`);
}

function byteArrayOf(name: string, values: Uint8Array): vtkDataArray {
  const array = vtkDataArray.newInstance({ name, values, numberOfComponents: 1 });
  // A known range spares vtk.js a scan of the whole volume (it is not used for 8-bit textures anyway).
  array.setRange({ min: 0, max: 255 }, 0);
  return array;
}
const labelArrayOf = (labels: LabelVolume): vtkDataArray => byteArrayOf('labels', labels.scalars);

function makeImageData(g: VolumeGeometry, array: vtkDataArray): vtkImageData {
  const data = vtkImageData.newInstance();
  data.setDimensions(g.size[0], g.size[1], g.size[2]);
  data.setSpacing([...g.spacing]);
  data.setOrigin([...g.origin]);
  // vtkImageData.direction holds the index axes one after the other (column-major 3×3), exactly the order of
  // VolumeGeometry.direction / MetaImage TransformMatrix. vtkImageMapper draws each slice through the image's
  // indexToWorld matrix (which includes the direction), so voxels land where the file says: no reordering.
  data.setDirection([...g.direction]);
  data.getPointData().setScalars(array);
  return data;
}

/** Validates the pair (same grid, right lengths, showable orientation) and wraps it for vtk.js. */
export function createSeries(image: ImageVolume, labels: LabelVolume): Series {
  checkVolume('image', image.geometry, image.scalars.length);
  checkVolume('labels', labels.geometry, labels.scalars.length);
  if (!sameGrid(image.geometry, labels.geometry)) throw new Error('labels must share the image grid');
  const geometry: VolumeGeometry = structuredClone(image.geometry);
  const frames = viewFrames(geometry);
  const range = image.range ?? intensityRange(image.scalars);
  const imageArray = vtkDataArray.newInstance({ name: 'image', values: image.scalars, numberOfComponents: 1 });
  imageArray.setRange({ min: range[0], max: range[1] }, 0);
  let labelArray = labelArrayOf(labels);
  const imageData = makeImageData(geometry, imageArray);
  const labelData = makeImageData(geometry, labelArray);
  const extent = geometry.size.map((n, a) => n * geometry.spacing[a]!);
  let preview: { data: vtkImageData; array: vtkDataArray } | null = null;
  const dropPreview = (): void => {
    preview?.data.delete();
    preview?.array.delete();
    preview = null;
  };
  return {
    geometry,
    frames,
    imageData,
    labelData,
    depthMm: Math.hypot(...extent) + 10,
    range,
    replaceLabels(next) {
      checkVolume('labels', next.geometry, next.scalars.length);
      if (!sameGrid(geometry, next.geometry)) throw new Error('labels must share the image grid');
      const array = labelArrayOf(next);
      labelData.getPointData().setScalars(array);
      labelArray.delete();
      labelArray = array;
      labelData.modified();
    },
    get previewData() {
      return preview?.data ?? null;
    },
    setPreviewMask(mask) {
      if (!mask) {
        dropPreview();
        return null;
      }
      checkVolume('preview mask', geometry, mask.length);
      const array = byteArrayOf('preview', mask);
      if (!preview) {
        preview = { data: makeImageData(geometry, array), array };
      } else {
        preview.data.getPointData().setScalars(array);
        preview.array.delete();
        preview.array = array;
        preview.data.modified();
      }
      return preview.data;
    },
    dispose() {
      dropPreview();
      imageData.delete();
      labelData.delete();
      imageArray.delete();
      labelArray.delete();
    },
  };
}
