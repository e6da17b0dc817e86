// Keys that go nowhere say so (issue 15 item 3). The window's key handler (App.tsx) asks this reporter about
// every key it sees after the viewer and the grading dock had theirs; it returns the status bar's words, and
// whether the key is to be dropped instead of run.
//
// Behaviour (documented in docs/ARCHITECTURE.md §10):
// - A single-character key without a binding in the current context: "x: no shortcut in the views" (in the
//   grading dock: "… in the grading dock or the views"). Digits and M in the views also say how to reach the
//   dock: "Grading keys work in the grading dock — press d to focus it".
// - 1–3 in the views keep their layouts (1+2, 2×2, 1×3), and the status bar adds that they did not grade.
// - M in the views keeps maximising the view under the pointer; a digit 0–3 within SEQUENCE_MS after it is a
//   Modic grade typed outside the dock: it is dropped (no layout change) and reported.
import type { Command, CommandContext } from '../../commands.js';

export const DOCK_HINT = 'Grading keys work in the grading dock — press d to focus it';

/** How long after M a digit counts as the second key of a Modic sequence. */
export const SEQUENCE_MS = 1500;

export interface KeyReport {
  message: string;
  /** Drop the key: do not run its command. */
  drop: boolean;
}

type KeyInfo = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>;

/** Keys worth a word: one printable character (not Space, which presses buttons), without Ctrl, Cmd or Alt. */
function reportable(e: KeyInfo): boolean {
  return e.key.length === 1 && e.key !== ' ' && !e.ctrlKey && !e.metaKey && !e.altKey;
}

/**
 * A reporter with its own memory of the last M (for the M-then-digit sequence). `dockShown`: a series is open,
 * so there is a grading dock to point to. `command`: what the key runs in `context` (null: nothing).
 */
export function createKeyReporter(now: () => number = () => performance.now()) {
  let mAt = -Infinity;
  return (context: CommandContext, e: KeyInfo, command: Command | null, dockShown: boolean): KeyReport | null => {
    if (!reportable(e)) return null;
    const key = e.key;
    const afterM = now() - mAt <= SEQUENCE_MS;
    mAt = -Infinity;
    if (context !== 'viewer') {
      if (command || context !== 'grading') return null;
      return { message: `${key}: no shortcut in the grading dock or the views (? lists them)`, drop: false };
    }
    const digit = /^[0-9]$/.test(key);
    if (dockShown && afterM && /^[0-3]$/.test(key)) {
      return { message: `M ${key} went to the views, not the dock: nothing graded (M maximised the view). ${DOCK_HINT}`, drop: true };
    }
    if (key === 'm' && command) {
      mAt = now();
      return null;
    }
    if (!command) {
      return { message: dockShown && digit ? `${key}: no shortcut in the views, nothing graded. ${DOCK_HINT}` : `${key}: no shortcut in the views (? lists them)`, drop: false };
    }
    // "Layout 1+2: one large view, two small" → "Layout 1+2".
    if (dockShown && digit) return { message: `${key}: ${command.label.split(':')[0]!}, not a Pfirrmann grade. ${DOCK_HINT}`, drop: false };
    return null;
  };
}

export type KeyReporter = ReturnType<typeof createKeyReporter>;
