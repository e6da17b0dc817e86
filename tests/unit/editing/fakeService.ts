// A test double of the renderer's Api for the edit session: an in-memory label journal that behaves like main's
// (common/contract.ts): commitEdit checks the base revision and every `before` voxel (conflict otherwise),
// appends, and moves the revision; undo/redo follow the linear history of main/core/store/repos/edits.ts
// (undo: the newest active edit; redo: the oldest undone; a new edit discards the undone ones). Real label
// volume, real encoded diffs (common/labelDiff.ts). Failures are injected: a typed refusal of the next call,
// "offline" (every call rejects as a failed fetch does), a lost answer (applied, then the call rejects), and a
// gate that holds calls until released (so strokes pile up behind a pending commit).
import type { Api, EditInfo, Method, Responses, WireRequest } from '../../../common/contract.js';
import type { ErrorCode, Result } from '../../../common/errors.js';
import { applyDiff, bytesToBase64, checkBase, decodeDiff, encodeDiff, type VoxelDiff } from '../../../common/labelDiff.js';

interface StoredEdit {
  info: EditInfo;
  diff: VoxelDiff;
  bytes: Uint8Array;
}

export interface CallRecord {
  method: Method;
  req: unknown;
}

export class FakeLabelService {
  /** Main's label volume (the truth). */
  readonly labels: Uint8Array;
  revision = 0;
  readonly edits: StoredEdit[] = [];
  readonly calls: CallRecord[] = [];
  /** Every call rejects like a fetch to a stopped server. */
  offline = false;
  private refusals: Array<{ method: Method; code: ErrorCode; message: string; skip: number }> = [];
  private loseAnswers = 0;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private clock = Date.parse('2025-01-01T00:00:00Z');

  constructor(labels: Uint8Array) {
    this.labels = labels.slice();
  }

  /** The next call of `method` (after `skip` others of it) answers { ok: false } with this code. */
  refuseNext(method: Method, code: ErrorCode, message: string, skip = 0): void {
    this.refusals.push({ method, code, message, skip });
  }
  /** The next call is carried out, but its answer never arrives (the connection drops): it rejects. */
  loseNextAnswer(): void {
    this.loseAnswers++;
  }
  /** Back to normal: online, answers arrive, no refusals waiting. */
  calm(): void {
    this.offline = false;
    this.loseAnswers = 0;
    this.refusals = [];
  }
  /** Calls wait until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }
  release(): void {
    this.openGate?.();
    this.gate = null;
    this.openGate = null;
  }

  /** Another writer (e.g. a second window) commits straight to the journal. */
  commitElsewhere(diff: VoxelDiff, description: string): void {
    this.append(diff, 'other', description, 1);
  }

  commitCalls(): Array<WireRequest<'commitEdit'>> {
    return this.calls.filter((c) => c.method === 'commitEdit').map((c) => c.req as WireRequest<'commitEdit'>);
  }

  active(): EditInfo[] {
    return this.edits.filter((e) => e.info.state === 'active').map((e) => e.info);
  }

  /** The Api the session is given; loadLabels is the mask volume request of web mode. */
  api(): Api {
    const handlers: Partial<{ [M in Method]: (req: WireRequest<M>) => Responses[M] }> = {
      commitEdit: (req) => this.commit(req),
      undo: () => this.undoRedo('undo'),
      redo: () => this.undoRedo('redo'),
      history: () => ({ revision: this.revision, edits: this.edits.map((e) => ({ ...e.info })) }),
    };
    return new Proxy({} as Api, {
      get: (_t, method: string) => async (req: unknown) => {
        this.calls.push({ method: method as Method, req });
        if (this.gate) await this.gate;
        await Promise.resolve();
        if (this.offline) throw new TypeError('Failed to fetch');
        const r = this.refusals.findIndex((x) => x.method === method);
        if (r >= 0 && this.refusals[r]!.skip-- === 0) {
          const { code, message } = this.refusals.splice(r, 1)[0]!;
          return { ok: false, error: { code, message } } satisfies Result<never>;
        }
        const h = handlers[method as Method] as ((req: unknown) => unknown) | undefined;
        if (!h) throw new Error(`the fake service has no ${method}`);
        let result: Result<unknown>;
        try {
          result = { ok: true, value: h(req) };
        } catch (err) {
          if (!(err instanceof Refusal)) throw err;
          result = { ok: false, error: { code: err.code, message: err.message } };
        }
        if (this.loseAnswers > 0) {
          this.loseAnswers--;
          throw new TypeError('Failed to fetch');
        }
        return result;
      },
    });
  }

  async loadLabels(): Promise<Uint8Array> {
    if (this.gate) await this.gate;
    if (this.offline) throw new TypeError('Failed to fetch');
    return this.labels.slice();
  }

  private commit(req: WireRequest<'commitEdit'>): Responses['commitEdit'] {
    if (!(req.diff instanceof Uint8Array)) throw new Error('the diff must be sent as bytes');
    const diff = decodeDiff(req.diff, this.labels.length);
    if (req.baseRevision !== this.revision) throw new Refusal('conflict', `Labels are at revision ${this.revision}, the edit was made at revision ${req.baseRevision}`);
    const stale = checkBase(this.labels, diff, 'forward');
    if (stale >= 0) throw new Refusal('conflict', `Labels changed under the edit (voxel ${stale} differs from its base)`);
    const discarded = this.edits.filter((x) => x.info.state === 'undone').map((x) => x.info.seq);
    const e = this.append(diff, req.tool, req.description, req.label);
    return { seq: e.info.seq, revision: this.revision, savedAt: e.info.createdAt, edit: { ...e.info }, discarded };
  }

  private append(diff: VoxelDiff, tool: string, description: string, label: number): StoredEdit {
    for (const e of this.edits) if (e.info.state === 'undone') e.info.state = 'discarded';
    applyDiff(this.labels, diff, 'forward');
    this.revision++;
    const e: StoredEdit = {
      info: { seq: this.edits.length + 1, createdAt: new Date(this.clock++).toISOString(), annotator: 'test', tool, label, voxelCount: diff.indices.length, description, state: 'active' },
      diff,
      bytes: encodeDiff(diff),
    };
    this.edits.push(e);
    return e;
  }

  private undoRedo(kind: 'undo' | 'redo'): Responses['undo'] {
    const e = kind === 'undo'
      ? [...this.edits].reverse().find((x) => x.info.state === 'active')
      : this.edits.find((x) => x.info.state === 'undone');
    if (!e) return { edit: null, diff: null, revision: this.revision };
    applyDiff(this.labels, e.diff, kind === 'undo' ? 'backward' : 'forward');
    e.info.state = kind === 'undo' ? 'undone' : 'active';
    this.revision++;
    return { edit: { ...e.info }, diff: bytesToBase64(e.bytes), revision: this.revision };
  }
}

class Refusal extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}
