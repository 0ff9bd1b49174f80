// The benchmarks' mail relay: bench/smtp-count-sink.ts in a process of its own, and the parent's end of its IPC.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../src/project-root.js';

export interface Sink {
  url: string;
  stats(): Promise<{ messages: number; bytes: number; cpuMs: number; maxRssMb: number }>;
  reset(): Promise<void>;
  stop(): void;
}

export async function startSink(): Promise<Sink> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'bench/smtp-count-sink.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(msg: string, key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (key in m) {
          child.off('message', on);
          resolve(m as T);
        }
      };
      child.on('message', on);
      if (msg) child.send(msg);
    });
  const { port } = await ask<{ port: number }>('', 'port');
  return {
    url: `smtp://127.0.0.1:${port}`,
    stats: () => ask('stats', 'messages'),
    reset: async () => {
      await ask('reset', 'reset');
    },
    stop: () => child.kill('SIGTERM'),
  };
}
