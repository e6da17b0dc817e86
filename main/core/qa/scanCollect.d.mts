// Types of scanCollect.mjs (plain JavaScript, shared with the QA worker threads; checked by tsconfig.worker.json).
import type { RawScan } from './scanRuns.d.mts';

export function find(parent: Int32Array, x: number): number;

export class Contacts {
  dense: Float64Array;
  sparse: Map<number, number>;
  add(a: number, b: number, n: number): void;
  pairs(): [number, number, number][];
}

export interface RunStore {
  S: Int32Array;
  E: Int32Array;
  L: Int32Array;
  R: Int32Array;
  P: Int32Array;
  n: number;
  rowFirst: Int32Array;
  rowEnd: Int32Array;
  width: number;
  tol: number;
  contacts: Contacts;
}

export function collect(st: RunStore, values: number[], size: [number, number, number], alongJ: boolean, runsFor: number[]): RawScan;
