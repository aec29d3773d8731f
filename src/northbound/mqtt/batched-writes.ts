/**
 * Fewer write system calls to MQTT clients: the first write of an event-loop turn corks the
 * socket and a setImmediate uncorks it, so every packet written until then (aedes writes
 * each packet on its own, from its own setImmediate callback) leaves in one writev.
 * A packet waits at most until the next check phase of the loop.
 */
import type { Socket } from 'node:net';

export function batchWrites(socket: Socket): void {
  const write = socket.write;
  let held = false;
  const release = (): void => {
    held = false;
    if (!socket.destroyed) socket.uncork();
  };
  socket.write = function batchedWrite(this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!held && !socket.destroyed) {
      held = true;
      socket.cork();
      setImmediate(release);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
