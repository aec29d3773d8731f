/**
 * The northbound through the external link to a real Mosquitto (a private process): a
 * device's notification reaches mosquitto_sub on the mapped topic, a mosquitto_pub command
 * becomes a write on the device and its result comes back; the generic API and presence
 * work the same over it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExternalLink } from '../../../src/northbound/mqtt/link-external.js';
import { MqttNorthbound } from '../../../src/northbound/mqtt/index.js';
import { Fixture } from '../lwm2m/fixture.js';
import { MosquittoProcess, MosquittoSub, mosquittoPub, noMosquitto, noMosquittoClients, waitFor } from '../mqtt-link/mosquitto.js';
import { compiled, models } from './fixture.js';

const MAPPING = `
targets:
  - object: 3303
    observe: { resources: [5700] }
    mqtt:
      publish:
        topic: "plant/{endpoint}/{instanceId}"
        payload: { v: "{value}" }
      commands:
        - topic: "plant/{endpoint}/{instanceId}/label"
          write: 5750
          response: "plant/{endpoint}/{instanceId}/label/ack"
`;

describe('northbound over an external Mosquitto', { skip: noMosquitto || noMosquittoClients }, () => {
  let broker: MosquittoProcess;
  let lwm2m: Fixture;
  let link: ExternalLink;
  let northbound: MqttNorthbound;
  let host: string[];

  before(async () => {
    broker = await MosquittoProcess.create();
    host = ['-h', '127.0.0.1', '-p', String(broker.port)];
    lwm2m = await Fixture.start();
    link = new ExternalLink({ url: broker.url, clientId: 'gw-northbound-test', ...MqttNorthbound.linkStatus('lwm2m', { name: 'test' }) });
    await link.start();
    northbound = new MqttNorthbound({ server: lwm2m.server, models, link, mappings: compiled({ 'plant.yaml': MAPPING }) });
    await northbound.start();
  });
  after(async () => {
    await northbound.stop();
    await link.stop();
    await lwm2m.stop();
    await broker.dispose();
  });

  test('notification to mosquitto_sub, command from mosquitto_pub, generic read, retained presence', async () => {
    const sub = await MosquittoSub.start([...host, '-q', '1', '-t', 'plant/#', '-t', 'lwm2m/ext-1/#'], 'probe/ext', () => mosquittoPub([...host, '-t', 'probe/ext', '-m', 'p']));
    try {
      const { client } = await lwm2m.registered({ endpoint: 'ext-1', version: '1.1' });
      await waitFor(() => client.observations().length === 1, 'the mapped observation');
      const body = (topic: string): Record<string, unknown>[] =>
        sub.received().filter((l) => l.startsWith(topic + ' ')).map((l) => JSON.parse(l.slice(topic.length + 1)) as Record<string, unknown>);

      await client.set('/3303/0/5700', 25.25);
      await waitFor(() => body('plant/ext-1/0').some((b) => b.v === 25.25), 'the mapped notification at mosquitto_sub');

      await mosquittoPub([...host, '-q', '1', '-t', 'plant/ext-1/0/label', '-m', '{"value":"boiler","correlationId":"m-1"}']);
      await waitFor(() => body('plant/ext-1/0/label/ack').length > 0, 'the write result');
      const ack = body('plant/ext-1/0/label/ack')[0]!;
      assert.deepEqual([ack.correlationId, ack.success, ack.code], ['m-1', true, '2.04']);
      assert.equal(client.store.get('/3303/0/5750'), 'boiler');

      await mosquittoPub([...host, '-q', '1', '-t', 'lwm2m/ext-1/dn', '-m', '{"reqID":5,"msgType":"read","data":{"path":"/3303/0/5750"}}']);
      await waitFor(() => body('lwm2m/ext-1/up/resp').some((b) => b.reqID === 5), 'the generic read response');
      const resp = body('lwm2m/ext-1/up/resp').find((b) => b.reqID === 5)!;
      assert.deepEqual(resp.data, { reqPath: '/3303/0/5750', code: '2.05', codeMsg: 'content', content: [{ path: '/3303/0/5750', value: 'boiler' }] });
      assert.ok(body('lwm2m/ext-1/status').some((b) => b.status === 'online'));
    } finally {
      await sub.stop();
    }
    // a late subscriber gets the retained gateway status
    const late = await MosquittoSub.start([...host, '-t', 'lwm2m/$gateway/status'], 'probe/ext2', () => mosquittoPub([...host, '-t', 'probe/ext2', '-m', 'p']));
    try {
      await waitFor(() => late.received().some((l) => l.startsWith('lwm2m/$gateway/status ')), 'the retained gateway status');
      const line = late.received().find((l) => l.startsWith('lwm2m/$gateway/status '))!;
      assert.equal((JSON.parse(line.slice(line.indexOf(' ') + 1)) as { status: string }).status, 'online');
    } finally {
      await late.stop();
    }
  });
});
