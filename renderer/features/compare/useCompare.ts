// The Compare panel's logic (issue 16 items 2–3): the imported readers and the chosen pair A/B (remembered per
// dataset), B's labels as an outline over the labels (viewer compare layer; refetched when the local revision or
// the pair changes), the open series' disagreements (seriesAgreement), the adjudication progress, and the decisions:
// a label taken from A or B is one journal entry (takeLabelDiff through the edit session's prepared commit, tool
// 'adjudicate', with `adjudication`), or — when the labels already equal that source's — an `adjudicate` call; a
// level taken from A/B, and "edited by hand", are `adjudicate` calls. Every decision names the adjudicator (main).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EditInfo, GradingLevel } from '../../../common/contract.js';
import type { AdjudicationInfo, AdjudicationProgress, ReaderInfo, SeriesAgreementResponse, SourceRef } from '../../../common/contractReaders.js';
import type { VoxelDiff } from '../../../common/labelDiff.js';
import { isKnownLabel, labelInfo } from '../../../common/labels.js';
import type { PreparedMeta } from '../../editing/useEditing.js';
import { takeLabelDiff, type LabelmapVolume } from '../../labelmap/index.js';
import { call } from '../../platform/api.js';
import { useReadersVersion } from '../packages/packagesState.js';
import type { OpenedSeries } from '../../state/loadSeries.js';
import type { Viewer } from '../../viewer/index.js';
import { compareOptions, loadPrefs, savePrefs, sourceName, type ComparePrefs } from './compareSources.js';
import { createSourceVolumes, type SourceVolumes } from './sourceVolume.js';
import { compareOutlineToggles } from './compareCommands.js';

/** What the panel needs of the editing session (useEditing). */
export interface CompareEditing {
  history: EditInfo[];
  readOnly: string | null;
  settings: { locked: ReadonlySet<number> };
  labelVolume: () => LabelmapVolume | null;
  commitPrepared: (diff: VoxelDiff, meta: PreparedMeta) => boolean;
  idle: () => Promise<void>;
  revision: () => number | null;
  setMessage: (text: string) => void;
}

/** What the panel needs of the grading dock's state (useGradings). */
export interface CompareGradings {
  levels: GradingLevel[];
  select(ivdLabel: number | null): void;
  reload(): void;
}

export type Side = 'A' | 'B' | 'edited';

export interface CompareState {
  readers: ReaderInfo[] | null;
  prefs: ComparePrefs;
  setPrefs(patch: Partial<ComparePrefs>): void;
  agreement: SeriesAgreementResponse | null;
  progress: AdjudicationProgress | null;
  loading: boolean;
  error: string | null;
  /** The item a decision is being made for ('label:3', 'level:2'), else null. */
  deciding: string | null;
  /** Why the outline is not shown (fetch failed), else null. */
  outlineError: string | null;
  decideLabel(label: number, side: Side): Promise<void>;
  decideLevel(ivdLabel: number, side: Side): Promise<void>;
  goToLabel(label: number): void;
  goToLevel(ivdLabel: number): void;
  /** The latest decision of a label / level of the open series and patient. */
  decisionOf(kind: 'label' | 'level', item: number): AdjudicationInfo | null;
  reloadReaders(): void;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const labelText = (v: number): string => (isKnownLabel(v) ? labelInfo(v).name : String(v));

export function useCompare(p: {
  viewer: Viewer | null;
  opened: OpenedSeries | null;
  editing: CompareEditing;
  gradings: CompareGradings;
  onGoToLevel: (level: GradingLevel) => void;
  dataset: string | null;
  annotator: string | null;
}): CompareState {
  const { viewer, opened, editing, gradings, dataset, annotator } = p;
  const [readers, setReaders] = useState<ReaderInfo[] | null>(null);
  const [prefs, setPrefsState] = useState<ComparePrefs>({ a: 'local', b: 'original', outline: true, open: false });
  const [agreement, setAgreement] = useState<SeriesAgreementResponse | null>(null);
  const [progress, setProgress] = useState<AdjudicationProgress | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [deciding, setDeciding] = useState<string | null>(null);
  const [outlineError, setOutlineError] = useState<string | null>(null);
  const [readersTick, setReadersTick] = useState(0);
  const seriesId = opened?.info.seriesId ?? null;
  const patientId = opened?.info.patientId ?? null;
  const { a, b, outline, open } = prefs;
  const editingRef = useRef(editing);
  editingRef.current = editing;
  /** What is shown now: answers for anything else arrive late and are dropped. */
  const shown = useRef({ seriesId, a, b });
  shown.current = { seriesId, a, b };

  // The readers of this store (asked again for each series: one may have been imported meanwhile), and the
  // remembered pair once they are known; a changed set of readers keeps a still valid pair.
  const readersKey = useRef<string | null>(null);
  /** The dataset whose prefs are loaded. */
  const prefsFor = useRef<string | null>(null);
  // An import (File ▸ Import annotations…) while a series is open: the list and the figures follow at once.
  const readersVersion = useReadersVersion();
  useEffect(() => {
    if (dataset === null) return;
    let live = true;
    call('listReaders', {})
      .then((r) => {
        if (!live) return;
        const key = `${dataset}|${r.readers.map((x) => `${x.name}:${x.sha256}`).join('|')}`;
        if (key === readersKey.current) return;
        readersKey.current = key;
        setReaders(r.readers);
        // Another set of readers of the same dataset (an import meanwhile) keeps the pair shown while both sources
        // still exist, remembered or not: the default pair of the new set would swap B under the adjudicator.
        const sameDataset = prefsFor.current === dataset;
        prefsFor.current = dataset;
        const options: string[] = compareOptions(r.readers);
        setPrefsState((cur) => (sameDataset && options.includes(cur.a) && options.includes(cur.b) ? cur : loadPrefs(dataset, r.readers)));
      })
      .catch((e: unknown) => live && setError(`Readers: ${message(e)}`));
    return () => {
      live = false;
    };
  }, [dataset, readersTick, seriesId, readersVersion]);
  const setPrefs = useCallback(
    (patch: Partial<ComparePrefs>) => {
      setPrefsState((cur) => {
        const next = { ...cur, ...patch };
        if (dataset !== null) savePrefs(dataset, next);
        return next;
      });
    },
    [dataset],
  );

  // One source-volume cache per open series and set of readers (a replaced reader has other labels).
  const volumes = useMemo<SourceVolumes | null>(() => {
    if (!opened || !readers) return null;
    return createSourceVolumes({
      seriesId: opened.info.seriesId,
      labels: () => editingRef.current.labelVolume()?.labels ?? null,
      idle: () => editingRef.current.idle(),
      revision: () => editingRef.current.revision(),
    });
  }, [opened, readers]);

  // Shift+O (renderer/commands.ts): the outline on / off; a collapsed panel opens with it on.
  useEffect(
    () => compareOutlineToggles.subscribe(() => setPrefs(open ? { outline: !outline } : { open: true, outline: true })),
    [setPrefs, open, outline],
  );

  // Labels change (strokes, undo, redo, decisions): the figures and the outline follow shortly after.
  const [labelsTick, setLabelsTick] = useState(0);
  const firstHistory = useRef(true);
  useEffect(() => {
    if (firstHistory.current) {
      firstHistory.current = false;
      return;
    }
    const t = setTimeout(() => setLabelsTick((n) => n + 1), 400);
    return () => clearTimeout(t);
  }, [editing.history]);
  // Grades changed in the dock: the level differences and the progress follow (the outline does not depend on them).
  // Only a change of the same patient's loaded levels counts (not their first load on opening a series).
  const [gradesTick, setGradesTick] = useState(0);
  const lastLevels = useRef<{ patientId: number | null; loaded: boolean }>({ patientId: null, loaded: false });
  useEffect(() => {
    const last = lastLevels.current;
    const changed = last.loaded && last.patientId === patientId;
    lastLevels.current = { patientId, loaded: gradings.levels.length > 0 };
    if (!changed) return;
    const t = setTimeout(() => setGradesTick((n) => n + 1), 400);
    return () => clearTimeout(t);
  }, [gradings.levels, patientId]);

  // A collapsed panel compares nothing (no figures fetched, no outline).
  const ready = open && readers !== null && seriesId !== null && a !== b;
  const refresh = useCallback(async (): Promise<void> => {
    if (!ready || seriesId === null) return;
    setLoading(true);
    try {
      await editingRef.current.idle();
      const [agr, prog] = await Promise.all([call('seriesAgreement', { seriesId, a, b }), call('adjudicationProgress', { a, b })]);
      const now = shown.current;
      if (now.seriesId !== seriesId || now.a !== a || now.b !== b) return; // a late answer for another series or pair
      setAgreement(agr);
      setProgress(prog);
      setError(null);
    } catch (e) {
      setError(message(e));
    } finally {
      setLoading(false);
    }
  }, [ready, seriesId, a, b]);
  // Another series or pair: nothing shown until its figures arrive; a refresh of the same keeps the list in place.
  useEffect(() => {
    setAgreement(null);
    setProgress(null);
  }, [seriesId, a, b, ready]);
  // Also when the readers change: a replaced layer keeps its name (same pair) but not its labels and grades.
  useEffect(() => {
    void refresh();
  }, [refresh, labelsTick, gradesTick, readers]);

  // The outline: B's labels over the labels, while on.
  useEffect(() => {
    if (!viewer || !volumes || !ready || !outline) {
      viewer?.setCompare(null);
      setOutlineError(null);
      return;
    }
    let live = true;
    volumes
      .get(b)
      .then(({ volume }) => {
        if (!live) return;
        try {
          viewer.setCompare({ labels: volume });
          setOutlineError(null);
        } catch (e) {
          setOutlineError(message(e)); // the viewer moved on to another grid meanwhile
        }
      })
      .catch((e: unknown) => {
        if (!live) return;
        viewer.setCompare(null);
        setOutlineError(message(e));
      });
    return () => {
      live = false;
    };
  }, [viewer, volumes, ready, outline, b, labelsTick]);
  // Gone with the series or the panel.
  useEffect(() => () => viewer?.setCompare(null), [viewer, opened]);

  const decisionOf = useCallback(
    (kind: 'label' | 'level', item: number): AdjudicationInfo | null =>
      agreement?.decisions.find((d) => d.kind === kind && (kind === 'label' ? d.label === item && d.seriesId === seriesId : d.ivdLabel === item)) ?? null,
    [agreement, seriesId],
  );

  const sourceOf = (side: Side): SourceRef | null => (side === 'A' ? a : side === 'B' ? b : null);

  const decideLabel = useCallback(
    async (label: number, side: Side): Promise<void> => {
      const ed = editingRef.current;
      if (!volumes || seriesId === null) return;
      if (ed.readOnly !== null) return ed.setMessage(`Labels read-only: ${ed.readOnly}`);
      const from = sourceOf(side);
      setDeciding(`label:${label}`);
      setError(null);
      try {
        if (from === null) {
          await call('adjudicate', { kind: 'label', seriesId, label, from: null });
          ed.setMessage(`Adjudicated ${labelText(label)}: edited by hand`);
        } else {
          const src = await volumes.get(from);
          const vol = ed.labelVolume();
          if (!vol) return;
          const r = takeLabelDiff(vol.labels, src.volume, label, ed.settings.locked);
          if (!r.ok) {
            setError(r.message);
            ed.setMessage(r.message);
            return;
          }
          const title = `Adjudicate ${labelText(label)}: ${sourceName(from, annotator)}`;
          if (r.diff.indices.length === 0) {
            await call('adjudicate', { kind: 'label', seriesId, label, from });
            ed.setMessage(`${title} (labels already equal)`);
          } else {
            if (!ed.commitPrepared(r.diff, { tool: 'adjudicate', label, title, adjudication: { from } })) return;
            await ed.idle();
          }
        }
      } catch (e) {
        setError(message(e));
      } finally {
        setDeciding(null);
      }
      await refresh();
    },
    // sourceOf reads a and b
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [volumes, seriesId, a, b, annotator, refresh],
  );

  const decideLevel = useCallback(
    async (ivdLabel: number, side: Side): Promise<void> => {
      if (patientId === null) return;
      const from = sourceOf(side);
      setDeciding(`level:${ivdLabel}`);
      setError(null);
      try {
        await call('adjudicate', { kind: 'level', patientId, ivdLabel, from });
        editingRef.current.setMessage(`Adjudicated level ${ivdLabel}: ${from === null ? 'edited by hand' : sourceName(from, annotator)}`);
        gradings.reload();
      } catch (e) {
        setError(message(e));
      } finally {
        setDeciding(null);
      }
      await refresh();
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [patientId, a, b, annotator, gradings, refresh],
  );

  const goToLabel = useCallback(
    (label: number) => {
      const l = agreement?.labels.find((x) => x.value === label);
      if (l?.focus && viewer) viewer.setCrosshair(l.focus.world);
    },
    [agreement, viewer],
  );
  const { onGoToLevel } = p;
  const goToLevel = useCallback(
    (ivdLabel: number) => {
      gradings.select(ivdLabel);
      const level = gradings.levels.find((l) => l.ivdLabel === ivdLabel);
      if (level) onGoToLevel(level);
    },
    [gradings, onGoToLevel],
  );

  return {
    readers, prefs, setPrefs, agreement, progress, loading, error, deciding, outlineError,
    decideLabel, decideLevel, goToLabel, goToLevel, decisionOf, reloadReaders: () => setReadersTick((n) => n + 1),
  };
}
