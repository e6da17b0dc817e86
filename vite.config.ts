// Builds the renderer (React + vtk.js) into dist/renderer. The same build is served by web mode and loaded by
// the Electron shell.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, 'package.json'), 'utf8')) as { version: string };

// Fill between slices (renderer/interpolation) runs ITK's morphological contour interpolation from itk-wasm. The
// package would fetch its pipeline from jsDelivr; the app is offline, so its two files are shipped instead. itk-wasm
// loads `<base>/<name>.wasm.zst` and `<base>/<name>.js` by fixed names (no content hash), so they are copied
// verbatim to dist/renderer/itk-pipelines/ and served from /itk-pipelines/ in dev (renderer/interpolation/index.ts
// PIPELINES_DIR: keep the folder name in step).
const ITK_PIPELINES_DIR = 'itk-pipelines';
const MCI_DIR = join(dirname(createRequire(import.meta.url).resolve('@itk-wasm/morphological-contour-interpolation')), 'pipelines');
const MCI_FILES = ['morphological-contour-interpolation.js', 'morphological-contour-interpolation.wasm.zst'];

function itkPipelines(): Plugin {
  return {
    name: 'spine-itk-pipelines',
    configureServer(server) {
      server.middlewares.use(`/${ITK_PIPELINES_DIR}`, (req, res, next) => {
        const file = MCI_FILES.find((f) => req.url?.split('?')[0] === `/${f}`);
        if (!file) return next();
        res.setHeader('Content-Type', file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream');
        res.end(readFileSync(join(MCI_DIR, file)));
      });
    },
    generateBundle() {
      for (const f of MCI_FILES) this.emitFile({ type: 'asset', fileName: `${ITK_PIPELINES_DIR}/${f}`, source: readFileSync(join(MCI_DIR, f)) });
    },
  };
}

export default defineConfig({
  root: resolve(import.meta.dirname, 'renderer'),
  base: './',
  plugins: [react(), itkPipelines()],
  // The interpolation worker is a module worker (itk-wasm loads the pipeline with a dynamic import()).
  worker: { format: 'es' },
  // The About box shows the workstation version (the export manifest records the same one).
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: {
    // SPINE_RENDERER_DIST moves the build (main/cli/build.ts serves from the same place).
    outDir: process.env.SPINE_RENDERER_DIST ? resolve(process.env.SPINE_RENDERER_DIST) : resolve(import.meta.dirname, 'dist', 'renderer'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 4000,
  },
});
