// The sender: claims due deliveries in batches, renders each reader's digest from the compiled templates, hands it
// to the mailer with many messages in flight, and records the outcomes. Any number of senders, in one process or on
// many machines, can run at once: claims are disjoint (SKIP LOCKED) and every state change is conditional.
//
// Throughput: claims prefetch the next batch while the current one drains; "sent" marks are written in batches
// (every SENT_FLUSH_COUNT messages or SENT_FLUSH_MS); retries and failures, which are rare, are written one by one.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { Links } from '../links.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import { mailDomain } from '../mail/message-options.js';
import { classifySendError } from './classify-send-error.js';
import { loadDayPapers } from './day-papers.js';
import {
  type ClaimedDelivery,
  claimDeliveries,
  extendClaims,
  markFinished,
  markReaderBounced,
  markRetry,
  markSent,
} from './delivery-claims.js';
import { type PaperView, toPaperView } from './paper-view.js';
import { createDigestRenderer, type DigestRenderer } from './render-digest.js';

/** Sent marks are flushed after this many messages or this long, whichever comes first. */
export const SENT_FLUSH_COUNT = 100;
export const SENT_FLUSH_MS = 100;

export interface SendReport {
  claimed: number;
  sent: number;
  /** Temporary failures put back for a later attempt. */
  retried: number;
  failed: number;
  /** Readers marked bounced (their address does not exist). */
  bounced: number;
  skipped: number;
  ms: number;
}

export interface SendOptions {
  /** Only this digest's deliveries (all due deliveries when absent). */
  digestId?: number;
  /** Stop claiming; what is in flight finishes and is recorded. */
  signal?: AbortSignal;
  /** Called after outcomes are written, with the totals so far. */
  onProgress?: (report: SendReport) => void;
}

export interface Sender {
  /** Sends every delivery due now, then returns. Deliveries retried for later are left for a later call. */
  sendPending(options?: SendOptions): Promise<SendReport>;
}

export interface SenderDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  mailer: Mailer;
  links: Links;
}

interface DigestPapers {
  day: string;
  papers: Map<string, PaperView>;
}

export function createSender(deps: SenderDeps): Sender {
  const { prisma, config, log, mailer, links } = deps;
  let renderer: Promise<DigestRenderer> | undefined;
  return {
    async sendPending(options = {}) {
      renderer ??= createDigestRenderer(links);
      return runSender(await renderer, options);
    },
  };

  async function runSender(render: DigestRenderer, options: SendOptions): Promise<SendReport> {
    const started = performance.now();
    const { concurrency, batchSize, leaseMs, maxAttempts, retryBaseMs } = config.send;
    const claimer = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const domain = mailDomain(config);
    const report: SendReport = { claimed: 0, sent: 0, retried: 0, failed: 0, bounced: 0, skipped: 0, ms: 0 };
    const progress = () => {
      report.ms = Math.round(performance.now() - started);
      options.onProgress?.({ ...report });
    };

    const digests = new Map<number, Promise<DigestPapers>>();
    const papersOf = (digestId: number) => {
      const entry = digests.get(digestId) ?? loadDigestPapers(prisma, digestId);
      digests.set(digestId, entry);
      return entry;
    };

    // Deliveries this sender holds (claimed, not yet recorded): their leases are kept alive.
    const held = new Set<number>();
    const heartbeat = setInterval(
      () => {
        extendClaims(prisma, claimer, [...held], leaseMs).catch((err) => log.warn({ err }, 'could not extend claims'));
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );

    let sentBuffer: number[] = [];
    let flushTimer: NodeJS.Timeout | undefined;
    let flushing: Promise<void> = Promise.resolve();
    const flushSent = () => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      const ids = sentBuffer;
      sentBuffer = [];
      if (ids.length === 0) return flushing;
      flushing = flushing.then(async () => {
        await markSent(prisma, claimer, ids);
        for (const id of ids) held.delete(id);
        report.sent += ids.length;
        progress();
      });
      return flushing;
    };
    const recordSent = (id: number) => {
      sentBuffer.push(id);
      if (sentBuffer.length >= SENT_FLUSH_COUNT) void flushSent();
      else flushTimer ??= setTimeout(flushSent, SENT_FLUSH_MS);
    };

    const queue: ClaimedDelivery[] = [];
    let exhausted = false;
    let refilling: Promise<void> | undefined;
    const refill = () => {
      refilling ??= (async () => {
        const rows = await claimDeliveries(prisma, {
          claimer,
          limit: batchSize,
          leaseMs,
          domain,
          digestId: options.digestId,
        });
        if (rows.length === 0) exhausted = true;
        report.claimed += rows.length;
        for (const row of rows) {
          if (row.status === 'skipped') report.skipped++;
          else {
            held.add(row.id);
            queue.push(row);
          }
        }
        if (rows.length > 0) log.debug({ claimer, claimed: rows.length }, 'claimed deliveries');
      })().finally(() => {
        refilling = undefined;
      });
      return refilling;
    };
    const next = async (): Promise<ClaimedDelivery | undefined> => {
      for (;;) {
        if (queue.length > 0) {
          // Claim the next batch while this one drains, so connections never wait for the database.
          if (queue.length < batchSize / 2 && !exhausted && !options.signal?.aborted) void refill().catch(() => {});
          return queue.shift();
        }
        if (exhausted || options.signal?.aborted) return undefined;
        await refill();
      }
    };

    const deliver = async (d: ClaimedDelivery) => {
      try {
        const { day, papers } = await papersOf(d.digestId);
        if (!d.paperIds.some((id) => papers.has(id))) {
          await markFinished(prisma, claimer, d.id, 'skipped', 'not sent: none of its papers is listed any more');
          held.delete(d.id);
          report.skipped++;
          return;
        }
        const message = render({ day, papers, paperIds: d.paperIds, matches: d.matches, token: d.token });
        await mailer.send({
          to: d.email,
          subject: message.subject,
          html: message.html,
          text: message.text,
          messageId: d.messageId,
          headers: {
            'List-Id': `papermail daily digest <${config.listId}>`,
            'List-Unsubscribe': `<${links.unsubscribe(d.token)}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
        recordSent(d.id);
      } catch (err) {
        await recordFailure(d, err);
      }
    };

    const recordFailure = async (d: ClaimedDelivery, err: unknown) => {
      const verdict = classifySendError(err);
      if (verdict.permanent || d.attempts >= maxAttempts) {
        const reason = verdict.permanent ? verdict.reason : `gave up after ${d.attempts} attempts: ${verdict.reason}`;
        await markFinished(prisma, claimer, d.id, 'failed', reason);
        report.failed++;
        if (verdict.bounce && (await markReaderBounced(prisma, d.subscriberId)) > 0) report.bounced++;
        log.warn({ delivery: d.id, to: d.email, reason }, 'delivery failed');
      } else {
        // Exponential backoff with a little jitter, so a throttling relay is not hit by every retry at once.
        const delay = Math.round(retryBaseMs * 2 ** (d.attempts - 1) * (1 + Math.random() * 0.1));
        await markRetry(prisma, claimer, d.id, delay, verdict.reason);
        report.retried++;
        log.info(
          { delivery: d.id, to: d.email, attempt: d.attempts, retryInMs: delay, reason: verdict.reason },
          'retry',
        );
      }
      held.delete(d.id);
      progress();
    };

    const worker = async () => {
      for (let d = await next(); d; d = await next()) await deliver(d);
    };
    try {
      // Twice the connections in flight: the next message is ready the moment a connection frees up.
      await Promise.all(Array.from({ length: concurrency * 2 }, worker));
    } finally {
      await flushSent();
      clearInterval(heartbeat);
    }
    progress();
    if (report.claimed > 0) log.info({ claimer, ...report }, 'sender finished');
    return report;
  }
}

async function loadDigestPapers(prisma: PrismaClient, digestId: number): Promise<DigestPapers> {
  const rows = await prisma.$queryRaw<{ day: string }[]>`
    SELECT to_char(date, 'YYYY-MM-DD') AS day FROM digests WHERE id = ${digestId}`;
  const day = rows[0]!.day;
  const papers = await loadDayPapers(prisma, day);
  return { day, papers: new Map(papers.map((p) => [p.id, toPaperView(p)])) };
}
