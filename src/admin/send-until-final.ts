// Sends a digest's due deliveries until the ones asked about are final (sent, failed, skipped) or the wait limit is
// reached: what a resend does after answering, and what `papermail resend` waits for. Retries later than the limit
// stay pending for the next sender (the scheduler, `papermail digest`, another resend).
import type { PrismaClient } from '../db/client.js';
import type { DigestService } from '../digest/digest-service.js';
import { sleep } from '../sleep.js';

export interface DeliveryState {
  id: number;
  status: string;
  lastError: string | null;
  nextAttemptAt: Date;
}

const POLL_MS = 1000;

export async function sendUntilFinal(
  prisma: PrismaClient,
  digests: DigestService,
  digestId: number,
  ids: number[],
  options: { waitLimitMs: number; signal?: AbortSignal },
): Promise<DeliveryState[]> {
  const deadline = Date.now() + options.waitLimitMs;
  for (;;) {
    if (!options.signal?.aborted) await digests.sendPending({ digestId, signal: options.signal });
    const states = await prisma.$queryRaw<DeliveryState[]>`
      SELECT id, status::text AS status, last_error AS "lastError", next_attempt_at AS "nextAttemptAt"
      FROM deliveries WHERE id = ANY(${ids}::int[]) ORDER BY id`;
    const open = states.filter((s) => s.status === 'pending' || s.status === 'sending');
    if (open.length === 0 || options.signal?.aborted) return states;
    const due = Math.min(...open.map((s) => s.nextAttemptAt.getTime()));
    if (due > deadline || Date.now() >= deadline) return states;
    await sleep(Math.min(Math.max(due - Date.now(), 50), POLL_MS), options.signal);
  }
}
