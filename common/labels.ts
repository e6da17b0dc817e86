// SPIDER label conventions (DATASET.md §2): mask value <-> structure <-> name <-> colour.
// Vertebrae are counted from the bottom: 1 = lowest non-sacral vertebra (normally L5), 2 = L4, … 5 = L1,
// 6 = T12 … 24 = C1. Discs are 200 + n, the disc directly below vertebra n (201 = L5/S1). Canal = 100.
// 100 + n marks vertebra n as only partly inside the field of view. Pure: no I/O.

export type LabelValue = number;
export type LabelKind = 'background' | 'vertebra' | 'partial_vertebra' | 'canal' | 'disc';

export const BACKGROUND_LABEL = 0;
export const CANAL_LABEL = 100;
export const PARTIAL_VERTEBRA_OFFSET = 100;
export const DISC_OFFSET = 200;
/** Highest vertebra index in the convention (24 = C1; 25 is allowed by the challenge I/O definition). */
export const MAX_VERTEBRA_INDEX = 25;

export interface LabelInfo {
  value: LabelValue;
  kind: LabelKind;
  /** Vertebra index n (1 = lowest) for vertebrae, partial vertebrae and discs (disc below vertebra n). */
  index: number | null;
  /** Anatomical name assuming label 1 = L5: 'L4', 'L4/L5', 'Canal', 'L3 (partial)'. */
  name: string;
  /** RGB, 0–255. */
  color: [number, number, number];
}

// Counted from the bottom: index 1 = L5 … 5 = L1, 6 = T12 … 17 = T1, 18 = C7 … 24 = C1.
const VERTEBRA_NAMES: readonly string[] = [
  '', 'L5', 'L4', 'L3', 'L2', 'L1',
  'T12', 'T11', 'T10', 'T9', 'T8', 'T7', 'T6', 'T5', 'T4', 'T3', 'T2', 'T1',
  'C7', 'C6', 'C5', 'C4', 'C3', 'C2', 'C1', 'C0',
];

/** Name of vertebra n counted from the bottom (1 = L5), e.g. vertebraName(2) = 'L4'. */
export function vertebraName(n: number): string {
  return VERTEBRA_NAMES[n] ?? `V${n}`;
}

/** Name of the disc below vertebra n: discName(1) = 'L5/S1', discName(2) = 'L4/L5'. */
export function discName(n: number): string {
  const below = n === 1 ? 'S1' : vertebraName(n - 1);
  return `${vertebraName(n)}/${below}`;
}

// Distinct hues for neighbouring levels: vertebrae in warm/earthy tones, discs in cool tones, canal yellow.
const VERTEBRA_COLORS: ReadonlyArray<[number, number, number]> = [
  [230, 25, 75], [245, 130, 48], [255, 105, 180], [170, 110, 40], [220, 190, 255],
  [128, 0, 0], [250, 190, 212], [255, 215, 180], [154, 99, 36], [210, 80, 120],
];
const DISC_COLORS: ReadonlyArray<[number, number, number]> = [
  [0, 130, 200], [60, 180, 75], [70, 240, 240], [0, 0, 180], [170, 255, 195],
  [0, 128, 128], [145, 30, 180], [128, 128, 255], [0, 190, 120], [100, 160, 255],
];
const CANAL_COLOR: [number, number, number] = [255, 225, 25];

export function isVertebra(v: LabelValue): boolean {
  return v >= 1 && v <= MAX_VERTEBRA_INDEX;
}
export function isPartialVertebra(v: LabelValue): boolean {
  return v > PARTIAL_VERTEBRA_OFFSET && v <= PARTIAL_VERTEBRA_OFFSET + MAX_VERTEBRA_INDEX;
}
export function isDisc(v: LabelValue): boolean {
  return v > DISC_OFFSET && v <= DISC_OFFSET + MAX_VERTEBRA_INDEX;
}
/** True for every value the SPIDER convention defines (0, 1–25, 100, 101–125, 201–225). */
export function isKnownLabel(v: LabelValue): boolean {
  return v === BACKGROUND_LABEL || v === CANAL_LABEL || isVertebra(v) || isPartialVertebra(v) || isDisc(v);
}

/** Everything the UI needs about a mask value; unknown values get kind 'background' only when 0, else throw. */
export function labelInfo(v: LabelValue): LabelInfo {
  if (v === BACKGROUND_LABEL) return { value: v, kind: 'background', index: null, name: 'Background', color: [0, 0, 0] };
  if (v === CANAL_LABEL) return { value: v, kind: 'canal', index: null, name: 'Canal', color: CANAL_COLOR };
  if (isVertebra(v)) {
    return { value: v, kind: 'vertebra', index: v, name: vertebraName(v), color: VERTEBRA_COLORS[(v - 1) % VERTEBRA_COLORS.length]! };
  }
  if (isPartialVertebra(v)) {
    const n = v - PARTIAL_VERTEBRA_OFFSET;
    const c = VERTEBRA_COLORS[(n - 1) % VERTEBRA_COLORS.length]!;
    return { value: v, kind: 'partial_vertebra', index: n, name: `${vertebraName(n)} (partial)`, color: [c[0] >> 1, c[1] >> 1, c[2] >> 1] };
  }
  if (isDisc(v)) {
    const n = v - DISC_OFFSET;
    return { value: v, kind: 'disc', index: n, name: discName(n), color: DISC_COLORS[(n - 1) % DISC_COLORS.length]! };
  }
  throw new RangeError(`${v} is not a SPIDER label value`);
}

/** Mask value of vertebra n / of the disc below vertebra n / of partial vertebra n. */
export const vertebraLabel = (n: number): LabelValue => n;
export const discLabel = (n: number): LabelValue => DISC_OFFSET + n;
export const partialVertebraLabel = (n: number): LabelValue => PARTIAL_VERTEBRA_OFFSET + n;

/** Gradings `IVD label` k <-> mask value 200 + k (DATASET.md §2, "Gradings link"). */
export const ivdLabelToMaskValue = (k: number): LabelValue => DISC_OFFSET + k;
export function maskValueToIvdLabel(v: LabelValue): number | null {
  return isDisc(v) ? v - DISC_OFFSET : null;
}

/** Every value the convention defines, in display order: vertebrae bottom-up, discs bottom-up, canal, partials. */
export function allLabelValues(): LabelValue[] {
  const out: LabelValue[] = [];
  for (let n = 1; n <= MAX_VERTEBRA_INDEX; n++) out.push(vertebraLabel(n));
  for (let n = 1; n <= MAX_VERTEBRA_INDEX; n++) out.push(discLabel(n));
  out.push(CANAL_LABEL);
  for (let n = 1; n <= MAX_VERTEBRA_INDEX; n++) out.push(partialVertebraLabel(n));
  return out;
}
