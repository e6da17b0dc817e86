// Editing toolbar: tool buttons generated from the tool registry (key hints from the command registry), brush size and shape, paint mode, threshold range
// (sampled by key I or by a click in a view), the fills' size limit, and the save state from main's acknowledgements
// (with Retry / Discard while saving is paused). Read-only labels: only Navigate. Two rows of fixed height (tools;
// options), so choosing a tool never moves the views; a row too long for the window scrolls sideways.
import { labelInfo, isKnownLabel } from '../../../common/labels.js';
import type { SaveState } from '../../editing/editSession.js';
import { keyHint } from '../../commands.js';
import { isMeasureTool, TOOLS, type ToolId, type ToolSettings } from '../../tools/index.js';

export interface ToolBarProps {
  tool: ToolId | null;
  onTool: (t: ToolId | null) => void;
  settings: ToolSettings;
  onSettings: (s: ToolSettings) => void;
  saveState: SaveState;
  /** Intensity under the cursor (shown next to the range while sampling). */
  sampleValue: number | null;
  imageRange: [number, number];
  presentLabels: number[];
  /** Why the labels cannot be edited; null when they can. */
  readOnly: string | null;
  /** While saving is paused: try again now / give up the edits not yet saved. */
  onRetry: () => void;
  onDiscard: () => void;
}

function modeValue(m: ToolSettings['mode']): string {
  return typeof m === 'string' ? m : `inside:${m.inside}`;
}

function parseMode(v: string): ToolSettings['mode'] {
  if (v === 'overwrite' || v === 'background-only') return v;
  return { inside: Number(v.slice('inside:'.length)) };
}

export function SaveIndicator({ state, onRetry, onDiscard }: { state: SaveState; onRetry: () => void; onDiscard: () => void }) {
  switch (state.kind) {
    case 'saving':
      return <span className="saved-pending" data-testid="save-state">saving {state.pending}…</span>;
    case 'paused':
      return (
        <span className="save-paused">
          <span className="saved-error" data-testid="save-state" title={state.message}>
            paused: {state.pending} edit{state.pending === 1 ? '' : 's'} not saved yet — {state.message}
          </span>
          <button onClick={onRetry} data-testid="save-retry" title="Send the waiting edits now">Retry</button>
          <button onClick={onDiscard} data-testid="save-discard" title="Give up the edits not saved yet (they are taken back on screen)">Discard</button>
        </span>
      );
    case 'error':
      return <span className="saved-error" data-testid="save-state" title={state.message}>{state.message}</span>;
    case 'readOnly':
      return <span className="saved-error" data-testid="save-state" title={state.reason}>read-only</span>;
    case 'saved':
      return <span className="saved-ok" data-testid="save-state">{state.at ? `saved ${new Date(state.at).toLocaleTimeString()}` : 'saved'}</span>;
  }
}

export function ToolBar({ tool, onTool, settings, onSettings, saveState, sampleValue, imageRange, presentLabels, readOnly, onRetry, onDiscard }: ToolBarProps) {
  const set = (patch: Partial<ToolSettings>): void => onSettings({ ...settings, ...patch });
  const thresholdTool = tool === 'threshold' || tool === 'thresholdFill';
  const fillTool = tool === 'fill' || tool === 'thresholdFill';
  const measuring = isMeasureTool(tool);
  const step = Math.max((imageRange[1] - imageRange[0]) / 500, Number.EPSILON);
  return (
    <div className="tool-bar" data-testid="toolbar">
      <div className="tool-row">
        <span className="segmented" aria-label="Tools">
          <button className={tool === null ? 'on' : ''} onClick={() => onTool(null)} title={`Navigate${keyHint('navigate')}`}>Navigate</button>
          {TOOLS.map((t) => (
            <button
              key={t.id}
              className={tool === t.id ? 'on' : ''}
              onClick={() => onTool(t.id)}
              disabled={readOnly !== null && t.kind !== 'measure'}
              title={readOnly !== null && t.kind !== 'measure' ? `Labels read-only: ${readOnly}` : `${t.title}${keyHint(`tool:${t.id}`)}`}
              data-tool={t.id}
            >
              {t.title}
            </button>
          ))}
        </span>
        <span className="spacer" />
        <SaveIndicator state={saveState} onRetry={onRetry} onDiscard={onDiscard} />
      </div>
      <div className="tool-row tool-options" data-testid="tool-options">
        {measuring ? (
          <span className="muted" data-testid="measure-help">
            {tool === 'angle' ? 'Angle: click three points in a view, the vertex second.' : 'Ruler: drag in a view, or click both ends.'} Measurements are listed in the right-hand panel.
          </span>
        ) : (
          <>
        <label title={`Brush radius in mm${keyHint('brush-smaller')}${keyHint('brush-larger')}`}>
          Radius
          <input type="range" min={0.5} max={30} step={0.5} value={settings.radiusMm} aria-label="Brush radius" onChange={(e) => set({ radiusMm: Number(e.target.value) })} />
          <span className="num">{settings.radiusMm.toFixed(1)} mm</span>
        </label>
        <label title="3-D brush: a sphere across slices">
          <input type="checkbox" checked={settings.brush3d} aria-label="3-D brush" onChange={(e) => set({ brush3d: e.target.checked })} /> 3-D
        </label>
        {settings.brush3d && (
          <label>
            slices
            <input type="number" min={1} max={99} step={2} value={settings.throughPlaneSlices} aria-label="Slices" style={{ width: 48 }} onChange={(e) => set({ throughPlaneSlices: Math.max(1, Number(e.target.value) || 1) })} />
          </label>
        )}
        <label>
          Paint
          <select aria-label="Paint mode" value={modeValue(settings.mode)} onChange={(e) => set({ mode: parseMode(e.target.value) })}>
            <option value="overwrite">over everything</option>
            <option value="background-only">only background</option>
            {presentLabels.map((v) => (
              <option key={v} value={`inside:${v}`}>only inside {isKnownLabel(v) ? labelInfo(v).name : v}</option>
            ))}
          </select>
        </label>
        {thresholdTool && (
          <span className="threshold-controls">
            <input type="range" aria-label="Threshold low slider" min={imageRange[0]} max={imageRange[1]} step={step} value={settings.threshold[0]} onChange={(e) => set({ threshold: [Number(e.target.value), Math.max(Number(e.target.value), settings.threshold[1])] })} />
            <input type="range" aria-label="Threshold high slider" min={imageRange[0]} max={imageRange[1]} step={step} value={settings.threshold[1]} onChange={(e) => set({ threshold: [Math.min(settings.threshold[0], Number(e.target.value)), Number(e.target.value)] })} />
            <label>
              low
              <input type="number" aria-label="Threshold low" step={step} value={settings.threshold[0]} style={{ width: 70 }} onChange={(e) => set({ threshold: [Number(e.target.value), settings.threshold[1]] })} />
            </label>
            <label>
              high
              <input type="number" aria-label="Threshold high" step={step} value={settings.threshold[1]} style={{ width: 70 }} onChange={(e) => set({ threshold: [settings.threshold[0], Number(e.target.value)] })} />
            </label>
            <button
              className={settings.sampleClick ? 'on' : ''}
              aria-pressed={settings.sampleClick}
              data-testid="threshold-sample"
              title={`Sample: the next click in a view centres the range on the intensity there (±10 % of the image range) and paints nothing${keyHint('threshold-sample')}: the intensity under the pointer at once`}
              onClick={() => set({ sampleClick: !settings.sampleClick })}
            >
              {settings.sampleClick ? `Sampling… ${sampleValue === null ? '' : Number(sampleValue.toPrecision(5))}` : 'Sample'}
            </button>
            {tool === 'thresholdFill' && (
              <label>
                <input type="checkbox" checked={settings.fill3d} aria-label="Fill in 3-D" onChange={(e) => set({ fill3d: e.target.checked })} /> 3-D
              </label>
            )}
          </span>
        )}
        {fillTool && (
          <label title={`A fill writes nothing when its region is larger than this share of the ${tool === 'thresholdFill' && settings.fill3d ? 'volume' : 'slice'}`}>
            max
            {tool === 'thresholdFill' && settings.fill3d ? (
              <input type="number" min={0.5} max={100} step={0.5} value={settings.maxFill3dPercent} aria-label="Largest fill, percent" style={{ width: 52 }} onChange={(e) => set({ maxFill3dPercent: Math.min(100, Math.max(0.5, Number(e.target.value) || 0.5)) })} />
            ) : (
              <input type="number" min={1} max={100} step={1} value={settings.maxFillPercent} aria-label="Largest fill, percent" style={{ width: 52 }} onChange={(e) => set({ maxFillPercent: Math.min(100, Math.max(1, Number(e.target.value) || 1)) })} />
            )}
            % of the {tool === 'thresholdFill' && settings.fill3d ? 'volume' : 'slice'}
          </label>
        )}
        {tool === 'fill' && <span className="muted small" title="A region reaching the slice's edge has leaked through a gap">edge: Shift+click</span>}
          </>
        )}
      </div>
    </div>
  );
}
