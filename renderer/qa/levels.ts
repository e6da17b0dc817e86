// Spine geometry of one series from its label summary (QA fixes, issue 14 item 2): vertebra levels, the spine axis
// (principal direction of the vertebra centroids, pointing superior like main/core/qa's) and positions along it.
// Pure: works on centroids in world space (LPS, mm), whatever the volume's axis order.
import type { Vec3 } from '../../common/geometry.js';
import { principalAxis } from '../../common/spineAxis.js';
import type { QaLabelSummary } from '../../common/contract.js';
import { DISC_OFFSET, isDisc, isPartialVertebra, isVertebra, PARTIAL_VERTEBRA_OFFSET } from '../../common/labels.js';

/** Vertebra index n of a mask value (n for a vertebra, 100 + n partial, 200 + n the disc below vertebra n); null otherwise. */
export function levelOf(v: number): number | null {
  if (isVertebra(v)) return v;
  if (isPartialVertebra(v)) return v - PARTIAL_VERTEBRA_OFFSET;
  if (isDisc(v)) return v - DISC_OFFSET;
  return null;
}

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** The spine axis from vertebra centroids, pointing superior: the same function main/core/qa uses. */
export const spineAxis = principalAxis;

export interface SpineLevels {
  /** Vertebra index n → the mask value carrying it (n, or 100 + n when only partial), ascending n. */
  vertebrae: Map<number, number>;
  /** Disc values present, ascending. */
  discs: number[];
  axis: Vec3;
  /** Position (mm along the axis) of a present label's centroid. */
  pos(value: number): number;
  /** Median distance along the axis between vertebrae with consecutive numbers; null with fewer than two. */
  step: number | null;
  centroid(value: number): Vec3 | undefined;
}

export function spineLevels(labels: readonly QaLabelSummary[]): SpineLevels {
  const byValue = new Map(labels.map((l) => [l.value, l]));
  const vertebrae = new Map<number, number>();
  for (const l of labels) if (isVertebra(l.value)) vertebrae.set(l.value, l.value);
  for (const l of labels) {
    if (isPartialVertebra(l.value) && !vertebrae.has(l.value - PARTIAL_VERTEBRA_OFFSET)) vertebrae.set(l.value - PARTIAL_VERTEBRA_OFFSET, l.value);
  }
  const sorted = new Map([...vertebrae.entries()].sort((a, b) => a[0] - b[0]));
  const axis = spineAxis([...sorted.values()].map((v) => byValue.get(v)!.centroidWorld));
  const pos = (value: number): number => {
    const l = byValue.get(value);
    return l ? dot(l.centroidWorld, axis) : NaN;
  };
  const steps: number[] = [];
  for (const [n, v] of sorted) {
    const next = sorted.get(n + 1);
    if (next !== undefined) steps.push(Math.abs(pos(next) - pos(v)));
  }
  steps.sort((a, b) => a - b);
  return {
    vertebrae: sorted,
    discs: labels.filter((l) => isDisc(l.value)).map((l) => l.value).sort((a, b) => a - b),
    axis,
    pos,
    step: steps.length ? steps[steps.length >> 1]! : null,
    centroid: (v) => byValue.get(v)?.centroidWorld,
  };
}

/**
 * The one exchange of two values that puts `values` in ascending order of position (lowest label lowest), or null
 * when they are in order already or more than two are out of place.
 */
export function singleTransposition(values: readonly number[], pos: (v: number) => number): [number, number] | null {
  const byLabel = [...values].sort((a, b) => a - b);
  const byPos = [...values].sort((a, b) => pos(a) - pos(b));
  const wrong: number[] = [];
  byLabel.forEach((v, i) => {
    if (byPos[i] !== v) wrong.push(i);
  });
  if (wrong.length !== 2) return null;
  const [i, j] = wrong as [number, number];
  // Exactly two places differ: the label order and the position order differ by exchanging these two.
  return byPos[i] === byLabel[j] && byPos[j] === byLabel[i] ? [byLabel[i]!, byLabel[j]!] : null;
}
