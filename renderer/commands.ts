// The command registry: every key, pointer gesture and menu command the workstation answers to, as data. The
// window's key handler and the native-menu dispatch (App.tsx), the tool buttons' titles (ToolBar) and the `?`
// overlay (ShortcutOverlay) are generated from it; the native menu itself comes from common/commands.ts, which
// `menu` points into. Pure: no React, no DOM.
import { menuEntry, parseKey, type MenuCommand } from '../common/commands.js';
import { gradingFieldSpec } from '../common/gradings.js';
import { FINDING_KEYS } from './features/grading/GradingPanel.js';
import { TOOLS, type ToolId } from './tools/index.js';

/** Where a command applies: the views (the default), the focused grading dock, or an open dialog. */
export type CommandContext = 'viewer' | 'grading' | 'dialog';

export const CONTEXTS: ReadonlyArray<{ id: CommandContext; title: string; note: string }> = [
  { id: 'viewer', title: 'Viewer', note: 'anywhere but text fields; a key without a shortcut says so in the status bar' },
  { id: 'grading', title: 'Grading dock', note: 'while the dock has focus (D); other keys go to the viewer' },
  { id: 'dialog', title: 'Dialogs', note: 'while a dialog or this overlay is open' },
];

/**
 * Who reads a command's input: `app` = the window key handler in App.tsx (and the native menu) runs the action
 * bound to the id; `viewer`, `grading-dock` and `dialog` handle their own pointer or keys, and the registry only
 * documents them (the e2e test checks they still do what it says).
 */
export type CommandOwner = 'app' | 'viewer' | 'grading-dock' | 'dialog';

export interface Command {
  id: string;
  label: string;
  context: CommandContext;
  /** Keys in common/commands.ts syntax ('b', 'S' = Shift+S, 'Mod+z', 'PageUp'); empty for gestures and menu-only commands. */
  keys: readonly string[];
  /** How the input is shown when not key by key: a range ('1–5'), a sequence or a pointer gesture. */
  shown?: string;
  owner: CommandOwner;
  /** The native-menu command that runs it too. */
  menu?: MenuCommand;
  /** The editing tool it selects. */
  tool?: ToolId;
  /** Edits the open series' labels or sets what the editing tools write (refused where labels are not editable,
   *  e.g. in the navigate-only grading layout). */
  edits?: true;
}

const toolCommands: Command[] = TOOLS.map((t) => ({ id: `tool:${t.id}`, label: t.title, context: 'viewer', keys: [t.hotkey], owner: 'app', tool: t.id }));

/** Commands App.tsx binds to actions (besides the tool commands); a missing binding is a type error there. */
const APP_COMMANDS = [
  { id: 'navigate', label: 'Navigate (no tool); cancels a previewed label operation', context: 'viewer', keys: ['Escape'], owner: 'app' },
  { id: 'brush-smaller', label: 'Brush smaller', context: 'viewer', keys: ['['], owner: 'app', edits: true },
  { id: 'brush-larger', label: 'Brush larger', context: 'viewer', keys: [']'], owner: 'app', edits: true },
  { id: 'label-previous', label: 'Previous label to paint', context: 'viewer', keys: [','], owner: 'app', edits: true },
  { id: 'label-next', label: 'Next label to paint', context: 'viewer', keys: ['.'], owner: 'app', edits: true },
  { id: 'threshold-sample', label: 'Threshold range from the intensity under the pointer (off the image: the next click samples)', context: 'viewer', keys: ['i'], owner: 'app', edits: true },
  { id: 'undo', label: 'Undo the last label edit', context: 'viewer', keys: ['Mod+z'], owner: 'app', edits: true, menu: 'undo' },
  { id: 'redo', label: 'Redo', context: 'viewer', keys: ['Mod+Shift+z', 'Mod+y'], owner: 'app', edits: true, menu: 'redo' },
  // After undo/redo: its e2e check leaves an undone edit behind (tests/e2e/commands.test.ts runs them in this order).
  { id: 'preview-accept', label: 'Accept the previewed label operation (fill between slices, grow …)', context: 'viewer', keys: ['Enter'], owner: 'app', edits: true },
  { id: 'slice-next', label: 'Next slice (view under the pointer)', context: 'viewer', keys: ['PageUp'], owner: 'app' },
  { id: 'slice-previous', label: 'Previous slice', context: 'viewer', keys: ['PageDown'], owner: 'app' },
  { id: 'auto-window', label: 'Automatic window (intensity percentiles)', context: 'viewer', keys: ['w'], owner: 'app' },
  { id: 'reset-view', label: 'Reset zoom and pan', context: 'viewer', keys: ['r'], owner: 'app' },
  { id: 'layout-large', label: 'Layout 1+2: one large view, two small', context: 'viewer', keys: ['1'], owner: 'app', menu: 'layout-large' },
  { id: 'layout-grid', label: 'Layout 2×2: three views and the 3-D view', context: 'viewer', keys: ['2'], owner: 'app', menu: 'layout-grid' },
  { id: 'layout-three', label: 'Layout 1×3: three equal views', context: 'viewer', keys: ['3'], owner: 'app', menu: 'layout-three' },
  { id: 'layout-large-view', label: 'Show the view under the pointer large (layout 1+2)', context: 'viewer', keys: ['L'], owner: 'app' },
  { id: 'layout-maximise', label: 'Maximise the view under the pointer / restore the layout', context: 'viewer', keys: ['m'], owner: 'app', menu: 'layout-maximise' },
  { id: 'grading-layout', label: "Grading layout: the patient's T1 / T2 sagittal views side by side, linked in mm / back", context: 'viewer', keys: ['G'], owner: 'app' },
  { id: 'grading-mid-previous', label: 'Grading layout: every view one slice towards the right (shown as mid −1 …)', context: 'viewer', keys: ['ArrowLeft'], owner: 'app' },
  { id: 'grading-mid-next', label: 'Grading layout: every view one slice towards the left (mid +1 …)', context: 'viewer', keys: ['ArrowRight'], owner: 'app' },
  { id: 'grading-mid', label: 'Grading layout: every view back to its mid-sagittal slice', context: 'viewer', keys: ['Home'], owner: 'app' },
  { id: 'panel-left', label: 'Collapse / expand the worklist panel', context: 'viewer', keys: ['{'], owner: 'app', menu: 'toggle-left-panel' },
  { id: 'panel-right', label: 'Collapse / expand the label panel', context: 'viewer', keys: ['}'], owner: 'app', menu: 'toggle-right-panel' },
  { id: 'labels-toggle', label: 'Hide / show all labels', context: 'viewer', keys: ['h'], owner: 'app', menu: 'toggle-overlay' },
  { id: 'labels-outline', label: 'Fill / outline labels', context: 'viewer', keys: ['o'], owner: 'app' },
  { id: 'compare-outline', label: 'Show / hide reader B\'s labels as outlines (Compare panel)', context: 'viewer', keys: ['O'], owner: 'app' },
  { id: 'crosshair-toggle', label: 'Hide / show the crosshair lines', context: 'viewer', keys: ['c'], owner: 'app' },
  { id: 'series-next', label: 'Next series of the patient (same point in mm)', context: 'viewer', keys: ['s'], owner: 'app' },
  { id: 'series-previous', label: 'Previous series of the patient', context: 'viewer', keys: ['S'], owner: 'app' },
  { id: 'grading-focus', label: 'Focus the grading dock (opens it when collapsed)', context: 'viewer', keys: ['d'], owner: 'app' },
  { id: 'level-shift', label: "Shift the open series' level naming as the level check above the grading dock proposes (only when it is certain)", context: 'viewer', keys: ['N'], owner: 'app', edits: true },
  { id: 'review-todo', label: 'Review status of the open series: to do', context: 'viewer', keys: ['T'], owner: 'app' },
  { id: 'review-in-progress', label: 'Review status: in progress', context: 'viewer', keys: ['P'], owner: 'app' },
  { id: 'review-done', label: 'Review status: done', context: 'viewer', keys: ['D'], owner: 'app' },
  { id: 'review-second-look', label: 'Review status: needs a second look', context: 'viewer', keys: ['Q'], owner: 'app' },
  { id: 'review-next', label: 'Next series to do (saves first; worklist order, wrapping)', context: 'viewer', keys: ['n'], owner: 'app' },
  { id: 'export', label: 'Export a revised dataset', context: 'viewer', keys: ['Mod+e'], owner: 'app', menu: 'export' },
  { id: 'dashboard', label: 'Dataset dashboard: progress, QA findings, label volumes, grades', context: 'viewer', keys: ['k'], owner: 'app' },
  { id: 'agreement', label: "Agreement between readers: Dice, Cohen's κ, confusion matrices", context: 'viewer', keys: ['K'], owner: 'app', menu: 'agreement' },
  { id: 'import-annotations', label: "Import another reader's annotations (a .spinepkg package)", context: 'viewer', keys: [], owner: 'app', menu: 'import-annotations' },
  { id: 'export-annotations', label: 'Export your annotations as a package for another workstation', context: 'viewer', keys: [], owner: 'app', menu: 'export-annotations' },
  { id: 'shortcuts', label: 'Keyboard shortcuts (this overlay)', context: 'viewer', keys: ['?'], owner: 'app', menu: 'shortcuts' },
  { id: 'about', label: 'About the workstation', context: 'viewer', keys: [], owner: 'app', menu: 'about' },
  { id: 'dialog-close', label: 'Close the dialog or this overlay', context: 'dialog', keys: ['Escape'], owner: 'app' },
] as const satisfies readonly Command[];

export type AppCommandId = (typeof APP_COMMANDS)[number]['id'];

const MOD_LABEL = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

const gestures: Command[] = [
  { id: 'crosshair', label: 'Move the crosshair (the other views follow)', shown: 'left click / drag' },
  { id: 'pick-label', label: 'Pick the label under the pointer to paint', shown: `${MOD_LABEL}+click` },
  { id: 'fill-edge', label: 'Fill region: fill even a region that reaches the slice edge', shown: 'Shift+click' },
  { id: 'wheel-slice', label: 'Previous / next slice', shown: 'wheel' },
  { id: 'zoom', label: 'Zoom about the pointer', shown: `${MOD_LABEL}+wheel, Shift+left drag` },
  { id: 'pan', label: 'Pan', shown: `middle drag, ${MOD_LABEL}+left drag` },
  { id: 'window-level', label: 'Window (horizontal) / level (vertical)', shown: 'right drag' },
].map((g) => ({ ...g, context: 'viewer', keys: [], owner: 'viewer' }));

const gradingCommands: Command[] = [
  { id: 'grading-previous', label: 'Previous disc level (crosshair follows)', keys: ['ArrowUp'] },
  { id: 'grading-next', label: 'Next disc level (crosshair follows)', keys: ['ArrowDown'] },
  { id: 'grading-pfirrmann', label: 'Pfirrmann grade', keys: ['1', '2', '3', '4', '5'], shown: '1–5' },
  { id: 'grading-modic', label: 'Modic type', keys: ['m'], shown: 'M then 0–3' },
  ...FINDING_KEYS.map(([key, field]) => ({ id: `grading-toggle-${field}`, label: `Toggle ${gradingFieldSpec(field).title.toLowerCase()}`, keys: [key] })),
  { id: 'grading-reviewed', label: 'Mark the level reviewed and go to the next', keys: ['Enter'] },
  { id: 'grading-undo', label: 'Undo the last grading change of the patient', keys: ['Mod+z'], menu: 'undo' as const },
  { id: 'grading-leave', label: 'Leave the dock (keys go to the viewer again)', keys: ['Escape'] },
].map((c) => ({ ...c, context: 'grading', owner: 'grading-dock' }));

/** Every command, in the order the overlay lists them. */
export const COMMANDS: readonly Command[] = [...toolCommands, ...APP_COMMANDS, ...gestures, ...gradingCommands];

export function commandById(id: string): Command {
  const c = COMMANDS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown command ${id}`);
  return c;
}

/** Whether a key event is the key `spec`. A key without Mod ignores events with Ctrl, Cmd or Alt. */
export function keyMatches(spec: string, e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): boolean {
  const k = parseKey(spec);
  const mod = e.ctrlKey || e.metaKey;
  if (k.mod !== mod) return false;
  if (k.mod) return e.key.toLowerCase() === k.key.toLowerCase() && e.shiftKey === k.shift;
  return !e.altKey && e.key === k.key;
}

/** The command of `context` a key event triggers, if any. */
export function commandForKey(context: CommandContext, e: Parameters<typeof keyMatches>[1]): Command | null {
  return COMMANDS.find((c) => c.context === context && c.keys.some((k) => keyMatches(k, e))) ?? null;
}

/** The command a native-menu command runs in a context: the context's own, else the viewer's. */
export function commandForMenu(context: CommandContext, menu: MenuCommand): Command | null {
  return COMMANDS.find((c) => c.context === context && c.menu === menu) ?? COMMANDS.find((c) => c.context === 'viewer' && c.menu === menu) ?? null;
}

const KEY_NAMES: Record<string, string> = { Escape: 'Esc', ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→', ' ': 'Space' };

/** A key as people read it: 'Mod+Shift+z' → 'Ctrl+Shift+Z', 'S' → 'Shift+S', 'Escape' → 'Esc'. */
export function formatKey(spec: string): string {
  const k = parseKey(spec);
  const letter = k.key.length === 1 && k.key.toLowerCase() !== k.key.toUpperCase();
  const shift = k.shift || (letter && !k.mod && k.key === k.key.toUpperCase());
  return [k.mod ? MOD_LABEL : '', shift ? 'Shift' : '', KEY_NAMES[k.key] ?? (letter ? k.key.toUpperCase() : k.key)].filter(Boolean).join('+');
}

/** What the overlay shows for a command's input: its keys, its gesture, or where it is in the native menu. */
export function shownInput(c: Command): string {
  if (c.shown) return c.shown;
  if (c.keys.length) return c.keys.map(formatKey).join(' / ');
  if (c.menu) {
    const e = menuEntry(c.menu);
    return `menu ${e.menu} ▸ ${e.label.replace(' {app}', '')}`;
  }
  return '';
}

/** The key hint of a command for a button title: ' (B)', or '' without keys. */
export function keyHint(id: string): string {
  const c = commandById(id);
  return c.keys.length ? ` (${c.keys.map(formatKey).join(' / ')})` : '';
}

const TEXT_INPUTS = new Set(['text', 'search', 'number', 'email', 'password', 'url', 'tel']);

/** Keys typed into a text field are text, not shortcuts (checkboxes and sliders do not count). */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  if (t instanceof HTMLInputElement) return TEXT_INPUTS.has(t.type);
  return t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable;
}
