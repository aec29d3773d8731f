/**
 * No Docker engine runs here, so the image's steps are replayed: every path the Dockerfile
 * copies exists, the runtime stage is what the README promises (non-root, HEALTHCHECK on
 * /readyz, every port exposed with its protocol, volumes), then a production install
 * without dev dependencies into a clean folder, the build, the copy list, and a start as
 * the image would start, until the image's own HEALTHCHECK command passes; SIGTERM stops it.
 * The compose example is checked for what `docker compose config` needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../../..');

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** the Dockerfile's instructions (continuation lines joined, comments dropped), with their stage index */
function dockerfile(): Instruction[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  let stage = -1;
  const out: Instruction[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sp = line.indexOf(' ');
    const op = line.slice(0, sp).toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: line.slice(sp + 1).trim(), stage });
  }
  return out;
}

const steps = dockerfile();
const runtime = Math.max(...steps.map((s) => s.stage));
const final = steps.filter((s) => s.stage === runtime);
const one = (op: string): string => {
  const found = final.filter((s) => s.op === op);
  assert.equal(found.length, 1, `one ${op} in the runtime stage`);
  return found[0]!.args;
};

void test('the Dockerfile copies paths that exist and runs as the README says', () => {
  const froms = steps.filter((s) => s.op === 'FROM').map((s) => s.args.split(/\s+/)[0]!);
  for (const image of froms) {
    const major = Number(/^node:(\d+)-/.exec(image)?.[1]);
    assert.ok(major >= 22 && major % 2 === 0, `${image}: a Node LTS line`);
  }
  assert.equal(new Set(froms).size, 1, 'build and runtime on the same Node');
  for (const s of steps.filter((x) => x.op === 'COPY')) {
    const parts = s.args.split(/\s+/);
    const from = parts.find((p) => p.startsWith('--from='));
    const sources = parts.filter((p) => !p.startsWith('--')).slice(0, -1);
    for (const src of sources) {
      if (from) assert.ok(['/app/node_modules', '/app/dist'].includes(src), `${src} is made in the build stage`);
      else assert.ok(existsSync(join(ROOT, src)), `COPY ${src}: exists in the repository`);
    }
  }
  assert.equal(one('USER'), 'node');
  const exposed = one('EXPOSE').split(/\s+/);
  for (const port of ['5683/udp', '5684/udp', '5685/udp', '5686/udp', '1883/tcp', '8883/tcp', '8080/tcp']) assert.ok(exposed.includes(port), `EXPOSE ${port}`);
  assert.ok(exposed.every((p) => /^\d+\/(udp|tcp)$/.test(p)), 'every port with its protocol');
  const volumes = JSON.parse(one('VOLUME')) as string[];
  for (const v of ['/app/config', '/app/mappings', '/app/models', '/app/data']) assert.ok(volumes.includes(v), `VOLUME ${v}`);
  assert.match(one('HEALTHCHECK'), /CMD \["node", "dist\/main\.js", "healthcheck"/);
  const copies = final.filter((s) => s.op === 'COPY').map((s) => s.args);
  assert.ok(copies.includes('schema ./schema'), 'the mapping JSON Schema, where $schema=../schema/... points from /app/mappings');
  const mapping = readdirSync(join(ROOT, 'mappings')).find((f) => f.endsWith('.yaml'))!;
  assert.ok(readFileSync(join(ROOT, 'mappings', mapping), 'utf8').includes('$schema=../schema/mapping.schema.json'));
  assert.ok(existsSync(join(ROOT, 'schema/mapping.schema.json')));
});

void test('the image replayed: production install, build, copy list, start, HEALTHCHECK passes, SIGTERM stops', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-image-'));
  const app = join(dir, 'app');
  mkdirSync(app);
  try {
    cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
    cpSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
    const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8', timeout: 240_000 });
    assert.equal(install.status, 0, `npm ci --omit=dev: ${install.stderr}`);
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { encoding: 'utf8' });
    assert.equal(build.status, 0, `build: ${build.stdout}${build.stderr}`);
    // npm run build's second step: the web console into dist/console
    const bundle = spawnSync(process.execPath, [join(ROOT, 'scripts/build-console.mjs'), join(app, 'dist/console')], { encoding: 'utf8' });
    assert.equal(bundle.status, 0, `console build: ${bundle.stdout}${bundle.stderr}`);
    for (const s of final.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
      const [src, dest] = s.args.split(/\s+/) as [string, string];
      cpSync(join(ROOT, src), join(app, dest, dest.endsWith('/') ? basename(src) : ''), { recursive: true });
    }
    for (const v of ['models', 'data']) mkdirSync(join(app, v), { recursive: true });
    assert.ok(!existsSync(join(app, 'node_modules/typescript')), 'no dev dependency in the image');

    const env = { ...process.env, NODE_ENV: 'production', LWM2MGW_COAP__PORT: '0', LWM2MGW_MQTT__EMBEDDED__PORT: '0', LWM2MGW_REST__PORT: '0' };
    const entry = JSON.parse(one('ENTRYPOINT')) as string[];
    const cmd = JSON.parse(one('CMD')) as string[];
    const child = spawn(entry[0]!, [...entry.slice(1), ...cmd], { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 60_000;
      let restPort = 0;
      while (!restPort && Date.now() < deadline) {
        restPort = Number(/REST API listening .*port=(\d+)/.exec(log)?.[1] ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(restPort, `the image's command starts the gateway:\n${log}`);
      const probe = JSON.parse(/CMD (\[.*\])/.exec(one('HEALTHCHECK'))![1]!) as string[];
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        const r = spawnSync(probe[0]!, probe.slice(1), { cwd: app, env: { ...env, LWM2MGW_REST__PORT: String(restPort) }, encoding: 'utf8' });
        ok = r.status === 0;
        if (!ok) await new Promise((res) => setTimeout(res, 200));
      }
      assert.ok(ok, 'the HEALTHCHECK command passes against the started image');
      const page = await fetch(`http://127.0.0.1:${restPort}/`);
      assert.equal(page.status, 200, 'the web console is in the image');
      assert.match(await page.text(), /console\/console\.js/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `SIGTERM stops it cleanly:\n${log}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('compose.yaml: services with an image or a build, ports with protocols, mounted files that exist or are documented secrets', () => {
  const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as {
    services: Record<string, { image?: string; build?: string; ports?: string[]; volumes?: string[]; secrets?: string[]; depends_on?: string[] }>;
    volumes?: Record<string, unknown>;
    secrets?: Record<string, { file: string }>;
  };
  const text = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
  const names = Object.keys(compose.services);
  assert.deepEqual(names.sort(), ['gateway', 'mosquitto']);
  for (const [name, s] of Object.entries(compose.services)) {
    assert.ok(s.image ?? s.build, `${name}: image or build`);
    for (const p of s.ports ?? []) assert.match(p, /^\d+:\d+\/(udp|tcp)$/, `${name}: port ${p}`);
    for (const d of s.depends_on ?? []) assert.ok(names.includes(d), `${name} depends on a service`);
    for (const sec of s.secrets ?? []) assert.ok(compose.secrets?.[sec], `${name}: secret ${sec} declared`);
    for (const v of s.volumes ?? []) {
      const [src] = v.split(':') as [string];
      if (!src.startsWith('.')) {
        assert.ok(compose.volumes && src in compose.volumes, `${name}: named volume ${src} declared`);
        continue;
      }
      // files the user creates (passwords) are named in the file's header, the rest are shipped
      assert.ok(existsSync(join(ROOT, src)) || text.split('services:')[0]!.includes(src.slice(2)), `${name}: ${src} exists or is documented`);
    }
  }
  for (const [name, sec] of Object.entries(compose.secrets ?? {})) assert.ok(text.split('services:')[0]!.includes(sec.file.slice(2)), `secret ${name}: how to create ${sec.file}`);
  const gw = parse(readFileSync(join(ROOT, 'deploy/compose/gateway.yaml'), 'utf8')) as { rest: { tokens: { token: string }[] }; mqtt: { external: { password: string } } };
  assert.match(gw.rest.tokens[0]!.token, /^file:\/run\/secrets\//, 'the API token comes from a secret');
  assert.match(gw.mqtt.external.password, /^file:\/run\/secrets\//, 'the broker password comes from a secret');
});
