// The workstation window: worklist | three linked views | labels, with a toolbar and a status bar.
// Session, display and dialog state live in the app store (state/appStore.ts); volumes stay outside state.
// Keys and menu commands come from the command registry (commands.ts).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { LabelPanel } from './features/labels/LabelPanel.js';
import { maskNote, StatusBar } from './features/statusbar/StatusBar.js';
import { ViewerPanel } from './features/viewer/ViewerPanel.js';
import { View3DPanel } from './features/view3d/View3DPanel.js';
import { Worklist } from './features/worklist/Worklist.js';
import { call, connection, desktopBridge } from './platform/api.js';
import type { ConnectionState } from './platform/connection.js';
import type { MenuCommand } from '../common/desktop.js';
import { useOpenSeries } from './state/useOpenSeries.js';
import { ReviewPanel } from './features/review/ReviewPanel.js';
import { useReview } from './features/review/useReview.js';
import { useDiscNavigation } from './features/grading/useDiscNavigation.js';
import { autoWindow, SeriesControls } from './features/session/SeriesControls.js';
import { appStore, menuCommands, useApp } from './state/appStore.js';
import {
  setDataset, setSeries, setError, setDisplay, setProbe, setViewer, setShowHelp, setSession, setAskAnnotator, setProgress, setGradingFocus, setExportOpen, setShowAbout,
} from './state/appStore.js';
import { useLabelRecount } from './state/labelRows.js';
import { useEditing } from './editing/useEditing.js';
import { ToolBar } from './features/tools/ToolBar.js';
import { LabelOps } from './features/labels/LabelOps.js';
import { PreviewBar } from './features/labels/PreviewBar.js';
import { usePreviewOperation } from './ops/usePreviewOperation.js';
import { labelName } from './tools/describe.js';
import { viewFrames } from './viewer/index.js';
import { HistoryPanel } from './features/history/HistoryPanel.js';
import { MeasurementsPanel } from './features/measurements/MeasurementsPanel.js';
import { AboutDialog, AppTitle, DatasetProblems } from './features/session/AppChrome.js';
import { ShortcutOverlay } from './features/help/ShortcutOverlay.js';
import { commandForKey, commandForMenu, isTyping, type AppCommandId, type Command, type CommandContext } from './commands.js';
import { GradingPanel } from './features/grading/GradingPanel.js';
import { useGradings } from './features/grading/useGradings.js';
import { LevelCheck, useLevelCheck } from './features/grading/LevelCheck.js';
import { createKeyReporter } from './features/grading/keyReport.js';
import { AnnotatorDialog } from './features/session/AnnotatorDialog.js';
import { ExportDialog } from './features/export/ExportDialog.js';
import { DashboardButton, DashboardHost } from './features/dashboard/Dashboard.js';
import { openDashboard } from './features/dashboard/dashboardState.js';
import { AgreementButton, AgreementHost } from './features/agreement/AgreementPage.js';
import { openAgreement } from './features/agreement/agreementState.js';
import { openExportAnnotations, openImportAnnotations, PackagesHost } from './features/packages/PackagesHost.js';
import { toggleLeftPanel, toggleRightPanel } from './features/viewer/layoutPrefs.js';
import { layoutActions, useViewerLayout } from './features/viewer/LayoutControls.js';
import { PanelHead, RIGHT_SECTIONS } from './features/viewer/PanelHead.js';
import { ProblemsPanel } from './features/problems/ProblemsPanel.js';
import { ComparePanel } from './features/compare/ComparePanel.js';
import { toggleCompareOutline } from './features/compare/compareCommands.js';
import { useSeriesQaReport } from './features/problems/useSeriesQaReport.js';
import { GradingLayout, GradingLayoutButton, gradingLayoutActions, gradingLayoutLevel, gradingLayoutRefusal } from './features/gradingLayout/GradingLayout.js';

export function App() {
  const { series, opened, error, busy, display, probe, viewer, labelRows, showHelp, session, askAnnotator, progress, gradingFocus, exportOpen, showAbout } = useApp((s) => s);
  /** Whether main answers (the "service unreachable" banner). */
  const [link, setLink] = useState<ConnectionState>(connection.state());
  useEffect(() => connection.subscribe(setLink), []);

  const recount = useLabelRecount();
  const editing = useEditing(viewer, opened, recount);
  // Fill between slices and grow / shrink / smooth: computed off the UI thread, previewed, then kept or dropped.
  const preview = usePreviewOperation(
    {
      viewer, series: opened, labelVolume: editing.labelVolume, readOnly: editing.readOnly, commitPrepared: editing.commitPrepared, setMessage: editing.setMessage,
      guard: () => ({ mode: editing.settings.mode, locked: editing.settings.locked }),
    },
    labelName,
  );
  const sliceAxes = useMemo(() => {
    if (!opened) return null;
    try {
      const f = viewFrames(opened.info.image.geometry);
      return { sagittal: f.sagittal.sliceAxis, coronal: f.coronal.sliceAxis, axial: f.axial.sliceAxis };
    } catch {
      return null; // too oblique for the views: the viewer refuses it anyway
    }
  }, [opened]);
  const { pending, idle } = editing;

  const refreshProgress = useCallback(() => {
    call('gradingProgress', {})
      .then((list) => setProgress(new Map(list.map((p) => [p.patientId, p]))))
      .catch(() => undefined); // the worklist keeps its last figures; grading errors show in the panel
  }, []);
  const gradings = useGradings(opened?.info.patientId ?? null, refreshProgress);
  const reloadGradings = gradings.reload;
  // Once a patient's levels are loaded its masks are measured: the worklist count includes their discs.
  useEffect(() => {
    if (!gradings.loading && gradings.patientId !== null) refreshProgress();
  }, [gradings.loading, gradings.patientId, refreshProgress]);
  // Label edits change the disc-height hints: reload the levels shortly after the edits stop.
  const firstHistory = useRef(true);
  useEffect(() => {
    if (firstHistory.current) {
      firstHistory.current = false;
      return;
    }
    const t = setTimeout(() => reloadGradings(), 600);
    return () => clearTimeout(t);
  }, [editing.history, reloadGradings]);

  const qaReport = useSeriesQaReport(opened, editing);
  const levelCheck = useLevelCheck(opened, series, gradings, editing, qaReport);
  const { goToLevel, onViewerClick } = useDiscNavigation(viewer, editing.history, editing.tool !== null, gradings);

  useEffect(() => {
    Promise.all([call('getDataset', {}), call('listSeries', {}), call('getSession', {})])
      .then(([d, s, who]) => {
        setDataset(d);
        setSeries(s);
        setSession(who);
        refreshProgress();
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [refreshProgress]);

  /** Opens a series; keeps the crosshair at the same physical point when switching between siblings. */
  const open = useOpenSeries(viewer, pending, idle, recount);
  // Review status of the open series, "Next" and the prefetch of the next series to do.
  const review = useReview(open, editing.history);

  useEffect(() => {
    if (!viewer) return;
    const offCursor = viewer.onCursor((c) => {
      const s = appStore.get().opened;
      if (!c) return setProbe(null);
      if (c.view !== appStore.get().hoverView) appStore.set({ hoverView: c.view });
      if (!s || !c.inside) return setProbe(null);
      const [nx, ny] = s.info.image.geometry.size;
      const p = c.ijk[0] + nx * (c.ijk[1] + ny * c.ijk[2]);
      setProbe({ ijk: c.ijk, world: c.world, intensity: s.image[p] ?? NaN, label: s.labels[p] ?? 0 });
    });
    return () => offCursor();
  }, [viewer]);

  const lockedLabels = editing.settings.locked;
  useEffect(() => viewer?.setLabelDisplay({ ...display, locked: lockedLabels }), [viewer, display, lockedLabels]);
  // The viewer follows the store's layout; each annotator's layout and panels come back on start.
  const panels = useViewerLayout(viewer, session?.annotator ?? null);

  const siblings = useMemo(() => opened?.info.siblings ?? [], [opened]);
  const switchSibling = useCallback(
    (dir: 1 | -1) => {
      if (!opened || !viewer || siblings.length < 2) return;
      const i = siblings.indexOf(opened.info.seriesId);
      const next = siblings[(i + dir + siblings.length) % siblings.length]!;
      void open(next, viewer.getCrosshair());
    },
    [opened, viewer, siblings, open],
  );


  /** Which context keys and menu commands apply in: an open dialog, the focused grading dock, else the viewer. */
  const gradingSlot = useRef<HTMLDivElement>(null);
  const [reportKey] = useState(createKeyReporter);
  const activeContext = (): CommandContext => {
    if (showHelp || showAbout) return 'dialog';
    if (gradingSlot.current?.contains(document.activeElement)) return 'grading';
    return 'viewer';
  };
  const stepLabel = (dir: 1 | -1): void => {
    const present = labelRows.map((r) => r.value);
    if (!present.length) return;
    const i = present.indexOf(editing.settings.activeLabel);
    const next = present[(i + dir + present.length) % present.length]!;
    editing.setSettings((st) => ({ ...st, activeLabel: next }));
  };
  /** The actions of the registry's app commands (renderer/commands.ts). */
  const actions: Record<AppCommandId, () => void> = {
    'navigate': () => (preview.state.phase !== 'idle' && preview.cancel(), editing.setTool(null)),
    'preview-accept': () => preview.state.phase === 'preview' && preview.accept(),
    'brush-smaller': () => editing.setSettings((st) => ({ ...st, radiusMm: Math.max(0.5, st.radiusMm - 0.5) })),
    'brush-larger': () => editing.setSettings((st) => ({ ...st, radiusMm: Math.min(30, st.radiusMm + 0.5) })),
    'label-previous': () => stepLabel(-1),
    'label-next': () => stepLabel(1),
    'threshold-sample': () => editing.sampleThreshold(appStore.get().probe?.intensity ?? null),
    'undo': () => void editing.undo(),
    'redo': () => void editing.redo(),
    'slice-next': () => viewer?.scrollSlice(appStore.get().hoverView, 1),
    'slice-previous': () => viewer?.scrollSlice(appStore.get().hoverView, -1),
    'auto-window': () => autoWindow(viewer, opened),
    'reset-view': () => viewer?.resetViews(),
    ...layoutActions,
    ...gradingLayoutActions,
    'labels-toggle': () => setDisplay((d) => ({ ...d, allHidden: !d.allHidden })),
    'labels-outline': () => setDisplay((d) => ({ ...d, mode: d.mode === 'fill' ? 'outline' : 'fill' })),
    'compare-outline': toggleCompareOutline,
    'crosshair-toggle': () => viewer?.setCrosshairVisible(!viewer.isCrosshairVisible()),
    'series-next': () => switchSibling(1),
    'series-previous': () => switchSibling(-1),
    'grading-focus': () => setGradingFocus((n) => n + 1),
    'level-shift': levelCheck.shift,
    ...review.actions,
    'export': () => setExportOpen(true),
    'dashboard': openDashboard,
    'agreement': openAgreement,
    'import-annotations': openImportAnnotations,
    'export-annotations': openExportAnnotations,
    'shortcuts': () => setShowHelp((x) => !x),
    'about': () => setShowAbout(true),
    'dialog-close': () => (setShowHelp(false), setShowAbout(false)),
  };
  /** Runs a command of the registry; commands owned by a component (the grading dock, the viewer) run there. */
  const runCommand = (c: Command): boolean => {
    const refused = gradingLayoutRefusal(c); // navigate-only while open; its steps while closed
    if (refused) editing.setMessage(refused);
    else if (c.tool) editing.setTool(c.tool);
    else if (c.owner === 'app') actions[c.id as AppCommandId]();
    else return false;
    return true;
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      // The viewer and the grading dock handle keys they own and mark them handled.
      if (e.defaultPrevented || isTyping(e) || !viewer) return;
      const context = activeContext();
      // Keys a dialog or the grading dock leaves alone still reach the viewer.
      const c = commandForKey(context, e) ?? (context === 'viewer' ? null : commandForKey('viewer', e));
      // Keys that go nowhere, and grading keys typed outside the dock, say so (features/grading/keyReport.ts).
      const report = reportKey(context, e, c, opened !== null);
      if (report) editing.setMessage(report.message);
      if (report?.drop) e.preventDefault();
      else if (c && runCommand(c)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  /** Native-menu commands (desktop app): the registry's command for the menu entry in the current context. */
  const runMenu = (command: MenuCommand): void => {
    const c = commandForMenu(activeContext(), command);
    if (c?.id === 'grading-undo') gradings.undo(); // the dock's own key; the menu reaches it here
    else if (c) runCommand(c);
  };
  // Re-subscribed every render, so the handler always sees this render's editing and gradings.
  useEffect(() => menuCommands.subscribe(runMenu));
  useEffect(() => desktopBridge()?.onMenuCommand((c) => menuCommands.emit(c)), []);

  const voxelVolume = useMemo(() => {
    const sp = opened?.info.image.geometry.spacing;
    return sp ? sp[0] * sp[1] * sp[2] : 0;
  }, [opened]);
  const openSummary = series.find((s) => s.id === opened?.info.seriesId);

  return (
    <div className="app">
      <header className="toolbar">
        <AppTitle />
        <DashboardButton />
        <AgreementButton />
        <GradingLayoutButton enabled={opened !== null} />
        <span className="spacer" />
        {opened && (
            <SeriesControls viewer={viewer} opened={opened} onSibling={(id) => viewer && void open(id, viewer.getCrosshair())} />
        )}
      </header>
      {opened && (
        <ToolBar
          tool={editing.tool}
          onTool={editing.setTool}
          settings={editing.settings}
          onSettings={editing.setSettings}
          saveState={editing.saveState}
          sampleValue={probe?.intensity ?? null}
          imageRange={opened.info.image.range}
          presentLabels={labelRows.map((r) => r.value)}
          readOnly={editing.readOnly}
          onRetry={editing.retry}
          onDiscard={editing.discard}
        />
      )}
      <main className={`workspace${panels.leftCollapsed ? ' left-collapsed' : ''}${panels.rightCollapsed ? ' right-collapsed' : ''}`}>
        <aside className="left" data-testid="left-panel">
          <PanelHead side="left" title="Worklist" collapsed={panels.leftCollapsed} onToggle={toggleLeftPanel} />
          <Worklist series={series} openId={opened?.info.seriesId ?? null} onOpen={(id) => void open(id)} progress={progress} />
        </aside>
        <section className="center">
          <div className="viewer-area" onClick={onViewerClick}>
            <ViewerPanel onViewer={setViewer} />
            <View3DPanel />
            <GradingLayout opened={opened} mainViewer={viewer} gradings={gradings} />
            {!opened && !busy && <div className="placeholder">Open a series from the worklist (arrows + Enter, or double-click).</div>}
            <div className="view-banners" onClick={(e) => e.stopPropagation()}>
              {!link.reachable && (
                <div className="banner banner-error" role="alert" data-testid="server-gone">
                  <span>
                    Service unreachable: the workstation&apos;s server is not answering ({link.message}).
                    {opened ? ' Label edits stay here and are saved when it answers again.' : ''}
                  </span>
                  <button onClick={editing.retry} data-testid="server-retry">Retry</button>
                </div>
              )}
              {opened && editing.readOnly !== null && (
                <div className="banner banner-warn" role="status" data-testid="readonly-banner">Labels read-only: {editing.readOnly}</div>
              )}
              {opened && editing.refusal !== null && (
                <div className="banner banner-error" role="alert" data-testid="save-refused">
                  <span>{editing.refusal}</span>
                  <button onClick={editing.dismissRefusal} aria-label="Dismiss" title="Dismiss">×</button>
                </div>
              )}
              {error && <div className="banner banner-error error-banner" role="alert">{error}</div>}
              <PreviewBar state={preview.state} onAccept={preview.accept} onCancel={preview.cancel} />
            </div>
          </div>
          {/* display: contents; tells whether focus is in the dock (the grading context of the commands). */}
          {opened && <LevelCheck state={levelCheck} />}
          <div className="grading-slot" ref={gradingSlot}>
            {opened && <GradingPanel gradings={gradings} onNavigate={(l) => (goToLevel(l), gradingLayoutLevel(l))} focusRequest={gradingFocus} onReport={editing.setMessage} />}
          </div>
        </section>
        <aside className="right" data-testid="right-panel">
          <PanelHead side="right" title="Labels" collapsed={panels.rightCollapsed} onToggle={toggleRightPanel} sections={opened ? RIGHT_SECTIONS : []} />
          {opened ? (
            <>
              <ReviewPanel summary={openSummary} review={review} />
              <ComparePanel viewer={viewer} opened={opened} editing={editing} gradings={gradings} onGoToLevel={goToLevel} />
              <LabelPanel
                rows={labelRows}
                voxelVolumeMm3={voxelVolume}
                display={display}
                onDisplay={setDisplay}
                activeLabel={editing.settings.activeLabel}
                onActiveLabel={(v) => editing.setSettings((st) => ({ ...st, activeLabel: v }))}
                locked={editing.settings.locked}
                onToggleLock={(v) =>
                  editing.setSettings((st) => {
                    const locked = new Set(st.locked);
                    if (locked.has(v)) locked.delete(v);
                    else locked.add(v);
                    return { ...st, locked };
                  })
                }
              />
              <HistoryPanel
                readOnly={editing.readOnly}
                edits={editing.history}
                onUndo={() => void editing.undo()}
                onRedo={() => void editing.redo()}
                // A stroke still on its way can be undone too (the undo queues behind it).
                canUndo={editing.history.some((h) => h.state === 'active') || editing.saveState.kind === 'saving' || editing.saveState.kind === 'paused'}
                canRedo={editing.history.some((h) => h.state === 'undone')}
              />
              <MeasurementsPanel viewer={viewer} opened={opened} />
              <LabelOps
                present={labelRows.map((r) => r.value)}
                onRun={editing.runOperation}
                readOnly={editing.readOnly}
                shape={{
                  activeLabel: editing.settings.activeLabel,
                  axes: sliceAxes,
                  busy: preview.state.phase !== 'idle',
                  // Navigate while the preview is up: no stroke under it, and the threshold tools' preview layer stays off.
                  onPreview: (req) => {
                    editing.setTool(null);
                    preview.start(req);
                  },
                }}
              />
              <ProblemsPanel viewer={viewer} opened={opened} editing={editing} scanProblems={openSummary?.problems ?? []} qa={qaReport} />
            </>
          ) : (
            <div className="muted pad">No series open.</div>
          )}
          <DatasetProblems />
        </aside>
      </main>
      <StatusBar probe={probe} message={busy ?? editing.message} saved={opened ? maskNote(opened.info.mask.source) : ''} />
      {exportOpen && <ExportDialog onClose={() => setExportOpen(false)} />}
      <DashboardHost onOpenSeries={(id) => void open(id)} />
      <AgreementHost onOpenSeries={(id) => void open(id)} />
      <PackagesHost />
      {showAbout && <AboutDialog />}
      {showHelp && <ShortcutOverlay onClose={() => setShowHelp(false)} />}
      {session && (session.annotator === null || askAnnotator) && (
        <AnnotatorDialog
          session={session}
          onDone={(who) => {
            setSession(who);
            setAskAnnotator(false);
          }}
          {...(session.annotator !== null ? { onCancel: () => setAskAnnotator(false) } : {})}
        />
      )}
    </div>
  );
}
