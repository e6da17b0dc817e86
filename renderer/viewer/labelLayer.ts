// The label layer's shared vtk objects (colour and opacity transfer functions, the image property every view's label
// slice uses) and the LabelDisplay applied to them: fill or outline, opacity, hidden labels.
import vtkPiecewiseFunction from '@kitware/vtk.js/Common/DataModel/PiecewiseFunction.js';
import vtkColorTransferFunction from '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js';
import vtkImageProperty from '@kitware/vtk.js/Rendering/Core/ImageProperty.js';
import { labelColorNodes, labelTables, sameHidden } from './labelAppearance.js';
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
      const next: LabelDisplay = { ...d, opacity: Math.min(Math.max(d.opacity, 0), 1), hidden: new Set(d.hidden), locked: new Set(d.locked ?? []) };
      const unchanged =
        prev.opacity === next.opacity &&
        prev.mode === next.mode &&
        prev.allHidden === next.allHidden &&
        sameHidden(prev.hidden, next.hidden) &&
        sameHidden(prev.locked ?? new Set(), next.locked ?? new Set());
      if (unchanged && !force) return false;
      current = next;
      // Fill or outline, and locked labels set apart (solid rim, dimmed fill): labelTables in labelAppearance.ts.
      const t = labelTables(next);
      opacity.setNodes(t.opacityNodes);
      property.setUseLabelOutline(t.useOutline);
      property.setOpacity(t.opacity);
      if (t.useOutline) property.setLabelOutlineOpacity(t.outline);
      return true;
    },
    dispose() {
      property.delete();
      colors.delete();
      opacity.delete();
    },
  };
}
