/**
 * The simulated devices' Write-Attributes and the pmin / pmax rules of their notifications,
 * on the device logic alone with a made-up time: the requests are the CoAP messages the
 * gateway sends (PUT with a query, GET with Observe), the clock is a number the test moves.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, handle, type DeviceSettings, type Observation, type Reply } from '../../../bench/fleet/device.js';
import type { Msg } from '../../../bench/fleet/coap.js';
import { ReportScheduler } from '../../../bench/fleet/report.js';
import { CF } from '../../../bench/fleet/formats.js';

const settings: DeviceSettings = { format: CF.SENML_CBOR, valueMode: 'wave' };
const T0 = Date.UTC(2026, 0, 1);
let tokens = 0;

function msg(code: string, path: string, o: Partial<Msg> = {}): Msg {
  return {
    code,
    con: true,
    ack: false,
    reset: false,
    mid: 1,
    token: Buffer.from([++tokens]),
    uriPath: path.split('/').filter((s) => s !== ''),
    uriQuery: [],
    locationPath: [],
    accept: undefined,
    contentFormat: undefined,
    observe: undefined,
    payload: Buffer.alloc(0),
    ...o,
  };
}

/** A device and the scheduler as the fleet wires them; `sent` records each notification's time (ms after T0). */
function rig() {
  const client = new Client(0, 'attr-0', 0, '');
  const sent: { path: string; at: number }[] = [];
  const reports = new ReportScheduler<Observation>(
    (o, now) => {
      sent.push({ path: o.path.join('/'), at: now - T0 });
      reports.sent(o, now);
    },
    () => true,
  );
  const request = (m: Msg, now: number): Reply => {
    const r = handle(client, m, m.uriPath, now, settings);
    if (r.started) reports.refresh(r.started, now, true);
    if (r.attributes) for (const o of client.observations ?? []) reports.refresh(o, now, false);
    return r;
  };
  const attrs = (path: string, query: string[], now = T0): Reply => request(msg('0.03', path, { uriQuery: query }), now);
  const observe = (path: string, now = T0): Observation => {
    const r = request(msg('0.01', path, { observe: 0 }), now);
    assert.equal(r.code, '2.05');
    assert.ok(r.started);
    return r.started;
  };
  /** Runs from `from` to `to` (ms after T0): a value change every `changeMs` (0: none), a tick every 250 ms. */
  const run = (obs: Observation[], from: number, to: number, changeMs: number): void => {
    for (let t = from; t <= to; t += 50) {
      if (changeMs > 0 && t % changeMs === 0) for (const o of obs) if (reports.mayNotify(o, T0 + t)) {
        sent.push({ path: o.path.join('/'), at: t });
        reports.sent(o, T0 + t);
      }
      if (t % 250 === 0) reports.tick(T0 + t);
    }
  };
  return { client, sent, reports, attrs, observe, run };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, k) => t - times[k]!);
}

describe('simulated device: Write-Attributes', () => {
  it('keeps pmin and pmax per path, unsets with a name alone, and shows them on Discover', () => {
    const { client, attrs } = rig();
    assert.equal(attrs('/3303/0/5700', ['pmin=10', 'pmax=60', 'st=0.5']).code, '2.04');
    assert.deepEqual(client.attributes?.get('3303/0/5700'), { pmin: 10, pmax: 60, st: 0.5 });
    assert.equal(attrs('/3303/0/5700', ['pmin']).code, '2.04');
    assert.deepEqual(client.attributes?.get('3303/0/5700'), { pmax: 60, st: 0.5 });
    const d = handle(client, msg('0.01', '/3303/0', { accept: CF.LINK }), ['3303', '0'], T0, settings);
    assert.match(d.payload!.toString(), /<\/3303\/0\/5700>;pmax=60;st=0\.5/);
  });

  it('refuses a bad attribute and one on a path it does not have', () => {
    const { client, attrs } = rig();
    assert.equal(attrs('/3303/0/5700', ['pmin=-1']).code, '4.00');
    assert.equal(attrs('/3303/0/5700', ['pmin=1.5']).code, '4.00');
    assert.equal(attrs('/3303/0/5700', ['size=3']).code, '4.00');
    assert.equal(attrs('/3303/0/5700', ['pmax=x']).code, '4.00');
    assert.equal(attrs('/9/0', ['pmin=1']).code, '4.04');
    assert.equal(attrs('/3303/0/1', ['pmin=1']).code, '4.04');
    assert.equal(client.attributes, undefined);
  });
});

describe('simulated device: pmin and pmax', () => {
  it('sends no notification sooner than pmin after the previous one, and a held change once pmin has passed', () => {
    const { sent, attrs, observe, run } = rig();
    attrs('/3303/0/5700', ['pmin=2']);
    const o = observe('/3303/0/5700');
    run([o], 100, 10_000, 100); // the value changes every 100 ms
    const times = sent.map((s) => s.at);
    assert.ok(times.length >= 4 && times.length <= 5, `${times.length} notifications in 10 s with pmin 2: ${times.join()}`);
    assert.ok(times[0]! >= 2000, `the first comes pmin after the Observe answer: ${times[0]}`);
    for (const g of gaps(times)) assert.ok(g >= 2000, `gap ${g} ms < pmin: ${times.join()}`);
  });

  it('notifies at least every pmax when the value does not change', () => {
    const { sent, attrs, observe, run } = rig();
    attrs('/3304/0/5700', ['pmax=3']);
    const o = observe('/3304/0/5700');
    run([o], 0, 10_000, 0);
    const times = sent.map((s) => s.at);
    assert.equal(times.length, 3, times.join());
    for (const g of [times[0]!, ...gaps(times)]) assert.ok(g >= 3000 && g < 3500, `gap ${g} ms: ${times.join()}`);
  });

  it('takes the lower level over the higher one for each attribute', () => {
    const { sent, attrs, observe, run } = rig();
    attrs('/3303', ['pmin=5', 'pmax=8']);
    attrs('/3303/0/5700', ['pmin=1']);
    const sensor = observe('/3303/0/5700'); // pmin 1 (resource), pmax 8 (object)
    const units = observe('/3303/0/5701'); // pmin 5, pmax 8 (object)
    run([sensor, units], 100, 9_000, 100);
    const of = (p: string): number[] => sent.filter((s) => s.path === p).map((s) => s.at);
    const s = of('3303/0/5700');
    const u = of('3303/0/5701');
    assert.ok(s.length >= 7 && s.length <= 9, `resource pmin 1 s: ${s.join()}`);
    assert.ok(u.length === 1, `object pmin 5 s: ${u.join()}`);
    for (const g of gaps(s)) assert.ok(g >= 1000);
  });

  it('a pmin set after the Observe applies from then on, and a pmin unset lets every change through', () => {
    const { sent, attrs, observe, run } = rig();
    const o = observe('/3303/0/5700');
    run([o], 100, 1000, 100);
    assert.equal(sent.length, 10, 'without attributes every change is sent');
    attrs('/3303/0/5700', ['pmin=3'], T0 + 1000);
    run([o], 1100, 4000, 100);
    assert.equal(sent.length, 11, `pmin 3 held all but one: ${sent.map((s) => s.at).join()}`);
    attrs('/3303/0/5700', ['pmin'], T0 + 4000);
    run([o], 4100, 5000, 100);
    assert.equal(sent.length, 21);
    assert.equal(o.report, undefined);
  });

  it('ignores pmax when it is not greater than pmin', () => {
    const { sent, attrs, observe, run } = rig();
    attrs('/3303/0/5700', ['pmin=2', 'pmax=2']);
    const o = observe('/3303/0/5700');
    run([o], 0, 7000, 0);
    assert.equal(sent.length, 0);
  });
});
