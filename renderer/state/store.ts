// A small external store for React (useSyncExternalStore): one immutable state object, replaced on every change,
// read by components through selectors and by event handlers through get() — so no "latest value" refs.
import { useSyncExternalStore } from 'react';

export interface Store<T> {
  get: () => T;
  /** Replaces some fields; a function gets the current state. Listeners run only if a field changed. */
  set(patch: Partial<T> | ((s: T) => Partial<T>)): void;
  subscribe: (listener: () => void) => () => void;
}

/** The read side of a store (what the e2e test hook may see). */
export type ReadonlyStore<T> = Pick<Store<T>, 'get' | 'subscribe'>;

export function createStore<T extends object>(initial: T): Store<T> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(patch) {
      const p = typeof patch === 'function' ? patch(state) : patch;
      if (!(Object.keys(p) as (keyof T)[]).some((k) => !Object.is(p[k], state[k]))) return;
      state = { ...state, ...p };
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A component's view of a store: re-renders when the selected value changes (Object.is). */
export function useStore<T, U>(store: ReadonlyStore<T>, select: (s: T) => U): U {
  return useSyncExternalStore(store.subscribe, () => select(store.get()));
}

/** A field setter in the style of useState's, for one key of a store. */
export function fieldSetter<T, K extends keyof T>(store: Store<T>, key: K): (v: T[K] | ((prev: T[K]) => T[K])) => void {
  return (v) => store.set((s) => ({ [key]: typeof v === 'function' ? (v as (prev: T[K]) => T[K])(s[key]) : v }) as unknown as Partial<T>);
}

/** A tiny event channel (menu commands from the desktop bridge or the e2e hook). */
export function createChannel<E>(): { emit: (e: E) => void; subscribe: (l: (e: E) => void) => () => void } {
  const listeners = new Set<(e: E) => void>();
  return {
    emit: (e) => {
      for (const l of [...listeners]) l(e);
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
