/**
 * Calls between the benchmark and a child process over node's IPC channel:
 * `{ id, cmd, args }` one way, `{ id, result }` or `{ id, error }` back.
 */
import type { ChildProcess } from 'node:child_process';

interface Call {
  id: number;
  cmd: string;
  args: unknown;
}

interface Answer {
  id: number;
  result?: unknown;
  error?: string;
}

export type Handlers = Record<string, (args: never) => unknown>;

/** In the child: answers calls with `handlers`. */
export function serve(handlers: Handlers): void {
  process.on('message', (raw: unknown) => {
    const m = raw as Call;
    if (typeof m !== 'object' || m === null || typeof m.id !== 'number') return;
    const h = handlers[m.cmd] as ((args: unknown) => unknown) | undefined;
    const reply = (a: Answer): void => {
      if (process.connected) process.send?.(a);
    };
    if (!h) return reply({ id: m.id, error: `unknown command ${m.cmd}` });
    Promise.resolve()
      .then(() => h(m.args))
      .then(
        (result) => reply({ id: m.id, result }),
        (e: unknown) => reply({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
      );
  });
}

/** In the parent: calls into a forked child. */
export class Remote {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (raw: unknown) => {
      const a = raw as Answer;
      const w = this.waiting.get(a.id);
      if (!w) return;
      this.waiting.delete(a.id);
      if (a.error !== undefined) w.reject(new Error(a.error));
      else w.resolve(a.result);
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`child exited (${signal ?? code})`));
      this.waiting.clear();
    });
  }

  call<T>(cmd: string, args?: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args: args ?? null });
    });
  }
}
