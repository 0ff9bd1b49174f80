// Runs papermail's own entry points as child processes, the way an operator would.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after } from 'node:test';
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

/**
 * Waits until `url` answers 2xx. On timeout the error says what it last got (a status and body, or the connection
 * error), so a failure tells "not listening" from "listening but not ready". It stops quietly once `signal` aborts.
 */
export async function waitForHttp(url: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (!signal?.aborted) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? String(err.cause ?? err.message) : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms; last: ${last}`);
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

/** A server's environment, or one made from its base URL (for PUBLIC_URL). */
type ServerEnv = Record<string, string | undefined> | ((base: string) => Record<string, string | undefined>);

export interface StartedServer {
  child: ChildProcess;
  base: string;
  done: Promise<Finished>;
}

/**
 * Starts `src/server.ts` on a free port and waits until /readyz answers. A port found free can be taken by another
 * process's socket before the child binds it; then the child exits with EADDRINUSE and is started again on another
 * port. Any other exit before readiness fails at once with the child's output, instead of waiting out the timeout.
 */
export async function startServer(env: ServerEnv, timeoutMs = 60_000): Promise<StartedServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = startScript('src/server.ts', [], {
      ...(typeof env === 'function' ? env(base) : env),
      PORT: String(port),
    });
    const run = collect(child);
    // A failed assertion must not leave the server behind (its pipes would keep the test process alive).
    after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const stopWaiting = new AbortController();
    const ready = waitForHttp(`${base}/readyz`, timeoutMs, stopWaiting.signal).then(() => undefined);
    const first = await Promise.race([ready, run.done]).catch((err: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nserver output:\n${run.output().stderr}`);
    });
    stopWaiting.abort();
    if (first === undefined) return { child, base, done: run.done };
    if (attempt < 3 && /EADDRINUSE/.test(first.stderr)) continue;
    throw new Error(
      `the server exited (code ${first.code}, signal ${first.signal}) before it was ready:\n${first.stderr}`,
    );
  }
}

/** Starts several servers at once; if one cannot start, the others are stopped and its error is thrown. */
export async function startServers(envs: ServerEnv[], timeoutMs = 60_000): Promise<StartedServer[]> {
  const results = await Promise.allSettled(envs.map((env) => startServer(env, timeoutMs)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed === undefined) return results.map((r) => (r as PromiseFulfilledResult<StartedServer>).value);
  for (const r of results) if (r.status === 'fulfilled') r.value.child.kill('SIGKILL');
  throw failed.reason;
}
