// What the edit session reports to the views that follow the labels (3-D surfaces, label counts): every change of the
// shown volume that is not a stroke — an undo, a redo, a refused stroke taken back, a discard — comes with the exact
// diff it made (the shown values before and after), so a follower that applies the diffs to its own copy ends equal
// to the shown volume without ever rescanning it. Only a reload of main's labels reports null. Real DiffRecorder
// strokes on a real volume against the in-memory journal of fakeService.ts.
import { describe, expect, it, vi } from 'vitest';
import { applyDiff, type VoxelDiff } from '../../../common/labelDiff.js';
import { createEditSession } from '../../../renderer/editing/editSession.js';
import { changedSince, changeUnderPendingShown, snapshotVoxels } from '../../../renderer/editing/rebase.js';
import { applyDiffToCounts, DiffRecorder, labelCounts } from '../../../renderer/labelmap/index.js';
import { describeEdit } from '../../../renderer/tools/describe.js';
import { FakeLabelService } from './fakeService.js';

const N = 16 * 16 * 4;
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, k) => a + k);
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** A session whose label-change reports drive a follower: a copy of the volume and its label counts, kept by diffs. */
function rig(opts: { readOnly?: string } = {}) {
  const start = new Uint8Array(N);
  start.fill(7, 100, 140);
  const server = new FakeLabelService(start);
  const labels = start.slice();
  const follower = { labels: start.slice(), counts: labelCounts(start), reports: [] as Array<VoxelDiff | null> };
  let saveState = '';
  /** Keeps the follower in step: a diff is applied, null (a reload) copies the volume. */
  const follow = (diff: VoxelDiff | null): void => {
    expect(diff, 'every change is reported as a diff, or null for a reload').not.toBeUndefined();
    follower.reports.push(diff);
    if (!diff) {
      follower.labels.set(labels);
      follower.counts = labelCounts(labels);
      return;
    }
    // Each reported diff starts from what the follower holds (the shown volume before the change).
    for (let e = 0; e < diff.indices.length; e++) expect(follower.labels[diff.indices[e]!]).toBe(diff.before[e]);
    applyDiff(follower.labels, diff, 'forward');
    expect(applyDiffToCounts(follower.counts, diff)).toBe(true);
  };
  const session = createEditSession({
    seriesId: '1_t1', labels, revision: 0, api: server.api(), loadLabels: () => server.loadLabels(),
    ...(opts.readOnly !== undefined ? { readOnly: opts.readOnly } : {}),
    retryDelayMs: () => 3_600_000,
    events: { onLabelsChanged: follow, onSaveState: (st) => (saveState = st.kind), onHistory: () => undefined, onRefused: () => undefined },
  });
  const recorder = new DiffRecorder(labels);
  /** A stroke: written into the shown volume, reported to the follower as the app does, committed. */
  const draw = (indices: number[], value: number): Promise<boolean> => {
    for (const i of indices) recorder.write(i, value);
    const diff = recorder.finish();
    follow(diff);
    return session.commit({ diff, tool: 'brush', label: value, description: describeEdit('Brush', value, diff.indices.length) });
  };
  /** The follower equals the shown volume, by voxels and by counts. */
  const inStep = (): void => {
    expect(same(follower.labels, labels)).toBe(true);
    expect([...follower.counts]).toEqual([...labelCounts(labels)]);
  };
  return { server, labels, session, follower, draw, inStep, state: () => saveState };
}

describe('edit session: label changes are reported as diffs', () => {
  it('undo and redo report exactly the voxels they changed, not null', async () => {
    const r = rig();
    await r.draw(range(0, 10), 1);
    await r.draw(range(120, 130), 2); // paints over part of label 7
    const reportsBefore = r.follower.reports.length;
    expect((await r.session.undo())?.description).toBe('Brush L4, 10 voxels');
    const undo = r.follower.reports.at(-1)!;
    expect(r.follower.reports.length).toBe(reportsBefore + 1);
    expect(undo).not.toBeNull();
    expect([...undo.indices]).toEqual(range(120, 130));
    expect([...undo.before]).toEqual(Array(10).fill(2));
    expect([...undo.after]).toEqual(Array(10).fill(7));
    r.inStep();
    await r.session.undo();
    await r.session.redo();
    await r.session.redo();
    await r.session.idle();
    expect(r.follower.reports.slice(reportsBefore)).not.toContain(null);
    expect(r.follower.reports.slice(reportsBefore).map((d) => d!.indices.length)).toEqual([10, 10, 10, 10]);
    r.inStep();
    expect(same(r.labels, r.server.labels)).toBe(true);
  });

  it('an undo under a queued stroke reports only the voxels whose shown value changed', async () => {
    const r = rig();
    await r.draw(range(0, 20), 3);
    r.server.hold(); // the undo waits; a stroke is drawn meanwhile over half of what it undoes
    const undone = r.session.undo();
    const later = r.draw(range(10, 30), 4);
    r.server.release();
    await undone;
    await later;
    await r.session.idle();
    const reports = r.follower.reports.filter((d): d is VoxelDiff => d !== null);
    // The undo's report: voxels 0–9 back to 0; 10–19 stay 4 on screen (the queued stroke covers them).
    expect(reports.some((d) => d.indices.length === 10 && d.indices[0] === 0 && d.indices[9] === 9 && d.after.every((v) => v === 0))).toBe(true);
    expect(r.follower.reports).not.toContain(null);
    r.inStep();
    expect(same(r.labels, r.server.labels)).toBe(true);
  });

  it('a refused stroke taken back, and a stroke on a read-only series, report the voxels they restored', async () => {
    const r = rig();
    r.server.refuseNext('commitEdit', 'invalid_request', 'refused');
    expect(await r.draw(range(95, 110), 5)).toBe(false);
    const back = r.follower.reports.at(-1)!;
    expect(back).not.toBeNull();
    expect(back.indices.length).toBe(15);
    r.inStep();
    const ro = rig({ readOnly: 'locked by a test' });
    expect(await ro.draw(range(0, 5), 2)).toBe(false);
    expect(ro.follower.reports.at(-1)).not.toBeNull();
    ro.inStep();
    expect(same(ro.labels, ro.server.labels)).toBe(true);
  });

  it('Discard reports the queued strokes taken back as one diff', async () => {
    const r = rig();
    await r.draw(range(20, 24), 5);
    r.server.offline = true;
    const a = r.draw(range(0, 10), 1);
    const b = r.draw(range(5, 22), 2);
    await vi.waitFor(() => expect(r.state()).toBe('paused'));
    r.session.discard();
    expect(await Promise.all([a, b])).toEqual([false, false]);
    const d = r.follower.reports.at(-1)!;
    expect(d).not.toBeNull();
    expect([...d.indices]).toEqual(range(0, 22)); // 0–21 changed (20–21 go back to 5, not to 0)
    r.inStep();
    r.server.offline = false;
    r.session.retry(); // the interrupted call's outcome is checked once main answers
    await r.session.idle();
    r.inStep();
    expect(same(r.labels, r.server.labels)).toBe(true);
  });

  it('a reload of main\'s labels (someone else wrote) is the one change reported as null', async () => {
    const r = rig();
    await r.draw(range(0, 4), 1);
    r.server.commitElsewhere({ indices: Uint32Array.from([50, 51]), before: new Uint8Array(2), after: Uint8Array.from([9, 9]) }, 'elsewhere');
    await r.draw(range(60, 62), 2); // main's revision moved under it: a conflict, then a reload
    await r.session.idle();
    expect(r.follower.reports).toContain(null);
    r.inStep();
    expect(same(r.labels, r.server.labels)).toBe(true);
  });
});

describe('rebase: the shown change', () => {
  it('changeUnderPendingShown reports what it wrote into the shown volume, ascending, and nothing a pending stroke covers', () => {
    const labels = Uint8Array.from([0, 1, 1, 2, 2, 0, 3, 3]);
    const pending: VoxelDiff = { indices: Uint32Array.from([2, 3]), before: Uint8Array.from([1, 1]), after: Uint8Array.from([1, 2]) };
    const { pending: [rebased], shown } = changeUnderPendingShown(labels, { indices: Uint32Array.from([1, 2, 5, 6]), values: Uint8Array.from([0, 0, 0, 4]) }, [pending]);
    expect([...labels]).toEqual([0, 0, 1, 2, 2, 0, 4, 3]);
    expect({ indices: [...shown.indices], before: [...shown.before], after: [...shown.after] }).toEqual({ indices: [1, 6], before: [1, 3], after: [0, 4] });
    expect([...rebased!.before]).toEqual([0, 1]);
  });

  it('snapshotVoxels + changedSince: the net change of several overlapping diffs', () => {
    const labels = Uint8Array.from([5, 5, 5, 5, 5]);
    const a: VoxelDiff = { indices: Uint32Array.from([3, 1]), before: Uint8Array.from([5, 5]), after: Uint8Array.from([6, 6]) };
    const b: VoxelDiff = { indices: Uint32Array.from([1, 2]), before: Uint8Array.from([6, 5]), after: Uint8Array.from([5, 7]) };
    const snap = snapshotVoxels(labels, [a, b]);
    expect([...snap.indices]).toEqual([1, 2, 3]);
    applyDiff(labels, a, 'forward');
    applyDiff(labels, b, 'forward');
    const d = changedSince(labels, snap);
    expect({ indices: [...d.indices], before: [...d.before], after: [...d.after] }).toEqual({ indices: [2, 3], before: [5, 5], after: [7, 6] });
  });
});
