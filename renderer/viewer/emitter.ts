// A minimal synchronous event emitter for the viewer's public events (cursor, crosshair, window/level, layout, tools).

export interface Emitter<T> {
  /** Adds a listener; returns its unsubscribe. */
  on(cb: (v: T) => void): () => void;
  emit(v: T): void;
  clear(): void;
}

export function createEmitter<T>(): Emitter<T> {
  const listeners = new Set<(v: T) => void>();
  return {
    on(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    emit(v) {
      for (const cb of [...listeners]) cb(v);
    },
    clear: () => listeners.clear(),
  };
}
