/**
 * Attacks on the gateway's northbound and its files: the glob attack on the REST device
 * list, mapping files that crash a YAML loader, and an oversized MQTT PUBLISH.
 */
import { connect } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { coapPing } from '../gateway-process.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * `GET /api/devices?endpoint=*a*a*...*b` while a device with a long name of `a`s is
 * registered; meanwhile the CoAP side is pinged every 50 ms. Returns the REST answer's
 * status and time, and the longest CoAP ping gap.
 */
export async function globAttack(restPort: number, coapPort: number, token?: string): Promise<{ status: number; ms: number; worstPingMs: number; pingsLost: number }> {
  const pattern = '*a'.repeat(12) + '*b';
  let stop = false;
  let worst = 0;
  let lost = 0;
  const pinger = (async (): Promise<void> => {
    while (!stop) {
      const t = performance.now();
      if (!(await coapPing(coapPort, '127.0.0.1', 1000))) lost++;
      worst = Math.max(worst, performance.now() - t);
      await sleep(50);
    }
  })();
  const t0 = performance.now();
  let status: number;
  try {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 60_000);
    const res = await fetch(`http://127.0.0.1:${restPort}/api/devices?endpoint=${encodeURIComponent(pattern)}`, {
      signal: ac.signal,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
    await res.arrayBuffer();
    clearTimeout(timer);
    status = res.status;
  } catch {
    status = -1;
  }
  const ms = performance.now() - t0;
  stop = true;
  await pinger;
  return { status, ms, worstPingMs: worst, pingsLost: lost };
}

/** The exponential alias bomb ("billion laughs") as a mapping file. */
export function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
  lines.push('targets: *a9', '');
  return lines.join('\n');
}

/**
 * A legitimate file that uses one anchor 150 times (more than the YAML library's default
 * limit of 100); it names no device the drill runs, so it adds no traffic.
 */
export function manyAliases(): string {
  const lines = ['description: drill, one anchor used 150 times', 'devices: { endpoint: "drill-nobody-*" }', 'targets:'];
  lines.push('  - { object: 3303, mqtt: { publish: [&pub { topic: "drill/{endpoint}/temperature", payload: "{value}" }] } }');
  for (let i = 1; i < 151; i++) lines.push('  - { object: 3303, mqtt: { publish: [*pub] } }');
  return lines.join('\n') + '\n';
}

/** Drops each file into the watched mappings folder in turn, waits for the reload, removes it. */
export async function mappingFiles(dir: string, settleMs: number): Promise<void> {
  for (const [name, text] of [
    ['drill-alias-bomb.yaml', aliasBomb()],
    ['drill-many-aliases.yaml', manyAliases()],
  ] as const) {
    const f = join(dir, name);
    writeFileSync(f, text);
    await sleep(settleMs);
    rmSync(f, { force: true });
    await sleep(settleMs);
  }
}

function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

function str(s: string): Buffer {
  const b = Buffer.from(s);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** MQTT 3.1.1 CONNECT (clean session, keepalive 60). */
export function connectPacket(clientId: string, username?: string, password?: string): Buffer {
  const flags = 0x02 | (username !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
  const body = Buffer.concat([
    str('MQTT'),
    Buffer.from([4, flags, 0, 60]),
    str(clientId),
    ...(username !== undefined ? [str(username)] : []),
    ...(password !== undefined ? [str(password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/**
 * Connects, then announces one PUBLISH of `bytes` and streams its body. Returns how many
 * bytes the broker took before it closed the connection (or all, if it never did).
 */
export function hugePublish(port: number, bytes: number, login?: { username: string; password: string }): Promise<{ written: number; closedByBroker: boolean }> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    let written = 0;
    let closed = false;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      s.destroy();
      resolve({ written, closedByBroker: closed });
    };
    s.on('error', () => {
      closed = true;
      finish();
    });
    s.on('close', () => {
      closed = true;
      finish();
    });
    s.on('connect', () => {
      s.write(connectPacket(`drill-${process.pid}`, login?.username, login?.password));
      const topic = str('drill/huge');
      s.write(Buffer.concat([Buffer.from([0x30]), remainingLength(topic.length + bytes), topic]));
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!closed && written < bytes) {
          const n = Math.min(chunk.length, bytes - written);
          written += n;
          if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            s.once('drain', pump);
            return;
          }
        }
        if (written >= bytes) setTimeout(finish, 1000);
      };
      pump();
    });
  });
}
