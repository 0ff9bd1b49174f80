// The daily run the schedule fires: housekeeping, then ingest -> match -> send for the day. The digest service
// records the run in `runs` (trigger, status, counts, timings).
import type { Services } from '../services.js';
import type { DailyTrigger } from './scheduler.js';

export type DailyJobDeps = Pick<Services, 'digests' | 'ingest' | 'subscriptions' | 'log'>;

/**
 * Runs the day's job once. A failure is thrown, so the scheduler does not mark the fire done and the next start
 * makes it up. `signal` aborts on shutdown: the digest run stops at a safe point, with its state in Postgres.
 * Resolves true when the run finished the day, so a shutdown that came as it ended does not leave the fire open.
 */
export async function runDailyJob(
  deps: DailyJobDeps,
  day: string,
  trigger: DailyTrigger,
  signal?: AbortSignal,
): Promise<boolean> {
  const expired = await deps.subscriptions.expirePendingSignups();
  if (expired > 0) deps.log.info({ expired }, 'expired sign-ups nobody confirmed within a week');
  // A run of the day going already (an admin's, another instance's catch-up) is waited for, then this one runs:
  // it finds what is left, and the fire is done only once the day has been through the schedule's own run.
  const report = await deps.digests.runDay(day, {
    trigger,
    signal,
    whenRunning: 'wait',
    ingest: (d) => deps.ingest.ingestDay(d),
  });
  deps.log.info(
    { runId: report.runId, day, status: report.status, counts: report.counts, ...report.timings },
    'daily run',
  );
  // Deliveries still waiting for a retry past SEND_WAIT_LIMIT_MS are finished by the sender loop, not lost.
  return report.status === 'done';
}
