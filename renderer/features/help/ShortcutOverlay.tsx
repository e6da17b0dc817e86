// The keyboard shortcut overlay (?): every command of the registry (renderer/commands.ts), one section per
// context, each command once with its keys, gesture or menu place. Scrolls inside itself on small windows.
import { COMMANDS, CONTEXTS, shownInput, type Command } from '../../commands.js';

export function ShortcutOverlay({ onClose, commands = COMMANDS }: { onClose: () => void; commands?: readonly Command[] }) {
  return (
    <div className="overlay-backdrop" onClick={onClose} role="dialog" aria-label="Keyboard shortcuts" data-testid="shortcuts">
      <div className="overlay-card shortcut-card" onClick={(e) => e.stopPropagation()}>
        <div className="panel-title">Keyboard shortcuts <span className="spacer" /><button onClick={onClose}>Close</button></div>
        <div className="shortcut-sections">
          {CONTEXTS.map((ctx) => {
            const rows = commands.filter((c) => c.context === ctx.id);
            if (!rows.length) return null;
            return (
              <section key={ctx.id} className="shortcut-section" data-context={ctx.id} aria-label={ctx.title}>
                <h3>{ctx.title} <span className="muted small">{ctx.note}</span></h3>
                <table className="shortcut-table">
                  <tbody>
                    {rows.map((c) => (
                      <tr key={c.id} data-command={c.id}>
                        <td>{c.keys.length || c.shown ? <kbd>{shownInput(c)}</kbd> : <span className="muted small">{shownInput(c)}</span>}</td>
                        <td>{c.label}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            );
          })}
        </div>
      </div>
    </div>
  );
}
