// The label layer's shared vtk objects (colour and opacity transfer functions, the image property every view's label
// slice uses) and the LabelDisplay applied to them: fill or outline, opacity, hidden labels.
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction.js';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js';
import vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty.js';
import { labelColorNodes, labelOpacityNodes, outlineOpacities, sameHidden } from './labelAppearance.js';
import type { LabelDisplay } from './types.js';

/** Outline width in device pixels (vtk.js draws label outlines in screen space). */
const OUTLINE_THICKNESS_PX = 2;

export interface LabelLayer {
  readonly property: vtkImageProperty;
  display(): LabelDisplay;
  /** Applies a display (opacity clamped to 0..1); false when nothing changed and `force` is not set. */
  apply(d: LabelDisplay, force: boolean): boolean;
  dispose(): void;
}

export function createLabelLayer(initial: LabelDisplay): LabelLayer {
  const colors = vtkColorTransferFunction.newInstance();
  colors.setNodes(labelColorNodes());
  const opacity = vtkPiecewiseFunction.newInstance();
  const property = vtkImageProperty.newInstance();
  property.setInterpolationTypeToNearest();
  property.setRGBTransferFunction(0, colors);
  property.setPiecewiseFunction(0, opacity);
  property.setUseLookupTableScalarRange(true);
  property.setLabelOutlineThickness(OUTLINE_THICKNESS_PX);
  let current: LabelDisplay = { ...initial, hidden: new Set(initial.hidden) };

  return {
    property,
    display: () => current,
    apply(d, force) {
      const prev = current;
      const next: LabelDisplay = { ...d, opacity: Math.min(Math.max(d.opacity, 0), 1), hidden: new Set(d.hidden) };
      const unchanged =
        prev.opacity === next.opacity &&
        prev.mode === next.mode &&
        prev.allHidden === next.allHidden &&
        sameHidden(prev.hidden, next.hidden);
      if (unchanged && !force) return false;
      current = next;
      if (force || !sameHidden(prev.hidden, next.hidden)) opacity.setNodes(labelOpacityNodes(next.hidden));
      const outline = next.mode === 'outline';
      property.setUseLabelOutline(outline);
      // In outline mode the interior is drawn with the property opacity: 0 leaves it uncoloured.
      property.setOpacity(outline ? 0 : next.opacity);
      if (outline && (force || !sameHidden(prev.hidden, next.hidden) || prev.opacity !== next.opacity || prev.mode !== 'outline')) {
        property.setLabelOutlineOpacity(outlineOpacities(next.hidden, next.opacity));
      }
      return true;
    },
    dispose() {
      property.delete();
      colors.delete();
      opacity.delete();
    },
  };
}
