// The tool registry: the toolbar, hotkeys and help are generated from this list. Adding a tool = one file
// plus a line here and its test.
import brush from './brush.tool.js';
import eraser from './eraser.tool.js';
import fill from './fill.tool.js';
import threshold from './threshold.tool.js';
import thresholdFill from './thresholdFill.tool.js';
import ruler from './ruler.tool.js';
import angle from './angle.tool.js';
import type { Tool, ToolId } from './types.js';

export const TOOLS: readonly Tool[] = [brush, eraser, threshold, fill, thresholdFill, ruler, angle];

export function toolById(id: ToolId): Tool {
  const t = TOOLS.find((x) => x.id === id);
  if (!t) throw new Error(`unknown tool ${id}`);
  return t;
}

/** Rulers and angles: tools that write no labels (they stay usable on a read-only series). */
export function isMeasureTool(id: ToolId | null): boolean {
  return id !== null && toolById(id).kind === 'measure';
}

export type { MeasureTool, Tool, ToolId, ToolSettings } from './types.js';
export { DEFAULT_SETTINGS } from './defaults.js';
