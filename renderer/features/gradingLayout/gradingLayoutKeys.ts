// Keys and menu commands around the grading layout (App.tsx asks before it runs a registry command):
// - while the layout is open it is navigate-only: the editing tools and the commands that write labels (undo, redo,
//   accepting a previewed operation, the level shift …) would act on the normal views hidden under it, so they are
//   refused with a word in the status bar instead;
// - ← / → / Home step the layout's views: with the layout closed they say so instead of doing nothing;
// - Shift+G without an open series says that a series is needed (the layout would otherwise open later, unasked).
import { formatKey, type Command } from '../../commands.js';
import { appStore } from '../../state/appStore.js';
import { isGradingLayoutOpen } from './gradingLayoutState.js';

/** The layout's own steps. */
const STEPS = new Set(['grading-mid-previous', 'grading-mid-next', 'grading-mid']);

/** How a command is named in the status bar: its first key, else its label up to a colon. */
const named = (c: Command): string => (c.keys[0] ? formatKey(c.keys[0]) : c.label.split(':')[0]!);

/** The status bar's words when `c` is not to run because of the grading layout, else null (run it). */
export function gradingLayoutRefusal(c: Command): string | null {
  if (isGradingLayoutOpen()) {
    if (c.tool || c.edits) {
      return `${named(c)}: the grading layout is navigate-only — close it with Shift+G to edit`;
    }
    return null;
  }
  if (STEPS.has(c.id)) return `${named(c)}: steps the views of the grading layout, which is closed — open it with Shift+G`;
  if (c.id === 'grading-layout' && !appStore.get().opened) return `${named(c)}: the grading layout needs an open series — open one from the worklist first`;
  return null;
}
