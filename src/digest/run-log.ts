// The runs table: one row per execution of ingest -> match -> send, whoever started it.
import type { PrismaClient } from '../db/client.js';

export type RunStatus = 'running' | 'done' | 'incomplete' | 'failed';

export async function startRun(prisma: PrismaClient, day: string, trigger: string): Promise<number> {
  const rows = await prisma.$queryRaw<{ id: number }[]>`
    INSERT INTO runs (date, trigger, status) VALUES (${day}::date, ${trigger}, 'running') RETURNING id`;
  return rows[0]!.id;
}

export async function finishRun(
  prisma: PrismaClient,
  id: number,
  status: RunStatus,
  stats: object,
  error?: string,
): Promise<void> {
  await prisma.$executeRaw`
    UPDATE runs SET status = ${status}, stats = ${JSON.stringify(stats)}::jsonb, error = ${error ?? null},
      finished_at = now()
    WHERE id = ${id}`;
}
