// The benchmarks' mail relay: bench/smtp-count-sink.ts in a process of its own, and the parent's end of its IPC;
// and the ceiling's way of sending into it: one pre-built message, again and again, through pooled Nodemailer.
import { spawn } from 'node:child_process';
import path from 'node:path';
import nodemailer from 'nodemailer';
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

/**
 * A pooled Nodemailer transport of `connections` into the relay at `url`, and `blast(n)`: sends `raw` n times with
 * twice as many messages in flight as connections (so none waits for the next to be handed over).
 */
export function rawBlaster(url: string, raw: Buffer, connections: number) {
  const transport = nodemailer.createTransport({ pool: true, url, maxConnections: connections, maxMessages: Infinity });
  const envelope = { from: 'digest@bench.example.org', to: ['reader@bench.example.org'] };
  return {
    async blast(n: number) {
      let next = 0;
      const slot = async () => {
        while (next < n) {
          next++;
          await transport.sendMail({ envelope, raw });
        }
      };
      await Promise.all(Array.from({ length: connections * 2 }, slot));
    },
    close: () => transport.close(),
  };
}
