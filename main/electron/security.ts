// Security settings of the desktop window (Electron's security checklist) that are data: the
// Content-Security-Policy the spine:// protocol sends and which URLs count as the app. The window's
// webPreferences are written out in main.ts, where the electronegativity scan reads them.
import { SPINE_APP_HOST, SPINE_SCHEME } from '../../common/desktop.js';
import { RENDERER_CSP } from '../../common/rendererPolicy.js';

/** The renderer's CSP, served with every spine://app response: the same as web mode's (common/rendererPolicy.ts). */
export const DESKTOP_CSP = RENDERER_CSP;

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
