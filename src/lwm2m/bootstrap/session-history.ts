/**
 * The last sessions of each endpoint, for `GET /api/bootstrap/{endpoint}/sessions`:
 * bounded per endpoint and in endpoints (the least recently bootstrapped go first), as
 * a flood of Bootstrap-Requests under made-up names must not grow it.
 */
import type { BootstrapSession, SessionState, StepRecord } from './session.js';

/** What `sessions(endpoint)` shows of a session. */
export interface SessionView {
  id: string;
  endpoint: string;
  peer: string;
  state: SessionState;
  startedAt: number;
  endedAt?: number;
  reason?: string;
  contentFormat?: number;
  steps: readonly StepRecord[];
}

/** what is kept of a session (a refused request is one that failed at once) */
export type SessionRecord = Pick<BootstrapSession, 'info' | 'state' | 'startedAt' | 'endedAt' | 'reason' | 'steps' | 'contentFormat'>;

export const HISTORY_PER_ENDPOINT = 10;
export const HISTORY_ENDPOINTS = 10_000;

export class SessionHistory {
  private readonly byEndpoint = new Map<string, SessionRecord[]>();

  remember(s: SessionRecord): void {
    const list = this.byEndpoint.get(s.info.endpoint) ?? [];
    this.byEndpoint.delete(s.info.endpoint); // re-inserted: the most recent endpoint last
    list.push(s);
    if (list.length > HISTORY_PER_ENDPOINT) list.shift();
    this.byEndpoint.set(s.info.endpoint, list);
    if (this.byEndpoint.size > HISTORY_ENDPOINTS) this.byEndpoint.delete(this.byEndpoint.keys().next().value!);
  }

  /** The endpoint's last sessions, oldest first; a session still running shows its steps so far. */
  of(endpoint: string): SessionView[] {
    return (this.byEndpoint.get(endpoint) ?? []).map((s) => ({
      id: s.info.id,
      endpoint: s.info.endpoint,
      peer: s.info.peer,
      state: s.state,
      startedAt: s.startedAt,
      ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      ...(s.state !== 'running' && s.steps.length > 0 && s.contentFormat !== undefined ? { contentFormat: s.contentFormat } : {}),
      steps: [...s.steps],
    }));
  }
}
