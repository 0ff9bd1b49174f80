// Where digest messages are composed: on the sending thread, on render threads so that a sender uses a second core
// for rendering while its thread keeps the SMTP connections and the database busy, or, for a sender thread, on the
// process's main thread over a message port (sender-workers.ts). Either way the sender sees one function:
// compose(jobs) -> messages.
import type { MessagePort, Worker } from 'node:worker_threads';
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
import { dropOldest, type RenderReply, type RenderRequest } from './render-service.js';
import type { RenderThreadReply } from './render-thread.js';

export interface Composer {
  /** Render threads this composer started (0: it renders on its own thread, or over a port). */
  readonly threads: number;
  /** Composes the jobs of one digest. */
  compose(jobs: DigestJob[], digestId: number, digest: DigestPapers): Promise<ComposedMessage[]>;
  close(): Promise<void>;
}

/**
 * With `renderPort`, messages are composed by whoever serves that port (serveRendering), and no thread is started;
 * else by `threads` render threads, or here when there are none.
 */
export async function createComposer(
  settings: ComposeSettings,
  threads: number,
  log: Logger,
  renderPort?: MessagePort,
): Promise<Composer> {
  if (renderPort) return composeOver([renderPort], settings, log, async () => renderPort.close());
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

/** A render thread, or the main thread's end of a sender thread's render channel. */
type RenderEndpoint = (Worker | MessagePort) & { postMessage(request: RenderRequest): void };

interface Endpoint {
  port: RenderEndpoint;
  digests: Set<number>;
  inFlight: number;
}

interface Pending {
  resolve(messages: ComposedMessage[]): void;
  reject(err: Error): void;
}

async function startRenderThreads(settings: ComposeSettings, count: number, log: Logger): Promise<Composer> {
  const withHtml: ComposeSettings = { ...settings, digestHtml: settings.digestHtml ?? (await compileDigestHtml()) };
  const workers: Worker[] = await Promise.all(
    Array.from({ length: count }, async () => {
      const worker = startThread(import.meta.url, 'render-thread', { workerData: withHtml });
      worker.unref(); // never what keeps a process alive
      await new Promise<void>((resolve, reject) => {
        const onMessage = (reply: RenderThreadReply) => {
          if (reply.type !== 'ready') return;
          worker.off('message', onMessage);
          worker.off('error', reject);
          resolve();
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
      });
      return worker;
    }),
  );
  log.debug({ threads: count }, 'render threads started');
  const composer = composeOver(workers, withHtml, log, async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  });
  return { ...composer, threads: count };
}

/**
 * Composes over `ports`, each batch to the one with the least in flight. A port that fails (a render thread that
 * died) does not stop the sending: composing falls back to this thread.
 */
function composeOver(
  ports: RenderEndpoint[],
  settings: ComposeSettings,
  log: Logger,
  close: () => Promise<void>,
): Composer {
  const pending = new Map<number, Pending>();
  let batch = 0;
  let broken: Error | undefined;
  const endpoints: Endpoint[] = ports.map((port) => ({ port, digests: new Set<number>(), inFlight: 0 }));
  for (const { port } of endpoints) {
    port.on('message', (reply: RenderReply | RenderThreadReply) => {
      if (reply.type === 'ready') return;
      const waiting = pending.get(reply.batch);
      pending.delete(reply.batch);
      if (reply.type === 'failed') waiting?.reject(new Error(reply.error));
      else
        waiting?.resolve(
          reply.messages.map((m) => ({ ...m, raw: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength) })),
        );
    });
    port.on('error', (err: Error) => {
      broken = err;
      log.error({ err }, 'a render thread failed');
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.reject(err);
      }
    });
  }

  let fallback: Promise<(job: DigestJob, digest: DigestPapers) => ComposedMessage> | undefined;
  return {
    threads: 0,
    async compose(jobs, digestId, digest) {
      if (broken) {
        fallback ??= createComposeOne(settings);
        const composeOne = await fallback;
        return jobs.map((job) => composeOne(job, digest));
      }
      const endpoint = endpoints.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (!endpoint.digests.has(digestId)) {
        endpoint.port.postMessage({ type: 'digest', digestId, day: digest.day, papers: [...digest.papers.values()] });
        endpoint.digests.add(digestId);
        // The endpoint drops the same digests as it hears of this one (serveRendering): the two stay in step.
        dropOldest(endpoint.digests);
      }
      const id = batch++;
      endpoint.inFlight++;
      return new Promise<ComposedMessage[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        endpoint.port.postMessage({ type: 'compose', batch: id, jobs });
      }).finally(() => {
        endpoint.inFlight--;
      });
    },
    close,
  };
}
