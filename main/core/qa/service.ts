// The workstation's label QA (issue 14, items 2 and 3): the dataset's QA report on the CURRENT labels (original mask
// + journal), computed in the background and kept up to date series by series.
//
// - The dataset run starts with the first request for it (the worklist's qaOverview right after start-up, the
//   dashboard's datasetReport): opening a workstation (tests, benches, the CLI) costs nothing until someone asks.
//   It is `runQa` over the dataset with a mask reader that gives each series' current labels: the mask file itself
//   when the series has no active edit (exactly what `spine-ws qa` checks), else original + journal.
// - Every result is kept with the label revision it was computed on. A label write (commit, undo, redo) schedules
//   a debounced re-check of that series only; a request that finds a series at another revision than its result
//   checks it again before answering, so qaSeries is never stale. The dataset-level checks (volume outliers,
//   sibling levels, gradings vs discs) are cheap and recomputed from the per-series summaries when one changed.
import type { QaOverview, QaSeriesCounts, QaSeriesReport, Service } from '../../../common/contract.js';
import { AppError } from '../../../common/errors.js';
import type { DatasetIndex, SeriesEntry } from '../dataset/index.js';
import type { MetaImage } from '../mha/index.js';
import { checkSeries } from './checks.js';
import { gradingsVsDiscs, siblingLevels, volumeOutliers } from './dataset.js';
import { runQa, type QaOptions } from './runner.js';
import type { QaFinding, QaReport, QaSeverity, SeriesQaSummary } from './types.js';

/** Codes computed across series (from the summaries); every other code comes from one series' labels. */
export const DATASET_CODES: ReadonlySet<QaFinding['code']> = new Set(['volume_outlier', 'sibling_levels', 'grading_without_disc', 'disc_without_grading']);

/** Default quiet time after the last label write of a series before it is checked again (ms). */
export const QA_RECHECK_DEBOUNCE_MS = 400;

export interface QaServiceDeps {
  index: DatasetIndex;
  /** Current labels of a series (the loaded volume when cached, else original + journal); null when unreadable or none. */
  labels(e: SeriesEntry): Promise<{ volume: Uint8Array; revision: number } | null>;
  /** The stored label revision of a series (no volume read). */
  revision(seriesId: string): number;
  /** Active journal edits of a series: without any, its labels are the mask file as it is. */
  activeEdits(seriesId: string): number;
  /**
   * True when a series' labels are in memory or being read already (the open or a prefetched series): the dataset
   * run then takes them from `labels` instead of reading the mask file a second time.
   */
  loaded?(seriesId: string): boolean;
  /** Quiet time after a label write before the re-check (default {@link QA_RECHECK_DEBOUNCE_MS}). */
  debounceMs?: number;
  /** Options of the dataset run (concurrency, worker threads). */
  run?: Pick<QaOptions, 'concurrency' | 'workers'>;
  log?: (line: string) => void;
}

export type QaMethods = Pick<Service, 'qaOverview' | 'qaSeries'>;

export interface QaService {
  /** The contract methods, spread into the workstation's Service. */
  readonly methods: QaMethods;
  /** The whole dataset's current report (waits for the dataset run and for series whose labels changed). */
  datasetReport(): Promise<QaReport>;
  /** A label write on `seriesId` (commit, undo, redo): re-checks it after the debounce. */
  labelsChanged(seriesId: string): void;
  /** Resolves when the dataset run (if started) and every scheduled re-check have finished (tests). */
  idle(): Promise<void>;
  /** Stops: timers cleared, the dataset run reads nothing more, requests are refused. */
  close(): void;
}

/** One series' per-series result at a label revision. */
interface Entry {
  revision: number;
  findings: QaFinding[];
  summary: SeriesQaSummary | null;
}

const SEVERITY_ORDER: Record<QaSeverity, number> = { error: 0, warning: 1, info: 2 };

export function createQaService(deps: QaServiceDeps): QaService {
  const { index } = deps;
  const byId = new Map(index.series.map((s, n) => [s.id, { entry: s, order: n }]));
  const withMask = index.series.filter((s) => s.maskFile !== null);
  const graded = new Map<number, number[]>();
  for (const row of index.gradings?.rows ?? []) {
    const list = graded.get(row.patient) ?? [];
    list.push(row.ivdLabel);
    graded.set(row.patient, list);
  }
  const log = deps.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const debounceMs = deps.debounceMs ?? QA_RECHECK_DEBOUNCE_MS;

  const entries = new Map<string, Entry>();
  let state: QaOverview['state'] = 'idle';
  let done = 0;
  let runError: string | undefined;
  let run: Promise<void> | null = null;
  let closed = false;
  /** Dataset-level findings by series, recomputed lazily after a summary changed. */
  let datasetFindings: Map<string, QaFinding[]> | null = null;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The re-check in flight per series (one at a time per series). */
  const checking = new Map<string, Promise<Entry | null>>();

  const entryOf = (seriesId: string): SeriesEntry => {
    const e = byId.get(seriesId);
    if (!e) throw new AppError('not_found', `No series ${seriesId} in this dataset`);
    return e.entry;
  };
  const assertOpen = (): void => {
    if (closed) throw new AppError('internal', 'The workstation is closed');
  };
  const unreadable = (e: SeriesEntry, why: string): QaFinding => ({
    code: 'mask_unreadable', severity: 'error', seriesId: e.id, patientId: e.patientId, labels: [], message: why,
  });

  /** Checks one series on its current labels now (no debounce) and stores the result. */
  const checkNow = (e: SeriesEntry): Promise<Entry | null> => {
    const prev = checking.get(e.id) ?? Promise.resolve(null);
    const next = prev.catch(() => null).then(async (): Promise<Entry | null> => {
      if (closed) return null;
      const before = deps.revision(e.id);
      const current = entries.get(e.id);
      if (current && current.revision === before) return current; // checked meanwhile (a queued request)
      const l = await deps.labels(e);
      if (closed) return null;
      let result: Entry;
      if (l === null) {
        if (!e.maskFile) {
          entries.delete(e.id); // no mask and no edits: nothing to check, like `spine-ws qa`
          datasetFindings = null;
          return null;
        }
        result = { revision: before, findings: [unreadable(e, `${e.maskFile} cannot be read exactly: the labels are read-only`)], summary: null };
      } else {
        const geometry = e.image?.geometry ?? e.mask?.geometry;
        if (!geometry) throw new AppError('invalid_file', `${e.id} has no readable header`);
        const r = checkSeries({ seriesId: e.id, patientId: e.patientId, sequence: e.sequence, geometry, data: l.volume });
        result = { revision: l.revision, findings: r.findings, summary: r.summary };
      }
      entries.set(e.id, result);
      datasetFindings = null;
      return result;
    });
    checking.set(e.id, next);
    void next.finally(() => {
      if (checking.get(e.id) === next) checking.delete(e.id);
    }).catch(() => undefined);
    return next;
  };

  /** The dataset run: `runQa` with a reader of the current labels. */
  const start = (): Promise<void> => {
    if (run) return run;
    state = 'computing';
    done = 0;
    const readAt = new Map<string, number>();
    // null: the series is unedited and not in memory, runQa streams its mask file.
    const readMask = async (s: SeriesEntry): Promise<MetaImage | null> => {
      if (closed) throw new AppError('internal', 'The workstation is closed');
      const revision = deps.revision(s.id);
      if (deps.activeEdits(s.id) === 0 && deps.loaded?.(s.id) !== true) {
        readAt.set(s.id, revision);
        return null;
      }
      const l = await deps.labels(s);
      const geometry = s.image?.geometry;
      if (l === null || !geometry) throw new Error(`${s.maskFile} cannot be read exactly: the labels are read-only`);
      readAt.set(s.id, l.revision);
      return { geometry, pixelType: 'uint8', data: l.volume };
    };
    run = runQa(index, { ...deps.run, readMask, onProgress: (n) => (done = n) })
      .then((report) => {
        if (closed) return;
        const perSeries = new Map<string, QaFinding[]>();
        for (const f of report.findings) {
          if (DATASET_CODES.has(f.code)) continue;
          const list = perSeries.get(f.seriesId) ?? [];
          list.push(f);
          perSeries.set(f.seriesId, list);
        }
        const summaries = new Map(report.summaries.map((s) => [s.seriesId, s]));
        for (const s of withMask) {
          const mine = entries.get(s.id);
          // A result computed meanwhile on the current labels (qaSeries, a re-check) wins over the run's.
          if (mine && mine.revision === deps.revision(s.id)) continue;
          entries.set(s.id, { revision: readAt.get(s.id) ?? -1, findings: perSeries.get(s.id) ?? [], summary: summaries.get(s.id) ?? null });
        }
        datasetFindings = null;
        state = 'ready';
        done = withMask.length;
        for (const s of withMask) if (entries.get(s.id)?.revision !== deps.revision(s.id)) schedule(s.id, 0);
      })
      .catch((err: unknown) => {
        if (closed) return;
        runError = err instanceof Error ? err.message : String(err);
        state = 'ready'; // what was checked stays; qaSeries still checks series one by one
        log(`QA: the dataset run failed: ${runError}`);
      });
    return run;
  };

  function schedule(seriesId: string, delay: number): void {
    if (closed) return;
    const old = timers.get(seriesId);
    if (old) clearTimeout(old);
    const t = setTimeout(() => {
      timers.delete(seriesId);
      checkNow(entryOf(seriesId)).catch((err: unknown) => log(`QA: re-check of ${seriesId} failed: ${err instanceof Error ? err.message : String(err)}`));
    }, delay);
    t.unref?.();
    timers.set(seriesId, t);
  }

  /** Dataset-level findings per series from the current summaries (only once every series has one). */
  const datasetLevel = (): Map<string, QaFinding[]> => {
    if (state !== 'ready') return new Map();
    if (datasetFindings) return datasetFindings;
    const summaries = withMask.map((s) => entries.get(s.id)?.summary).filter((s): s is SeriesQaSummary => !!s);
    const out = new Map<string, QaFinding[]>();
    for (const f of [...volumeOutliers(summaries), ...siblingLevels(summaries), ...(index.gradings ? gradingsVsDiscs(summaries, graded) : [])]) {
      const list = out.get(f.seriesId) ?? [];
      list.push(f);
      out.set(f.seriesId, list);
    }
    datasetFindings = out;
    return out;
  };

  const sortFindings = (list: QaFinding[]): QaFinding[] =>
    list.sort(
      (a, b) =>
        (byId.get(a.seriesId)?.order ?? 0) - (byId.get(b.seriesId)?.order ?? 0) ||
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.code.localeCompare(b.code) ||
        (a.labels[0] ?? 0) - (b.labels[0] ?? 0),
    );
  const findingsOf = (seriesId: string): QaFinding[] => sortFindings([...(entries.get(seriesId)?.findings ?? []), ...(datasetLevel().get(seriesId) ?? [])]);

  /** Series whose result is at another revision than their labels: checked again (scheduled, or now). */
  const stale = (): string[] => [...entries.entries()].filter(([id, e]) => e.revision !== deps.revision(id)).map(([id]) => id);

  const methods: QaMethods = {
    qaOverview: async () => {
      assertOpen();
      void start();
      if (state === 'ready') for (const id of stale()) if (!timers.has(id) && !checking.has(id)) schedule(id, 0);
      const series: QaSeriesCounts[] = [];
      for (const s of index.series) {
        const e = entries.get(s.id);
        if (!e) continue;
        let errors = 0, warnings = 0;
        for (const f of findingsOf(s.id)) {
          if (f.severity === 'error') errors++;
          else if (f.severity === 'warning') warnings++;
        }
        series.push({ seriesId: s.id, errors, warnings, revision: e.revision });
      }
      const out: QaOverview = { state, done, total: withMask.length, series };
      if (runError !== undefined) out.error = runError;
      return out;
    },
    qaSeries: async ({ seriesId }) => {
      assertOpen();
      const e = entryOf(seriesId);
      void start();
      let entry = entries.get(seriesId);
      if (!entry || entry.revision !== deps.revision(seriesId)) entry = (await checkNow(e)) ?? undefined;
      assertOpen();
      const siblings = index.series
        .filter((s) => s.patientId === e.patientId && s.id !== seriesId)
        .map((s) => ({ seriesId: s.id, labels: entries.get(s.id)?.summary?.labels ?? null }))
        .filter((s): s is QaSeriesReport['siblings'][number] => s.labels !== null);
      const report: QaSeriesReport = {
        seriesId,
        revision: entry?.revision ?? deps.revision(seriesId),
        findings: entry ? findingsOf(seriesId) : [],
        datasetChecks: state === 'ready',
        labels: entry?.summary?.labels ?? [],
        siblings,
      };
      return report;
    },
  };

  return {
    methods,
    async datasetReport() {
      assertOpen();
      await start();
      await Promise.all(stale().map((id) => checkNow(entryOf(id))));
      await Promise.all([...checking.values()].map((p) => p.catch(() => null)));
      assertOpen();
      const findings = sortFindings(withMask.flatMap((s) => [...(entries.get(s.id)?.findings ?? []), ...(datasetLevel().get(s.id) ?? [])]));
      const counts: Record<QaSeverity, number> = { error: 0, warning: 0, info: 0 };
      for (const f of findings) counts[f.severity]++;
      const summaries = withMask.map((s) => entries.get(s.id)?.summary).filter((s): s is SeriesQaSummary => !!s);
      return {
        root: index.root,
        seriesChecked: summaries.length,
        seriesWithoutMask: index.series.filter((s) => s.maskFile === null).map((s) => s.id),
        findings,
        counts,
        summaries,
      };
    },
    labelsChanged(seriesId) {
      if (byId.has(seriesId)) schedule(seriesId, debounceMs);
    },
    async idle() {
      for (;;) {
        await run;
        const pending = [...checking.values()];
        if (pending.length === 0 && timers.size === 0) return;
        if (pending.length === 0) {
          // Timers still waiting: run them now.
          for (const [id, t] of [...timers]) {
            clearTimeout(t);
            timers.delete(id);
            void checkNow(entryOf(id)).catch(() => null);
          }
          continue;
        }
        await Promise.all(pending.map((p) => p.catch(() => null)));
      }
    },
    close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
