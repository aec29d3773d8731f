import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyBlock } from '../../../../src/transport/dtls/prf.js';
import { TLS_PSK_WITH_AES_128_CBC_SHA256, TLS_PSK_WITH_AES_128_CCM_8, keyLengths, recordCipher } from '../../../../src/transport/dtls/record-cipher.js';

/** A key block whose client and server halves are equal, so what one side seals the other opens. */
function mirrored(mac: number, key: number, iv: number): KeyBlock {
  const m = Buffer.alloc(mac, 1);
  const k = Buffer.alloc(key, 2);
  const i = Buffer.alloc(iv, 3);
  return { clientMac: m, serverMac: m, clientKey: k, serverKey: k, clientIv: i, serverIv: i };
}

void test('CBC_SHA256 records: explicit IV, MAC then padding to the block; any changed byte refused', () => {
  const c = recordCipher(TLS_PSK_WITH_AES_128_CBC_SHA256, mirrored(...keyLengths(TLS_PSK_WITH_AES_128_CBC_SHA256)));
  for (const len of [0, 1, 15, 16, 31, 100]) {
    const pt = Buffer.alloc(len, 0x41);
    const f = c.seal(1, 9, 23, 0xfefd, pt);
    assert.equal((f.length - 16) % 16, 0);
    assert.ok(f.length >= 16 + len + 32 + 1);
    assert.deepEqual(c.open(1, 9, 23, 0xfefd, f), pt);
    assert.equal(c.open(1, 10, 23, 0xfefd, f), undefined, 'another sequence number');
    for (const at of [0, 16, f.length - 1]) {
      const bad = Buffer.from(f);
      bad[at]! ^= 1;
      assert.equal(c.open(1, 9, 23, 0xfefd, bad), undefined, `byte ${at} changed`);
    }
  }
  assert.equal(c.open(1, 9, 23, 0xfefd, Buffer.alloc(40)), undefined, 'too short');
  assert.equal(c.open(1, 9, 23, 0xfefd, Buffer.alloc(16 + 50)), undefined, 'not whole blocks');
});

void test('CCM_8 records through the same interface', () => {
  const c = recordCipher(TLS_PSK_WITH_AES_128_CCM_8, mirrored(...keyLengths(TLS_PSK_WITH_AES_128_CCM_8)));
  const f = c.seal(1, 0, 23, 0xfefd, Buffer.from('abc'));
  assert.equal(f.length, 8 + 3 + 8);
  assert.deepEqual(c.open(1, 0, 23, 0xfefd, f), Buffer.from('abc'));
});
