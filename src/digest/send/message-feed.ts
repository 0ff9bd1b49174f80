// Feeds the sending slots: claims the next batch while the current one is composed and sent (so connections never
// wait for the database), composes it in chunks (each chunk one hop to a render thread), and hands out finished
// messages one at a time. It stops claiming when nothing is due, when the signal aborts, or when a stage failed;
// what was claimed already is still handed out and sent.
import type { ComposedMessage } from '../compose-digest.js';
import type { ClaimedDelivery } from '../delivery-claims.js';
import type { ClaimedBatch } from './claim-batch.js';

export interface MessageFeed {
  /** The next message to send; undefined once everything claimed is handed out and nothing more is due. */
  next(): Promise<ComposedMessage | undefined>;
  /** Stops the feed: every waiting and later `next()` throws `err`. */
  fail(err: unknown): void;
  /** Resolves once no claim and no composition is under way. */
  drain(): Promise<void>;
}

export interface MessageFeedOptions {
  claim: () => Promise<ClaimedBatch>;
  compose: (rows: ClaimedDelivery[]) => Promise<ComposedMessage[]>;
  /** A new batch is claimed when fewer than half of this are ready or being composed. */
  batchSize: number;
  /** Deliveries composed per chunk: enough to amortise a render-thread hop, small enough to keep flowing. */
  chunk: number;
  signal?: AbortSignal;
  /** May this message go now (its domain's pace)? Held-back messages wait while later ones are handed out. */
  admit?: (message: ComposedMessage) => boolean;
}

/** How often held-back messages are looked at again, and how many may wait (in batches) before claiming stops. */
const RECHECK_MS = 20;
const MAX_HELD_BATCHES = 4;

export function createMessageFeed(o: MessageFeedOptions): MessageFeed {
  const ready: ComposedMessage[] = [];
  const working = new Set<Promise<void>>();
  let composing = 0;
  let exhausted = false;
  let claiming: Promise<void> | undefined;
  let failure: { err: unknown } | undefined;
  let waiting: (() => void)[] = [];

  const wakeAll = () => {
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  const track = (work: Promise<void>) => {
    working.add(work);
    void work.finally(() => working.delete(work));
  };
  const fail = (err: unknown) => {
    failure ??= { err };
    wakeAll();
  };

  const composeChunk = (chunk: ClaimedDelivery[]) => {
    composing += chunk.length;
    track(
      o
        .compose(chunk)
        .then((messages) => {
          ready.push(...messages);
        }, fail)
        .finally(() => {
          composing -= chunk.length;
          wakeAll();
        }),
    );
  };

  const claimNext = () => {
    claiming = o
      .claim()
      .then(({ toSend, claimed }) => {
        if (claimed === 0) exhausted = true;
        for (let i = 0; i < toSend.length; i += o.chunk) composeChunk(toSend.slice(i, i + o.chunk));
      }, fail)
      .finally(() => {
        claiming = undefined;
        wakeAll();
      });
    track(claiming);
  };

  return {
    async next() {
      for (;;) {
        if (failure) throw failure.err;
        const stopping = exhausted || o.signal?.aborted === true;
        if (!stopping && !claiming && ready.length + composing < o.batchSize / 2) claimNext();
        const index = o.admit ? ready.findIndex(o.admit) : ready.length > 0 ? 0 : -1;
        if (index >= 0) return ready.splice(index, 1)[0];
        if (stopping && composing === 0 && !claiming && ready.length === 0) return undefined;
        if (ready.length > 0) {
          // Everything ready is held back by its domain's pace: claim more for the other domains, within bounds.
          const room = ready.length + composing < o.batchSize * MAX_HELD_BATCHES;
          if (!stopping && !claiming && room) claimNext();
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, RECHECK_MS);
            waiting.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
          continue;
        }
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    },
    fail,
    async drain() {
      while (working.size > 0) await Promise.allSettled([...working]);
    },
  };
}
