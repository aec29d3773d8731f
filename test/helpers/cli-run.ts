/** Runs the command line (`src/main.ts` under tsx) with a config written to a temporary folder. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Exit {
  code: number | null;
  stderr: string;
}

/** `onStderr` sees all stderr so far and may signal the process (to stop it once started). */
export function runCli(args: string[], onStderr?: (text: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not exit; stderr:\n${stderr}`));
    }, 30_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
      onStderr?.(stderr, (sig) => child.kill(sig));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** The config file `text` in a new folder; its data folder (the file store) is in that folder too, unless `text` names one. */
export function tempConfig(text: string): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lwm2mgw-cli-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, /^data:/m.test(text) ? text : `${text}\ndata:\n  dir: ${JSON.stringify(join(dir, 'data'))}\n`);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}
