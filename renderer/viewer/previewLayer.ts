// Look of the tools' preview layer: one vtkImageProperty (nearest, colour/opacity lookup over the mask bytes) shared
// by the preview slice of every view. The mask itself is series data (series.ts); the slices belong to sliceView.ts.
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction.js';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js';
import vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty.js';

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
