// The grading layout (issue 15 items 1–2): in place of the normal views, one sagittal view per series of the open
// patient (T1, T2, T2 SPACE side by side), each a viewer of its own (one WebGL context each, disposed when the layout
// closes or the open series changes), linked in physical space by linkViews and started at each series' mid-sagittal
// slice. Navigate only: the open series stays the editable one in the normal layout, which comes back on toggle.
// The open series' volumes are reused (no copy); the siblings are fetched like loadSeries does, without its prefetch.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { GradingLevel, OpenSeriesResponse } from '../../../common/contract.js';
import { sequenceName, sequenceOf } from '../../../common/sequences.js';
import { call, fetchVolume } from '../../platform/api.js';
import { appStore, useApp } from '../../state/appStore.js';
import { seriesVolumes, type OpenedSeries } from '../../state/loadSeries.js';
import { createViewer, type ImageScalars, type LabelDisplay, type Layout, type Viewer } from '../../viewer/index.js';
import { closeGradingLayout, offsetText, setActiveLink, toggleGradingLayout, useGradingLayoutOpen, gradingLayoutActions, gradingLayoutLevel } from './gradingLayoutState.js';
import { linkViews, type LinkedSeries, type PaneState, type ViewLink } from './linkViews.js';
import './gradingLayout.css';

export { gradingLayoutActions, gradingLayoutLevel } from './gradingLayoutState.js';
export { gradingLayoutRefusal } from './gradingLayoutKeys.js';

/** The grading dock's levels of the open patient and its row choice (a click on a disc in a view selects its row). */
export interface DockLevels {
  levels: readonly GradingLevel[];
  select(ivdLabel: number): void;
}

const SAGITTAL_ONLY: Layout = { kind: '1x3', large: 'sagittal', maximised: 'sagittal' };
const SEQUENCE_ORDER = ['t1', 't2', 't2_SPACE'];

interface Volumes {
  info: OpenSeriesResponse;
  image: ImageScalars;
  labels: Uint8Array;
}


/** T1, T2, T2 SPACE, then anything else by name. */
export function orderSeries(ids: readonly string[]): string[] {
  const rank = (id: string): number => {
    const i = SEQUENCE_ORDER.indexOf(sequenceOf(id));
    return i < 0 ? SEQUENCE_ORDER.length : i;
  };
  return [...ids].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function fetchSeries(seriesId: string): Promise<Volumes> {
  const [info, image, mask] = await Promise.all([call('openSeries', { seriesId }), fetchVolume(seriesId, 'image'), fetchVolume(seriesId, 'mask')]);
  return seriesVolumes(info, image, mask);
}

/** Labels in the grading views: outlines only, so the signal of disc and endplates stays readable. */
const outlined = (d: LabelDisplay): LabelDisplay => ({ ...d, mode: 'outline', opacity: Math.max(0.6, d.opacity) });

export function GradingLayoutButton({ enabled }: { enabled: boolean }) {
  const open = useGradingLayoutOpen();
  return (
    <button
      className={`grading-layout-toggle${open ? ' active' : ''}`}
      data-testid="grading-layout-toggle"
      aria-pressed={open}
      disabled={!enabled}
      title="Grading layout: the patient's T1 / T2 sagittal views side by side, linked (Shift+G)"
      aria-label="Grading layout"
      onClick={toggleGradingLayout}
    >
      T1|T2
    </button>
  );
}

/** The layout over the normal views while it is open (nothing otherwise). */
export function GradingLayout({ opened, mainViewer, gradings }: { opened: OpenedSeries | null; mainViewer: Viewer | null; gradings: DockLevels }) {
  const open = useGradingLayoutOpen();
  useEffect(() => {
    if (!opened) closeGradingLayout();
  }, [opened]);
  if (!open || !opened) return null;
  return <SideBySide opened={opened} mainViewer={mainViewer} gradings={gradings} />;
}

function SideBySide({ opened, mainViewer, gradings }: { opened: OpenedSeries; mainViewer: Viewer | null; gradings: DockLevels }) {
  const ids = useMemo(() => orderSeries(opened.info.siblings.includes(opened.info.seriesId) ? opened.info.siblings : [opened.info.seriesId, ...opened.info.siblings]), [opened]);
  const cells = useRef(new Map<string, HTMLDivElement>());
  const panesBox = useRef<HTMLDivElement>(null);
  const viewers = useRef(new Map<string, Viewer>());
  const linkRef = useRef<ViewLink | null>(null);
  /** Where the left button went down: a click that moved (a drag) is not a click on a disc. */
  const down = useRef<[number, number] | null>(null);
  const [states, setStates] = useState<PaneState[]>([]);
  const [failed, setFailed] = useState<Record<string, string>>({});
  const display = useApp((s) => s.display);

  useEffect(() => {
    let cancelled = false;
    let link: ViewLink | null = null;
    const made = new Map<string, Viewer>();
    for (const id of ids) {
      const v = createViewer(cells.current.get(id)!, { layout: SAGITTAL_ONLY, labelDisplay: outlined(appStore.get().display) });
      // Sagittal only: a double-click or corner button that restores the three views is undone at once.
      v.onLayout((l) => l.maximised !== 'sagittal' && v.setLayout(SAGITTAL_ONLY));
      made.set(id, v);
    }
    viewers.current = made;
    const start = mainViewer?.getCrosshair() ?? null;
    setFailed({});
    void Promise.all(
      ids.map((id) =>
        (id === opened.info.seriesId ? Promise.resolve<Volumes>(opened) : fetchSeries(id)).then(
          (vol) => ({ id, vol, error: null }),
          (e: unknown) => ({ id, vol: null, error: e instanceof Error ? e.message : String(e) }),
        ),
      ),
    ).then((loaded) => {
      if (cancelled) return;
      const linked: LinkedSeries[] = [];
      const errors: Record<string, string> = {};
      for (const { id, vol, error } of loaded) {
        const viewer = made.get(id)!;
        try {
          if (!vol) throw new Error(error);
          const g = vol.info.image.geometry;
          const [lo, hi] = vol.info.image.autoWindow;
          viewer.setVolumes({ geometry: g, scalars: vol.image, range: vol.info.image.range, windowLevel: { window: hi - lo, level: (hi + lo) / 2 } }, { geometry: g, scalars: vol.labels });
          linked.push({ id, viewer, geometry: g, labels: vol.labels });
        } catch (e) {
          errors[id] = e instanceof Error ? e.message : String(e);
        }
      }
      setFailed(errors);
      link = linkViews(linked, start, setStates);
      linkRef.current = link;
      setStates(link.states());
      setActiveLink(link, opened.info.patientId);
    });
    // A new window size: the views keep their zoom relative to their own fit, so they are brought to one scale again.
    const resize = new ResizeObserver(() => link?.resized());
    if (panesBox.current) resize.observe(panesBox.current);
    return () => {
      resize.disconnect();
      cancelled = true;
      link?.dispose();
      linkRef.current = null;
      setActiveLink(null);
      for (const v of made.values()) v.dispose(); // frees each WebGL context now
      viewers.current = new Map();
    };
  }, [ids, opened, mainViewer]);

  useEffect(() => {
    for (const v of viewers.current.values()) v.setLabelDisplay(outlined(display));
  }, [display, states.length]);

  // As in the normal views (useDiscNavigation): a plain left click on a disc selects its row in the grading dock;
  // the other views centre on their own disc of that level, the clicked one stays where it is.
  const clickDisc = (id: string, e: React.MouseEvent): void => {
    const from = down.current;
    down.current = null;
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || !from || Math.hypot(e.clientX - from[0], e.clientY - from[1]) > 4) return;
    const v = linkRef.current?.labelAtCrosshair(id) ?? 0;
    const level = v > 200 && v < 226 ? gradings.levels.find((l) => l.maskValue === v) : undefined;
    if (!level) return;
    gradings.select(level.ivdLabel);
    gradingLayoutLevel(level, id);
  };

  const offsets = new Set(states.map((s) => s.offset));
  const mmTexts = new Set(states.map((s) => offsetText(s.offset, s.sliceMm)));
  const shared = offsets.size !== 1 ? 'mixed' : mmTexts.size === 1 ? [...mmTexts][0]! : offsetText([...offsets][0]!);
  return (
    <div className="grading-layout" data-testid="grading-layout" onClick={(e) => e.stopPropagation()}>
      <div className="grading-layout-bar">
        <strong>Grading layout</strong>
        <span className="muted">patient {opened.info.patientId} · linked in mm · labels outlined · navigate only</span>
        <span className="spacer" />
        <span className="mid-step" role="group" aria-label="Slices from mid-sagittal">
          <button onClick={gradingLayoutActions['grading-mid-previous']} title="One slice towards the patient's right in every view (←)" data-testid="mid-previous">◀</button>
          <button onClick={gradingLayoutActions['grading-mid']} title="Every view back to its mid-sagittal slice (Home)" data-testid="mid-reset">
            <span data-testid="mid-offset">{shared}</span>
          </button>
          <button onClick={gradingLayoutActions['grading-mid-next']} title="One slice towards the patient's left in every view (→)" data-testid="mid-next">▶</button>
        </span>
        <button onClick={toggleGradingLayout} title="Back to the normal views (Shift+G)">Close</button>
      </div>
      <div className="grading-layout-panes" ref={panesBox} style={{ gridTemplateColumns: `repeat(${ids.length}, minmax(0, 1fr))` }}>
        {ids.map((id) => {
          const st = states.find((s) => s.id === id);
          return (
            <div
              key={id}
              className={`grading-pane${id === opened.info.seriesId ? ' open-series' : ''}`}
              data-testid="grading-pane"
              data-pane-series={id}
              {...(st
                ? {
                    'data-slice': st.slice,
                    'data-mid': st.mid,
                    'data-offset': st.offset,
                    'data-scope': st.scope,
                    'data-crosshair': st.crosshair.join(','),
                    'data-window': st.windowLevel.window,
                    'data-level': st.windowLevel.level,
                    'data-centre': st.centre?.join(',') ?? '',
                    'data-mm-per-px': st.mmPerPx ?? '',
                  }
                : {})}
            >
              <div className="grading-pane-caption">
                <span className="series" title={id}>{id}</span>
                <span className="sequence">{sequenceName(id)}</span>
                {id === opened.info.seriesId && <span className="muted" title="The series open for editing in the normal layout">open</span>}
                <span className="spacer" />
                {st && (
                  <span className="offset" title={`Slice ${st.slice + 1} of ${st.count}; mid-sagittal ${st.mid + 1}, slices ${st.sliceMm.toFixed(2)} mm apart (${st.scope === 'level' ? 'canal at the level' : st.scope === 'canal' ? 'whole canal' : 'no canal: centre'})`}>
                    {offsetText(st.offset, st.sliceMm)}
                  </span>
                )}
                {st && <span className="muted wl">W {Math.round(st.windowLevel.window)} L {Math.round(st.windowLevel.level)}</span>}
              </div>
              <div
                className="grading-pane-view"
                ref={(el) => void (el ? cells.current.set(id, el) : cells.current.delete(id))}
                onPointerDown={(e) => void (down.current = e.button === 0 ? [e.clientX, e.clientY] : null)}
                onClick={(e) => clickDisc(id, e)}
              />
              {failed[id] && <div className="grading-pane-error" role="alert">{failed[id]}</div>}
              {!st && !failed[id] && <div className="grading-pane-loading muted">Loading {id} …</div>}
            </div>
          );
        })}
      </div>
    </div>
  );
}
