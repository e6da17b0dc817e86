// Level measurements on box phantoms of known geometry (tests/unit/gradings/levelPhantom.ts), in both SPIDER
// on-disk orientations: disc heights and DHI, a 4 mm forward slip (12.5 %, Meyerding I), the canal's A–P
// diameter and the nucleus/CSF signal ratio, each within one voxel; robustness to an 81-voxel stray stroke (the
// issue 15 report: one stroke moved a height ratio from 87 % to 127 %), for these measures and the older disc
// height of measure.ts.
import { describe, expect, it } from 'vitest';
import type { LevelMeasure } from '../../../common/contractLevelMeasures.js';
import { requestSchemas } from '../../../common/contract.js';
import { formatLevelMeasure, measureFlags, meyerdingGrade } from '../../../common/contractLevelMeasures.js';
import { measureLevels, sagittalFrame } from '../../../main/core/gradings/levelMeasures.js';
import { measureSeries } from '../../../main/core/gradings/measure.js';
import { CANAL_AP, DISC_H, INTENSITY, makePhantom, paintStroke, VERT_D, VERT_H } from './levelPhantom.js';

const VOXEL = 0.5; // in-plane spacing of the phantoms (mm)

const byLabel = (levels: LevelMeasure[], k: number): LevelMeasure => {
  const l = levels.find((x) => x.ivdLabel === k);
  if (!l) throw new Error(`no level ${k}`);
  return l;
};

describe.each(['LPS', 'PIR'] as const)('level measures on a %s phantom', (orientation) => {
  const ph = makePhantom({ orientation, slipLevel: 3, slipMm: 4 });
  const { levels, skipped } = measureLevels('9_t2', ph.labels, ph.geometry, ph.image);

  it('finds every disc, named with its series', () => {
    expect(skipped).toBeNull();
    expect(levels.map((l) => l.ivdLabel)).toEqual([1, 2, 3, 4]);
    expect(levels.every((l) => l.seriesId === '9_t2' && l.sequence === 't2')).toBe(true);
  });

  it('measures disc heights and the DHI of a disc of known height', () => {
    for (const k of [1, 2, 3, 4]) {
      const l = byLabel(levels, k);
      for (const h of [l.discHeightMm!.anterior, l.discHeightMm!.middle, l.discHeightMm!.posterior]) expect(Math.abs(h - DISC_H[k]!)).toBeLessThanOrEqual(VOXEL);
      expect(Math.abs(l.vertebraHeightMm! - VERT_H)).toBeLessThanOrEqual(VOXEL);
      expect(Math.abs(l.dhi!.mean - DISC_H[k]! / VERT_H)).toBeLessThanOrEqual(2 * VOXEL / VERT_H);
    }
  });

  it('measures a known 4 mm forward slip as 12.5 %, Meyerding I, and none where there is none', () => {
    const l3 = byLabel(levels, 3);
    expect(Math.abs(l3.slipMm! - 4)).toBeLessThanOrEqual(VOXEL);
    expect(Math.abs(l3.slipPercent! - (4 / VERT_D) * 100)).toBeLessThanOrEqual((VOXEL / VERT_D) * 100 + 0.1);
    expect(l3.meyerding).toBe(1);
    const l2 = byLabel(levels, 2);
    expect(Math.abs(l2.slipMm!)).toBeLessThanOrEqual(VOXEL);
    expect(l2.meyerding).toBe(0);
    // Above the slipped vertebra both move together: no slip at 204.
    expect(Math.abs(byLabel(levels, 4).slipMm!)).toBeLessThanOrEqual(VOXEL);
    // L5/S1: the sacrum is not labelled, said so.
    const l1 = byLabel(levels, 1);
    expect(l1.slipMm).toBeNull();
    expect(l1.notes.join(' ')).toMatch(/sacrum/);
  });

  it('measures the canal diameter and the nucleus/CSF signal ratio', () => {
    for (const l of levels) expect(Math.abs(l.canalApMm! - CANAL_AP)).toBeLessThanOrEqual(VOXEL);
    for (const l of levels) expect(l.signalRatio).toBeCloseTo(INTENSITY.disc / INTENSITY.canal, 3);
  });

  it('gives no signal ratio on T1 or without the image', () => {
    expect(measureLevels('9_t1', ph.labels, ph.geometry, ph.image).levels.every((l) => l.signalRatio === null)).toBe(true);
    expect(measureLevels('9_t2', ph.labels, ph.geometry, null).levels.every((l) => l.signalRatio === null)).toBe(true);
  });
});

describe('robust to an 81-voxel stray stroke', () => {
  const compare = (a: LevelMeasure, b: LevelMeasure): void => {
    for (const f of ['anterior', 'middle', 'posterior'] as const) expect(Math.abs(a.discHeightMm![f] - b.discHeightMm![f])).toBeLessThanOrEqual(VOXEL);
    expect(Math.abs(a.vertebraHeightMm! - b.vertebraHeightMm!)).toBeLessThanOrEqual(VOXEL);
    expect(Math.abs(a.dhi!.mean - b.dhi!.mean)).toBeLessThanOrEqual(0.03);
    if (a.slipMm !== null) expect(Math.abs(a.slipMm - b.slipMm!)).toBeLessThanOrEqual(VOXEL);
    expect(Math.abs(a.canalApMm! - b.canalApMm!)).toBeLessThanOrEqual(VOXEL);
    expect(Math.abs(a.signalRatio! - b.signalRatio!)).toBeLessThanOrEqual(0.02);
  };
  // World corners (y, z) of the stroke: inside vertebra L4 on the disc's axis (what broke the old height), in the
  // canal, in the background in front of the spine, and touching the disc's front.
  const places: [string, number, number][] = [
    ['inside the vertebra above, on the axis', 12, 50],
    ['in the canal', 38, 36],
    ['in front of the spine', -15, 20],
    ['touching the front of the disc', -4.5, 34],
  ];
  for (const orientation of ['LPS', 'PIR'] as const) {
    const clean = makePhantom({ orientation });
    const before = measureLevels('9_t2', clean.labels, clean.geometry, clean.image).levels;
    for (const [where, y, z] of places) {
      it(`${orientation}: a stroke of disc L4/L5 (202) ${where}`, () => {
        const ph = makePhantom({ orientation });
        expect(paintStroke(ph, 202, y, z)).toBe(81);
        const after = measureLevels('9_t2', ph.labels, ph.geometry, ph.image).levels;
        for (const k of [2, 3]) compare(byLabel(before, k), byLabel(after, k));
      });
    }
  }

  it('keeps the grading hint height (measure.ts) within a voxel when the stroke lies on the disc axis', () => {
    for (const orientation of ['LPS', 'PIR'] as const) {
      const ph = makePhantom({ orientation });
      const before = measureSeries('9_t2', ph.labels, ph.geometry).discs.get(2)!.heightMm!;
      expect(Math.abs(before - DISC_H[2])).toBeLessThanOrEqual(VOXEL);
      paintStroke(ph, 202, 12, 50);
      const after = measureSeries('9_t2', ph.labels, ph.geometry).discs.get(2)!.heightMm!;
      expect(Math.abs(after - before)).toBeLessThanOrEqual(VOXEL);
    }
  });
});

describe('rules and formatting', () => {
  it('validates the request: a patient id, nothing else', () => {
    const s = requestSchemas.levelMeasures;
    expect(s.safeParse({ patientId: 12 }).success).toBe(true);
    for (const bad of [{}, { patientId: -1 }, { patientId: 1.5 }, { patientId: '12' }, { patientId: 12, seriesId: '12_t2' }]) {
      expect(s.safeParse(bad).success).toBe(false);
    }
  });

  it('grades slips by Meyerding', () => {
    expect([-5, 0, 0.1, 25, 25.1, 50, 75, 100, 101].map(meyerdingGrade)).toEqual([0, 0, 1, 1, 2, 2, 3, 4, 5]);
  });

  it('refuses an oblique grid with a reason', () => {
    const ph = makePhantom({ orientation: 'LPS' });
    const c = Math.SQRT1_2;
    const g = { ...ph.geometry, direction: [c, c, 0, -c, c, 0, 0, 0, 1] as typeof ph.geometry.direction };
    expect(sagittalFrame(g)).toMatch(/oblique/);
    expect(measureLevels('9_t2', ph.labels, g, null)).toEqual({ skipped: expect.stringMatching(/oblique/), levels: [] });
  });

  it('names the series and flags only clear disagreements', () => {
    const ph = makePhantom({ orientation: 'PIR', slipLevel: 3, slipMm: 10 });
    const l3 = byLabel(measureLevels('9_t2_SPACE', ph.labels, ph.geometry, ph.image).levels, 3);
    expect(formatLevelMeasure(l3)).toMatch(/^T2 SPACE: DHI 0\.\d\d, slip \d+\.\d mm \(\d+ %, grade (I|II)\), canal 1[34]\.\d mm, nucleus\/CSF 0\.60$/);
    expect(measureFlags(l3, { spondylolisthesis: 0 }).map((f) => f.field)).toEqual(['spondylolisthesis']);
    expect(measureFlags(l3, { spondylolisthesis: 1 })).toEqual([]);
    expect(measureFlags(l3, { spondylolisthesis: null })).toEqual([]);
    expect(measureFlags(l3, { pfirrmann: 4 })).toEqual([]); // ratio 0.6 is not high
    const low = { ...l3, dhi: { anterior: 0.1, middle: 0.1, posterior: 0.1, mean: 0.1 }, signalRatio: 0.9 };
    expect(measureFlags(low, { narrowing: 0, pfirrmann: 5 }).map((f) => f.message)).toEqual([
      'T2 SPACE: DHI 0.10 is low but Narrowing = no',
      'T2 SPACE: nucleus/CSF signal 0.90 is high for Pfirrmann ≥ IV',
    ]);
  });
});
