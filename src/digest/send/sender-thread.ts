// A sender worker thread: one sender (claim -> compose -> send -> record, src/digest/send/run-sender.ts) with its own
// Prisma pool and its own pooled SMTP transport, claiming through the same SKIP LOCKED claims as every other sender.
// Its messages are rendered by the process's main thread, over `renderPort`: the main thread has nothing else to do
// while the threads send, and a render thread per sender cost an isolate each. sender-workers.ts starts it and asks
// it for passes; it answers with progress and reports.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config.js';
import { createPrismaClient } from '../../db/client.js';
import { createLogger } from '../../logger.js';
import { createSmtpMailer } from '../../mail/smtp-mailer.js';
import { instrumentMailer } from '../../metrics/instrument-mailer.js';
import { createSender } from '../send-deliveries.js';
import type { SendReport } from './send-progress.js';
import type { SendObservation } from './sender-workers.js';

export interface SenderThreadData {
  config: Config;
  databaseUrl: string;
  secret?: string;
  /** The digest template compiled once by the process (compileDigestHtml): no thread of a sender loads MJML. */
  digestHtml: string;
  /** The main thread renders what is sent on it (serveRendering). */
  renderPort: MessagePort;
}

export type SenderThreadRequest =
  | { type: 'send'; pass: number; digestId?: number }
  | { type: 'stop'; pass: number }
  | { type: 'close' };

export type SenderThreadReply =
  | { type: 'ready' }
  | { type: 'progress'; pass: number; report: SendReport; sends: SendObservation[] }
  | { type: 'done'; pass: number; report: SendReport; sends: SendObservation[] }
  | { type: 'failed'; pass: number; error: string; sends: SendObservation[] }
  | { type: 'closed' };

const port = parentPort!;
const { config, databaseUrl, secret, digestHtml, renderPort } = workerData as SenderThreadData;
const log = createLogger(config.logLevel).child({ senderThread: process.pid });
// Claims, marks and the lease heartbeat: a few connections are plenty for one sender.
const prisma = createPrismaClient(databaseUrl, 4);
let sends: SendObservation[] = [];
// Counted here as in the main thread, handed over with each progress message.
const mailer = instrumentMailer(createSmtpMailer(config, log), {
  observeSend: (seconds, reply) => sends.push([seconds, reply]),
});
const sender = createSender({
  prisma,
  config,
  log,
  mailer,
  renderThreads: 0,
  secret,
  digestHtml,
  renderPort,
});
sender.warm();
const passes = new Map<number, AbortController>();
const running = new Set<Promise<void>>();
const taken = () => {
  const out = sends;
  sends = [];
  return out;
};

async function runPass(pass: number, digestId: number | undefined) {
  const controller = new AbortController();
  passes.set(pass, controller);
  let lastProgress = 0;
  try {
    const report = await sender.sendPending({
      digestId,
      signal: controller.signal,
      onProgress(report) {
        // A few messages a second to the main thread, not one per delivery.
        if (performance.now() - lastProgress < 200) return;
        lastProgress = performance.now();
        port.postMessage({ type: 'progress', pass, report, sends: taken() } satisfies SenderThreadReply);
      },
    });
    port.postMessage({ type: 'done', pass, report, sends: taken() } satisfies SenderThreadReply);
  } catch (err) {
    const error = String((err as Error)?.stack ?? err);
    port.postMessage({ type: 'failed', pass, error, sends: taken() } satisfies SenderThreadReply);
  } finally {
    passes.delete(pass);
  }
}

port.on('message', async (request: SenderThreadRequest) => {
  if (request.type === 'send') {
    const pass = runPass(request.pass, request.digestId);
    running.add(pass);
    void pass.finally(() => running.delete(pass));
  } else if (request.type === 'stop') passes.get(request.pass)?.abort();
  else {
    for (const controller of passes.values()) controller.abort();
    // What is claimed is still sent and recorded before the thread lets go of its connections.
    await Promise.allSettled([...running]);
    await sender.close();
    await mailer.close();
    await prisma.$disconnect();
    port.postMessage({ type: 'closed' } satisfies SenderThreadReply);
  }
});
port.postMessage({ type: 'ready' } satisfies SenderThreadReply);
