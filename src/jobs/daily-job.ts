// The daily run the schedule fires: ingest -> match -> send for a day, recorded as a row in `runs`.
// For now it only records itself; the digest pipeline is wired in here when it lands.
import { parseDay } from '../dates.js';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { DailyTrigger } from './scheduler.js';

export interface DailyJobDeps {
  prisma: PrismaClient;
  log: Logger;
}

/**
 * Runs the day's job once and records it in `runs` (trigger, status, timings); rethrows a failure after recording.
 * `signal` aborts on shutdown: the digest run passes it on so it stops at a safe point.
 */
export async function runDailyJob(
  deps: DailyJobDeps,
  day: string,
  trigger: DailyTrigger,
  _signal?: AbortSignal,
): Promise<void> {
  const { prisma, log } = deps;
  const run = await prisma.run.create({ data: { date: parseDay(day), trigger } });
  const started = Date.now();
  try {
    // The digest run goes here: ingest the day, match, send; its counts belong in `stats`.
    log.info({ runId: run.id, day, trigger }, 'daily job: nothing to do yet (the digest run is wired here)');
    await prisma.run.update({
      where: { id: run.id },
      data: { status: 'done', finishedAt: new Date(), stats: { durationMs: Date.now() - started } },
    });
  } catch (err) {
    await prisma.run.update({
      where: { id: run.id },
      data: {
        status: 'failed',
        finishedAt: new Date(),
        error: err instanceof Error ? err.message : String(err),
        stats: { durationMs: Date.now() - started },
      },
    });
    throw err;
  }
}
