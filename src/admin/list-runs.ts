// Every run (ingest -> match -> send of a day), newest first, for the dashboard's runs page. Read-only.
import type { PrismaClient } from '../db/client.js';

export interface RunListItem {
  id: number;
  date: string;
  trigger: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** ingestMs, matchMs, sendMs, totalMs as the run recorded them (absent while it runs). */
  timings: Record<string, number> | null;
  /** The send report (claimed, sent, retried, failed, bounced, skipped) as the run recorded it. */
  send: Record<string, number> | null;
}

export async function listRuns(
  prisma: PrismaClient,
  page: { limit: number; offset: number },
): Promise<{ total: number; runs: RunListItem[] }> {
  const [total, rows] = await Promise.all([
    prisma.run.count(),
    prisma.run.findMany({ orderBy: { id: 'desc' }, take: page.limit, skip: page.offset }),
  ]);
  return {
    total,
    runs: rows.map((r) => {
      const stats = (r.stats ?? {}) as { timings?: Record<string, number>; send?: Record<string, number> };
      return {
        id: r.id,
        date: r.date.toISOString().slice(0, 10),
        trigger: r.trigger,
        status: r.status,
        startedAt: r.startedAt.toISOString(),
        finishedAt: r.finishedAt?.toISOString() ?? null,
        error: r.error,
        timings: stats.timings ?? null,
        send: stats.send ?? null,
      };
    }),
  };
}
