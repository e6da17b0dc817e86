// The keyboard shortcut overlay (?): every key the workstation answers to, in one place.
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = isMac ? '⌘' : 'Ctrl';

export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['b', 'Brush'],
  ['e', 'Eraser'],
  ['t', 'Threshold brush'],
  ['f', 'Fill (closed region in the slice)'],
  ['g', 'Threshold fill (connected in-range region)'],
  ['Esc', 'Navigate (no tool)'],
  ['[ / ]', 'Brush smaller / larger'],
  [', / .', 'Previous / next label'],
  [`${MOD}+click`, 'Pick the label under the cursor'],
  [`${MOD}+Z / ${MOD}+Shift+Z`, 'Undo / redo'],
  ['PageUp / PageDown, wheel', 'Next / previous slice'],
  [`${MOD}+wheel`, 'Zoom'],
  ['middle drag', 'Pan'],
  ['right drag', 'Window / level'],
  ['w', 'Automatic window'],
  ['r', 'Reset zoom and pan'],
  ['m', 'Maximise the view under the pointer'],
  ['h', 'Hide / show all labels'],
  ['o', 'Fill / outline labels'],
  ['s / Shift+S', 'Next / previous series of the patient'],
  ['?', 'This overlay'],
];

export function ShortcutOverlay({ onClose, shortcuts = SHORTCUTS }: { onClose(): void; shortcuts?: ReadonlyArray<[string, string]> }) {
  return (
    <div className="overlay-backdrop" onClick={onClose} role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts">
      <div className="overlay-card" onClick={(e) => e.stopPropagation()}>
        <div className="panel-title">Keyboard shortcuts <span className="spacer" /><button onClick={onClose}>Close</button></div>
        <table className="shortcut-table">
          <tbody>
            {shortcuts.map(([k, what]) => (
              <tr key={k}><td><kbd>{k}</kbd></td><td>{what}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
