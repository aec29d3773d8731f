#!/usr/bin/env node
/** Command line: `lwm2m-gateway [--config FILE]`. Starts the gateway, stops it on SIGTERM/SIGINT. */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { loadConfig, ConfigError } from './config/load.js';
import { createLogger } from './log.js';
import { Gateway, StartError } from './gateway.js';
import { validateCommand } from './validate-command.js';
import { healthcheckCommand } from './healthcheck-command.js';
import { availableParallelism } from 'node:os';
import { planWorkers } from './workers/shard-plan.js';
import { ShardedGateway } from './workers/sharded-gateway.js';

const USAGE = `usage: lwm2m-gateway [--config FILE]
       lwm2m-gateway validate [DIR] [--config FILE]
       lwm2m-gateway healthcheck [--config FILE]

  -c, --config FILE   gateway config (YAML); default: config/gateway.yaml if present
  -h, --help          this text
  validate [DIR]      check the mapping files in DIR (default: mappings.dir of the config)
                      against the object models; exit 1 on any error
  healthcheck         ask the running gateway's /readyz (the REST port of the config);
                      exit 0 when ready, 1 otherwise (the container's HEALTHCHECK)

Environment variables LWM2MGW_<KEY>__<SUBKEY> override config keys (e.g. LWM2MGW_COAP__PORT=5690).`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [command, ...rest] = args.positionals;
  const known = (command === 'validate' && rest.length <= 1) || (command === 'healthcheck' && rest.length === 0);
  if (command !== undefined && !known) {
    process.stderr.write(`unexpected argument: ${args.positionals.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  let loaded;
  try {
    loaded = loadConfig(args.values.config ?? (existsSync('config/gateway.yaml') ? 'config/gateway.yaml' : undefined));
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`config error:\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (command === 'validate') return validateCommand(loaded, rest[0]);
  if (command === 'healthcheck') return healthcheckCommand(loaded);
  const log = createLogger(loaded.config.log.level, undefined, loaded.config.log.format);
  let gateway: Gateway | ShardedGateway;
  try {
    const plan = planWorkers(loaded.config, availableParallelism());
    if (plan.note) log.info(plan.note);
    gateway =
      plan.count > 1
        ? new ShardedGateway(loaded.config, plan.count, { logger: log, ...(loaded.file ? { configFile: loaded.file } : {}) })
        : new Gateway(loaded.config, { logger: log, configFile: loaded.file });
  } catch (e) {
    if (e instanceof StartError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  // handlers first: a signal that arrives while starting still stops cleanly
  let stopping = false;
  let starting: Promise<unknown> = Promise.resolve();
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const graceSeconds = loaded.config.shutdown?.graceSeconds ?? 10;
    log.info('stopping', { signal, graceSeconds });
    // whatever hangs, the process ends within the grace period
    setTimeout(() => {
      log.error('stopping: the grace period is over, exiting now (shutdown.graceSeconds)', { graceSeconds });
      process.exit(1);
    }, graceSeconds * 1000);
    starting
      .catch(() => {})
      .then(() => gateway.shutdown(graceSeconds * 1000))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error('stop failed', { error: String(err) });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    starting = gateway.start();
    await starting;
  } catch (e) {
    if (e instanceof StartError) {
      process.stderr.write(`${e.message}\n`);
      await gateway.stop();
      return 1;
    }
    throw e;
  }
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
