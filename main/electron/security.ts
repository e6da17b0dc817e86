// Security settings of the desktop window in one place (Electron's security checklist): web preferences, the
// Content-Security-Policy the spine:// protocol sends, and which URLs count as the app. Plain data and pure
// functions, so the tests check them without the Electron binary.
import { SPINE_APP_HOST, SPINE_SCHEME } from '../../common/desktop.js';

/**
 * The renderer's CSP, served with every spine://app response. The same directives as web mode
 * (main/server/http.ts; a test keeps them equal): vtk.js renders with WebGL2 and needs no eval; React's style
 * attributes need 'unsafe-inline' styles; volumes are fetched from the app's own origin.
 */
export const DESKTOP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** webPreferences of the one window: isolated, sandboxed, no Node, web security on (never turned off). */
export function secureWebPreferences(preload: string): {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  spellcheck: false;
} {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  };
}

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
