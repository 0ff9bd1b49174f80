// Runs papermail's own entry points as child processes, the way an operator would.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../src/db/migrate.js';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment a child gets: this one without database settings, plus `env`. */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.TEST_DATABASE_URL;
  delete base.NODE_TEST_CONTEXT;
  return { ...base, LOG_LEVEL: 'info', SCHEDULER: 'off', ...env };
}

/** How papermail's processes start (heap bounds included): tests run them the same way. */
const launcher = path.join(projectRoot, 'bin/papermail-node');

export function startScript(script: string, args: string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn(launcher, [script, ...args], {
    cwd: projectRoot,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collect(child: ChildProcess): {
  output: () => { stdout: string; stderr: string };
  done: Promise<Finished>;
} {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => {
    stdout += c;
  });
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  const done = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { output: () => ({ stdout, stderr }), done };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<Finished> {
  return collect(startScript('src/cli.ts', args, env)).done;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the CLI to completion with `input` on its standard input (`printf %s "$PW" | papermail …`). */
export function runCliWithInput(
  args: string[],
  env: Record<string, string | undefined>,
  input: string,
): Promise<Finished> {
  const child = spawn(launcher, ['src/cli.ts', ...args], {
    cwd: projectRoot,
    env: childEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const finished = collect(child).done;
  child.stdin?.end(input);
  return finished;
}
