/**
 * Gives the gateway the benchmark's PSK credentials over REST
 * (`PUT /api/clients/{endpoint}/security`): identity = endpoint name, key = benchPsk(identity).
 * Over REST rather than `security.file`, so that the start-up figure is not the loading of a
 * large credentials file.
 */
import { Agent, request } from 'node:http';
import { benchPsk } from './handshake-runner.js';

function put(port: number, agent: Agent, endpoint: string): Promise<number> {
  const body = JSON.stringify({ mode: 'psk', identity: endpoint, key: benchPsk(endpoint).toString('hex') });
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'PUT', path: `/api/clients/${encodeURIComponent(endpoint)}/security`, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** PSK credentials for `${prefix}0` ... `${prefix}${count - 1}`; throws when the gateway refused any. */
export async function provisionPsks(restPort: number, prefix: string, count: number, concurrency = 16): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const refused: string[] = [];
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const ep = `${prefix}${next++}`;
          const status = await put(restPort, agent, ep);
          if (status !== 200 && status !== 201) refused.push(`${ep}: ${status}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  if (refused.length > 0) throw new Error(`the gateway refused ${refused.length} PSK credentials (${refused.slice(0, 3).join(', ')})`);
}
