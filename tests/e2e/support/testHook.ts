// The e2e side of renderer/testHooks.ts: installs window.__spineTestHook before the page's scripts run; the app
// hands it its store (read-only) and menu channel, and it builds window.__spine (viewer, lastOpen, menu, store)
// for the tests. Runs inside the page: self-contained, no imports at run time.
import type { Page } from 'playwright-core';
import type { TestHookTarget } from '../../../renderer/testHooks.js';

function install(): void {
  window.__spineTestHook = (target: TestHookTarget) => {
    window.__spine = {
      get viewer() {
        return target.store.get().viewer;
      },
      get lastOpen() {
        return target.store.get().lastOpen;
      },
      menu: target.menu,
      store: target.store,
    };
  };
}

/** Installs the test hook in every document the page loads from now on (call before page.goto). */
export async function installTestHook(page: Page): Promise<void> {
  await page.addInitScript(install);
}
