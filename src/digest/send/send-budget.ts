// A send budget: messages per second shared by every sender worker of every instance, as a token bucket in
// Postgres (the send_budgets row). Each worker takes tokens a few at a time (50 ms of the rate per trip), so the
// database sees ~20 statements a second per worker however fast the relay is, and N workers on M instances together
// stay within the rate: what one takes, no other can.
import type { PrismaClient } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { sleep } from '../../sleep.js';

export interface SendBudget {
  /** Waits for one token. */
  take(signal?: AbortSignal): Promise<void>;
  /** Takes a token if one is held here now; else starts fetching more and answers false. */
  tryTake(): boolean;
}

export interface SendBudgetOptions {
  prisma: PrismaClient;
  /** The bucket: `global`, or `domain:<name>`. */
  name: string;
  ratePerSecond: number;
  log: Logger;
}

/** The share of a second one trip to Postgres takes, and the burst the bucket holds when nobody sends. */
const CHUNK_SECONDS = 0.05;
const BURST_SECONDS = 0.2;

export function createSendBudget(o: SendBudgetOptions): SendBudget {
  const rate = o.ratePerSecond;
  const chunk = Math.max(1, Math.round(rate * CHUNK_SECONDS));
  const capacity = Math.max(chunk, rate * BURST_SECONDS);
  let held = 0;
  let created: Promise<unknown> | undefined;
  let fetching: Promise<void> | undefined;

  const fetch = async (signal?: AbortSignal) => {
    created ??= o.prisma.$executeRaw`
      INSERT INTO send_budgets (name, tokens) VALUES (${o.name}, ${capacity}) ON CONFLICT (name) DO NOTHING`;
    await created;
    const { granted, available } = await takeTokens(o.prisma, o.name, chunk, rate, capacity);
    held += granted;
    // Nothing left: wait until the next token accrues (another worker may be quicker; then we wait again).
    if (granted === 0) await sleep(Math.ceil(((1 - available) / rate) * 1000) + Math.random() * 5, signal);
  };
  const refill = (signal?: AbortSignal) => {
    fetching ??= fetch(signal)
      .catch(async (err) => {
        o.log.warn({ err, budget: o.name }, 'could not take send budget; trying again');
        await sleep(100, signal); // Postgres is away: do not spin
      })
      .finally(() => {
        fetching = undefined;
      });
    return fetching;
  };

  return {
    async take(signal) {
      while (held < 1) {
        if (signal?.aborted) return;
        await refill(signal);
      }
      held--;
    },
    tryTake() {
      if (held >= 1) {
        held--;
        return true;
      }
      void refill();
      return false;
    },
  };
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
