import { describe, expect, it } from 'vitest';
import {
  allLabelValues, CANAL_LABEL, discLabel, discName, isKnownLabel, ivdLabelToMaskValue, labelInfo,
  maskValueToIvdLabel, vertebraName,
} from '../../../common/labels.js';
import { GRADING_FIELDS, GRADINGS_HEADER, isLegalGradingValue } from '../../../common/gradings.js';

describe('SPIDER label conventions', () => {
  it('counts vertebrae from the bottom: 1 = L5 … 5 = L1, 6 = T12, 24 = C1', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 17, 18, 24].map(vertebraName)).toEqual(['L5', 'L4', 'L3', 'L2', 'L1', 'T12', 'T11', 'T1', 'C7', 'C1']);
  });

  it('names disc 200+n after the vertebra above it and the one below', () => {
    expect(labelInfo(201).name).toBe('L5/S1');
    expect(labelInfo(202).name).toBe('L4/L5');
    expect(labelInfo(205).name).toBe('L1/L2');
    expect(labelInfo(206).name).toBe('T12/L1');
    expect(discName(23)).toBe('C2/C3');
    expect(labelInfo(203)).toMatchObject({ kind: 'disc', index: 3 });
  });

  it('knows the canal and partly visible vertebrae', () => {
    expect(labelInfo(CANAL_LABEL)).toMatchObject({ kind: 'canal', name: 'Canal' });
    expect(labelInfo(102)).toMatchObject({ kind: 'partial_vertebra', index: 2, name: 'L4 (partial)' });
  });

  it('accepts exactly the convention values', () => {
    const known = new Set(allLabelValues());
    for (let v = 0; v <= 300; v++) {
      const expected = v === 0 || (v >= 1 && v <= 25) || (v >= 100 && v <= 125) || (v >= 201 && v <= 225);
      expect(isKnownLabel(v), `value ${v}`).toBe(expected);
      if (v !== 0) expect(known.has(v), `value ${v} listed`).toBe(expected);
    }
    expect(() => labelInfo(150)).toThrow(RangeError);
  });

  it('gives neighbouring levels distinct colours', () => {
    for (let n = 1; n < 9; n++) {
      expect(labelInfo(n).color).not.toEqual(labelInfo(n + 1).color);
      expect(labelInfo(discLabel(n)).color).not.toEqual(labelInfo(discLabel(n + 1)).color);
      expect(labelInfo(n).color).not.toEqual(labelInfo(discLabel(n)).color);
    }
  });

  it('links gradings IVD label k to mask value 200+k', () => {
    expect(ivdLabelToMaskValue(1)).toBe(201);
    expect(maskValueToIvdLabel(207)).toBe(7);
    expect(maskValueToIvdLabel(7)).toBeNull();
    expect(maskValueToIvdLabel(100)).toBeNull();
  });
});

describe('grading fields', () => {
  it('keeps the released header byte-exact, misspelling included', () => {
    expect(GRADINGS_HEADER.join(',')).toBe(
      'Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,Disc bulging,Pfirrman grade',
    );
  });

  it('allows Pfirrmann 1–5, Modic 0–3 and 0/1 findings only', () => {
    expect(isLegalGradingValue('pfirrmann', 0)).toBe(false);
    expect(isLegalGradingValue('pfirrmann', 5)).toBe(true);
    expect(isLegalGradingValue('modic', 3)).toBe(true);
    expect(isLegalGradingValue('modic', 4)).toBe(false);
    for (const f of GRADING_FIELDS.filter((x) => x.field !== 'pfirrmann' && x.field !== 'modic')) {
      expect(f.values).toEqual([0, 1]);
    }
  });
});
