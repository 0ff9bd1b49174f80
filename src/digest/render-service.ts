// Answering render requests on a message port: what a render thread does on its parent port, and what the main thread
// does for each sender thread (sender-workers.ts), whose own thread then needs no render thread of its own.
import type { MessagePort } from 'node:worker_threads';
import type { ComposedMessage, ComposeOne, DigestJob } from './compose-digest.js';
import type { PaperView } from './paper-view.js';

/** What a composer asks of whoever renders for it: a render thread, or the main thread for a sender thread. */
export type RenderRequest =
  | { type: 'digest'; digestId: number; day: string; papers: PaperView[] }
  | { type: 'compose'; batch: number; jobs: DigestJob[] };

export type RenderReply =
  | { type: 'composed'; batch: number; messages: ComposedMessage[] }
  | { type: 'failed'; batch: number; error: string };

/**
 * Digests whose papers a render endpoint keeps: the last ones announced. A sender thread lives as long as its process,
 * which may send for months; both ends drop the oldest announced past this (composer.ts), and the sender announces a
 * dropped digest again when it has a delivery of it to compose (a resend, a retry).
 */
export const KEPT_DIGESTS = 16;

export interface RenderServer {
  /** Digests whose papers are held now. */
  digestsKept(): number;
}

/** Composes every batch asked for on `port`, with the papers of the digests announced on it. */
export function serveRendering(port: MessagePort, composeOne: ComposeOne): RenderServer {
  const digests = new Map<number, { day: string; papers: Map<string, PaperView> }>();
  port.on('message', (request: RenderRequest) => {
    if (request.type === 'digest') {
      digests.delete(request.digestId); // announced again: the newest
      digests.set(request.digestId, { day: request.day, papers: new Map(request.papers.map((p) => [p.id, p])) });
      dropOldest(digests);
      return;
    }
    try {
      const messages = request.jobs.map((job) => composeOne(job, digests.get(job.digestId)!));
      port.postMessage({ type: 'composed', batch: request.batch, messages } satisfies RenderReply, ownMemory(messages));
    } catch (err) {
      port.postMessage({
        type: 'failed',
        batch: request.batch,
        error: String((err as Error)?.stack ?? err),
      } satisfies RenderReply);
    }
  });
  return { digestsKept: () => digests.size };
}

/** Drops the oldest announced digests past KEPT_DIGESTS; the composer's record of what it announced does the same. */
export function dropOldest(announced: Map<number, unknown> | Set<number>): void {
  for (const digestId of announced.keys()) {
    if (announced.size <= KEPT_DIGESTS) return;
    announced.delete(digestId);
  }
}

/**
 * The memory of the messages that own all of theirs, moved to the sender rather than copied: a digest (over 4 KB)
 * gets an ArrayBuffer of its own, and moving it spares a 23 KB copy per message. A small Buffer may share Node's
 * buffer pool with others, and is copied.
 */
function ownMemory(messages: ComposedMessage[]): ArrayBuffer[] {
  return messages.flatMap(({ raw }) =>
    raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && raw.buffer instanceof ArrayBuffer
      ? [raw.buffer]
      : [],
  );
}
