import { describe, expect, it } from 'vitest';
import { commandForKey } from '../../../renderer/commands.js';
import { createKeyReporter, DOCK_HINT, SEQUENCE_MS } from '../../../renderer/features/grading/keyReport.js';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods,
});

/** A reporter on a clock the test moves, fed the registry's own command for each key (as App.tsx does). */
function setup() {
  let t = 0;
  const report = createKeyReporter(() => t);
  const press = (k: string, context: 'viewer' | 'grading' | 'dialog' = 'viewer', dockShown = true) => {
    const e = key(k);
    const c = commandForKey(context, e) ?? (context === 'viewer' ? null : commandForKey('viewer', e));
    return report(context, e, c, dockShown);
  };
  return { press, wait: (ms: number) => (t += ms) };
}

describe('keys that go nowhere', () => {
  it('says so for 4 and 5 in the views, and points to the dock', () => {
    const { press } = setup();
    for (const k of ['4', '5', '0']) expect(press(k)).toEqual({ message: `${k}: no shortcut in the views, nothing graded. ${DOCK_HINT}`, drop: false });
  });

  it('keeps 1–3 as layout keys in the views, saying they did not grade', () => {
    const { press } = setup();
    expect(press('1')).toEqual({ message: `1: Layout 1+2, not a Pfirrmann grade. ${DOCK_HINT}`, drop: false });
    expect(press('2')!.drop).toBe(false);
  });

  it('drops a digit 0–3 right after M in the views (a Modic grade typed outside the dock), not later', () => {
    const { press, wait } = setup();
    expect(press('m')).toBeNull(); // M maximises, silently as before
    wait(SEQUENCE_MS - 100);
    expect(press('2')).toEqual({ message: `M 2 went to the views, not the dock: nothing graded (M maximised the view). ${DOCK_HINT}`, drop: true });
    expect(press('2')!.drop).toBe(false); // the sequence is used up: 2 is the layout key again
    press('m');
    wait(SEQUENCE_MS + 1);
    expect(press('3')!.drop).toBe(false);
    press('m');
    press('w'); // another key ends the sequence
    expect(press('1')!.drop).toBe(false);
  });

  it('reports unbound keys in the views and in the dock, never keys with a binding or modifiers', () => {
    const { press } = setup();
    expect(press('j')).toEqual({ message: 'j: no shortcut in the views (? lists them)', drop: false });
    expect(press('9', 'grading')).toEqual({ message: '9: no shortcut in the grading dock or the views (? lists them)', drop: false });
    expect(press('b')).toBeNull();
    expect(press('w', 'grading')).toBeNull(); // the viewer's key, reached from the dock
    expect(press('Shift')).toBeNull();
    expect(press('ArrowLeft')).toBeNull();
    expect(press(' ')).toBeNull();
    expect(press('j', 'dialog')).toBeNull();
    const r = createKeyReporter(() => 0);
    expect(r('viewer', key('j', { ctrlKey: true }), null, true)).toBeNull();
    expect(r('viewer', key('j', { altKey: true }), null, true)).toBeNull();
  });

  it('without an open series there is no dock to point to', () => {
    const { press } = setup();
    expect(press('4', 'viewer', false)).toEqual({ message: '4: no shortcut in the views (? lists them)', drop: false });
    expect(press('1', 'viewer', false)).toBeNull();
    press('m', 'viewer', false);
    expect(press('2', 'viewer', false)).toBeNull();
  });
});
