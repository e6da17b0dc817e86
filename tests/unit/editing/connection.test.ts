// The connection monitor behind the "service unreachable" banner: a transport failure marks the service gone,
// probes repeat while it stays gone, and the first answer (of a probe or of any call) marks it back.
import { describe, expect, it, vi } from 'vitest';
import type { Api } from '../../../common/contract.js';
import { createConnectionMonitor, monitoredApi, type ConnectionState } from '../../../renderer/platform/connection.js';

describe('connection monitor', () => {
  it('goes unreachable on a failed call, probes until the service answers, then tells its listeners', async () => {
    let up = false;
    const probe = vi.fn(async () => {
      if (!up) throw new TypeError('Failed to fetch');
      return { ok: true };
    });
    const m = createConnectionMonitor(probe, 5);
    const seen: ConnectionState[] = [];
    m.subscribe((s) => seen.push(s));
    m.failed(new TypeError('Failed to fetch'));
    expect(m.state()).toMatchObject({ reachable: false, message: 'Failed to fetch' });
    await vi.waitFor(() => expect(probe.mock.calls.length).toBeGreaterThanOrEqual(2));
    expect(m.state().reachable).toBe(false);
    up = true;
    await vi.waitFor(() => expect(m.state()).toEqual({ reachable: true }));
    expect(seen.map((s) => s.reachable)).toEqual([false, true]);
    const probes = probe.mock.calls.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(probe.mock.calls.length).toBe(probes); // no probing while it answers
  });

  it('monitoredApi: a rejected call reports a failure, any answer (even a refusal) reports the service there', async () => {
    const m = createConnectionMonitor(() => new Promise(() => undefined), 60_000);
    let fail = true;
    const api = {
      getSession: async () => {
        if (fail) throw new TypeError('Failed to fetch');
        return { ok: false, error: { code: 'invalid_request', message: 'Missing or wrong launch token' } };
      },
    } as unknown as Api;
    const watched = monitoredApi(api, m);
    await expect(watched.getSession({})).rejects.toThrow('Failed to fetch');
    expect(m.state().reachable).toBe(false);
    fail = false;
    await expect(watched.getSession({})).resolves.toMatchObject({ ok: false });
    expect(m.state().reachable).toBe(true);
  });
});
