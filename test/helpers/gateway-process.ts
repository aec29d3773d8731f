/**
 * A gateway process (src/main.ts through tsx) on a config file, its stderr (the log)
 * collected; start resolves once a log line matches `ready`.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface GatewayProcess {
  child: ChildProcess;
  /** the log so far */
  stderr(): string;
  /** the first number captured by `re` in the log (e.g. a port), 0 when none yet */
  number(re: RegExp): number;
  /** resolves with the exit code (null: killed by a signal) */
  exited: Promise<number | null>;
}

export function startGatewayProcess(configFile: string, ready: RegExp, timeoutMs = 30_000): Promise<GatewayProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const gp: GatewayProcess = {
      child,
      stderr: () => stderr,
      number: (re) => Number(re.exec(stderr)?.[1] ?? 0),
      exited,
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the gateway did not start:\n${stderr}`));
    }, timeoutMs);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      stderr += d;
      if (ready.test(stderr)) {
        clearTimeout(timer);
        resolve(gp);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}):\n${stderr}`));
    });
  });
}
