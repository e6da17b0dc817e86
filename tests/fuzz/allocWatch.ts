// Records the largest single buffer allocation made while armed, so a fuzz case can check that no file made the
// workstation allocate more than the file's bytes justify (a header declaring 2^30 voxels in a 1 KiB file must be
// refused before anything that size is allocated; untouched zero-filled pages would not show in the RSS).
//
// Import this module FIRST in a test file: it replaces the global typed-array and ArrayBuffer constructors with
// counting proxies (instanceof, statics and subclassing keep working) and wraps Buffer.alloc*, and the project's
// modules capture these globals when they are evaluated (e.g. the pixel-type table of main/core/mha).

const TYPED: ReadonlyArray<[string, number]> = [
  ['ArrayBuffer', 1],
  ['Uint8Array', 1],
  ['Int8Array', 1],
  ['Uint8ClampedArray', 1],
  ['Uint16Array', 2],
  ['Int16Array', 2],
  ['Uint32Array', 4],
  ['Int32Array', 4],
  ['Float32Array', 4],
  ['Float64Array', 8],
  ['BigInt64Array', 8],
  ['BigUint64Array', 8],
];

let armed = false;
let largest = 0;
let largestWhat = '';

export interface Allocation {
  bytes: number;
  what: string;
  /** The tag set with setTag() when it happened. */
  tag: number | null;
}

/** Continuous recording of allocations at or above a threshold, each tagged with whatever was current. */
let recording: { threshold: number; tag: number | null; seen: Allocation[] } | null = null;

function note(bytes: number, what: string): void {
  if (armed && bytes > largest) {
    largest = bytes;
    largestWhat = what;
  }
  if (recording && bytes >= recording.threshold) recording.seen.push({ bytes, what, tag: recording.tag });
}

/** Number of bytes a length argument asks for; NaN and negatives are the constructor's problem, not ours. */
function requested(arg: unknown, size: number): number {
  return typeof arg === 'number' && arg > 0 ? arg * size : 0;
}

const g = globalThis as unknown as Record<string, unknown>;
const installed = g.__spineAllocWatch === true;
if (!installed) {
  g.__spineAllocWatch = true;
  for (const [name, size] of TYPED) {
    const original = g[name] as (new (...args: unknown[]) => object) | undefined;
    if (typeof original !== 'function') continue;
    const proxy: object = new Proxy(original, {
      construct(target, args: unknown[], newTarget: (new (...a: unknown[]) => object)) {
        note(requested(args[0], size), `new ${name}(${String(args[0])})`);
        return Reflect.construct<unknown[], object>(target, args, newTarget === proxy ? target : newTarget);
      },
    });
    g[name] = proxy;
  }
  const B = Buffer as unknown as Record<'alloc' | 'allocUnsafe' | 'allocUnsafeSlow', (size: number, ...rest: unknown[]) => Buffer>;
  for (const fn of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const original = B[fn].bind(Buffer);
    B[fn] = (size: number, ...rest: unknown[]) => {
      note(requested(size, 1), `Buffer.${fn}(${size})`);
      return original(size, ...rest);
    };
  }
}

/** Runs `fn` with the watch armed; returns its result and the largest single allocation it made (bytes). */
export async function watchAllocations<T>(fn: () => Promise<T>): Promise<{ value: T; largest: number; what: string }> {
  armed = true;
  largest = 0;
  largestWhat = '';
  try {
    const value = await fn();
    return { value, largest, what: largestWhat };
  } finally {
    armed = false;
  }
}

/** Starts recording every allocation of at least `threshold` bytes (across awaits, until stopRecording). */
export function startRecording(threshold: number): void {
  recording = { threshold, tag: null, seen: [] };
}

/** Tags the allocations recorded from now on (e.g. with the fuzz case being run). */
export function setTag(tag: number | null): void {
  if (recording) recording.tag = tag;
}

export function stopRecording(): Allocation[] {
  const seen = recording?.seen ?? [];
  recording = null;
  return seen;
}
