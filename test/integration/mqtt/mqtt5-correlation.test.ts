/**
 * MQTT 5 through the external link: a mapped command carrying Correlation Data (and no
 * correlation id in its payload) gets its result with the same Correlation Data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { ExternalLink } from '../../../src/northbound/mqtt/link-external.js';
import { MqttNorthbound } from '../../../src/northbound/mqtt/index.js';
import { Fixture } from '../lwm2m/fixture.js';
import { MosquittoProcess, noMosquitto, waitFor } from '../mqtt-link/mosquitto.js';
import { compiled, models } from './fixture.js';

const MAPPING = `
targets:
  - object: 3303
    mqtt:
      commands:
        - topic: "plant/{endpoint}/{instanceId}/label"
          write: 5750
          response: "plant/{endpoint}/{instanceId}/label/ack"
`;

void test('MQTT 5 Correlation Data of a command comes back on its result', { skip: noMosquitto }, async () => {
  const broker = await MosquittoProcess.create();
  const lwm2m = await Fixture.start();
  const link = new ExternalLink({ url: broker.url, protocolVersion: 5 });
  await link.start();
  const northbound = new MqttNorthbound({ server: lwm2m.server, models, link, mappings: compiled({ 'plant.yaml': MAPPING }), presence: false });
  await northbound.start();
  const app = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  try {
    const { client } = await lwm2m.registered({ endpoint: 'm5-1', version: '1.1' });
    const acks: { payload: Record<string, unknown>; correlation?: string }[] = [];
    app.on('message', (_t, payload, packet) => {
      const cd = packet.properties?.correlationData;
      acks.push({ payload: JSON.parse(payload.toString()) as Record<string, unknown>, ...(cd ? { correlation: cd.toString() } : {}) });
    });
    await app.subscribeAsync('plant/m5-1/0/label/ack', { qos: 1 });
    await app.publishAsync('plant/m5-1/0/label', JSON.stringify({ value: 'kiln' }), {
      qos: 1,
      properties: { correlationData: Buffer.from('corr-77') },
    });
    await waitFor(() => acks.length > 0, 'the command result');
    assert.equal(acks[0]!.correlation, 'corr-77');
    assert.equal(acks[0]!.payload.success, true);
    assert.equal(client.store.get('/3303/0/5750'), 'kiln');
  } finally {
    await app.endAsync(true);
    await northbound.stop();
    await link.stop();
    await lwm2m.stop();
    await broker.dispose();
  }
});
