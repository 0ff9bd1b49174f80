// The schedule: node-cron fires the daily job at DIGEST_CRON in DIGEST_TIMEZONE, and a Postgres lease per fire makes
// exactly one instance of a fleet run it. On start, the most recent fire is made up if no instance completed it
// (the service was down, or the run failed); only that one fire, not every missed day.
import cron, { type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { Config } from '../config.js';
import { today } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';
import { createLeaseCoordinator, deleteOldLeases, leaseKey, newHolderName } from './lease-coordinator.js';
import { findPreviousFire } from './previous-fire.js';

/** Why the daily job runs: its fire came, or it is making up a fire no instance completed. */
export type DailyTrigger = 'schedule' | 'catch-up';

/**
 * The job a fire runs, for a day (YYYY-MM-DD: the fire's date in the schedule's time zone). `signal` aborts when the
 * scheduler stops: a job that honours it returns at its next safe point, and the fire is made up at the next start.
 */
/** Resolves true when the day's run finished (every delivery final): the fire is then done even if a shutdown came. */
export type DailyJob = (day: string, trigger: DailyTrigger, signal: AbortSignal) => Promise<unknown>;

export interface SchedulerOptions {
  prisma: PrismaClient;
  config: Pick<Config, 'scheduler'>;
  log: Logger;
  daily: DailyJob;
  /** The task name: the first part of every lease key. Instances of one fleet must share it. */
  name?: string;
  /** How long a lease holds without renewal (a running holder renews it every third of that). */
  leaseMs?: number;
  /** How long stop() waits for a running job. */
  stopTimeoutMs?: number;
  /** This instance's name in the leases table (default: host/pid/random). */
  holder?: string;
}

export interface Scheduler {
  readonly holder: string;
  /** Starts the schedule and decides on catch-up (a make-up run continues in the background). */
  start(): Promise<void>;
  /** Stops firing, asks a running job to stop (its signal) and waits for it, up to the stop timeout. */
  stop(): Promise<void>;
}

export const DEFAULT_TASK_NAME = 'daily-digest';

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { prisma, log, daily } = options;
  const { enabled, cron: expression, timezone } = options.config.scheduler;
  const name = options.name ?? DEFAULT_TASK_NAME;
  const leaseMs = options.leaseMs ?? 60_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 8_000;
  const holder = options.holder ?? newHolderName();
  // A fresh coordinator per start: stop() closes it.
  let coordinator = createLeaseCoordinator({ prisma, log, holder });

  let task: ScheduledTask | undefined;
  let stopping = false;
  const running = new Set<AbortController>();
  let catchUpPending = false;
  // Runs of this instance never overlap: a make-up run and a fire that comes during it take turns.
  let queue: Promise<void> = Promise.resolve();

  /** Runs the daily job for a fire whose lease this instance holds. The caller completes the lease. */
  function runFire(fire: Date, trigger: DailyTrigger): Promise<void> {
    const key = leaseKey(name, fire);
    const day = today(timezone, fire);
    const turn = queue.then(async () => {
      if (stopping) {
        // Claimed just as we stopped: give the fire back so a restart (or another instance) makes it up.
        coordinator.fail(key);
        log.info({ key }, 'scheduler stopping: leaving this fire to catch-up');
        return;
      }
      const started = Date.now();
      const abort = new AbortController();
      running.add(abort);
      log.info({ day, trigger, fire, key }, 'daily run started');
      let finished: unknown;
      try {
        finished = await daily(day, trigger, abort.signal);
      } catch (err) {
        coordinator.fail(key);
        log.error({ err, day, trigger, fire, durationMs: Date.now() - started }, 'daily run failed');
        return;
      } finally {
        running.delete(abort);
      }
      if (abort.signal.aborted && finished !== true) {
        // Cut short by a shutdown: not done, so the next start makes the fire up and the run resumes from the database.
        coordinator.fail(key);
        log.info({ day, trigger, fire, durationMs: Date.now() - started }, 'daily run interrupted by shutdown');
        return;
      }
      log.info({ day, trigger, fire, durationMs: Date.now() - started }, 'daily run finished');
      await deleteOldLeases(prisma, name, key).catch((err) => log.warn({ err }, 'could not delete old leases'));
    });
    queue = turn.catch(() => {});
    return turn;
  }

  /** Makes up the most recent fire when no instance completed it and none is running it. */
  async function catchUp(): Promise<void> {
    const scheduled = task;
    if (!scheduled || stopping) return;
    const fire = findPreviousFire({ expression, timezone, at: new Date(), match: (d) => scheduled.match(d) });
    if (!fire) return;
    const key = leaseKey(name, fire);
    const lease = await prisma.lease.findUnique({ where: { key } });
    if (lease?.doneAt) {
      log.debug({ fire, holder: lease.holder }, 'catch-up: the last fire already ran');
      return;
    }
    if (!(await coordinator.shouldRun(key, leaseMs))) {
      log.info({ fire, key }, 'catch-up: another instance is running the last fire');
      return;
    }
    log.info({ fire, key }, 'catch-up: making up the last fire, which no instance completed');
    runFire(fire, 'catch-up')
      .finally(() => coordinator.onComplete(key))
      .catch((err) => log.error({ err, key }, 'catch-up: could not complete the lease'));
  }

  /** node-cron reports fires it slept through (a suspended machine, a blocked event loop): make the last one up. */
  function catchUpSoon(): void {
    if (catchUpPending || stopping) return;
    catchUpPending = true;
    setImmediate(() => {
      catchUpPending = false;
      catchUp().catch((err) => log.error({ err }, 'catch-up failed'));
    });
  }

  return {
    holder,

    async start() {
      if (!enabled) {
        log.info('scheduler off (SCHEDULER=off): this instance serves the API only and runs no schedule');
        return;
      }
      if (task) return;
      stopping = false;
      coordinator = createLeaseCoordinator({ prisma, log, holder });
      task = cron.createTask(expression, (context) => runFire(context.date, 'schedule'), {
        name,
        timezone,
        noOverlap: true,
        distributed: true,
        runCoordinator: coordinator,
        distributedLease: leaseMs,
        logger: cronLogger(log),
        // A fire up to a minute late (a GC pause, a busy event loop) still runs as scheduled; later it is missed
        // and made up by catch-up.
        missedExecutionTolerance: 60_000,
        suppressMissedWarning: true,
      });
      task.on('execution:skipped', (context) => {
        log.debug({ fire: context.date, reason: context.reason }, 'fire skipped: another instance runs it');
      });
      task.on('execution:missed', (context) => {
        log.warn({ fire: context.date }, 'missed a fire (process suspended or busy)');
        catchUpSoon();
      });
      await task.start();
      log.info({ cron: expression, timezone, next: task.getNextRun(), holder }, 'scheduler started');
      try {
        await catchUp();
      } catch (err) {
        log.error({ err }, 'catch-up failed');
      }
    },

    async stop() {
      if (!task) return;
      stopping = true;
      await task.stop();
      for (const abort of running) abort.abort();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        coordinator.idle().then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        log.warn(
          { leases: coordinator.heldKeys(), waitedMs: stopTimeoutMs },
          'stopped waiting for the running daily run: its lease will expire and a restart makes the fire up',
        );
      }
      coordinator.close();
      await task.destroy();
      task = undefined;
      log.info('scheduler stopped');
    },
  };
}

/** node-cron's own messages (overlap, coordinator errors) into the process log. */
function cronLogger(log: Logger): CronLogger {
  const child = log.child({ component: 'node-cron' });
  const withError = (level: 'error' | 'debug') => (message: string | Error, err?: Error) => {
    if (message instanceof Error) child[level]({ err: message }, message.message);
    else child[level]({ err }, message);
  };
  return {
    info: (message) => child.info(message),
    warn: (message) => child.warn(message),
    error: withError('error'),
    debug: withError('debug'),
  };
}
