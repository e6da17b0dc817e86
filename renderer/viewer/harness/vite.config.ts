// Builds the viewer test harness (index.html + harness.ts) on its own, independent of the app build. Runs in Node
// at build time only; the e2e tests call vite's build() with this file and their own temporary outDir.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  build: {
    // Relative to root: <repo>/dist/viewer-harness.
    outDir: '../../../dist/viewer-harness',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
  },
});
