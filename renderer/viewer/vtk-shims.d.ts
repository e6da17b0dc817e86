// Type shims for vtk.js 37 under this project's `moduleResolution: NodeNext`. vtk.js ships .d.ts files whose
// relative imports have no extension ('./DataSet', '../../interfaces'); NodeNext cannot resolve those inside an ESM
// package, so every inherited member (delete, modified, getPointData, addViewProp, …) silently disappears.
// These augmentations re-attach only what renderer/viewer uses. vtkObject itself comes from interfaces.d.ts, which
// declares it locally and therefore resolves.
import type { vtkObject } from '@kitware/vtk.js/interfaces.js';
import type { vtkDataArray } from '@kitware/vtk.js/Common/Core/DataArray.js';
import type { vtkImageSlice } from '@kitware/vtk.js/Rendering/Core/ImageSlice.js';

declare module '@kitware/vtk.js/Common/Core/DataArray.js' {
  interface vtkDataArray extends vtkObject {}
}

declare module '@kitware/vtk.js/Common/DataModel/ImageData.js' {
  interface vtkImageData extends vtkObject {
    getPointData(): { setScalars(scalars: vtkDataArray): boolean };
  }
}

declare module '@kitware/vtk.js/Common/DataModel/PiecewiseFunction.js' {
  interface vtkPiecewiseFunction extends vtkObject {}
}

declare module '@kitware/vtk.js/Rendering/Core/ColorTransferFunction.js' {
  interface vtkColorTransferFunction extends vtkObject {}
}

declare module '@kitware/vtk.js/Rendering/Core/ImageProperty.js' {
  interface vtkImageProperty extends vtkObject {}
}

declare module '@kitware/vtk.js/Rendering/Core/ImageMapper.js' {
  interface vtkImageMapper extends vtkObject {
    /** vtkAbstractMapper3D: per-backend options, e.g. { OpenGL: { ShaderReplacements: [...] } }. */
    setViewSpecificProperties(properties: object): boolean;
  }
}

declare module '@kitware/vtk.js/Rendering/Core/ImageSlice.js' {
  interface vtkImageSlice extends vtkObject {
    setVisibility(visible: boolean): boolean;
  }
}

declare module '@kitware/vtk.js/Rendering/Core/Camera.js' {
  interface vtkCamera extends vtkObject {}
}

declare module '@kitware/vtk.js/Rendering/Core/Renderer.js' {
  interface vtkRenderer extends vtkObject {
    addViewProp(prop: vtkImageSlice): void;
    removeViewProp(prop: vtkImageSlice): void;
    removeAllViewProps(): void;
  }
}

declare module '@kitware/vtk.js/Rendering/Core/RenderWindow.js' {
  interface vtkRenderWindow extends vtkObject {}
}

declare module '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js' {
  interface vtkOpenGLRenderWindow extends vtkObject {
    /** vtkViewNode: creates (or returns) the child view node of a render window added with addRenderWindow. */
    addMissingNode(renderable: vtkObject): vtkObject | undefined;
    /** vtkViewNode: removes and deletes a child view node. */
    removeNode(node: vtkObject): boolean;
    /** The WebGL2 context (root window only; children draw through the root's). */
    getContext(): WebGL2RenderingContext | null;
  }
}
