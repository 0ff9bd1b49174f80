// Running a day: ingest (when given) -> prepare -> send until settled, as one row in `runs` kept alive by its
// heartbeat. The scheduler, the CLI and the admin all go through here (via the digest service).
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { retryOnDatabaseBlip } from '../db/database-retry.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import type { InterestMatcher } from '../relevance/matcher-service.js';
import { sleep } from '../sleep.js';
import type { SettingsDefaults } from '../subscriptions/delivery-settings.js';
import { countDeliveries, type DeliveryCounts } from './delivery-counts.js';
import { isPastDay, type PrepareReport, prepareDigest } from './prepare-digest.js';
import { finishRun, type RunStatus, startRun, startRunHeartbeat } from './run-log.js';
import { addSendReport, emptySendReport, type SendReport } from './send/send-progress.js';
import type { Sender } from './send-deliveries.js';
import { sendUntilSettled } from './send-until-settled.js';

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
  /** Send every delivery of the day now, whatever the readers' hours. Default: when the day is past. */
  dueNow?: boolean;
  /**
   * When the day counts as prepared: each reader's due time follows from it, and a day is past relative to it.
   * Default: now. The bench replays a past day as its scheduled fire prepared it, so every reader's hour is
   * computed in their zone, and sends it all since those hours have gone by.
   */
  preparedAt?: Date;
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

export interface DayRunnerDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  sender: Sender & { warm(): void };
  matcher: InterestMatcher;
  /** The reader's zone and hour when they chose none. */
  defaults: SettingsDefaults;
}

export interface DayRunner {
  /** Records a run of the day, waiting for or refusing a live one as `whenRunning` says; returns its id. */
  startWhenFree(day: string, options: RunDayOptions): Promise<number>;
  /** Executes a run that was recorded, renewing its heartbeat until its outcome is written. */
  executeRun(runId: number, day: string, options?: RunDayOptions): Promise<RunDayReport>;
}

export function createDayRunner(deps: DayRunnerDeps): DayRunner {
  const { prisma, config, log, sender } = deps;
  // Run bookkeeping rides out a database blip as long as a run's heartbeat would; sending, one lease.
  const runRetry = { budgetMs: config.runStaleMs, log };
  const sendRetry = { budgetMs: config.send.leaseMs, log };

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
    const send: SendReport = emptySendReport();
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
      const now = options.preparedAt;
      const dueNow = options.dueNow ?? isPastDay(day, deps.defaults.timezone, now);
      prepare = await prepareDigest(prisma, day, { defaults: deps.defaults, dueNow, now }, deps.matcher);
      // The day's issue, and the week's that ends today when weekly readers were due.
      const issues = [prepare.digestId, prepare.weekDigestId].filter((id) => id !== undefined);
      if (dueNow) for (const id of issues) await releaseScheduled(prisma, id);
      timings.matchMs = prepare.prepareMs; // the "match" phase: the whole preparation
      log.info({ ...prepare }, 'digest prepared');
      if (issues.length === 0) {
        await finish('done');
        return { runId, day, status: 'done', ingest, prepare, send, counts, timings };
      }

      const t = performance.now();
      // One wait limit for the day, whichever issue its time goes to.
      const deadline = Date.now() + (options.waitLimitMs ?? config.send.waitLimitMs);
      for (const digestId of issues) {
        const settled = await sendUntilSettled(
          { prisma, sender, retry: sendRetry },
          {
            digestId,
            waitLimitMs: Math.max(deadline - Date.now(), 0),
            signal: options.signal,
            onProgress: (phase, open) => options.onProgress?.({ phase, open }),
          },
        );
        addSendReport(send, settled.send);
      }
      timings.sendMs = Math.round(performance.now() - t);
      counts = await retryOnDatabaseBlip('count deliveries', () => countDeliveries(prisma, issues), sendRetry);
      // Deliveries due at their readers' later hours are the sender loop's, not this run's to wait for.
      const unfinished = counts.pending - counts.scheduled + counts.sending;
      if (counts.pending + counts.sending === 0) {
        await retryOnDatabaseBlip(
          'finish digest',
          () => prisma.$executeRaw`
            UPDATE digests SET status = 'done', finished_at = now(), updated_at = now()
            WHERE id = ANY(${issues}::int[]) AND status <> 'done'`,
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

  return { startWhenFree, executeRun };
}

/** Makes every pending delivery of the digest due now (a day sent by hand after the readers' hours). */
async function releaseScheduled(prisma: PrismaClient, digestId: number): Promise<void> {
  await prisma.$executeRaw`
    UPDATE deliveries SET due_at = now(), next_attempt_at = least(next_attempt_at, now()), updated_at = now()
    WHERE digest_id = ${digestId} AND status = 'pending' AND due_at > now()`;
}
