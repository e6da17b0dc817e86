// Security settings of the desktop window (Electron's security checklist) that are data: the
// Content-Security-Policy the spine:// protocol sends and which URLs count as the app. The window's
// webPreferences are written out in main.ts, where the electronegativity scan reads them.
import { SPINE_APP_HOST, SPINE_SCHEME } from '../../common/desktop.js';

/**
 * The renderer's CSP, served with every spine://app response. The same directives as web mode
 * (main/server/http.ts; a test keeps them equal): vtk.js renders with WebGL2 and needs no eval; React's style
 * attributes need 'unsafe-inline' styles; volumes are fetched from the app's own origin.
 */
export const DESKTOP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // electronegativity CSP_GLOBAL_CHECK ("CSP directives seem vulnerable", medium) accepted for this one directive:
  // inline styles only (React style attributes, vtk.js canvas sizing), no inline scripts, no eval, no remote hosts.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * True for URLs of the app itself (spine://app/…). Compared by scheme and host: Node's URL gives custom schemes
 * the opaque origin "null", so `origin` cannot be compared.
 */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${SPINE_SCHEME}:` && u.host === SPINE_APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
