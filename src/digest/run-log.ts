// The runs table: one row per execution of ingest -> match -> send, whoever started it (the schedule on any
// instance, the CLI, an admin). The row is the run's state: at most one `running` row per day (a unique index), kept
// alive by a heartbeat. A running row whose heartbeat is older than RUN_STALE_MS belongs to a process that died:
// readers show it as abandoned, and the next start of the day writes that status and runs the day again.
import { Prisma, type PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';

export type RunStatus = 'running' | 'done' | 'incomplete' | 'failed' | 'abandoned';

export interface StartedRun {
  runId: number;
  /** True when a live run of the day was going already: `runId` is that run's, and nothing new started. */
  alreadyRunning: boolean;
}

const staleBefore = (staleMs: number) => Prisma.sql`now() - ${staleMs} * interval '1 millisecond'`;

/**
 * Starts a run of the day unless a live one is going, in one statement: a running row with a stale heartbeat is
 * abandoned first, and the unique index on running rows settles two starts at the same moment (the loser sees the
 * winner's run).
 */
export async function startRun(
  prisma: PrismaClient,
  day: string,
  trigger: string,
  staleMs: number,
): Promise<StartedRun> {
  for (let attempt = 1; ; attempt++) {
    const rows = await prisma.$queryRaw<{ id: number }[]>`
      WITH abandoned AS (
        UPDATE runs SET status = 'abandoned', finished_at = heartbeat_at
        WHERE date = ${day}::date AND status = 'running' AND heartbeat_at < ${staleBefore(staleMs)}
        RETURNING id
      )
      INSERT INTO runs (date, trigger, status, heartbeat_at)
      SELECT ${day}::date, ${trigger}, 'running', now()
      -- Reading the CTE makes the abandoning happen before the insert meets the unique index.
      WHERE (SELECT count(*) FROM abandoned) >= 0
        AND NOT EXISTS (SELECT 1 FROM runs WHERE date = ${day}::date AND status = 'running'
                          AND heartbeat_at >= ${staleBefore(staleMs)})
      ON CONFLICT DO NOTHING
      RETURNING id`;
    if (rows[0]) return { runId: rows[0].id, alreadyRunning: false };
    const going = await findLiveRun(prisma, day, staleMs);
    if (going !== undefined) return { runId: going, alreadyRunning: true };
    // The run that was in the way finished in between: try again.
    if (attempt >= 5) throw new Error(`could not start a run of ${day}: runs of the day keep starting and ending`);
  }
}

/** The id of the day's live run (running, with a fresh heartbeat), if there is one. */
export async function findLiveRun(prisma: PrismaClient, day: string, staleMs: number): Promise<number | undefined> {
  const rows = await prisma.$queryRaw<{ id: number }[]>`
    SELECT id FROM runs
    WHERE date = ${day}::date AND status = 'running' AND heartbeat_at >= ${staleBefore(staleMs)}`;
  return rows[0]?.id;
}

/** Renews a run's heartbeat every third of `staleMs`, until stopped. A failed beat is logged; the next one retries. */
export function startRunHeartbeat(prisma: PrismaClient, runId: number, staleMs: number, log: Logger): { stop(): void } {
  let beating: Promise<void> | undefined;
  let lost = false;
  const beat = () => {
    if (beating) return;
    beating = prisma.$executeRaw`UPDATE runs SET heartbeat_at = now() WHERE id = ${runId} AND status = 'running'`
      .then((count) => {
        // Our heartbeat went stale (Postgres unreachable, the process stalled) and another start abandoned the row:
        // the work goes on safely (deliveries are claimed row by row), the row just no longer says so.
        if (count === 0 && !lost) log.warn({ runId }, 'this run was marked abandoned while it was still going');
        lost = count === 0;
      })
      .catch((err) => log.warn({ err, runId }, 'could not renew the run heartbeat'))
      .finally(() => {
        beating = undefined;
      });
  };
  const timer = setInterval(beat, Math.max(50, Math.floor(staleMs / 3)));
  return { stop: () => clearInterval(timer) };
}

/** Records how the run ended. A row abandoned meanwhile gets its real outcome; a finished row is never rewritten. */
export async function finishRun(
  prisma: PrismaClient,
  id: number,
  status: Exclude<RunStatus, 'running' | 'abandoned'>,
  stats: object,
  error?: string,
): Promise<void> {
  await prisma.$executeRaw`
    UPDATE runs SET status = ${status}::run_status, stats = ${JSON.stringify(stats)}::jsonb, error = ${error ?? null},
      finished_at = now(), heartbeat_at = now()
    WHERE id = ${id} AND status IN ('running', 'abandoned')`;
}

/**
 * A run's status as readers should see it, for a query over `runs` aliased `alias`: a running row whose heartbeat
 * is stale reads as abandoned, even before the next start of the day writes it.
 */
export function runStatusSql(alias: string, staleMs: number): Prisma.Sql {
  const r = Prisma.raw(alias);
  return Prisma.sql`(CASE WHEN ${r}.status = 'running' AND ${r}.heartbeat_at < ${staleBefore(staleMs)}
                          THEN 'abandoned' ELSE ${r}.status::text END)`;
}
