// One sender pass, wired from its stages: claim (claim-batch) -> compose (compose-batch), fed to the sending slots by
// message-feed -> send (the mailer) -> record (record-outcome). The lease heartbeat keeps every held delivery's claim
// alive until its outcome is written. Each slot waits for its own outcome to be written before it takes the next
// message, so a crash can duplicate at most one message per slot: 2 x SEND_CONCURRENCY.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { PrismaClient } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import type { Mailer } from '../../mail/mailer.js';
import { classifySendError } from '../classify-send-error.js';
import type { ComposedMessage } from '../compose-digest.js';
import type { Composer } from '../composer.js';
import type { ClaimedDelivery } from '../delivery-claims.js';
import { createClaimBatch } from './claim-batch.js';
import { createComposeBatch } from './compose-batch.js';
import type { DomainPacing } from './domain-pacing.js';
import { startLeaseHeartbeat } from './lease-heartbeat.js';
import { createMessageFeed } from './message-feed.js';
import { createOutcomeRecorder } from './record-outcome.js';
import type { SendBudget } from './send-budget.js';
import { createSendProgress, type SendReport } from './send-progress.js';

export interface SenderSettings {
  concurrency: number;
  batchSize: number;
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Right-hand side of new Message-IDs. */
  domain: string;
}

export interface RunSenderDeps {
  prisma: PrismaClient;
  log: Logger;
  mailer: Mailer;
  composer: Composer;
  settings: SenderSettings;
  /** SEND_RATE (shared by every sender) and the per-domain pace; they outlive one pass. */
  pace: { budget?: SendBudget; domains: DomainPacing };
}

export interface RunSenderOptions {
  digestId?: number;
  signal?: AbortSignal;
  onProgress?: (report: SendReport) => void;
}

/** Deliveries composed per chunk (one render-thread hop each). */
const COMPOSE_CHUNK = 25;

export async function runSender(deps: RunSenderDeps, options: RunSenderOptions): Promise<SendReport> {
  const { prisma, log, mailer, composer, settings, pace } = deps;
  const claimer = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const progress = createSendProgress(options.onProgress);
  const held = new Map<number, ClaimedDelivery>();
  // A database blip is waited out for up to one lease: the heartbeat keeps the claims meanwhile.
  const retry = { budgetMs: settings.leaseMs, log };

  const heartbeat = startLeaseHeartbeat({
    prisma,
    claimer,
    leaseMs: settings.leaseMs,
    held: () => [...held.keys()],
    log,
  });
  const record = createOutcomeRecorder({ prisma, claimer, ...settings, held, progress, log, retry });
  const feed = createMessageFeed({
    claim: createClaimBatch({ prisma, claimer, ...settings, digestId: options.digestId, held, progress, log, retry }),
    compose: createComposeBatch({ prisma, composer, record, retry }),
    batchSize: settings.batchSize,
    chunk: COMPOSE_CHUNK,
    signal: options.signal,
    admit: (m) => pace.domains.admit(m.to),
  });

  const send = async (m: ComposedMessage) => {
    const d = held.get(m.id)!;
    // Claimed messages go out even after a stop was asked for: the budget is waited for, not the signal.
    await pace.budget?.take();
    try {
      await mailer.send({ to: m.to, subject: m.subject, messageId: m.messageId, raw: m.raw });
    } catch (err) {
      if (classifySendError(err).throttled) pace.domains.throttled(m.to);
      return record.failed(d, err);
    }
    pace.domains.delivered(m.to);
    await record.sent(d);
  };
  const slot = async () => {
    try {
      for (let m = await feed.next(); m; m = await feed.next()) await send(m);
    } catch (err) {
      feed.fail(err); // the other slots stop at their next message
      throw err;
    }
  };

  let slots: PromiseSettledResult<void>[];
  try {
    // Twice the connections in flight: the next message is ready the moment a connection frees up.
    slots = await Promise.allSettled(Array.from({ length: settings.concurrency * 2 }, slot));
    await feed.drain();
  } finally {
    // Whatever happened, this sender renews nothing after it returns: what it still holds lapses to the next one.
    await heartbeat.stop();
  }
  progress.changed();
  const failed = slots.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    log.error({ err: failed.reason, claimer, held: held.size, ...progress.report }, 'sender stopped');
    throw failed.reason;
  }
  const { report } = progress;
  if (report.claimed > 0) log.info({ claimer, renderThreads: composer.threads, ...report }, 'sender finished');
  return report;
}
