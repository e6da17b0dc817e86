// The head of a side panel: its title and the button that collapses it to a thin strip (or expands it again), and
// optionally a row of section links: the right panel is taller than a laptop window, so each of its sections
// (labels, history, measurements, operations, problems) is one click away — the link scrolls the section to the top
// of the panel, under this head (which stays on top: .side-head is sticky).
import { useEffect, useRef } from 'react';
import { keyHint } from '../../commands.js';

/** A section of the panel: the link's text and the test id of the section's root element. */
export interface PanelSection {
  label: string;
  /** What the link's tooltip calls the section (default: the label). */
  title?: string;
  testId: string;
}

export function PanelHead({ side, title, collapsed, onToggle, sections = [] }: { side: 'left' | 'right'; title: string; collapsed: boolean; onToggle: () => void; sections?: readonly PanelSection[] }) {
  // The arrow points where the panel goes: a left panel collapses leftwards, a right one rightwards.
  const arrow = (side === 'left') === collapsed ? '»' : '«';
  const what = `${collapsed ? 'Show' : 'Hide'} the ${title.toLowerCase()}`;
  // The panel's scroll padding follows this head's height (one or two rows), so what is scrolled into view (a
  // section link, a focused control) lands below the head, never under it.
  const head = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = head.current;
    const panel = el?.parentElement;
    if (!el || !panel) return;
    const fit = (): void => {
      panel.style.scrollPaddingTop = `${Math.ceil(el.getBoundingClientRect().height) + 4}px`;
    };
    fit();
    const watch = new ResizeObserver(fit);
    watch.observe(el);
    return () => {
      watch.disconnect();
      panel.style.scrollPaddingTop = '';
    };
  }, []);
  const jump = (head: HTMLElement, testId: string): void => {
    const panel = head.closest('aside');
    panel?.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.scrollIntoView({ block: 'start', behavior: 'instant' });
  };
  return (
    <div className="side-head" data-testid={`${side}-panel-head`} ref={head}>
      {!collapsed && <span className="side-title">{title}</span>}
      <button className="panel-toggle" aria-label={what} aria-expanded={!collapsed} title={`${what}${keyHint(side === 'left' ? 'panel-left' : 'panel-right')}`} onClick={onToggle}>
        {arrow}
      </button>
      {!collapsed && sections.length > 0 && (
        <nav className="side-sections" aria-label={`${title} sections`}>
          {sections.map((s) => (
            <button key={s.testId} type="button" data-section={s.testId} title={`Scroll to ${s.title ?? s.label.toLowerCase()}`} onClick={(e) => jump(e.currentTarget, s.testId)}>
              {s.label}
            </button>
          ))}
        </nav>
      )}
    </div>
  );
}

/** The right panel's sections, top to bottom (the test ids of their roots). */
export const RIGHT_SECTIONS: readonly PanelSection[] = [
  { label: 'Compare', title: 'the reader comparison', testId: 'compare' },
  { label: 'Labels', testId: 'label-panel' },
  { label: 'History', testId: 'history' },
  { label: 'Measure', title: 'the measurements', testId: 'measurements' },
  { label: 'Ops', title: 'the label operations', testId: 'label-ops' },
  { label: 'QA', title: 'the label problems (QA)', testId: 'problems' },
];
