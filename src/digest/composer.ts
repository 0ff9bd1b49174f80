// Where digest messages are composed: on the main thread, or on render threads so that a sender uses a second core
// for rendering while the main thread keeps the SMTP connections and the database busy. Either way the sender sees
// one function: compose(jobs) -> messages.
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { startThread } from '../thread-entry.js';
import {
  type ComposedMessage,
  type ComposeSettings,
  createComposeOne,
  type DigestJob,
  type DigestPapers,
} from './compose-digest.js';
import { compileDigestHtml } from './render-digest.js';
import type { RenderThreadReply, RenderThreadRequest } from './render-thread.js';

export interface Composer {
  readonly threads: number;
  /** Composes the jobs of one digest. */
  compose(jobs: DigestJob[], digestId: number, digest: DigestPapers): Promise<ComposedMessage[]>;
  close(): Promise<void>;
}

export async function createComposer(settings: ComposeSettings, threads: number, log: Logger): Promise<Composer> {
  if (threads > 0) {
    try {
      return await startRenderThreads(settings, threads, log);
    } catch (err) {
      log.warn({ err }, 'render threads did not start: rendering on the main thread');
    }
  }
  const composeOne = await createComposeOne(settings);
  return {
    threads: 0,
    async compose(jobs, _digestId, digest) {
      return jobs.map((job) => composeOne(job, digest));
    },
    async close() {},
  };
}

interface Pending {
  resolve(messages: ComposedMessage[]): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  digests: Set<number>;
  inFlight: number;
}

async function startRenderThreads(settings: ComposeSettings, count: number, log: Logger): Promise<Composer> {
  const pending = new Map<number, Pending>();
  let batch = 0;
  let broken: Error | undefined;
  const withHtml: ComposeSettings = { ...settings, digestHtml: settings.digestHtml ?? (await compileDigestHtml()) };
  const threads: Thread[] = await Promise.all(
    Array.from({ length: count }, async () => {
      const worker = startThread(import.meta.url, 'render-thread', { workerData: withHtml });
      worker.unref(); // never what keeps a process alive
      await new Promise<void>((resolve, reject) => {
        const onMessage = (reply: RenderThreadReply) => {
          if (reply.type === 'ready') {
            worker.off('error', reject);
            resolve();
          }
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
      });
      worker.on('message', (reply: RenderThreadReply) => {
        if (reply.type === 'ready') return;
        const waiting = pending.get(reply.batch);
        pending.delete(reply.batch);
        if (reply.type === 'failed') waiting?.reject(new Error(reply.error));
        else
          waiting?.resolve(
            reply.messages.map((m) => ({ ...m, raw: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength) })),
          );
      });
      worker.on('error', (err) => {
        broken = err;
        log.error({ err }, 'a render thread failed');
        for (const [id, waiting] of pending) {
          pending.delete(id);
          waiting.reject(err);
        }
      });
      return { worker, digests: new Set<number>(), inFlight: 0 };
    }),
  );
  log.debug({ threads: count }, 'render threads started');

  // A thread that dies does not stop the sending: composing falls back to this thread.
  let fallback: Promise<(job: DigestJob, digest: DigestPapers) => ComposedMessage> | undefined;
  return {
    threads: count,
    async compose(jobs, digestId, digest) {
      if (broken) {
        fallback ??= createComposeOne(withHtml);
        const composeOne = await fallback;
        return jobs.map((job) => composeOne(job, digest));
      }
      const thread = threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (!thread.digests.has(digestId)) {
        const request: RenderThreadRequest = {
          type: 'digest',
          digestId,
          day: digest.day,
          papers: [...digest.papers.values()],
        };
        thread.worker.postMessage(request);
        thread.digests.add(digestId);
      }
      const id = batch++;
      thread.inFlight++;
      return new Promise<ComposedMessage[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread.worker.postMessage({ type: 'compose', batch: id, jobs } satisfies RenderThreadRequest);
      }).finally(() => {
        thread.inFlight--;
      });
    },
    async close() {
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
