/**
 * Attacks on the gateway's CoAP side, as an outsider on the network would make them:
 * random and mutated datagrams, Registers with forbidden endpoint names, an Update from a
 * socket that is not the device's, and a flood of Registers with huge link lists.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes, randomInt } from 'node:crypto';
import { generate } from 'coap-packet';
import { empty, parseMsg, request, type Msg } from '../fleet/coap.js';

export function udpSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

/** Sends `buf` and waits for the first answer whose message id matches (or any, with mid -1). */
export function exchange(s: Socket, buf: Buffer, port: number, ms = 3000): Promise<Msg | undefined> {
  const mid = buf.length >= 4 ? buf.readUInt16BE(2) : -1;
  return new Promise((resolve) => {
    const onMsg = (d: Buffer): void => {
      const m = parseMsg(d);
      if (m && (mid < 0 || m.mid === mid)) done(m);
    };
    const done = (m: Msg | undefined): void => {
      clearTimeout(t);
      s.off('message', onMsg);
      resolve(m);
    };
    const t = setTimeout(() => done(undefined), ms);
    s.on('message', onMsg);
    s.send(buf, port, '127.0.0.1');
  });
}

let nextMid = randomInt(0, 0xffff);
const mid = (): number => (nextMid = (nextMid + 1) & 0xffff);

/** A Register whose `ep=` value is the raw bytes given (no UTF-8 check on our side). */
export function registerRaw(ep: Buffer, links = '</3/0>,</3303/0>', query: string[] = ['lt=300', 'lwm2m=1.1', 'b=U']): Buffer {
  const options = [
    { name: 'Uri-Path', value: Buffer.from('rd') },
    { name: 'Content-Format', value: Buffer.from([40]) },
    { name: 'Uri-Query', value: Buffer.concat([Buffer.from('ep='), ep]) },
    ...query.map((q) => ({ name: 'Uri-Query', value: Buffer.from(q) })),
  ];
  return generate({ code: 'POST', messageId: mid(), token: randomBytes(4), confirmable: true, options, payload: Buffer.from(links) }, 65_000);
}

/** Every class of byte an endpoint name must not hold, one name each. */
export function forbiddenNames(): { what: string; bytes: Buffer }[] {
  const out: { what: string; bytes: Buffer }[] = [];
  for (let c = 0; c <= 0x1f; c++) out.push({ what: `C0 0x${c.toString(16).padStart(2, '0')}`, bytes: Buffer.from([0x65, 0x76, c, 0x6c]) });
  out.push({ what: 'DEL 0x7f', bytes: Buffer.from([0x65, 0x7f, 0x6c]) });
  for (let c = 0x80; c <= 0x9f; c++) out.push({ what: `C1 U+00${c.toString(16)}`, bytes: Buffer.concat([Buffer.from('ev'), Buffer.from(String.fromCharCode(c), 'utf8'), Buffer.from('l')]) });
  const invalid: [string, number[]][] = [
    ['invalid UTF-8: lone continuation byte', [0x80]],
    ['invalid UTF-8: 0xff', [0xff]],
    ['invalid UTF-8: truncated sequence', [0xe2, 0x82]],
    ['invalid UTF-8: overlong "/"', [0xc0, 0xaf]],
    ['invalid UTF-8: UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['invalid UTF-8: bad second byte', [0xc3, 0x28]],
  ];
  for (const [what, b] of invalid) out.push({ what, bytes: Buffer.concat([Buffer.from('ev'), Buffer.from(b), Buffer.from('l')]) });
  out.push({ what: 'newline in the middle (evil\\nname)', bytes: Buffer.from('evil\nname') });
  out.push({ what: 'ESC sequence', bytes: Buffer.from('evil\x1b[31mname') });
  return out;
}

/** Valid messages of the kinds a gateway sees, as seeds for mutation. */
function seeds(): Buffer[] {
  return [
    registerRaw(Buffer.from('seed-ep')),
    request({ method: 'POST', mid: mid(), token: randomBytes(4), path: ['rd', 'abcdef123456'], query: ['lt=300'] }),
    request({ method: 'DELETE', mid: mid(), token: randomBytes(2), path: ['rd', 'abcdef123456'] }),
    request({ method: 'POST', mid: mid(), token: randomBytes(8), path: ['dp'], contentFormat: 110, payload: Buffer.from('[{"n":"/3303/0/5700","v":21.5}]') }),
    empty('ack', mid()),
    empty('rst', mid()),
    Buffer.from([0x40, 0x00, 0x12, 0x34]),
  ];
}

/** One hostile datagram: random bytes, or a valid message with bytes flipped, cut or added. */
export function hostileDatagram(seedList: Buffer[]): Buffer {
  const kind = randomInt(0, 4);
  if (kind === 0) return randomBytes(randomInt(0, 300));
  const b = Buffer.from(seedList[randomInt(0, seedList.length)]!);
  if (kind === 1) {
    for (let k = randomInt(1, 6); k > 0; k--) b[randomInt(0, b.length)] = randomInt(0, 256);
    return b;
  }
  if (kind === 2) return b.subarray(0, randomInt(0, b.length));
  // option delta/length nibbles 13/14/15 and long tails
  const at = randomInt(4, Math.max(5, b.length));
  return Buffer.concat([b.subarray(0, at), Buffer.from([0xdd, 0xee, 0xff, randomInt(0, 256)]), randomBytes(randomInt(0, 64)), b.subarray(at)]);
}

/** Sends `count` hostile datagrams from `sockets` sockets, in bursts; counts the answers. */
export async function datagramStorm(port: number, count: number, sockets = 8): Promise<{ sent: number; answers: number }> {
  const socks = await Promise.all(Array.from({ length: sockets }, () => udpSocket()));
  let answers = 0;
  for (const s of socks) s.on('message', () => answers++);
  const seedList = seeds();
  let sent = 0;
  while (sent < count) {
    for (let k = 0; k < 200 && sent < count; k++, sent++) socks[sent % sockets]!.send(hostileDatagram(seedList), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const s of socks) s.close();
  return { sent, answers };
}

/** The Location-Path id of a Register's 2.01, or the answer's code. */
export async function register(s: Socket, port: number, ep: string, links?: string): Promise<{ code: string; id?: string }> {
  const m = await exchange(s, registerRaw(Buffer.from(ep), links), port);
  if (!m) return { code: 'timeout' };
  return { code: m.code, ...(m.code === '2.01' ? { id: m.locationPath[1] } : {}) };
}

/**
 * A device registers from one socket; an attacker who learnt its id sends an Update and a
 * De-register from another, and one who did not tries guessed ids.
 */
export async function foreignUpdate(port: number): Promise<{ registered: string; foreignUpdate: string; guessedUpdate: string; guessedDelete: string }> {
  const device = await udpSocket();
  const attacker = await udpSocket();
  try {
    const r = await register(device, port, 'drill-victim');
    if (!r.id) return { registered: r.code, foreignUpdate: '-', guessedUpdate: '-', guessedDelete: '-' };
    const upd = await exchange(attacker, request({ method: 'POST', mid: mid(), token: randomBytes(4), path: ['rd', r.id] }), port);
    const guess = randomBytes(6).toString('hex');
    const gu = await exchange(attacker, request({ method: 'POST', mid: mid(), token: randomBytes(4), path: ['rd', guess] }), port);
    const gd = await exchange(attacker, request({ method: 'DELETE', mid: mid(), token: randomBytes(4), path: ['rd', guess] }), port);
    // the device takes its registration back and leaves
    await exchange(device, request({ method: 'POST', mid: mid(), token: randomBytes(4), path: ['rd', r.id] }), port);
    await exchange(device, request({ method: 'DELETE', mid: mid(), token: randomBytes(4), path: ['rd', r.id] }), port);
    return { registered: r.code, foreignUpdate: upd?.code ?? 'timeout', guessedUpdate: gu?.code ?? 'timeout', guessedDelete: gd?.code ?? 'timeout' };
  } finally {
    device.close();
    attacker.close();
  }
}

/** `count` Registers of `links` object links each, as fast as answers come, from 16 sockets. */
export async function registrationFlood(port: number, count: number, links: number): Promise<Record<string, number>> {
  const payload = Array.from({ length: links }, (_, i) => `</9/${i}>`).join(',');
  const socks = await Promise.all(Array.from({ length: 16 }, () => udpSocket()));
  const codes: Record<string, number> = {};
  try {
    let k = 0;
    const worker = async (s: Socket): Promise<void> => {
      while (k < count) {
        const i = k++;
        const m = await exchange(s, registerRaw(Buffer.from(`flood-${i}`), payload), port, 2000);
        const c = m?.code ?? 'timeout';
        codes[c] = (codes[c] ?? 0) + 1;
        // an accepted one leaves again, so that memory after the drill compares with before
        const id = m?.code === '2.01' ? m.locationPath[1] : undefined;
        if (id) await exchange(s, request({ method: 'DELETE', mid: mid(), token: randomBytes(4), path: ['rd', id] }), port, 2000);
      }
    };
    await Promise.all(socks.map(worker));
  } finally {
    for (const s of socks) s.close();
  }
  return codes;
}
