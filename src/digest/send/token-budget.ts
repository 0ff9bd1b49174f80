// The taking side of a send budget, whatever holds the bucket (Postgres: send-budget.ts, Redis:
// redis-send-budget.ts): tokens are fetched a chunk at a time (50 ms of the rate per trip) and handed out one by one,
// and a bucket that is empty waits until its next token accrues.
import type { Logger } from '../../logger.js';
import { sleep } from '../../sleep.js';

export interface SendBudget {
  /** Waits for one token. */
  take(signal?: AbortSignal): Promise<void>;
  /** Takes a token if one is held here now; else starts fetching more and answers false. */
  tryTake(): boolean;
}

/** One sender's budgets, all in the same store. */
export interface SendBudgets {
  /** The bucket `name` (`global`, or `domain:<name>`) at `ratePerSecond`, shared with every other sender. */
  budget(name: string, ratePerSecond: number): SendBudget;
  /** Lets go of the store's connection (Redis); budgets must not be used after. */
  close(): Promise<void>;
}

/** One trip to the store: up to `want` whole tokens granted, and what the bucket held before the take. */
export type TakeTokens = (
  want: number,
  rate: number,
  capacity: number,
) => Promise<{ granted: number; available: number }>;

/** The share of a second one trip to the store takes, and the burst the bucket holds when nobody sends. */
const CHUNK_SECONDS = 0.05;
const BURST_SECONDS = 0.2;

/**
 * The taking side of a budget, whatever the store: tokens held here are handed out one by one, and one trip at a
 * time fetches the next chunk. A trip that fails is logged and tried again 100 ms later.
 */
export function createTokenBudget(
  o: { name: string; ratePerSecond: number; log: Logger },
  trip: TakeTokens,
): SendBudget {
  const rate = o.ratePerSecond;
  const chunk = Math.max(1, Math.round(rate * CHUNK_SECONDS));
  const capacity = Math.max(chunk, rate * BURST_SECONDS);
  let held = 0;
  let fetching: Promise<void> | undefined;

  const fetch = async (signal?: AbortSignal) => {
    const { granted, available } = await trip(chunk, rate, capacity);
    held += granted;
    // Nothing left: wait until the next token accrues (another worker may be quicker; then we wait again).
    if (granted === 0) await sleep(Math.ceil(((1 - available) / rate) * 1000) + Math.random() * 5, signal);
  };
  const refill = (signal?: AbortSignal) => {
    fetching ??= fetch(signal)
      .catch(async (err) => {
        o.log.warn({ err, budget: o.name }, 'could not take send budget; trying again');
        await sleep(100, signal); // the store is away: do not spin
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
