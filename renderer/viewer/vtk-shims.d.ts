// Type shims for the two members vtk.js 37's .d.ts files really lack (everything else resolves under the renderer's
// bundler resolution). Both exist at runtime in vtk.js 37.
import type { vtkObject } from '@kitware/vtk.js/interfaces.js';

declare module '@kitware/vtk.js/Rendering/Core/ImageMapper.js' {
  interface vtkImageMapper extends vtkObject {
    /** vtkAbstractMapper3D: per-backend options, e.g. { OpenGL: { ShaderReplacements: [...] } }. */
    setViewSpecificProperties(properties: object): boolean;
  }
}

declare module '@kitware/vtk.js/Rendering/OpenGL/RenderWindow.js' {
  interface vtkOpenGLRenderWindow extends vtkObject {
    /** The WebGL2 context (root window only; children draw through the root's). */
    getContext(): WebGL2RenderingContext | null;
  }
}
