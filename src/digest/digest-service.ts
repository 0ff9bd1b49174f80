// The digest as a service: prepare a day, send what is due, run a whole day (ingest -> match -> send) for the
// scheduler, the CLI and the admin, and read digests back for the web pages. Wired in src/services.ts.
import type { Config } from '../config.js';
import { parseDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import type { ReplyClass } from '../metrics/metrics.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { cronHour } from '../subscriptions/delivery-settings.js';
import { loadDayPapers } from './day-papers.js';
import { countDeliveries, type DeliveryCounts } from './delivery-counts.js';
import { type FirstDigest, prepareFirstDigest } from './first-digest.js';
import { type PaperView, toPaperView } from './paper-view.js';
import { type PrepareReport, prepareDigest } from './prepare-digest.js';
import { createDayRunner, type RunDayOptions, type RunDayReport } from './run-day.js';
import { type StartedRun, startRun } from './run-log.js';
import { createSenderWorkers } from './send/sender-workers.js';
import { createSender, type SendOptions, type SendReport } from './send-deliveries.js';
import { type Settled, type SettleOptions, sendUntilSettled } from './send-until-settled.js';

export type { DayProgress, RunDayOptions, RunDayReport } from './run-day.js';
export type { StartedRun } from './run-log.js';

export interface WebDigest {
  day: string;
  papers: PaperView[];
  previous: string | undefined;
  next: string | undefined;
}

export interface DigestService {
  /** Matches the day's papers to every active reader and writes the missing deliveries (or, dry, only says). */
  prepare(day: string, options?: { dryRun?: boolean }): Promise<PrepareReport>;
  /** Sends every due delivery (of one digest, or all). Safe to run in several processes at once. */
  sendPending(options?: SendOptions): Promise<SendReport>;
  /** Sends a digest's due deliveries until the ones asked about are final or the wait limit is reached. */
  sendUntilSettled(options: SettleOptions): Promise<Settled>;
  /** Records a run of the day in `runs`, or answers the live run that is going already (on any instance). */
  startRun(day: string, trigger: string): Promise<StartedRun>;
  /** ingest (when given) -> prepare -> send until settled, for a run `startRun` recorded; keeps its heartbeat. */
  executeRun(runId: number, day: string, options?: RunDayOptions): Promise<RunDayReport>;
  /** startRun, then executeRun. */
  runDay(day: string, options?: RunDayOptions): Promise<RunDayReport>;
  /** Delivery counts of the day's issues (its own and a week's ending on it); undefined when there is none. */
  counts(day: string): Promise<DeliveryCounts | undefined>;
  /** Every digest, newest first, with how many papers its day listed. */
  archive(): Promise<{ day: string; papers: number }[]>;
  /**
   * A reader who just confirmed: their selection in the latest day's issue prepared within 24 hours, with a
   * delivery due now that this process starts sending at once (the sender loop would within its interval), else
   * when their first digest is expected.
   */
  firstDigest(subscriberId: number, now?: Date): Promise<FirstDigest>;
  /** The day's list as the web version shows it; undefined when no digest was made that day. */
  webDigest(day: string): Promise<WebDigest | undefined>;
  /** Stops the render threads. */
  close(): Promise<void>;
}

export interface DigestServiceDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  mailer: Mailer;
  /** Render threads beside the sending thread; the wiring decides (they pay off for SMTP only). */
  renderThreads: number;
  matcher: InterestMatcher;
  /** Signs the feedback links of emails. */
  secret?: string;
  /** SEND_WORKERS > 1: sender threads, each with its own SMTP pool, instead of sending on the main thread. */
  workers?: { count: number; databaseUrl: string; observeSend(seconds: number, reply: ReplyClass): void };
}

export function createDigestService(deps: DigestServiceDeps): DigestService {
  const { prisma, config, log } = deps;
  const sender = deps.workers
    ? createSenderWorkers({ config, log, secret: deps.secret, ...deps.workers })
    : createSender(deps);
  const defaults = { timezone: config.scheduler.timezone, hour: cronHour(config.scheduler.cron) };
  const runner = createDayRunner({ prisma, config, log, sender, matcher: deps.matcher, defaults });
  const sendRetry = { budgetMs: config.send.leaseMs, log };
  const firstDigests = { prisma, matcher: deps.matcher, defaults, cron: config.scheduler.cron };
  // First digests being sent in the background, so close() waits for them.
  const sending = new Set<Promise<unknown>>();

  /** The issues prepared for the day: its own, and the week's that ends on it if weekly readers had it. */
  const digestIdsOf = async (day: string) => {
    const rows = await prisma.$queryRaw<{ id: number }[]>`SELECT id FROM digests WHERE date = ${day}::date`;
    return rows.map((r) => r.id);
  };

  const service: DigestService = {
    prepare: (day, options) => prepareDigest(prisma, day, { ...options, defaults }, deps.matcher),
    sendPending: (options) => sender.sendPending(options),
    sendUntilSettled: (options) => sendUntilSettled({ prisma, sender, retry: sendRetry }, options),

    async startRun(day, trigger) {
      parseDay(day);
      return startRun(prisma, day, trigger, config.runStaleMs);
    },

    async executeRun(runId, day, options) {
      parseDay(day);
      return runner.executeRun(runId, day, options);
    },

    async runDay(day, options = {}) {
      parseDay(day);
      return runner.executeRun(await runner.startWhenFree(day, options), day, options);
    },

    async counts(day) {
      parseDay(day);
      const ids = await digestIdsOf(day);
      return ids.length === 0 ? undefined : countDeliveries(prisma, ids);
    },

    async archive() {
      return prisma.$queryRaw<{ day: string; papers: number }[]>`
        SELECT to_char(g.date, 'YYYY-MM-DD') AS day,
               (SELECT count(*)::int FROM listings l WHERE l.date = g.date) AS papers
        FROM digests g WHERE g.kind = 'day' ORDER BY g.date DESC`;
    },

    async firstDigest(subscriberId, now) {
      const first = await prepareFirstDigest(firstDigests, subscriberId, now);
      if (first.state === 'queued') {
        const pass = sender
          .sendPending({ digestId: first.digestId })
          .catch((err) => log.error({ err, subscriberId }, 'first digest: the send failed; the sender loop retries'));
        sending.add(pass);
        void pass.finally(() => sending.delete(pass));
      }
      return first;
    },

    async close() {
      while (sending.size > 0) await Promise.all([...sending]);
      await sender.close();
    },

    async webDigest(day) {
      parseDay(day);
      const rows = await prisma.$queryRaw<{ previous: string | null; next: string | null }[]>`
        SELECT (SELECT to_char(max(date), 'YYYY-MM-DD') FROM digests WHERE kind = 'day' AND date < ${day}::date)
                 AS previous,
               (SELECT to_char(min(date), 'YYYY-MM-DD') FROM digests WHERE kind = 'day' AND date > ${day}::date) AS next
        FROM digests WHERE kind = 'day' AND date = ${day}::date`;
      if (rows.length === 0) return undefined;
      const papers = await loadDayPapers(prisma, day);
      return {
        day,
        papers: papers.map(toPaperView),
        previous: rows[0]!.previous ?? undefined,
        next: rows[0]!.next ?? undefined,
      };
    },
  };
  return service;
}
