// The app store: session (dataset, series, open series, annotator), tool and display state, dialogs, and the
// viewer reference. App.tsx and the features read it with useApp(selector); event handlers read appStore.get().
// Volumes stay in the OpenedSeries object it references, never copied into state.
import type { DatasetSummary, GradingProgress, SeriesSummary, SessionInfo } from '../../common/contract.js';
import type { MenuCommand } from '../../common/commands.js';
import type { ProbeInfo } from '../features/statusbar/StatusBar.js';
import type { LabelRow } from '../features/labels/LabelPanel.js';
import type { LabelDisplay, Layout, ViewId, Viewer } from '../viewer/index.js';
import type { OpenedSeries } from './loadSeries.js';
import { DEFAULT_SETTINGS, type ToolId, type ToolSettings } from '../tools/index.js';
import { createChannel, createStore, fieldSetter, useStore } from './store.js';

/** How long the last series open took, by phase (the viewer bench and e2e tests read it). */
export interface OpenTiming {
  seriesId: string;
  /** openSeries call: file read + decode in main, plus the JSON round trip. */
  openMs: number;
  /** Raw-byte transfer of image and labels. */
  transferMs: number;
  /** From volumes in hand to the first complete render. */
  firstRenderMs: number;
  totalMs: number;
}

export interface AppState {
  // --- session --- //
  dataset: DatasetSummary | null;
  series: SeriesSummary[];
  session: SessionInfo | null;
  opened: OpenedSeries | null;
  lastOpen: OpenTiming | null;
  busy: string | null;
  error: string | null;
  progress: ReadonlyMap<number, GradingProgress>;
  // --- display --- //
  viewer: Viewer | null;
  display: LabelDisplay;
  layout: Layout;
  /** The view under the pointer (keys such as M and PageUp act on it). */
  hoverView: ViewId;
  probe: ProbeInfo | null;
  labelRows: LabelRow[];
  // --- editing --- //
  /** The chosen tool (null = navigate). */
  tool: ToolId | null;
  toolSettings: ToolSettings;
  /** Why the open series' labels cannot be edited, or null. */
  labelsReadOnly: string | null;
  // --- dialogs and focus requests --- //
  showHelp: boolean;
  showAbout: boolean;
  exportOpen: boolean;
  askAnnotator: boolean;
  /** Incremented by D: the grading dock takes focus. */
  gradingFocus: number;
}

export const DEFAULT_DISPLAY: LabelDisplay = { opacity: 0.5, mode: 'fill', hidden: new Set(), allHidden: false };

export const appStore = createStore<AppState>({
  dataset: null, series: [], session: null, opened: null, lastOpen: null, busy: null, error: null, progress: new Map(),
  viewer: null, display: DEFAULT_DISPLAY, layout: { kind: '1+2', large: 'sagittal', maximised: null }, hoverView: 'sagittal', probe: null, labelRows: [],
  showHelp: false, showAbout: false, exportOpen: false, askAnnotator: false, gradingFocus: 0,
  tool: null, toolSettings: DEFAULT_SETTINGS, labelsReadOnly: null,
});

export function useApp<U>(select: (s: AppState) => U): U {
  return useStore(appStore, select);
}

/** Native-menu commands, from the desktop bridge (and the e2e hook, standing in for the native menu). */
export const menuCommands = createChannel<MenuCommand>();

/** useState-style setters of app-store fields: module constants, so stable for hooks. */
export const setDataset = fieldSetter(appStore, 'dataset');
export const setSeries = fieldSetter(appStore, 'series');
export const setOpened = fieldSetter(appStore, 'opened');
export const setError = fieldSetter(appStore, 'error');
export const setBusy = fieldSetter(appStore, 'busy');
export const setDisplay = fieldSetter(appStore, 'display');
export const setLayout = fieldSetter(appStore, 'layout');
export const setProbe = fieldSetter(appStore, 'probe');
export const setViewer = fieldSetter(appStore, 'viewer');
export const setShowHelp = fieldSetter(appStore, 'showHelp');
export const setSession = fieldSetter(appStore, 'session');
export const setAskAnnotator = fieldSetter(appStore, 'askAnnotator');
export const setProgress = fieldSetter(appStore, 'progress');
export const setGradingFocus = fieldSetter(appStore, 'gradingFocus');
export const setExportOpen = fieldSetter(appStore, 'exportOpen');
export const setShowAbout = fieldSetter(appStore, 'showAbout');
export const setTool = fieldSetter(appStore, 'tool');
export const setToolSettings = fieldSetter(appStore, 'toolSettings');
export const setLabelsReadOnly = fieldSetter(appStore, 'labelsReadOnly');
