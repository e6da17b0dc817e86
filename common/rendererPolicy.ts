// What both transports that serve the renderer send with it (web mode's HTTP server and the desktop app's spine://
// protocol): one Content-Security-Policy and one table of content types. Pure data, shared so the two cannot drift.

/**
 * The renderer's CSP: vtk.js renders with WebGL2 and needs no eval; React's style attributes need inline styles;
 * volumes and API calls go to the app's own origin. Fill between slices compiles ITK's pipeline (itk-wasm, shipped
 * in the app's own itk-pipelines/ folder) with WebAssembly.compile: 'wasm-unsafe-eval' allows compiling wasm only
 * (no eval of JavaScript), and the emscripten loader fetches its inlined `data:` URL, hence `connect-src data:`.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // electronegativity CSP_GLOBAL_CHECK ("CSP directives seem vulnerable", medium) accepted for this one directive:
  // inline styles only (React style attributes, vtk.js canvas sizing), no inline scripts, no eval, no remote hosts.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Content types of the built renderer's files, by extension. */
export const RENDERER_MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};
