// The run-length scan behind the checks (connected components in 26- and 6-connectivity, face contacts) and the
// dataset-level checks (robust z volume outliers, sibling level sets, gradings vs discs).
import { describe, expect, it } from 'vitest';
import { gradingsVsDiscs, robustZ, scanVolume, siblingLevels, volumeOutliers, type SeriesQaSummary } from '../../../main/core/qa/index.js';

describe('scanVolume', () => {
  const size: [number, number, number] = [4, 4, 4];
  const at = (i: number, j: number, k: number): number => i + 4 * (j + 4 * k);

  it('joins diagonal neighbours in 26-connectivity only, and counts face contacts between labels', () => {
    const d = new Int16Array(64);
    d[at(0, 0, 0)] = 7;
    d[at(1, 1, 1)] = 7; // corner neighbour
    d[at(3, 3, 3)] = 7; // apart
    d[at(1, 0, 0)] = 9; // shares a face with (0,0,0)
    d[at(1, 1, 0)] = 9; // shares faces with (1,0,0) [same label] and (1,1,1) [label 7]
    const s26 = scanVolume(d, size, 26);
    const l7 = s26.labels.find((l) => l.value === 7)!;
    expect(l7.voxels).toBe(3);
    expect(l7.components.map((c) => c.voxels)).toEqual([2, 1]);
    expect(s26.contacts.get('7:9')).toBe(2);
    const s6 = scanVolume(d, size, 6);
    expect(s6.labels.find((l) => l.value === 7)!.components.map((c) => c.voxels)).toEqual([1, 1, 1]);
    expect(s6.labels.find((l) => l.value === 9)!.components.map((c) => c.voxels)).toEqual([2]);
  });

  it('keeps runs along i whole and finds every overlap with the neighbouring rows', () => {
    // Row (j=0,k=0): 5 5 6 6 ; row (j=1,k=0): 0 0 0 5 -> 5 at i=3 touches 5 at i=1 diagonally only.
    const d = new Int16Array(64);
    [5, 5, 6, 6].forEach((v, i) => (d[at(i, 0, 0)] = v));
    d[at(3, 1, 0)] = 5;
    expect(scanVolume(d, size, 26).labels.find((l) => l.value === 5)!.components).toHaveLength(2);
    d[at(2, 1, 0)] = 5; // now face-adjacent? (2,1) sits over the 6 at (2,0): still only diagonal to (1,0)
    expect(scanVolume(d, size, 26).labels.find((l) => l.value === 5)!.components).toHaveLength(1);
    expect(scanVolume(d, size, 6).labels.find((l) => l.value === 5)!.components).toHaveLength(2);
    expect(scanVolume(d, size, 26).contacts.get('5:6')).toBe(1 + 2); // within the row + (2,1)/(3,1) over 6 6
  });

  it('compares every widened run with every run it overlaps (adjacent runs of different labels in both rows)', () => {
    // Row j=0: 3 3 3 3 4 0 0 0 0 0 ; row j=1: 3 3 3 3 4 4 4 4 4 4. The run of 4 in row 1 is face-adjacent to the
    // 4 at (4,0), which the widened first run of row 1 overlaps too: a plain two-pointer sweep skips the pair.
    const d = new Int16Array(20);
    for (let i = 0; i < 5; i++) d[i] = i < 4 ? 3 : 4;
    for (let i = 0; i < 10; i++) d[10 + i] = i < 4 ? 3 : 4;
    const s = scanVolume(d, [10, 2, 1], 26);
    expect(s.labels.find((l) => l.value === 4)!.components.map((c) => c.voxels)).toEqual([7]);
    expect(s.labels.find((l) => l.value === 3)!.components.map((c) => c.voxels)).toEqual([8]);
  });
});

const summary = (seriesId: string, patientId: number, labels: [number, number][], sequence = 't2'): SeriesQaSummary => ({
  seriesId,
  patientId,
  sequence,
  voxelVolume: 1,
  labels: labels.map(([value, voxels]) => ({ value, voxels, centroidIjk: [1, 2, 3], centroidWorld: [1, 2, 3] })),
});

describe('dataset checks', () => {
  it('robust z: 0.6745 (x - median) / MAD', () => {
    expect(robustZ([1, 2, 3, 4, 100])).toEqual([1, 2, 3, 4, 100].map((x) => (0.6745 * (x - 3)) / 1));
    expect(robustZ([5, 5, 5])).toEqual([0, 0, 0]);
  });

  it('volume outliers per label and sequence', () => {
    const vols = [1000, 1040, 980, 1010, 995, 1020, 1005, 990, 3000];
    const list = vols.map((v, n) => summary(`${n + 1}_t2`, n + 1, [[3, v]]));
    const fs = volumeOutliers(list);
    expect(fs.map((f) => `${f.code}:${f.seriesId}:${f.labels.join(',')}`)).toEqual(['volume_outlier:9_t2:3']);
    expect(fs[0]!.message).toMatch(/robust z/);
    // Same volumes split across two sequences: groups too small to judge.
    expect(volumeOutliers(list.map((s, n) => ({ ...s, sequence: n % 2 ? 't1' : 't2' })))).toEqual([]);
    expect(volumeOutliers(list.slice(0, 8))).toEqual([]);
  });

  it('sibling series carry the same levels', () => {
    const a = summary('1_t1', 1, [[1, 9], [2, 9], [201, 9], [202, 9]], 't1');
    const b = summary('1_t2', 1, [[1, 9], [102, 9], [201, 9]]);
    const fs = siblingLevels([a, b]);
    expect(fs.map((f) => `${f.seriesId}:${f.labels.join(',')}`)).toEqual(['1_t2:202']);
    expect(siblingLevels([a, { ...a, seriesId: '1_t2' }, summary('2_t1', 2, [[1, 1]])])).toEqual([]);
  });

  it('gradings rows without a disc and discs without a gradings row', () => {
    const s = summary('4_t2', 4, [[1, 9], [201, 9], [202, 9], [204, 9]]);
    const fs = gradingsVsDiscs([s], new Map([[4, [0, 1, 2, 3]]]));
    expect(fs.map((f) => `${f.code}:${f.labels.join(',')}`)).toEqual(['grading_without_disc:203', 'disc_without_grading:204']);
    expect(gradingsVsDiscs([s], new Map([[4, [1, 2, 4]]]))).toEqual([]);
    expect(gradingsVsDiscs([s], new Map())).toEqual([]);
  });
});
