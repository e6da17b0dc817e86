import { describe, expect, it } from 'vitest';
import { GRADING_FIELDS } from '../../../common/gradings.js';
import { criteriaText, MODIC_CRITERIA, PFIRRMANN_CRITERIA, t2Series } from '../../../common/gradingCriteria.js';

describe('grading criteria', () => {
  it('has criteria for every legal value of every grading field, and none for illegal values', () => {
    for (const spec of GRADING_FIELDS) {
      for (const v of spec.values) {
        const text = criteriaText(spec.field, v);
        expect(text, `${spec.field} ${v}`).toBeTruthy();
        expect(text!.length, `${spec.field} ${v}`).toBeGreaterThan(3);
      }
      for (const v of [-1, 6, 0.5, Math.max(...spec.values) + 1]) {
        if (!spec.values.includes(v)) expect(criteriaText(spec.field, v), `${spec.field} ${v}`).toBeNull();
      }
    }
  });

  it('lists exactly the legal Pfirrmann grades and Modic types, in order, each with all criteria filled', () => {
    const spec = (f: string) => GRADING_FIELDS.find((s) => s.field === f)!;
    expect(PFIRRMANN_CRITERIA.map((c) => c.grade)).toEqual(spec('pfirrmann').values);
    expect(PFIRRMANN_CRITERIA.map((c) => c.roman)).toEqual(spec('pfirrmann').values.map((v) => spec('pfirrmann').valueNames[v]));
    for (const c of PFIRRMANN_CRITERIA) {
      for (const k of ['structure', 'distinction', 'signal', 'height'] as const) {
        expect(c[k], `${c.roman} ${k}`).not.toBe('');
        expect(c.short[k], `${c.roman} short ${k}`).not.toBe('');
        expect(c.short[k].length, `${c.roman} short ${k}`).toBeLessThanOrEqual(Math.max(24, c[k].length));
      }
    }
    expect(MODIC_CRITERIA.map((c) => c.type)).toEqual(spec('modic').values);
    for (const c of MODIC_CRITERIA.filter((x) => x.type > 0)) expect(c.t1 && c.t2, `type ${c.type}`).toBeTruthy();
  });

  it('gives the Pfirrmann 2001 criteria and the Modic signal patterns', () => {
    expect(criteriaText('pfirrmann', 1)).toBe('I: homogeneous, bright white; nucleus / annulus clear; T2 signal hyperintense, isointense to CSF; disc height normal');
    expect(criteriaText('pfirrmann', 3)).toContain('nucleus / annulus unclear');
    expect(criteriaText('pfirrmann', 5)).toContain('collapsed');
    expect(criteriaText('modic', 0)).toBe('none');
    expect(criteriaText('modic', 1)).toBe('type I: T1 hypo / T2 hyper');
    expect(criteriaText('modic', 2)).toBe('type II: T1 hyper / T2 iso–hyper');
    expect(criteriaText('modic', 3)).toBe('type III: T1 hypo / T2 hypo');
    expect(criteriaText('narrowing', 1)).toMatch(/^yes: /);
  });

  it('finds the T2 series among a patient\'s series ids', () => {
    expect(t2Series(['12_t1', '12_t2', '12_t2_SPACE'])).toEqual(['12_t2', '12_t2_SPACE']);
    expect(t2Series(['3_t1'])).toEqual([]);
    expect(t2Series(['5_t2_SPACE'])).toEqual(['5_t2_SPACE']);
    expect(t2Series(['7_t2x', '7_t1_t2a'])).toEqual([]);
  });
});
