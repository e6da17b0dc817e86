// The sequence of a SPIDER series, from its id ('12_t2_SPACE' → 't2_SPACE'), and its name as people read it
// ('T1', 'T2', 'T2 SPACE'). One place for the grading dock, the grading layout, the level check and the measures.

/** The sequence part of a series id: what follows the patient number ('12_t2_SPACE' → 't2_SPACE'). */
export function sequenceOf(seriesId: string): string {
  return seriesId.slice(seriesId.indexOf('_') + 1);
}

/** A sequence as people read it: 't1' → 'T1', 't2_SPACE' → 'T2 SPACE'. */
export function sequenceTitle(sequence: string): string {
  return sequence.replace(/^t/, 'T').replace(/_/g, ' ');
}

/** The sequence name of a series id: '12_t2_SPACE' → 'T2 SPACE'. */
export function sequenceName(seriesId: string): string {
  return sequenceTitle(sequenceOf(seriesId));
}
