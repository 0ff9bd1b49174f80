// Send budgets in Redis (REDIS_URL): the same token buckets as the send_budgets rows in Postgres, one hash per bucket
// (`<REDIS_KEY_PREFIX>send-budget:<name>`), taken from by one Lua script per trip. A script runs atomically, so no two
// takers see the same tokens, and it reads Redis' own clock (TIME), so senders on machines whose clocks disagree
// still share one rate. Each sender (each sender thread) has its own connection, opened on its first trip.
import { type CommandParser, createClient, defineScript } from 'redis';
import type { Logger } from '../../logger.js';
import { createTokenBudget, type SendBudgets } from './token-budget.js';

/**
 * KEYS[1]: the bucket, a hash of `tokens` and `at` (Redis' clock in microseconds at the last take).
 * ARGV: want, rate (tokens per second), capacity, the key's time to live in ms.
 * Tokens accrue since `at` up to the capacity, up to `want` whole ones are granted, the rest is written back.
 * Returns { granted, available before the take } (a string: Redis would truncate a Lua number).
 * A missing key is a full bucket, which is what a bucket idle for longer than its burst holds anyway.
 */
const TAKE_TOKENS_LUA = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local want, rate, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local available = capacity
if bucket[1] and bucket[2] then
  local elapsed = math.max(0, now - tonumber(bucket[2])) / 1000000
  available = math.min(capacity, tonumber(bucket[1]) + elapsed * rate)
end
local granted = math.min(want, math.floor(available))
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', available - granted), 'at', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { granted, string.format('%.17g', available) }
`;

const takeTokens = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: TAKE_TOKENS_LUA,
  parseCommand(parser: CommandParser, key: string, want: number, rate: number, capacity: number) {
    parser.pushKey(key);
    parser.push(String(want), String(rate), String(capacity), String(BUCKET_TTL_MS));
  },
  transformReply: undefined as unknown as () => [number, string],
});

/** An idle bucket's key goes away after this; it would be full again long before. */
const BUCKET_TTL_MS = 60_000;
/** A trip that has no answer by then (Redis away or unreachable) fails; the budget warns and tries again. */
const TRIP_TIMEOUT_MS = 1000;

function connect(url: string, keyPrefix: string) {
  // Named, so that CLIENT LIST shows papermail's budget connections (one per sender thread).
  return createClient({ url, name: `${keyPrefix}send-budget`, scripts: { takeTokens } });
}

/** One sender's budgets in Redis, on one connection of its own (opened on the first trip, closed by close()). */
export function createRedisBudgets(o: { url: string; keyPrefix: string; log: Logger }): SendBudgets {
  let client: ReturnType<typeof connect> | undefined;
  let trips: ReturnType<ReturnType<typeof connect>['withCommandOptions']> | undefined;
  let closed = false;
  const connected = () => {
    if (closed) throw new Error('the send budgets are closed');
    if (!client || !trips) {
      client = connect(o.url, o.keyPrefix);
      // Without a listener an error event would end the process; the client reconnects by itself (up to 2 s apart).
      client.on('error', (err) => o.log.warn({ err }, 'redis (send budgets): connection error; reconnecting'));
      client.connect().catch(() => {
        // reported by the error event; trips meanwhile time out and are tried again
      });
      // Trips wait for the connection, but not for ever; one whose answer is lost only leaves tokens unused.
      trips = client.withCommandOptions({ timeout: TRIP_TIMEOUT_MS, rejectInFlight: true });
    }
    return trips;
  };

  return {
    budget(name, ratePerSecond) {
      const key = `${o.keyPrefix}send-budget:${name}`;
      return createTokenBudget({ name, ratePerSecond, log: o.log }, async (want, rate, capacity) => {
        const [granted, available] = await connected().takeTokens(key, want, rate, capacity);
        return { granted: Number(granted), available: Number(available) };
      });
    },
    async close() {
      closed = true;
      const open = client;
      client = undefined;
      trips = undefined;
      if (open?.isOpen) await open.close();
    },
  };
}
