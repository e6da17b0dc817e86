// What the desktop app remembers in Electron's user-data folder: recent datasets and the window's bounds
// (desktop-state.json) and, through core's fileAnnotatorMemory, the annotator's name (settings.json).
// Pure helpers plus one small JSON file written atomically; a missing or broken file means defaults.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const MAX_RECENT = 10;

const boundsSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(400).max(20000),
  height: z.number().int().min(300).max(20000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof boundsSchema>;

const stateSchema = z.object({
  recentDatasets: z.array(z.string().min(1).max(4096)).max(50).catch([]),
  window: boundsSchema.nullable().catch(null),
});
export type DesktopState = z.infer<typeof stateSchema>;

export const DEFAULT_STATE: DesktopState = { recentDatasets: [], window: null };

export function desktopStateFile(userData: string): string {
  return join(userData, 'desktop-state.json');
}

/** The annotator's name file (core's fileAnnotatorMemory) in the user-data folder. */
export function annotatorFile(userData: string): string {
  return join(userData, 'settings.json');
}

/** `path` first, without duplicates, at most MAX_RECENT entries. */
export function withRecent(recent: readonly string[], path: string): string[] {
  return [path, ...recent.filter((p) => p !== path)].slice(0, MAX_RECENT);
}

export function loadDesktopState(file: string): DesktopState {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : { ...DEFAULT_STATE };
  } catch {
    return { ...DEFAULT_STATE };
  }
}

export function saveDesktopState(file: string, state: DesktopState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Remembered bounds when they still overlap a display by at least 100×100 px (a monitor may have been
 * unplugged), else null (the window opens centred at its default size).
 */
export function visibleBounds(
  saved: WindowState | null,
  displays: readonly { x: number; y: number; width: number; height: number }[],
): WindowState | null {
  if (!saved) return null;
  const fits = displays.some((d) => {
    const w = Math.min(saved.x + saved.width, d.x + d.width) - Math.max(saved.x, d.x);
    const h = Math.min(saved.y + saved.height, d.y + d.height) - Math.max(saved.y, d.y);
    return w >= 100 && h >= 100;
  });
  return fits ? saved : null;
}
