// Grading state of the open patient (issue 5): its levels, the selected level and that level's history. Every
// change goes to the service at once, one at a time in key order (a queue), and the row shows what the service
// acknowledged — never a value that was not stored. Toggles read the acknowledged value when they run, so fast
// repeated keys toggle back and forth correctly.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GradingEventInfo, GradingLevel } from '../../../common/contract.js';
import { gradingFieldSpec, isClearable, type GradingField } from '../../../common/gradings.js';
import { call } from '../../platform/api.js';

export type GradingSaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: string } | { kind: 'error'; message: string };

export interface Gradings {
  patientId: number | null;
  levels: GradingLevel[];
  loading: boolean;
  selected: number | null;
  history: GradingEventInfo[];
  save: GradingSaveState;
  select(ivdLabel: number | null): void;
  setValue(field: GradingField, value: number | null): void;
  /** 0 ↔ 1 for the yes/no findings (an empty value becomes 1). */
  toggle(field: GradingField): void;
  setReviewed(reviewed: boolean | 'toggle'): Promise<boolean | null>;
  undo(): void;
  reload: () => void;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Display order: cranial first (highest IVD label at the top, like the images), the CSV's label-0 rows last. */
export function displayOrder(levels: readonly GradingLevel[]): GradingLevel[] {
  return [...levels].sort((a, b) => Number(a.ivdLabel < 1) - Number(b.ivdLabel < 1) || b.ivdLabel - a.ivdLabel);
}

export function useGradings(patientId: number | null, onChanged: () => void): Gradings {
  const [levels, setLevels] = useState<GradingLevel[]>([]);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const [history, setHistory] = useState<GradingEventInfo[]>([]);
  const [save, setSave] = useState<GradingSaveState>({ kind: 'idle' });
  const levelsRef = useRef<GradingLevel[]>([]);
  const selectedRef = useRef<number | null>(null);
  const patientRef = useRef<number | null>(patientId);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const pending = useRef(0);
  patientRef.current = patientId;
  selectedRef.current = selected;
  const onChangedRef = useRef(onChanged);
  onChangedRef.current = onChanged;

  const putLevels = useCallback((next: GradingLevel[]) => {
    levelsRef.current = next;
    setLevels(next);
  }, []);

  const loadHistory = useCallback(async (pid: number, k: number | null) => {
    if (k === null) return setHistory([]);
    const h = await call('gradingHistory', { patientId: pid, ivdLabel: k });
    if (patientRef.current === pid && selectedRef.current === k) setHistory(h.events);
  }, []);

  const reload = useCallback(() => {
    const pid = patientRef.current;
    if (pid === null) return;
    setLoading(true);
    call('getGradings', { patientId: pid })
      .then((res) => {
        if (patientRef.current !== pid) return;
        const ordered = displayOrder(res.levels);
        putLevels(ordered);
        if (selectedRef.current === null || !ordered.some((l) => l.ivdLabel === selectedRef.current)) {
          const first = ordered.find((l) => l.ivdLabel >= 1) ?? ordered[0];
          selectedRef.current = first?.ivdLabel ?? null;
          setSelected(selectedRef.current);
        }
        void loadHistory(pid, selectedRef.current).catch(() => undefined);
      })
      .catch((e: unknown) => setSave({ kind: 'error', message: message(e) }))
      .finally(() => setLoading(false));
  }, [putLevels, loadHistory]);

  useEffect(() => {
    putLevels([]);
    setHistory([]);
    selectedRef.current = null;
    setSelected(null);
    setSave({ kind: 'idle' });
    reload();
  }, [patientId, reload, putLevels]);

  const select = useCallback(
    (k: number | null) => {
      if (k === selectedRef.current) return;
      selectedRef.current = k;
      setSelected(k);
      const pid = patientRef.current;
      if (pid !== null) void loadHistory(pid, k).catch(() => undefined);
    },
    [loadHistory],
  );

  /** Runs one change after the previous ones; `run` gets the acknowledged level and returns the new one (or null). */
  const enqueue = useCallback(
    <T>(run: (pid: number, k: number) => Promise<{ level: GradingLevel | null; result: T }>): Promise<T | null> => {
      const pid = patientRef.current;
      const k = selectedRef.current;
      if (pid === null || k === null) return Promise.resolve(null);
      pending.current++;
      setSave({ kind: 'saving' });
      const job = queue.current.then(async () => {
        try {
          const { level, result } = await run(pid, k);
          if (patientRef.current === pid && level) {
            putLevels(levelsRef.current.map((l) => (l.ivdLabel === level.ivdLabel ? level : l)));
            if (selectedRef.current === level.ivdLabel) await loadHistory(pid, level.ivdLabel);
          }
          if (--pending.current === 0) setSave({ kind: 'saved', at: new Date().toLocaleTimeString() });
          onChangedRef.current();
          return result;
        } catch (e) {
          pending.current--;
          setSave({ kind: 'error', message: message(e) });
          return null;
        }
      });
      queue.current = job;
      return job;
    },
    [putLevels, loadHistory],
  );

  const current = (k: number): GradingLevel | undefined => levelsRef.current.find((l) => l.ivdLabel === k);

  const setValue = useCallback(
    (field: GradingField, value: number | null) => {
      // The UI offers only legal values; this guards keyboard paths too (the service refuses the rest).
      if (value !== null && !gradingFieldSpec(field).values.includes(value)) return;
      void enqueue(async (patientId, ivdLabel) => {
        // A CSV value is never cleared (the service would refuse): nothing is sent.
        const baseline = current(ivdLabel)?.baseline[field] ?? null;
        if (value === null && !isClearable(baseline)) return { level: null, result: false };
        return { level: await call('setGrading', { patientId, ivdLabel, field, value }), result: true };
      });
    },
    [enqueue],
  );

  const toggle = useCallback(
    (field: GradingField) => {
      void enqueue(async (patientId, ivdLabel) => {
        const was = current(ivdLabel)?.values[field] ?? null;
        const value = was === 1 ? 0 : 1;
        return { level: await call('setGrading', { patientId, ivdLabel, field, value }), result: true };
      });
    },
    [enqueue],
  );

  const setReviewed = useCallback(
    (reviewed: boolean | 'toggle') =>
      enqueue(async (patientId, ivdLabel) => {
        const next = reviewed === 'toggle' ? !(current(ivdLabel)?.reviewed ?? false) : reviewed;
        const level = await call('setLevelReviewed', { patientId, ivdLabel, reviewed: next });
        return { level, result: level.reviewed };
      }),
    [enqueue],
  );

  const undo = useCallback(() => {
    void enqueue(async (patientId) => {
      const res = await call('undoGrading', { patientId });
      if (res.level && res.level.ivdLabel !== selectedRef.current) select(res.level.ivdLabel);
      return { level: res.level, result: res.level !== null };
    });
  }, [enqueue, select]);

  return { patientId, levels, loading, selected, history, save, select, setValue, toggle, setReviewed, undo, reload };
}
