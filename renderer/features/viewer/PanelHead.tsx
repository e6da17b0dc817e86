// The head of a side panel: its title and the button that collapses it to a thin strip (or expands it again).
import { keyHint } from '../../commands.js';

export function PanelHead({ side, title, collapsed, onToggle }: { side: 'left' | 'right'; title: string; collapsed: boolean; onToggle: () => void }) {
  // The arrow points where the panel goes: a left panel collapses leftwards, a right one rightwards.
  const arrow = (side === 'left') === collapsed ? '»' : '«';
  const what = `${collapsed ? 'Show' : 'Hide'} the ${title.toLowerCase()}`;
  return (
    <div className="side-head" data-testid={`${side}-panel-head`}>
      {!collapsed && <span className="side-title">{title}</span>}
      <button className="panel-toggle" aria-label={what} aria-expanded={!collapsed} title={`${what}${keyHint(side === 'left' ? 'panel-left' : 'panel-right')}`} onClick={onToggle}>
        {arrow}
      </button>
    </div>
  );
}
