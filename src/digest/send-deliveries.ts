// The sender: claims due deliveries in batches, renders each reader's digest from the compiled templates, hands it
// to the mailer with many messages in flight, and records the outcomes. Any number of senders, in one process or on
// many machines, can run at once: claims are disjoint (SKIP LOCKED) and every state change is conditional.
//
// Throughput: a pipeline. Claims prefetch the next batch while the current one drains; claimed deliveries are
// composed (rendered and built into MIME) in chunks, on render threads when SEND_RENDER_THREADS allows, while the
// main thread keeps up to 2 x SEND_CONCURRENCY messages in flight on the pooled connections; "sent" marks are written
// in batches (every SENT_FLUSH_COUNT messages or SENT_FLUSH_MS); retries and failures, rare, one by one.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import type { Links } from '../links.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import { mailDomain } from '../mail/message-options.js';
import { classifySendError } from './classify-send-error.js';
import type { ComposedMessage, DigestJob, DigestPapers } from './compose-digest.js';
import { type Composer, createComposer } from './composer.js';
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
import { toPaperView } from './paper-view.js';

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
  /** Signs the feedback links in every email. */
  secret?: string;
}

export function createSender(deps: SenderDeps): Sender & { warm(): void; close(): Promise<void> } {
  const { prisma, config, log, mailer } = deps;
  let composer: Promise<Composer> | undefined;
  const composerOf = () => {
    // Threads pay off for SMTP only; the outbox writes a handful of files.
    const threads = mailer.kind === 'smtp' ? config.send.renderThreads : 0;
    composer ??= createComposer(
      { publicUrl: config.publicUrl, listId: config.listId, mailFrom: config.mailFrom, secret: deps.secret },
      threads,
      log,
    );
    return composer;
  };
  return {
    async sendPending(options = {}) {
      return runSender(await composerOf(), options);
    },
    /** Starts compiling the templates (and the render threads) now, e.g. while the day is being matched. */
    warm() {
      composerOf().catch(() => {
        // sendPending reports it
      });
    },
    async close() {
      await (await composer)?.close();
    },
  };

  async function runSender(composer: Composer, options: SendOptions): Promise<SendReport> {
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
    const held = new Map<number, ClaimedDelivery>();
    const heartbeat = setInterval(
      () => {
        extendClaims(prisma, claimer, [...held.keys()], leaseMs).catch((err) =>
          log.warn({ err }, 'could not extend claims'),
        );
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

    // The pipeline: claim a batch -> compose it (in chunks, perhaps on render threads) -> ready -> send.
    const ready: ComposedMessage[] = [];
    let composing = 0;
    let exhausted = false;
    let claiming: Promise<void> | undefined;
    let failure: unknown;
    let wake: (() => void)[] = [];
    const wakeAll = () => {
      const waiting = wake;
      wake = [];
      for (const w of waiting) w();
    };

    const composeChunk = async (rows: ClaimedDelivery[]) => {
      const byDigest = new Map<number, ClaimedDelivery[]>();
      for (const row of rows) byDigest.set(row.digestId, [...(byDigest.get(row.digestId) ?? []), row]);
      for (const [digestId, list] of byDigest) {
        try {
          const digest = await papersOf(digestId);
          const jobs: ClaimedDelivery[] = [];
          for (const d of list) {
            if (d.paperIds.some((id) => digest.papers.has(id))) jobs.push(d);
            else {
              await markFinished(prisma, claimer, d.id, 'skipped', 'not sent: none of its papers is listed any more');
              held.delete(d.id);
              report.skipped++;
            }
          }
          if (jobs.length > 0) ready.push(...(await composer.compose(jobs.map(toJob), digestId, digest)));
        } catch (err) {
          for (const d of list) if (held.has(d.id)) await recordFailure(d, err).catch((e) => (failure ??= e));
        }
      }
    };

    const claim = () => {
      claiming ??= (async () => {
        try {
          const rows = await claimDeliveries(prisma, {
            claimer,
            limit: batchSize,
            leaseMs,
            domain,
            digestId: options.digestId,
          });
          if (rows.length === 0) exhausted = true;
          report.claimed += rows.length;
          const toSend: ClaimedDelivery[] = [];
          for (const row of rows) {
            if (row.status === 'skipped') report.skipped++;
            else {
              held.set(row.id, row);
              toSend.push(row);
            }
          }
          if (rows.length > 0) log.debug({ claimer, claimed: rows.length }, 'claimed deliveries');
          for (let i = 0; i < toSend.length; i += COMPOSE_CHUNK) {
            const chunk = toSend.slice(i, i + COMPOSE_CHUNK);
            composing += chunk.length;
            void composeChunk(chunk).finally(() => {
              composing -= chunk.length;
              wakeAll();
            });
          }
        } catch (err) {
          failure ??= err;
        } finally {
          claiming = undefined;
          wakeAll();
        }
      })();
      return claiming;
    };

    const next = async (): Promise<ComposedMessage | undefined> => {
      for (;;) {
        if (failure) throw failure;
        const stopping = exhausted || options.signal?.aborted === true;
        // Claim the next batch while this one is composed and sent, so connections never wait for the database.
        if (!stopping && !claiming && ready.length + composing < batchSize / 2) void claim();
        const message = ready.shift();
        if (message) return message;
        if (stopping && composing === 0 && !claiming) return undefined;
        await new Promise<void>((resolve) => wake.push(resolve));
      }
    };

    const send = async (m: ComposedMessage) => {
      const d = held.get(m.id)!;
      try {
        await mailer.send({ to: m.to, subject: m.subject, messageId: m.messageId, raw: m.raw });
        recordSent(m.id);
      } catch (err) {
        await recordFailure(d, err);
      }
    };

    const worker = async () => {
      for (let m = await next(); m; m = await next()) await send(m);
    };
    try {
      // Twice the connections in flight: the next message is ready the moment a connection frees up.
      await Promise.all(Array.from({ length: concurrency * 2 }, worker));
    } finally {
      await claiming?.catch(() => {});
      await flushSent();
      clearInterval(heartbeat);
    }
    progress();
    if (report.claimed > 0) log.info({ claimer, renderThreads: composer.threads, ...report }, 'sender finished');
    return report;
  }
}

/** Deliveries composed per message to a render thread: enough to amortise the hop, small enough to keep flowing. */
const COMPOSE_CHUNK = 25;

function toJob(d: ClaimedDelivery): DigestJob {
  return {
    id: d.id,
    digestId: d.digestId,
    email: d.email,
    token: d.token,
    messageId: d.messageId,
    paperIds: d.paperIds,
    matches: d.matches,
  };
}

async function loadDigestPapers(prisma: PrismaClient, digestId: number): Promise<DigestPapers> {
  const rows = await prisma.$queryRaw<{ day: string }[]>`
    SELECT to_char(date, 'YYYY-MM-DD') AS day FROM digests WHERE id = ${digestId}`;
  const day = rows[0]!.day;
  const papers = await loadDayPapers(prisma, day);
  return { day, papers: new Map(papers.map((p) => [p.id, toPaperView(p)])) };
}
