// Calls to the real web server's contract (POST /api/<method> with the launch token) as tests of the readers' methods
// make them: `api` gives the HTTP status and the Result body, `ok` the value or throws naming the error.
import type { WebServer } from '../../main/server/http.js';

export interface Answer {
  status: number;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** `server()` is read at each call (tests start the server in beforeAll). */
export function contractClient(server: () => Pick<WebServer, 'port' | 'token'>): {
  readonly api: (method: string, body: unknown) => Promise<Answer>;
  readonly ok: <T>(method: string, body: unknown) => Promise<T>;
} {
  async function api(method: string, body: unknown): Promise<Answer> {
    const { port, token } = server();
    const res = await fetch(`http://127.0.0.1:${port}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, ...((await res.json()) as Omit<Answer, 'status'>) };
  }
  async function ok<T>(method: string, body: unknown): Promise<T> {
    const a = await api(method, body);
    if (!a.ok) throw new Error(`${method}: HTTP ${a.status} ${JSON.stringify(a.error)}`);
    return a.value as T;
  }
  return { api, ok };
}
