/**
 * An MQTT subscriber that counts what the gateway publishes and reads each message's
 * latency from its payload: in the benchmark a simulated sensor's value is the time (ms,
 * fractional, wall clock) at which the device sent it.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { percentiles, type Percentiles } from './stats.js';

/** Wall-clock ms with sub-ms resolution, comparable across processes on one machine. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export class MqttSink {
  received = 0;
  private samples: number[] = [];
  private sampling = false;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (_topic, payload) => {
      this.received++;
      if (!this.sampling) return;
      const sent = Number(payload.toString());
      if (Number.isFinite(sent) && sent > 1e12) this.samples.push(wallClockMs() - sent);
    });
  }

  static async connect(port: number, topic: string, login?: { username: string; password: string }): Promise<MqttSink> {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clean: true, reconnectPeriod: 0, ...login });
    await client.subscribeAsync(topic, { qos: 0 });
    return new MqttSink(client);
  }

  /** Starts collecting latencies afresh. */
  startSampling(): void {
    this.samples = [];
    this.sampling = true;
  }

  stopSampling(): Percentiles {
    this.sampling = false;
    return percentiles(this.samples);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
