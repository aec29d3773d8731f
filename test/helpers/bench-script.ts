/** Runs a benchmark script (`bench/...ts`) with tsx as a child process, as `npm run bench...` does. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Its exit code and output; killed after `killAfterMs` (the quick modes stop themselves after 100 s). */
export function runBenchScript(script: string, args: readonly string[], killAfterMs = 110_000): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}
