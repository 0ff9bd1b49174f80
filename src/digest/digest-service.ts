// The digest as a service: prepare a day, send what is due, run a whole day (ingest -> match -> send) for the
// scheduler, the CLI and the admin, and read digests back for the web pages. Wired in src/services.ts.
import type { Config } from '../config.js';
import { parseDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import { retryOnDatabaseBlip } from '../db/database-retry.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import { sleep } from '../sleep.js';
import { loadDayPapers } from './day-papers.js';
import { countDeliveries, type DeliveryCounts } from './delivery-counts.js';
import { type PaperView, toPaperView } from './paper-view.js';
import { type PrepareReport, prepareDigest } from './prepare-digest.js';
import { finishRun, type RunStatus, type StartedRun, startRun, startRunHeartbeat } from './run-log.js';
import { emptySendReport } from './send/send-progress.js';
import { createSender, type SendOptions, type SendReport } from './send-deliveries.js';
import { type Settled, type SettleOptions, sendUntilSettled } from './send-until-settled.js';

export type { StartedRun } from './run-log.js';

export interface RunDayOptions {
  /** Who started the run, recorded in `runs.trigger`: 'schedule', 'catch-up', 'cli', 'admin', 'demo' … */
  trigger?: string;
  /** Fetches the day's papers first (the scheduler passes the ingest service here). */
  ingest?: (day: string) => Promise<unknown>;
  /** How long to keep waiting for retries and other senders' claims. Default: SEND_WAIT_LIMIT_MS. */
  waitLimitMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DayProgress) => void;
  /**
   * When a live run of the day is going already (on any instance): 'refuse' (the default) throws a 409 that names
   * it; 'wait' waits until it ends or is abandoned, then runs (what the schedule does).
   */
  whenRunning?: 'refuse' | 'wait';
}

export interface DayProgress {
  phase: 'ingest' | 'match' | 'send' | 'wait' | 'done';
  /** Deliveries still pending or being sent (send and wait phases). */
  open?: number;
}

export interface RunDayReport {
  runId: number;
  day: string;
  /** done: every delivery is sent, failed or skipped. incomplete: some are still pending after the wait limit. */
  status: Exclude<RunStatus, 'running' | 'abandoned'>;
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
  /** Sends a digest's due deliveries until the ones asked about are final or the wait limit is reached. */
  sendUntilSettled(options: SettleOptions): Promise<Settled>;
  /** Records a run of the day in `runs`, or answers the live run that is going already (on any instance). */
  startRun(day: string, trigger: string): Promise<StartedRun>;
  /** ingest (when given) -> prepare -> send until settled, for a run `startRun` recorded; keeps its heartbeat. */
  executeRun(runId: number, day: string, options?: RunDayOptions): Promise<RunDayReport>;
  /** startRun, then executeRun. */
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
  /** Render threads beside the sending thread; the wiring decides (they pay off for SMTP only). */
  renderThreads: number;
}

export function createDigestService(deps: DigestServiceDeps): DigestService {
  const { prisma, config, log } = deps;
  const sender = createSender(deps);
  // Run bookkeeping rides out a database blip as long as a run's heartbeat would; sending, one lease.
  const runRetry = { budgetMs: config.runStaleMs, log };
  const sendRetry = { budgetMs: config.send.leaseMs, log };

  const digestIdOf = async (day: string) => {
    const rows = await prisma.$queryRaw<{ id: number }[]>`SELECT id FROM digests WHERE date = ${day}::date`;
    return rows[0]?.id;
  };

  /** startRun until no live run of the day is in the way (another one's end, or its heartbeat going stale). */
  const startWhenFree = async (day: string, options: RunDayOptions): Promise<number> => {
    const trigger = options.trigger ?? 'cli';
    let run = await startRun(prisma, day, trigger, config.runStaleMs);
    if (run.alreadyRunning && options.whenRunning === 'wait') {
      log.info({ day, runId: run.runId }, 'a run of the day is going: waiting for it to end');
      while (run.alreadyRunning && !options.signal?.aborted) {
        await sleep(Math.min(1000, Math.floor(config.runStaleMs / 3)), options.signal);
        run = await startRun(prisma, day, trigger, config.runStaleMs);
      }
    }
    if (run.alreadyRunning) {
      throw errors.conflict(`A run of ${day} is already going (run ${run.runId}): it sends the day; wait for it.`, {
        runId: run.runId,
      });
    }
    return run.runId;
  };

  const executeRun = async (runId: number, day: string, options: RunDayOptions = {}): Promise<RunDayReport> => {
    const started = performance.now();
    const heartbeat = startRunHeartbeat(prisma, runId, config.runStaleMs, log);
    let send: SendReport = emptySendReport();
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
      await retryOnDatabaseBlip('finish run', () => finishRun(prisma, runId, status, stats, error), runRetry);
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
      prepare = await prepareDigest(prisma, day);
      timings.matchMs = prepare.matchMs;
      log.info({ ...prepare }, 'digest prepared');
      const digestId = prepare.digestId;
      if (digestId === undefined) {
        await finish('done');
        return { runId, day, status: 'done', ingest, prepare, send, counts, timings };
      }

      const t = performance.now();
      const settled = await sendUntilSettled(
        { prisma, sender, retry: sendRetry },
        {
          digestId,
          waitLimitMs: options.waitLimitMs ?? config.send.waitLimitMs,
          signal: options.signal,
          onProgress: (phase, open) => options.onProgress?.({ phase, open }),
        },
      );
      send = settled.send;
      timings.sendMs = Math.round(performance.now() - t);
      counts = await retryOnDatabaseBlip('count deliveries', () => countDeliveries(prisma, digestId), sendRetry);
      const unfinished = counts.pending + counts.sending;
      if (unfinished === 0) {
        await retryOnDatabaseBlip(
          'finish digest',
          () => prisma.$executeRaw`
            UPDATE digests SET status = 'done', finished_at = now(), updated_at = now()
            WHERE id = ${digestId} AND status <> 'done'`,
          runRetry,
        );
      }
      const status = unfinished === 0 ? 'done' : 'incomplete';
      await finish(status);
      options.onProgress?.({ phase: 'done', open: unfinished });
      return { runId, day, status, ingest, prepare, send, counts, timings };
    } catch (err) {
      await finish('failed', err instanceof Error ? err.message : String(err)).catch((e) =>
        log.error({ err: e }, 'could not record the failed run'),
      );
      throw err;
    } finally {
      // Also when the last write failed: a row nobody beats for reads as abandoned, never as running for ever.
      heartbeat.stop();
    }
  };

  const service: DigestService = {
    prepare: (day, options) => prepareDigest(prisma, day, options),
    sendPending: (options) => sender.sendPending(options),
    sendUntilSettled: (options) => sendUntilSettled({ prisma, sender, retry: sendRetry }, options),

    async startRun(day, trigger) {
      parseDay(day);
      return startRun(prisma, day, trigger, config.runStaleMs);
    },

    async executeRun(runId, day, options) {
      parseDay(day);
      return executeRun(runId, day, options);
    },

    async runDay(day, options = {}) {
      parseDay(day);
      return executeRun(await startWhenFree(day, options), day, options);
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
