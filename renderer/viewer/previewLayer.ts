// The tools' preview layer: its look, one vtkImageProperty (nearest, colour/opacity lookup over the mask bytes) shared
// by the preview slice of every view, and the viewer's setPreview / previewModified. The mask itself is series data
// (series.ts); the slices belong to sliceView.ts.
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction.js';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js';
import vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty.js';
import type { Series } from './series.js';
import type { SliceView } from './sliceView.js';
import { VIEW_IDS, type Viewer, type ViewId } from './types.js';

export interface PreviewAppearance {
  readonly property: vtkImageProperty;
  /** RGB 0..255 for every non-zero mask byte; opacity 0..1 (0 stays transparent). */
  set(color: readonly [number, number, number], opacity: number): void;
  dispose(): void;
}

/**
 * Both tables step between 0.4 and 0.6 and are flat elsewhere over [-0.5, 255.5]: vtkImageMapper samples them into
 * 1024 texels, so byte 0 reads only "transparent" and every byte >= 1 only the preview colour, never a blend.
 */
const LOW = -0.5;
const STEP_FROM = 0.4;
const STEP_TO = 0.6;
const HIGH = 255.5;

export function createPreviewAppearance(): PreviewAppearance {
  const colors = vtkColorTransferFunction.newInstance();
  const opacity = vtkPiecewiseFunction.newInstance();
  opacity.setNodes(
    [
      [LOW, 0],
      [STEP_FROM, 0],
      [STEP_TO, 1],
      [HIGH, 1],
    ].map(([x, y]) => ({ x: x!, y: y!, midpoint: 0.5, sharpness: 0 })),
  );
  const property = vtkImageProperty.newInstance();
  property.setInterpolationTypeToNearest();
  property.setRGBTransferFunction(0, colors);
  property.setPiecewiseFunction(0, opacity);
  property.setUseLookupTableScalarRange(true);
  let current = '';

  return {
    property,
    set(color, alpha) {
      const key = color.join(',');
      if (key !== current) {
        const [r, g, b] = color.map((c) => Math.min(Math.max(c, 0), 255) / 255) as [number, number, number];
        colors.setNodes(
          [
            [LOW, 0, 0, 0],
            [STEP_FROM, 0, 0, 0],
            [STEP_TO, r, g, b],
            [HIGH, r, g, b],
          ].map(([x, r1, g1, b1]) => ({ x: x!, r: r1!, g: g1!, b: b1!, midpoint: 0.5, sharpness: 0 })),
        );
        current = key;
      }
      property.setOpacity(Math.min(Math.max(alpha, 0), 1));
    },
    dispose() {
      property.delete();
      colors.delete();
      opacity.delete();
    },
  };
}

/** The viewer's preview API over its views and current series (`invalidate` re-renders every view). */
export function previewControl(parts: {
  views: Record<ViewId, SliceView>;
  series: () => Series | null;
  appearance: PreviewAppearance;
  invalidate: () => void;
}): Pick<Viewer, 'setPreview' | 'previewModified'> {
  const { views, appearance, invalidate } = parts;
  return {
    setPreview(p) {
      const series = parts.series();
      if (!p) {
        if (!series?.previewData) return;
        for (const id of VIEW_IDS) views[id].setPreviewInput(null, null);
        series.setPreviewMask(null);
        invalidate(); // the next render also deletes the preview's OpenGL nodes and textures
        return;
      }
      if (!series) throw new Error('setPreview before setVolumes');
      const data = series.setPreviewMask(p.mask); // validates the length first
      appearance.set(p.color, p.opacity);
      for (const id of VIEW_IDS) views[id].setPreviewInput(data, series.frames[id]);
      invalidate();
    },
    previewModified() {
      const series = parts.series();
      if (!series?.previewData) return;
      // As labelsModified: the mappers re-extract and upload only their displayed slice.
      series.previewData.modified();
      invalidate();
    },
  };
}
