// A send budget: messages per second shared by every sender worker of every instance, as a token bucket in
// Postgres (the send_budgets row) or, when REDIS_URL is set, in Redis (redis-send-budget.ts). Each worker takes
// tokens a few at a time (50 ms of the rate per trip), so the store sees ~20 trips a second per worker however fast
// the relay is, and N workers on M instances together stay within the rate: what one takes, no other can.
import type { Config } from '../../config.js';
import type { PrismaClient } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { createRedisBudgets } from './redis-send-budget.js';
import { createTokenBudget, type SendBudget, type SendBudgets } from './token-budget.js';

export type { SendBudget, SendBudgets } from './token-budget.js';

/**
 * The budgets of one sender (one per thread): in Redis when `redis` is given, else in Postgres. The Redis
 * connection is opened on the first trip, so a sender without rates never opens one.
 */
export function createSendBudgets(o: { prisma: PrismaClient; log: Logger; redis?: Config['redis'] }): SendBudgets {
  if (o.redis) return createRedisBudgets({ ...o.redis, log: o.log });
  return {
    budget: (name, ratePerSecond) => createSendBudget({ prisma: o.prisma, name, ratePerSecond, log: o.log }),
    async close() {},
  };
}

export interface SendBudgetOptions {
  prisma: PrismaClient;
  /** The bucket: `global`, or `domain:<name>`. */
  name: string;
  ratePerSecond: number;
  log: Logger;
}

/** A budget in Postgres: the send_budgets row `name`. */
export function createSendBudget(o: SendBudgetOptions): SendBudget {
  let created: Promise<unknown> | undefined;
  return createTokenBudget(
    { name: o.name, ratePerSecond: o.ratePerSecond, log: o.log },
    async (want, rate, capacity) => {
      created ??= o.prisma.$executeRaw`
      INSERT INTO send_budgets (name, tokens) VALUES (${o.name}, ${capacity}) ON CONFLICT (name) DO NOTHING`.catch(
        (err) => {
          created = undefined; // Postgres was away: insert again on the next trip
          throw err;
        },
      );
      await created;
      return takeTokens(o.prisma, o.name, want, rate, capacity);
    },
  );
}

/**
 * One statement: the bucket's tokens accrue since its last update (up to `capacity`), up to `want` whole tokens are
 * taken, and the rest is written back. FOR UPDATE makes concurrent takers queue on the row, so none reads tokens
 * another already took.
 */
async function takeTokens(
  prisma: PrismaClient,
  name: string,
  want: number,
  rate: number,
  capacity: number,
): Promise<{ granted: number; available: number }> {
  const rows = await prisma.$queryRaw<{ granted: number; available: number }[]>`
    WITH bucket AS (
      SELECT least(${capacity}::float8,
                   tokens + greatest(0, extract(epoch FROM clock_timestamp() - updated_at)) * ${rate}::float8) AS available
      FROM send_budgets WHERE name = ${name} FOR UPDATE
    ), taken AS (
      SELECT available, least(${want}::float8, floor(available)) AS granted FROM bucket
    )
    UPDATE send_budgets b SET tokens = t.available - t.granted, updated_at = clock_timestamp()
    FROM taken t WHERE b.name = ${name}
    RETURNING t.granted::int AS granted, t.available::float8 AS available`;
  return rows[0] ?? { granted: 0, available: 0 };
}
