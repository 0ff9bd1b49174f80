// The one "send until settled" loop, for the daily run and for resends: send what is due, then wait for retries
// and for deliveries another sender holds, until every delivery asked about is final (sent, failed, skipped) or the
// wait limit is reached. Retries due later than the limit stay pending for the next sender (the sender loop, the next
// run, another resend), and so do deliveries due at their readers' later hours.
import { Prisma, type PrismaClient } from '../db/client.js';
import { type DatabaseRetry, retryOnDatabaseBlip } from '../db/database-retry.js';
import { sleep } from '../sleep.js';
import { addSendReport, emptySendReport, type SendReport } from './send/send-progress.js';
import type { Sender } from './send-deliveries.js';

export interface SettleOptions {
  digestId: number;
  /** Only these deliveries must settle (a resend); every delivery of the digest when absent. */
  ids?: number[];
  waitLimitMs: number;
  signal?: AbortSignal;
  /** Before each pass and each wait, with how many deliveries are still open. */
  onProgress?: (phase: 'send' | 'wait', open: number) => void;
}

export interface Settled {
  /** The passes' counts added up. */
  send: SendReport;
  /** Deliveries still pending or being sent when the loop stopped. */
  open: number;
}

/** Polls at least this often while waiting, so deliveries another sender finishes are noticed soon. */
const POLL_MS = 1000;

export async function sendUntilSettled(
  deps: { prisma: PrismaClient; sender: Sender; retry: DatabaseRetry },
  o: SettleOptions,
): Promise<Settled> {
  const deadline = Date.now() + o.waitLimitMs;
  const send = emptySendReport();
  let open = await readOpen(deps, o);
  for (;;) {
    if (open.count === 0 || o.signal?.aborted) return { send, open: open.count };
    o.onProgress?.('send', open.count);
    addSendReport(send, await deps.sender.sendPending({ digestId: o.digestId, signal: o.signal }));
    open = await readOpen(deps, o);
    if (open.count === 0 || o.signal?.aborted) return { send, open: open.count };
    // Retries later, or deliveries another sender holds: wait for them, up to the limit.
    const due = open.nextDueAt?.getTime() ?? Date.now();
    if (due > deadline || Date.now() >= deadline) return { send, open: open.count };
    o.onProgress?.('wait', open.count);
    await sleep(Math.min(Math.max(due - Date.now(), 50), POLL_MS), o.signal);
  }
}

async function readOpen(
  deps: { prisma: PrismaClient; retry: DatabaseRetry },
  o: SettleOptions,
): Promise<{ count: number; nextDueAt: Date | undefined }> {
  const only = o.ids ? Prisma.sql`AND id = ANY(${o.ids}::int[])` : Prisma.empty;
  const rows = await retryOnDatabaseBlip(
    'count open deliveries',
    () => deps.prisma.$queryRaw<{ count: number; due: Date | null }[]>`
      SELECT count(*)::int AS count, min(next_attempt_at) AS due FROM deliveries
      WHERE digest_id = ${o.digestId} ${only}
        AND (status = 'sending' OR (status = 'pending' AND due_at <= now()))`,
    deps.retry,
  );
  return { count: rows[0]?.count ?? 0, nextDueAt: rows[0]?.due ?? undefined };
}
