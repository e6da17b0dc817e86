// The agreement contract methods (issue 16): `agreement` (the whole dataset, agreeRun.ts, cached), `seriesAgreement`
// (the open series: where each label disagrees, the patient's level differences, the decisions taken) and
// `readerLabels` (a source's labels as a diff from the live local labels, for the compare outline and "take B").
//
// Cache: per (A, B) pair and series, the figures with the key of what they were computed from: a reader's package
// sha256, the local label revision of the series, nothing for the original. A stale series is recomputed, the rest
// reused, so a new edit costs one series; the gradings part (cheap) is computed on every call, so it is never stale.
import type { Service } from '../../../common/contract.js';
import type {
  AgreementReport,
  GradeBasis,
  LabelDisagreement,
  SeriesAgreement,
  SeriesAgreementResponse,
  SourceRef,
} from '../../../common/contractReaders.js';
import { readerOf } from '../../../common/contractReaders.js';
import { AppError } from '../../../common/errors.js';
import { indexToWorld, voxelCount, type Vec3 } from '../../../common/geometry.js';
import { applyDiff, bytesToBase64, checkBase, encodeDiff } from '../../../common/labelDiff.js';
import type { SeriesEntry } from '../dataset/index.js';
import { differingLevels, disagreements, labelAgreements, volumeCounts } from './agreement.js';
import { resolveSource, runAgreement } from './agreeRun.js';
import { decisionInfo } from './adjudicate.js';
import { liveDecisions } from './decisions.js';
import type { ReaderDeps } from './deps.js';
import { readerLayerDiff, sourceGrades, sourceLabels, type SourceContext } from './sources.js';

type M = 'agreement' | 'seriesAgreement' | 'readerLabels';

/** (A, B) pairs whose per-series figures are kept; the least recently used pair goes first. */
const CACHED_PAIRS = 6;

interface PairCache {
  /** seriesId → the key of the inputs, and the figures. */
  series: Map<string, { key: string; value: SeriesAgreement }>;
}

/**
 * What the figures of a series depend on, per source, read now: a reader's current package (looked up by name, so a
 * layer replaced during a run is seen; the reader keeps its id), the local revision, nothing for the original.
 */
function inputKey(deps: ReaderDeps, ref: SourceRef, seriesId: string): string {
  const name = readerOf(ref);
  if (name !== null) {
    const r = deps.store.readers.byName(name);
    return r ? `r:${r.id}:${r.sha256}` : 'r:gone';
  }
  if (ref === 'local') return `l:${deps.journal.storedRevision(seriesId)}`;
  return 'o';
}

/** Passes over the dataset before a run whose inputs keep changing under it returns its latest pass. */
const MAX_PASSES = 3;

const caches = new WeakMap<ReaderDeps, Map<string, PairCache>>();

function cacheFor(deps: ReaderDeps, a: SourceRef, b: SourceRef): PairCache {
  let pairs = caches.get(deps);
  if (!pairs) caches.set(deps, (pairs = new Map<string, PairCache>()));
  const k = `${a}\n${b}`;
  let c = pairs.get(k);
  if (c) pairs.delete(k); // re-inserted below: most recently used last
  else c = { series: new Map() };
  pairs.set(k, c);
  while (pairs.size > CACHED_PAIRS) pairs.delete(pairs.keys().next().value!);
  return c;
}

function contextOf(deps: ReaderDeps): SourceContext {
  return { index: deps.index, store: deps.store, originalLabels: (e) => deps.originalLabels(e), currentLabels: (e) => deps.currentLabels(e) };
}

/** Identical requests in flight share one run. */
const inFlight = new WeakMap<ReaderDeps, Map<string, Promise<AgreementReport>>>();

/**
 * The agreement report of A and B on `basis`, through the cache: series whose inputs (reader packages, local label
 * revision) have not changed since they were last compared are reused, the others recomputed. For
 * adjudicationProgress and the `agreement` method.
 *
 * A run takes a while and the store may change under it (an edit, a reader's layer replaced). Each series is keyed
 * by its inputs in the same synchronous step as they are read, so the cache never holds figures under another
 * package's key; and when some series' inputs changed by the end of a pass, another pass (cheap: only those series
 * are recomputed) makes the report one state's figures. Identical requests in flight share the run: its report is
 * of a state no older than the end of its last pass, which is after they were made.
 */
export async function getAgreementReport(deps: ReaderDeps, a: SourceRef, b: SourceRef, basis: GradeBasis): Promise<AgreementReport> {
  let running = inFlight.get(deps);
  if (!running) inFlight.set(deps, (running = new Map<string, Promise<AgreementReport>>()));
  const k = `${a}\n${b}\n${basis}`;
  const pending = running.get(k);
  if (pending) return pending;
  resolveSource(deps, a);
  resolveSource(deps, b); // an unknown reader: not_found before anything is read
  const cache = cacheFor(deps, a, b);
  const pass = async (): Promise<{ report: AgreementReport; keys: Map<string, string> }> => {
    const keys = new Map<string, string>();
    const report = await runAgreement(contextOf(deps), a, b, basis, {
      reuse(e) {
        // Keyed in the same synchronous step as the series' inputs are read (agreeRun reads layers and edits before
        // awaiting).
        const key = `${inputKey(deps, a, e.id)}|${inputKey(deps, b, e.id)}`;
        keys.set(e.id, key);
        const hit = cache.series.get(e.id);
        return hit && hit.key === key ? hit.value : null;
      },
      computed(e, s) {
        cache.series.set(e.id, { key: keys.get(e.id)!, value: s });
      },
    });
    return { report, keys };
  };
  const p = (async (): Promise<AgreementReport> => {
    for (let n = 1; ; n++) {
      const { report, keys } = await pass();
      const stale = [...keys].some(([id, key]) => `${inputKey(deps, a, id)}|${inputKey(deps, b, id)}` !== key);
      if (!stale || n >= MAX_PASSES) return report;
    }
  })().finally(() => running.delete(k));
  running.set(k, p);
  return p;
}

function entryOf(deps: ReaderDeps, seriesId: string): SeriesEntry & { image: NonNullable<SeriesEntry['image']> } {
  const e = deps.index.series.find((s) => s.id === seriesId);
  if (!e) throw new AppError('not_found', `No series ${seriesId} in this dataset`);
  if (!e.image) throw new AppError('invalid_file', `${e.imageFile} cannot be opened (its header is unreadable)`, { file: e.imageFile });
  return e as SeriesEntry & { image: NonNullable<SeriesEntry['image']> };
}

/** 'original' → `o` itself; a reader → a copy of `o` with its layer applied (a layer that does not fit: invalid_file). */
function readerOnOriginal(deps: ReaderDeps, s: SourceRef, e: SeriesEntry, o: Uint8Array): Uint8Array {
  const reader = resolveSource(deps, s).reader;
  const diff = reader ? readerLayerDiff(deps.store, reader, e) : null;
  if (!diff) return o;
  const at = checkBase(o, diff, 'forward');
  if (at >= 0) {
    throw new AppError('invalid_file', `The label layer of reader ${reader!.name} for ${e.id} does not fit its original mask ${e.maskFile ?? '(none)'} (voxel ${at})`, { file: e.maskFile ?? e.imageFile });
  }
  const v = o.slice();
  applyDiff(v, diff, 'forward');
  return v;
}

/**
 * The labels of sources A and B of one series, with the local revision they were read at. Non-local sources are
 * read first; the local volume (the live one when loaded) last, so nothing awaits between reading it and using it.
 */
async function bothLabels(deps: ReaderDeps, e: SeriesEntry, a: SourceRef, b: SourceRef): Promise<{ va: Uint8Array; vb: Uint8Array; revision: number }> {
  const ctx = contextOf(deps);
  const read = async (s: SourceRef): Promise<Uint8Array> => {
    const v = await sourceLabels(ctx, s, e);
    if (!v) throw new AppError('invalid_file', `${e.imageFile} cannot be opened`, { file: e.imageFile });
    return v;
  };
  let otherA: Uint8Array | null, otherB: Uint8Array | null;
  if (a !== 'local' && b !== 'local' && a !== b) {
    // Two of original / readers: the original mask read once, each reader's layer applied to its own copy.
    const o = await deps.originalLabels(e);
    [otherA, otherB] = [a, b].map((s) => readerOnOriginal(deps, s, e, o)) as [Uint8Array, Uint8Array];
  } else {
    otherA = a === 'local' ? null : await read(a);
    otherB = b === 'local' ? null : b === a ? otherA : await read(b);
  }
  let revision = deps.journal.storedRevision(e.id);
  let local: Uint8Array | null = null;
  if (a === 'local' || b === 'local') {
    const current = await deps.currentLabels(e);
    if (current) ({ volume: local, revision } = current);
    else local = await read('original'); // no labels kept: the original (an unreadable mask throws, typed)
  }
  return { va: otherA ?? local!, vb: otherB ?? local!, revision };
}

export function createAgreementMethods(deps: ReaderDeps): Pick<Service, M> {
  return {
    agreement: async (req) => getAgreementReport(deps, req.a, req.b, req.basis ?? 'current'),

    seriesAgreement: async (req): Promise<SeriesAgreementResponse> => {
      const e = entryOf(deps, req.seriesId);
      resolveSource(deps, req.a);
      resolveSource(deps, req.b);
      const { va, vb, revision } = await bothLabels(deps, e, req.a, req.b);
      const g = e.image.geometry;
      if (va.length !== voxelCount(g) || vb.length !== va.length) {
        throw new AppError('internal', `Labels of ${e.id} do not have the ${voxelCount(g)} voxels of its image`);
      }
      const rows = labelAgreements(volumeCounts(va, vb), g.spacing[0] * g.spacing[1] * g.spacing[2]);
      const where = disagreements(va, vb, g.size, g.spacing);
      const [nx, ny] = g.size;
      const labels: LabelDisagreement[] = rows.map((r) => {
        const p = where.focus[r.value]!;
        const ijk: Vec3 = [p % nx, Math.floor(p / nx) % ny, Math.floor(p / (nx * ny))];
        return { ...r, onlyA: where.onlyA[r.value]!, onlyB: where.onlyB[r.value]!, focus: p < 0 ? null : { ijk, world: indexToWorld(g, ijk) } };
      });
      const levels = differingLevels(sourceGrades(deps, req.a, 'current'), sourceGrades(deps, req.b, 'current'), e.patientId).map((l) => ({
        ivdLabel: l.ivdLabel,
        fields: l.fields,
      }));
      // Every latest decision, an undone take or one about a since-replaced layer too: the panel shows those as such
      // ("taken, then undone"); adjudicationProgress counts only the live ones (decisions.ts).
      const live = new Set(liveDecisions(deps.store).map((d) => d.id));
      const decisions = deps.store.readers
        .latestDecisions()
        .filter((d) => (d.kind === 'label' ? d.seriesId === e.id : d.patientId === e.patientId))
        .map((d) => decisionInfo(d, live.has(d.id)));
      return { seriesId: e.id, a: req.a, b: req.b, revision, labels, levels, decisions };
    },

    readerLabels: async (req) => {
      const e = entryOf(deps, req.seriesId);
      resolveSource(deps, req.source);
      // The source's labels are read before the live volume is touched; the diff is then made in one synchronous step.
      const src = req.source === 'local' ? null : await sourceLabels(contextOf(deps), req.source, e);
      return deps.withLabels(e.id, (live) => {
        if (live.revision !== req.revision) {
          throw new AppError('conflict', `Labels of ${e.id} are at revision ${live.revision}, the request was for revision ${req.revision}: fetch again`);
        }
        const target = src ?? live.volume;
        if (target.length !== live.volume.length) {
          throw new AppError('internal', `Labels of ${e.id} from ${req.source} have ${target.length} voxels, the live volume ${live.volume.length}`);
        }
        return { seriesId: e.id, source: req.source, revision: live.revision, diff: bytesToBase64(encodeDiff(volumeDiff(live.volume, target))) };
      });
    },
  };
}

/** The diff that turns `from` into `to` (same length): every differing voxel, ascending. */
export function volumeDiff(from: Uint8Array, to: Uint8Array): { indices: Uint32Array; before: Uint8Array; after: Uint8Array } {
  let n = 0;
  for (let p = 0; p < from.length; p++) if (from[p] !== to[p]) n++;
  const indices = new Uint32Array(n), before = new Uint8Array(n), after = new Uint8Array(n);
  let e = 0;
  for (let p = 0; p < from.length; p++) {
    if (from[p] === to[p]) continue;
    indices[e] = p;
    before[e] = from[p]!;
    after[e++] = to[p]!;
  }
  return { indices, before, after };
}
