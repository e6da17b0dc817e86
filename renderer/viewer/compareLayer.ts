// The compare layer (issue 16, comparing readers): another source's label volume drawn as thin outlines in the label
// colours, lightened (compareAppearance.ts), over the (filled) labels in every slice view — one more vtkImageMapper/vtkImageSlice per view, nearest,
// through vtk.js' label-outline shader with a transparent interior. Owns the layer's shared vtkImageProperty and
// its vtkImageData (wrapping the caller's array, no copy); the views connect it (sliceView.ts) and the viewer offers
// setCompare / compareModified. Costs nothing while off.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray.js';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData.js';
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction.js';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js';
import vtkImageMapper from '@kitware/vtk.js/Rendering/Core/ImageMapper.js';
import { SlicingMode } from '@kitware/vtk.js/Rendering/Core/ImageMapper/Constants.js';
import vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty.js';
import vtkImageSlice from '@kitware/vtk.js/Rendering/Core/ImageSlice.js';
import type vtkRenderer from '@kitware/vtk.js/Rendering/Core/Renderer.js';
import { voxelCount, type VolumeGeometry } from '../../common/geometry.js';
import { labelOpacityNodes, outlineOpacities } from './labelAppearance.js';
import { compareColorNodes } from './compareAppearance.js';
import type { ViewFrame } from './orientation.js';
import type { Series } from './series.js';
import type { SliceView } from './sliceView.js';
import { VIEW_IDS, type CompareLayer, type Viewer, type ViewId } from './types.js';

/** Outline width in device pixels: thinner than the labels' own outline mode (2 px), so the two read apart. */
export const COMPARE_OUTLINE_PX = 1;
const IJK_MODE = [SlicingMode.I, SlicingMode.J, SlicingMode.K] as const;
/**
 * One more fix of vtk.js 37's outline shader (besides sliceView.ts' two): it truncates the normalised thickness
 * (`int(t * 255.0)`), which on Mesa llvmpipe turns a 1 px outline into 0 px — nothing drawn at all.
 */
const THICKNESS_FIX = {
  shaderType: 'Fragment',
  originalValue: 'int actualThickness = int(textureValue * 255.0);',
  replacementValue: 'int actualThickness = int(textureValue * 255.0 + 0.5);',
  replaceFirst: false,
  replaceAll: false,
};

export interface CompareAppearance {
  readonly property: vtkImageProperty;
  /** Outline opacity 0..1 for every label. */
  setOpacity(opacity: number): void;
  /** The layer's data (null while off) and the series it was made for. */
  data: { image: vtkImageData; array: vtkDataArray; series: Series } | null;
  dropData(): void;
  dispose(): void;
}

export function createCompareAppearance(): CompareAppearance {
  const colors = vtkColorTransferFunction.newInstance();
  colors.setNodes(compareColorNodes());
  const opacity = vtkPiecewiseFunction.newInstance();
  opacity.setNodes(labelOpacityNodes(new Set()));
  const property = vtkImageProperty.newInstance();
  property.setInterpolationTypeToNearest();
  property.setRGBTransferFunction(0, colors);
  property.setPiecewiseFunction(0, opacity);
  property.setUseLookupTableScalarRange(true);
  property.setUseLabelOutline(true);
  property.setLabelOutlineThickness(COMPARE_OUTLINE_PX);
  // The interior stays clear (the filled labels beneath show through); only the rims are drawn.
  property.setOpacity(0);
  let shown = -1;
  const appearance: CompareAppearance = {
    property,
    setOpacity(o) {
      const v = Math.min(Math.max(o, 0), 1);
      if (v === shown) return;
      shown = v;
      property.setLabelOutlineOpacity(outlineOpacities(new Set(), v));
    },
    data: null,
    dropData() {
      appearance.data?.image.delete();
      appearance.data?.array.delete();
      appearance.data = null;
    },
    dispose() {
      appearance.dropData();
      property.delete();
      colors.delete();
      opacity.delete();
    },
  };
  appearance.setOpacity(1);
  return appearance;
}

/** The compare slice of one view: connected only while the layer is on (then drawn after the labels). */
export interface CompareSlice {
  connect(data: vtkImageData | null, frame: ViewFrame | null, slice: number): void;
  setSlice(index: number): void;
  dispose(): void;
}

/** A view's compare mapper + slice in `renderer`; `shaderFixes` = the label mapper's outline shader replacements. */
export function createCompareSlice(renderer: vtkRenderer, property: vtkImageProperty, shaderFixes: unknown[]): CompareSlice {
  const mapper = vtkImageMapper.newInstance();
  mapper.setViewSpecificProperties({ OpenGL: { ShaderReplacements: [...shaderFixes, THICKNESS_FIX] } });
  const slice = vtkImageSlice.newInstance();
  slice.setMapper(mapper);
  slice.setProperty(property);
  slice.setForceOpaque(true); // as the label slice: drawn in the opaque pass, in the order added
  let connected = false;
  return {
    connect(data, frame, index) {
      if (data && frame) {
        mapper.setInputData(data);
        mapper.setSlicingMode(IJK_MODE[frame.sliceAxis]);
        mapper.setSlice(index);
        if (!connected) renderer.addViewProp(slice);
        connected = true;
        return;
      }
      if (!connected) return;
      renderer.removeViewProp(slice);
      (mapper as unknown as { setInputData(d: null): void }).setInputData(null);
      connected = false;
    },
    setSlice(index) {
      if (connected) mapper.setSlice(index);
    },
    dispose() {
      if (connected) renderer.removeViewProp(slice);
      slice.delete();
      mapper.delete();
    },
  };
}

function wrap(g: VolumeGeometry, labels: Uint8Array): { image: vtkImageData; array: vtkDataArray } {
  const array = vtkDataArray.newInstance({ name: 'compare', values: labels, numberOfComponents: 1 });
  array.setRange({ min: 0, max: 255 }, 0);
  const image = vtkImageData.newInstance();
  image.setDimensions(g.size[0], g.size[1], g.size[2]);
  image.setSpacing([...g.spacing]);
  image.setOrigin([...g.origin]);
  image.setDirection([...g.direction]);
  image.getPointData().setScalars(array);
  return { image, array };
}

/** The viewer's setCompare / compareModified over its views and current series (`invalidate` re-renders). */
export function compareControl(parts: {
  views: Record<ViewId, SliceView>;
  series: () => Series | null;
  appearance: CompareAppearance;
  invalidate: () => void;
}): Pick<Viewer, 'setCompare' | 'compareModified'> {
  const { views, appearance, invalidate } = parts;
  return {
    setCompare(layer: CompareLayer | null) {
      const series = parts.series();
      if (!layer) {
        if (!appearance.data) return;
        for (const id of VIEW_IDS) views[id].setCompareInput(null, null);
        appearance.dropData();
        invalidate();
        return;
      }
      if (!series) throw new Error('setCompare before setVolumes');
      const n = voxelCount(series.geometry);
      if (layer.labels.length !== n) throw new Error(`compare labels: ${layer.labels.length} voxels for a ${series.geometry.size.join('×')} grid`);
      const next = wrap(series.geometry, layer.labels);
      for (const id of VIEW_IDS) views[id].setCompareInput(next.image, series.frames[id]);
      appearance.dropData();
      appearance.data = { ...next, series };
      appearance.setOpacity(layer.opacity ?? 1);
      invalidate();
    },
    compareModified() {
      const d = appearance.data;
      // A layer of a series no longer shown is gone from the views (setVolumes cleared their inputs).
      if (!d || d.series !== parts.series()) return;
      d.image.modified();
      invalidate();
    },
  };
}
