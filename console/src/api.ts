/**
 * The REST API as the console calls it: a bearer token when one was given (kept for the
 * browser tab only), JSON in and out, and every answer returned as it came (status and
 * body), so a page shows a device's errors as the device answered them.
 */

const TOKEN_KEY = 'lwm2m-gateway.token';

export interface Answer<T = unknown> {
  status: number;
  ok: boolean;
  body: T;
  /** problem+json fields when the answer is an error */
  problem?: { code?: string; title?: string; detail?: string; status?: number };
}

let token = sessionStorage.getItem(TOKEN_KEY) ?? '';
const unauthorized = new Set<() => void>();

export function getToken(): string {
  return token;
}

export function setToken(t: string): void {
  token = t;
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called when an answer is 401: the page asks for a token again. */
export function onUnauthorized(fn: () => void): () => void {
  unauthorized.add(fn);
  return () => unauthorized.delete(fn);
}

function headers(json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (json) h['content-type'] = 'application/json';
  if (token) h.authorization = `Bearer ${token}`;
  return h;
}

/** Percent-encodes an endpoint name for a path segment. */
export const ep = (endpoint: string): string => encodeURIComponent(endpoint);

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  return request<T>(path, { method, headers: headers(body !== undefined), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

/** POSTs bytes (a file the user chose) as `application/octet-stream`; the answer as api() gives it. */
export async function upload<T = unknown>(path: string, bytes: Blob): Promise<Answer<T>> {
  return request<T>(path, { method: 'POST', headers: { ...headers(false), 'content-type': 'application/octet-stream' }, body: bytes });
}

async function request<T>(path: string, init: RequestInit): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (e) {
    return { status: 0, ok: false, body: undefined as T, problem: { title: 'The gateway cannot be reached', detail: String(e) } };
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (res.status === 401) for (const fn of [...unauthorized]) fn();
  const out: Answer<T> = { status: res.status, ok: res.ok, body: parsed as T };
  if (!res.ok) out.problem = parsed && typeof parsed === 'object' ? (parsed as Answer['problem']) : { title: `HTTP ${res.status}`, detail: text.slice(0, 500) };
  return out;
}

export interface LiveEvent {
  event: string;
  data: Record<string, unknown>;
}

/**
 * Follows `GET /api/events` (query `q`) with fetch, so the token goes in a header (an
 * EventSource cannot send one); reconnects after a pause when the stream ends. Returns a
 * function that stops it.
 */
export function follow(q: string, onEvent: (e: LiveEvent) => void, onState?: (connected: boolean) => void): () => void {
  let stopped = false;
  let ac: AbortController | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const run = async (): Promise<void> => {
    ac = new AbortController();
    try {
      const res = await fetch(`/api/events${q ? `?${q}` : ''}`, { headers: { ...headers(false), accept: 'text/event-stream' }, signal: ac.signal });
      if (res.status === 401) for (const fn of [...unauthorized]) fn();
      if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
      onState?.(true);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let name = '';
          let data = '';
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) name = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (!name || !data) continue;
          try {
            onEvent({ event: name, data: JSON.parse(data) as Record<string, unknown> });
          } catch {
            // a frame that is not JSON is skipped
          }
        }
      }
    } catch {
      // aborted, or the gateway went away: reconnect below
    }
    onState?.(false);
    if (!stopped) retry = setTimeout(() => void run(), 2000);
  };
  void run();
  return () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    ac?.abort();
  };
}
