/**
 * <accessControlPolicy> evaluation in the embedded CSE, through its request handling (no
 * HTTP): pv decides for a resource whose acpi names the policy (its creator and owner AE
 * then have no right of their own), pvs for the policy itself, a contentInstance takes its
 * container's rights, a resource without acpi its creator's and owner AE's; acpi is changed
 * alone, by the creator or whom pvs lets update, and names policies only; a deleted policy
 * leaves the acpi that named it; the configured allow-list still grants.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CseCore, type CseRequest, type CseResponse } from '../../../src/onem2m-cse/cse.js';
import { grants, isSetOfAcrs } from '../../../src/onem2m-cse/acp.js';

function core(): CseCore {
  return new CseCore({
    cseId: 'id-in',
    cseName: 'cse-in',
    access: { admin: 'CAdmin', registration: ['*'], allowed: { dev: ['Cops'] } },
    caps: { maxInstances: 100, maxBytes: 1 << 20 },
    maxResources: 1000,
    notificationTimeoutMs: 1000,
    maxNotificationsInFlight: 10,
  });
}

const req = (c: CseCore, fr: string, op: CseRequest['op'], to: string, o: { ty?: number; pc?: unknown } = {}): Promise<CseResponse> => c.handle({ op, to, fr, ...o });
const rsc = async (p: Promise<CseResponse>): Promise<number> => (await p).rsc;
const acpBody = (pv: unknown, pvs: unknown = { acr: [{ acor: ['Cdev'], acop: 63 }] }): unknown => ({ 'm2m:acp': { rn: 'acp', pv, pvs } });

async function device(c: CseCore): Promise<string> {
  assert.equal(await rsc(req(c, 'Cdev', 'create', '/cse-in', { ty: 2, pc: { 'm2m:ae': { rn: 'dev', api: 'Ndev', rr: true, srv: ['3'] } } })), 2001);
  assert.equal(await rsc(req(c, 'Cdev', 'create', '/cse-in/dev', { ty: 3, pc: { 'm2m:cnt': { rn: 'c' } } })), 2001);
  assert.equal(await rsc(req(c, 'Cdev', 'create', '/cse-in/dev/c', { ty: 4, pc: { 'm2m:cin': { con: '21' } } })), 2001);
  const made = await req(c, 'Cdev', 'create', '/cse-in/dev', { ty: 1, pc: acpBody({ acr: [{ acor: ['Capp'], acop: 2 | 32 }] }) });
  assert.equal(made.rsc, 2001);
  return (made.pc as { 'm2m:acp': { ri: string } })['m2m:acp'].ri;
}

describe('oneM2M CSE: access control policies', () => {
  it('grants by operation bit, to listed originators or all', () => {
    const set = { acr: [{ acor: ['Ca'], acop: 2 }, { acor: ['all'], acop: 32 }] };
    assert.equal(grants(set, 'Ca', 'retrieve'), true);
    assert.equal(grants(set, 'Ca', 'create'), false);
    assert.equal(grants(set, 'Cb', 'retrieve'), false);
    assert.equal(grants(set, 'Cb', 'discover'), true);
    assert.equal(grants(undefined, 'Ca', 'retrieve'), false);
    assert.equal(isSetOfAcrs({ acr: [{ acor: ['Ca'], acop: 64 }] }), false);
    assert.equal(isSetOfAcrs({ acr: [{ acor: [], acop: 2 }] }), false);
    assert.equal(isSetOfAcrs({ acr: [{ acor: ['Ca'], acop: 2, acco: [] }] }), false, 'contexts are not implemented: refused');
  });

  it('refuses a policy without pvs, or with a malformed rule', async () => {
    const c = core();
    await req(c, 'Cdev', 'create', '/cse-in', { ty: 2, pc: { 'm2m:ae': { rn: 'dev', api: 'Ndev', rr: true, srv: ['3'] } } });
    assert.equal(await rsc(req(c, 'Cdev', 'create', '/cse-in/dev', { ty: 1, pc: { 'm2m:acp': { rn: 'a', pv: { acr: [] } } } })), 4000);
    assert.equal(await rsc(req(c, 'Cdev', 'create', '/cse-in/dev', { ty: 1, pc: acpBody({ acr: [{ acor: ['Capp'], acop: 'all' }] }) })), 4000);
    assert.equal(await rsc(req(c, 'Cother', 'create', '/cse-in/dev', { ty: 1, pc: acpBody({ acr: [] }) })), 4103, 'not under another AE');
  });

  it('without acpi: the creator and owner AE; with it: the policies alone', async () => {
    const c = core();
    const acp = await device(c);
    assert.equal(await rsc(req(c, 'Capp', 'retrieve', '/cse-in/dev/c')), 4103);
    assert.equal(await rsc(req(c, 'Cdev', 'retrieve', '/cse-in/dev/c')), 2000);

    assert.equal(await rsc(req(c, 'Cdev', 'update', '/cse-in/dev/c', { pc: { 'm2m:cnt': { acpi: [acp], lbl: ['x'] } } })), 4000, 'acpi alone in an update');
    assert.equal(await rsc(req(c, 'Cdev', 'update', '/cse-in/dev/c', { pc: { 'm2m:cnt': { acpi: ['nothing'] } } })), 4000, 'an existing policy');
    assert.equal(await rsc(req(c, 'Cdev', 'update', '/cse-in/dev/c', { pc: { 'm2m:cnt': { acpi: ['cse-in/dev/c'] } } })), 4000, 'a policy, not a container');
    assert.equal(await rsc(req(c, 'Capp', 'update', '/cse-in/dev/c', { pc: { 'm2m:cnt': { acpi: [acp] } } })), 4103, 'not the creator');
    const set = await req(c, 'Cdev', 'update', '/cse-in/dev/c', { pc: { 'm2m:cnt': { acpi: ['/id-in/cse-in/dev/acp'] } } });
    assert.equal(set.rsc, 2004);
    assert.deepEqual((set.pc as { 'm2m:cnt': { acpi: string[] } })['m2m:cnt'].acpi, [acp], 'kept as the policy\'s resource ID');

    assert.equal(await rsc(req(c, 'Capp', 'retrieve', '/cse-in/dev/c')), 2000);
    assert.equal(await rsc(req(c, 'Capp', 'retrieve', '/cse-in/dev/c/la')), 2000, 'a contentInstance takes its container\'s rights');
    assert.equal(await rsc(req(c, 'Capp', 'create', '/cse-in/dev/c', { ty: 4, pc: { 'm2m:cin': { con: '1' } } })), 4103, 'no CREATE bit');
    assert.equal(await rsc(req(c, 'Capp', 'delete', '/cse-in/dev/c/la')), 4103, 'no DELETE bit');
    assert.equal(await rsc(req(c, 'Cdev', 'retrieve', '/cse-in/dev/c')), 4103, 'the owner AE is not in pv');
    assert.equal(await rsc(req(c, 'Cops', 'retrieve', '/cse-in/dev/c')), 2000, 'the configured allow-list still grants');
    const disc = await c.handle({ op: 'discovery', to: '/cse-in/dev/c', fr: 'Capp', filter: { ty: [4], lbl: [], lim: 10, drt: 1 } });
    assert.equal((disc.pc as { 'm2m:uril': string[] })['m2m:uril'].length, 1, 'DISCOVERY bit');
  });

  it('subscriptions need CREATE and RETRIEVE; their creator keeps them', async () => {
    const c = core();
    const acp = await device(c);
    await req(c, 'Cdev', 'update', '/cse-in/dev/c', { pc: { 'm2m:cnt': { acpi: [acp] } } });
    const sub = { 'm2m:sub': { rn: 's', nu: ['Capp'], enc: { net: [3] } } };
    assert.equal(await rsc(req(c, 'Capp', 'create', '/cse-in/dev/c', { ty: 23, pc: sub })), 4103);
    assert.equal(await rsc(req(c, 'Capp', 'update', '/cse-in/dev/acp', { pc: { 'm2m:acp': { pv: { acr: [{ acor: ['Capp'], acop: 63 }] } } } })), 4103, 'pvs: the policy is not the application\'s');
    assert.equal(await rsc(req(c, 'Capp', 'retrieve', '/cse-in/dev/acp')), 4103);
    assert.equal(await rsc(req(c, 'Cdev', 'update', '/cse-in/dev/acp', { pc: { 'm2m:acp': { pv: { acr: [{ acor: ['Capp'], acop: 1 }] } } } })), 2004);
    assert.equal(await rsc(req(c, 'Capp', 'create', '/cse-in/dev/c', { ty: 23, pc: sub })), 4103, 'CREATE without RETRIEVE on the subscribed-to resource');
    assert.equal(await rsc(req(c, 'Cdev', 'update', '/cse-in/dev/acp', { pc: { 'm2m:acp': { pv: { acr: [{ acor: ['all'], acop: 3 }] } } } })), 2004);
    assert.equal(await rsc(req(c, 'Capp', 'create', '/cse-in/dev/c', { ty: 23, pc: sub })), 2001);
    assert.equal(await rsc(req(c, 'Cother', 'delete', '/cse-in/dev/c/s')), 4103);
    assert.equal(await rsc(req(c, 'Capp', 'delete', '/cse-in/dev/c/s')), 2002, 'the creator of a subscription without acpi');
  });

  it('a deleted policy leaves the acpi that named it', async () => {
    const c = core();
    const acp = await device(c);
    await req(c, 'Cdev', 'update', '/cse-in/dev/c', { pc: { 'm2m:cnt': { acpi: [acp] } } });
    assert.equal(await rsc(req(c, 'Capp', 'delete', '/cse-in/dev/acp')), 4103);
    assert.equal(await rsc(req(c, 'Cdev', 'delete', '/cse-in/dev/acp')), 2002);
    const cnt = await req(c, 'Cdev', 'retrieve', '/cse-in/dev/c');
    assert.equal(cnt.rsc, 2000, 'its creator again');
    assert.equal((cnt.pc as { 'm2m:cnt': { acpi?: unknown } })['m2m:cnt'].acpi, undefined);
    assert.equal(await rsc(req(c, 'Capp', 'retrieve', '/cse-in/dev/c')), 4103);
  });
});
