/**
 * One process per data folder: a `LOCK` file holding the owner's pid, made with O_EXCL. A
 * lock whose process is gone (a crash, `kill -9`) is taken over; one held by a live
 * process refuses the open, so two gateways never write the same log. Within one process
 * a folder is locked once.
 */
import { openSync, closeSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function create(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Locks `dir` (it exists) for this process; throws when another live process holds it. Returns the release. */
export function lockFolder(dir: string): () => void {
  const real = realpathSync(dir);
  if (held.has(real)) throw new Error(`${dir} is already open in this process`);
  const file = join(real, 'LOCK');
  if (!create(file)) {
    let owner = NaN;
    try {
      owner = Number(readFileSync(file, 'utf8').slice(0, 16).trim());
    } catch {
      // unreadable: taken as stale
    }
    // our own pid: left by an earlier process of the same number (a container's pid 1)
    if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(`${dir} is used by another process (pid ${owner}): one gateway per data folder`);
    }
    unlinkSync(file);
    if (!create(file)) throw new Error(`${dir}: another process took the lock at the same time`);
  }
  held.add(real);
  return () => {
    if (!held.delete(real)) return;
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  };
}
