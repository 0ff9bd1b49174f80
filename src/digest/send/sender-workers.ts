// SEND_WORKERS sender threads in this process: each a whole sender (sender-thread.ts) with its own SMTP pool, so the
// sending uses every core instead of one main thread. This thread renders their messages (serveRendering): it
// waits for them anyway, and a render thread per sender would cost an isolate each (~25 MB of heap at 100k readers).
// A pass asks every thread for a pass of its own and adds up their reports; the claims (FOR UPDATE SKIP LOCKED)
// keep their batches disjoint, and SEND_RATE is a budget in Postgres (or in Redis, each thread on a connection of
// its own) they share. The threads outlive a pass (the sender loop asks every minute) and close with the services.
import { MessageChannel, type Worker } from 'node:worker_threads';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ReplyClass } from '../../metrics/metrics.js';
import { startThread } from '../../thread-entry.js';
import { type ComposeOne, composeSettingsOf, createComposeOne } from '../compose-digest.js';
import { compileDigestHtml } from '../render-digest.js';
import { serveRendering } from '../render-service.js';
import type { Sender, SendOptions } from '../send-deliveries.js';
import { addSendReport, emptySendReport, type SendReport } from './send-progress.js';
import type { SenderThreadData, SenderThreadReply, SenderThreadRequest } from './sender-thread.js';

/** One SMTP exchange in a thread: seconds and the class of the relay's reply. */
export type SendObservation = [seconds: number, reply: ReplyClass];

export interface SenderWorkersDeps {
  config: Config;
  databaseUrl: string;
  log: Logger;
  count: number;
  secret?: string;
  /** Each exchange a thread had with the relay (metrics). */
  observeSend?: (seconds: number, reply: ReplyClass) => void;
}

interface Thread {
  worker: Worker;
  post(request: SenderThreadRequest): void;
}

interface Pass {
  resolve(report: SendReport): void;
  reject(err: Error): void;
  progress(report: SendReport): void;
}

export function createSenderWorkers(deps: SenderWorkersDeps): Sender & { warm(): void; close(): Promise<void> } {
  const passes = new Map<string, Pass>();
  let nextPass = 0;
  let threads: Promise<Thread[]> | undefined;
  // Compiled once by this process (MJML stays out of the threads), however many threads start or restart.
  let rendering: Promise<{ digestHtml: string; composeOne: ComposeOne }> | undefined;
  const renderer = () => {
    rendering ??= compileDigestHtml().then(async (digestHtml) => ({
      digestHtml,
      composeOne: await createComposeOne(composeSettingsOf(deps.config, deps.secret, digestHtml)),
    }));
    return rendering;
  };

  const start = async (index: number): Promise<Thread> => {
    const { digestHtml, composeOne } = await renderer();
    const channel = new MessageChannel();
    serveRendering(channel.port1, composeOne);
    channel.port1.unref();
    const data: SenderThreadData = {
      config: deps.config,
      databaseUrl: deps.databaseUrl,
      secret: deps.secret,
      digestHtml,
      renderPort: channel.port2,
    };
    const worker = startThread(import.meta.url, 'sender-thread', { workerData: data, transferList: [channel.port2] });
    worker.unref(); // never what keeps a process alive
    const observe = (sends: SendObservation[]) => {
      for (const [seconds, reply] of sends) deps.observeSend?.(seconds, reply);
    };
    worker.on('message', (reply: SenderThreadReply) => {
      if (reply.type === 'ready' || reply.type === 'closed') return;
      observe(reply.sends);
      const key = `${index}:${reply.pass}`;
      const pass = passes.get(key);
      if (!pass) return;
      if (reply.type === 'progress') return pass.progress(reply.report);
      passes.delete(key);
      if (reply.type === 'done') pass.resolve(reply.report);
      else pass.reject(new Error(`sender thread ${index}: ${reply.error}`));
    });
    worker.on('error', (err) => deps.log.error({ err, thread: index }, 'sender thread failed'));
    worker.on('exit', (code) => {
      channel.port1.close();
      // Its claims lapse to the other senders; the pass it was doing fails, and the next pass starts a new thread.
      for (const [key, pass] of passes) {
        if (key.startsWith(`${index}:`)) {
          passes.delete(key);
          pass.reject(new Error(`sender thread ${index} exited (code ${code})`));
        }
      }
      threads = undefined;
    });
    await new Promise<void>((resolve, reject) => {
      const onReady = (reply: SenderThreadReply) => {
        if (reply.type !== 'ready') return;
        worker.off('message', onReady);
        worker.off('error', reject);
        resolve();
      };
      worker.on('message', onReady);
      worker.once('error', reject);
    });
    return { worker, post: (request) => worker.postMessage(request) };
  };
  const started = () => {
    threads ??= Promise.all(Array.from({ length: deps.count }, (_, i) => start(i))).catch((err) => {
      threads = undefined; // the next pass tries again
      throw err;
    });
    return threads;
  };

  return {
    async sendPending(options: SendOptions = {}) {
      const all = await started();
      const pass = ++nextPass;
      const latest = all.map(() => emptySendReport());
      const runs = all.map(
        (thread, index) =>
          new Promise<SendReport>((resolve, reject) => {
            passes.set(`${index}:${pass}`, {
              resolve,
              reject,
              progress(report) {
                latest[index] = report;
                const total = emptySendReport();
                for (const r of latest) addSendReport(total, r);
                options.onProgress?.(total);
              },
            });
            thread.post({ type: 'send', pass, digestId: options.digestId });
          }),
      );
      const stop = () => {
        for (const thread of all) thread.post({ type: 'stop', pass });
      };
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        const results = await Promise.allSettled(runs);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        const total = emptySendReport();
        for (const r of results) if (r.status === 'fulfilled') addSendReport(total, r.value);
        // The threads ran side by side: the pass took as long as the longest, not their sum.
        total.ms = Math.max(0, ...results.map((r) => (r.status === 'fulfilled' ? r.value.ms : 0)));
        return total;
      } finally {
        options.signal?.removeEventListener('abort', stop);
      }
    },
    warm() {
      started().catch((err) => deps.log.error({ err }, 'sender threads did not start'));
    },
    async close() {
      const all = await threads?.catch(() => undefined);
      if (!all) return;
      threads = undefined;
      await Promise.all(
        all.map(
          (thread) =>
            new Promise<void>((resolve) => {
              thread.worker.once('exit', () => resolve());
              thread.worker.on('message', (reply: SenderThreadReply) => {
                if (reply.type === 'closed') void thread.worker.terminate();
              });
              thread.post({ type: 'close' });
            }),
        ),
      );
    },
  };
}
