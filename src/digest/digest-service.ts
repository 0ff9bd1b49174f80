// The digest as a service: prepare a day, send what is due, run a whole day (ingest -> match -> send) for the
// scheduler, the CLI and the admin, and read digests back for the web pages. Wired in src/services.ts.
import type { Config } from '../config.js';
import { parseDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import type { Links } from '../links.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { sleep } from '../sleep.js';
import { loadDayPapers } from './day-papers.js';
import { countDeliveries, type DeliveryCounts } from './delivery-counts.js';
import { type PaperView, toPaperView } from './paper-view.js';
import { type PrepareReport, prepareDigest } from './prepare-digest.js';
import { finishRun, type RunStatus, startRun } from './run-log.js';
import { createSender, type SendOptions, type SendReport } from './send-deliveries.js';

export interface RunDayOptions {
  /** Who started the run, recorded in `runs.trigger`: 'schedule', 'cli', 'admin', 'demo' … */
  trigger?: string;
  /** Fetches the day's papers first (the scheduler passes the ingest service here). */
  ingest?: (day: string) => Promise<unknown>;
  /** How long to keep waiting for retries and other senders' claims. Default: SEND_WAIT_LIMIT_MS. */
  waitLimitMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DayProgress) => void;
  /** Called with the run's id as soon as it is recorded (the admin API answers with it before the run ends). */
  onRun?: (runId: number) => void;
}

export interface DayProgress {
  phase: 'ingest' | 'match' | 'send' | 'wait' | 'done';
  counts?: DeliveryCounts;
}

export interface RunDayReport {
  runId: number;
  day: string;
  /** done: every delivery is sent, failed or skipped. incomplete: some are still pending after the wait limit. */
  status: Exclude<RunStatus, 'running'>;
  ingest?: unknown;
  prepare: PrepareReport;
  send: SendReport;
  counts: DeliveryCounts | undefined;
  timings: { ingestMs: number; matchMs: number; sendMs: number; totalMs: number };
}

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
  /** ingest (when given) -> prepare -> send until done or the wait limit; recorded in `runs`. */
  runDay(day: string, options?: RunDayOptions): Promise<RunDayReport>;
  /** Delivery counts of the day's digest; undefined when there is no digest for the day. */
  counts(day: string): Promise<DeliveryCounts | undefined>;
  /** Every digest, newest first, with how many papers its day listed. */
  archive(): Promise<{ day: string; papers: number }[]>;
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
  links: Links;
  matcher: InterestMatcher;
  /** Signs the feedback links of emails. */
  secret?: string;
}

const POLL_MS = 1000;

export function createDigestService(deps: DigestServiceDeps): DigestService {
  const { prisma, config, log } = deps;
  const sender = createSender(deps);

  const digestIdOf = async (day: string) => {
    const rows = await prisma.$queryRaw<{ id: number }[]>`SELECT id FROM digests WHERE date = ${day}::date`;
    return rows[0]?.id;
  };

  const service: DigestService = {
    prepare: (day, options) => prepareDigest(prisma, day, options, deps.matcher),
    sendPending: (options) => sender.sendPending(options),

    async runDay(day, options = {}) {
      parseDay(day);
      const started = performance.now();
      const runId = await startRun(prisma, day, options.trigger ?? 'cli');
      options.onRun?.(runId);
      const send: SendReport = { claimed: 0, sent: 0, retried: 0, failed: 0, bounced: 0, skipped: 0, ms: 0 };
      const timings = { ingestMs: 0, matchMs: 0, sendMs: 0, totalMs: 0 };
      let ingest: unknown;
      let prepare: PrepareReport | undefined;
      let counts: DeliveryCounts | undefined;
      const finish = async (status: RunDayReport['status'], error?: string) => {
        timings.totalMs = Math.round(performance.now() - started);
        const stats = {
          ingest,
          prepare: prepare && { ...prepare, plans: undefined, unmatched: undefined, dayPapers: undefined },
          send,
          counts,
          timings,
        };
        await finishRun(prisma, runId, status, stats, error);
      };
      try {
        if (options.ingest) {
          options.onProgress?.({ phase: 'ingest' });
          const t = performance.now();
          ingest = await options.ingest(day);
          timings.ingestMs = Math.round(performance.now() - t);
        }
        options.onProgress?.({ phase: 'match' });
        // Templates compile and render threads start while Postgres matches: neither waits for the other.
        sender.warm();
        prepare = await prepareDigest(prisma, day, {}, deps.matcher);
        timings.matchMs = prepare.matchMs;
        log.info({ ...prepare }, 'digest prepared');
        if (prepare.digestId === undefined) {
          await finish('done');
          return { runId, day, status: 'done', ingest, prepare, send, counts, timings };
        }

        const t = performance.now();
        const deadline = Date.now() + (options.waitLimitMs ?? config.send.waitLimitMs);
        for (;;) {
          options.onProgress?.({ phase: 'send', counts });
          const pass = await sender.sendPending({ digestId: prepare.digestId, signal: options.signal });
          addReport(send, pass);
          counts = await countDeliveries(prisma, prepare.digestId);
          if (counts.pending + counts.sending === 0 || options.signal?.aborted) break;
          // Retries later, or deliveries another sender holds: wait for them, up to the limit.
          const due = counts.nextDueAt?.getTime() ?? Date.now();
          if (due > deadline || Date.now() >= deadline) break;
          options.onProgress?.({ phase: 'wait', counts });
          await sleep(Math.min(Math.max(due - Date.now(), 50), POLL_MS), options.signal);
        }
        timings.sendMs = Math.round(performance.now() - t);
        const unfinished = counts.pending + counts.sending;
        if (unfinished === 0) {
          await prisma.$executeRaw`
            UPDATE digests SET status = 'done', finished_at = now(), updated_at = now()
            WHERE id = ${prepare.digestId} AND status <> 'done'`;
        }
        const status = unfinished === 0 ? 'done' : 'incomplete';
        await finish(status);
        options.onProgress?.({ phase: 'done', counts });
        return { runId, day, status, ingest, prepare, send, counts, timings };
      } catch (err) {
        await finish('failed', err instanceof Error ? err.message : String(err)).catch((e) =>
          log.error({ err: e }, 'could not record the failed run'),
        );
        throw err;
      }
    },

    async counts(day) {
      parseDay(day);
      const id = await digestIdOf(day);
      return id === undefined ? undefined : countDeliveries(prisma, id);
    },

    async archive() {
      return prisma.$queryRaw<{ day: string; papers: number }[]>`
        SELECT to_char(g.date, 'YYYY-MM-DD') AS day,
               (SELECT count(*)::int FROM listings l WHERE l.date = g.date) AS papers
        FROM digests g ORDER BY g.date DESC`;
    },

    close: () => sender.close(),

    async webDigest(day) {
      parseDay(day);
      const rows = await prisma.$queryRaw<{ previous: string | null; next: string | null }[]>`
        SELECT (SELECT to_char(max(date), 'YYYY-MM-DD') FROM digests WHERE date < ${day}::date) AS previous,
               (SELECT to_char(min(date), 'YYYY-MM-DD') FROM digests WHERE date > ${day}::date) AS next
        FROM digests WHERE date = ${day}::date`;
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

function addReport(total: SendReport, pass: SendReport): void {
  total.claimed += pass.claimed;
  total.sent += pass.sent;
  total.retried += pass.retried;
  total.failed += pass.failed;
  total.bounced += pass.bounced;
  total.skipped += pass.skipped;
  total.ms += pass.ms;
}
