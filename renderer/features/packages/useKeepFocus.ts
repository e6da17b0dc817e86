// Keeps the keyboard in a packages dialog while it works: its Import / Export button is disabled while the package is
// sent, which drops the focus to the page body, so Escape (close) and Enter no longer reached the dialog and went to
// the viewer's shortcuts instead. When the work ends with the focus outside the dialog, it goes to `target`.
import { useEffect, useRef, type RefObject } from 'react';

/** When `busy` turns false, moves the focus to `target` if it is no longer inside `within`. */
export function useKeepFocus(busy: boolean, within: RefObject<HTMLElement | null>, target: RefObject<HTMLElement | null>): void {
  const wasBusy = useRef(busy);
  useEffect(() => {
    const ended = wasBusy.current && !busy;
    wasBusy.current = busy;
    if (!ended) return;
    const box = within.current;
    const active = document.activeElement;
    if (box && (active === null || !box.contains(active))) target.current?.focus();
  }, [busy, within, target]);
}
