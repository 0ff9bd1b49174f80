// Where SEND_RATE's bucket lives: in Redis when REDIS_URL is set (one connection per sender, closed with it), else in
// Postgres. The Redis tests need a Redis (TEST_REDIS_URL, default 127.0.0.1:6379; CI has one) and are skipped,
// saying so, when none answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createClient } from 'redis';
import { createSendBudgets } from '../../src/digest/send/send-budget.js';
import { createLogger } from '../../src/logger.js';
import { busiestWindow } from '../helpers/arrivals.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitUntil } from '../helpers/wait.js';
import { createManyReaders } from './readers.js';
import { DAY, setupSendingDay } from './sending-setup.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOPIC = { topics: ['speculative-decoding'] };

/** A client of the test's own, to look at and clean up what the budgets did; undefined when Redis is not there. */
async function connectRedis() {
  const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
  client.on('error', () => {
    // connect() rejects with it
  });
  try {
    await client.connect();
    return client;
  } catch (err) {
    return { unreachable: `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}): skipped (CI has one)` };
  }
}

const redis = await connectRedis();
const skip = 'unreachable' in redis ? redis.unreachable : undefined;
if (skip) process.stdout.write(`# ${skip}\n`);

/** A key prefix of this test's own, so that runs side by side do not share buckets; its keys are deleted after. */
function uniquePrefix(): string {
  const prefix = `papermail-test:${randomBytes(6).toString('hex')}:`;
  after(async () => {
    if ('unreachable' in redis) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(keys);
  });
  return prefix;
}

/** The ids of the budget connections (named `<prefix>send-budget`) open on the Redis server now. */
async function budgetConnections(prefix: string): Promise<number[]> {
  if ('unreachable' in redis) return [];
  const list = await redis.clientList();
  return list.filter((c) => c.name === `${prefix}send-budget`).map((c) => c.id);
}

async function setup(env: Record<string, string>) {
  const { db, services, arrivals } = await setupSendingDay(env);
  return { db, services, arrivals: { times: () => arrivals.map((a) => a.at) } };
}

const budgetRows = (db: TestDatabase) => db.prisma.sendBudget.findMany({ orderBy: { name: 'asc' } });

after(async () => {
  if (!('unreachable' in redis)) await redis.close();
});

describe('send budgets in Redis (REDIS_URL)', () => {
  it('two workers on connections of their own, taking at once at SEND_RATE=40, never exceed it together', {
    skip,
  }, async (t) => {
    if ('unreachable' in redis) return;
    const db = await createTestDatabase();
    const prefix = uniquePrefix();
    const log = createLogger('silent');
    // Two workers as two sender threads would have them: each its own budgets, on its own Redis connection.
    const workers = [0, 1].map(() =>
      createSendBudgets({ prisma: db.prisma, log, redis: { url: REDIS_URL, keyPrefix: prefix } }),
    );
    const taken: number[][] = [[], []];
    const until = performance.now() + 3000;
    try {
      await Promise.all(
        workers.flatMap((worker, w) => {
          const budget = worker.budget('global', 40);
          // Three takers per worker, as its three SMTP connections would be.
          return [0, 1, 2].map(async () => {
            while (performance.now() < until) {
              await budget.take();
              taken[w]!.push(performance.now());
            }
          });
        }),
      );
      assert.equal((await budgetConnections(prefix)).length, 2, 'one Redis connection per worker');
      const ttl = await redis.pTTL(`${prefix}send-budget:global`);
      assert.ok(ttl > 0 && ttl <= 60_000, `the bucket's key expires when idle (pTTL ${ttl})`);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
    const all = [...taken[0]!, ...taken[1]!];
    const span = (Math.max(...all) - Math.min(...all)) / 1000;
    // At most the rate, plus the bucket's burst (0.2 s = 8) and the chunk (2) each worker may hold at the start.
    const most = busiestWindow(all, 1000);
    t.diagnostic(
      `${all.length} tokens in ${span.toFixed(2)} s (${taken[0]!.length} + ${taken[1]!.length}), at most ${most} within 1 s`,
    );
    assert.ok(most <= 40 + 8 + 2 * 2, `${most} tokens within 1 s`);
    assert.ok(all.length <= 40 * span + 8 + 2 * 2, `${all.length} tokens in ${span.toFixed(2)} s`);
    // And the rate is used: the workers are not starved, and both get a share.
    assert.ok(all.length >= 40 * span * 0.8, `only ${all.length} tokens in ${span.toFixed(2)} s`);
    for (const t of taken) assert.ok(t.length >= all.length / 4, `shares ${taken[0]!.length} / ${taken[1]!.length}`);
    assert.deepEqual(await budgetRows(db), [], 'Postgres holds no bucket when Redis does');
    assert.deepEqual(await budgetConnections(prefix), [], 'closed workers leave no connection open');
  });

  it('SEND_WORKERS=2 with REDIS_URL: the threads hold SEND_RATE=40 together, each on its own connection, closed at shutdown', {
    skip,
  }, async (t) => {
    if ('unreachable' in redis) return;
    const prefix = uniquePrefix();
    const { db, services, arrivals } = await setup({
      SEND_WORKERS: '2',
      SEND_RATE: '40',
      SEND_DOMAIN_RATES: 'example.org:1000',
      SEND_CONCURRENCY: '3',
      SEND_BATCH_SIZE: '10',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
    });
    await createManyReaders(db.prisma, 120, TOPIC);
    const connections = new Set<number>();
    const watch = setInterval(async () => {
      for (const id of await budgetConnections(prefix)) connections.add(id);
    }, 100);
    try {
      const run = await services.digests.runDay(DAY, { trigger: 'test' });
      assert.equal(run.counts!.sent, 120);
    } finally {
      clearInterval(watch);
      await services.close();
    }
    assert.equal(connections.size, 2, 'one budget connection per sender thread');
    // Closing the services closed the threads' connections.
    await waitUntil(
      'the budget connections to close',
      async () => (await budgetConnections(prefix)).length === 0,
      2000,
    );
    const keys = (await redis.keys(`${prefix}*`)).sort();
    assert.deepEqual(keys, [`${prefix}send-budget:domain:example.org`, `${prefix}send-budget:global`]);
    assert.deepEqual(await budgetRows(db), [], 'Postgres holds no bucket when Redis does');
    const times = arrivals.times();
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    assert.ok(span >= (120 - 12) / 40 - 0.1, `120 messages in ${span.toFixed(2)} s`);
    // Arrivals at the relay: what was in flight (2 threads x 3 connections) may land in a window on top of the tokens.
    const most = busiestWindow(times, 2000);
    t.diagnostic(`120 messages in ${span.toFixed(2)} s, at most ${most} within 2 s`);
    assert.ok(most <= 2 * 40 + 12 + 2 * 3, `${most} messages within 2 s`);
  });

  it('a Redis that does not answer: the budget warns and keeps trying, and sends nothing meanwhile', async () => {
    const warnings: string[] = [];
    const log = createLogger('warn', {
      write(raw: string) {
        warnings.push((JSON.parse(raw) as { msg: string }).msg);
      },
    });
    // Port 1: nothing listens there.
    const budgets = createSendBudgets({
      prisma: undefined as never,
      log,
      redis: { url: 'redis://127.0.0.1:1', keyPrefix: 'x:' },
    });
    const budget = budgets.budget('global', 40);
    const controller = new AbortController();
    const taking = budget.take(controller.signal);
    let taken = false;
    void taking.then(() => {
      taken = !controller.signal.aborted;
    });
    await waitUntil('a warning', () => warnings.includes('could not take send budget; trying again'), 3000);
    assert.ok(
      warnings.some((m) => m.startsWith('redis (send budgets): connection error')),
      warnings.join('; '),
    );
    assert.equal(budget.tryTake(), false);
    controller.abort();
    await taking;
    assert.equal(taken, false);
    await budgets.close();
  });
});

describe('send budgets in Postgres (no REDIS_URL)', () => {
  it('SEND_RATE without REDIS_URL takes from the send_budgets row', async () => {
    const { db, services } = await setup({ SEND_RATE: '40', SEND_DOMAIN_RATES: 'example.org:1000' });
    assert.equal(services.config.redis, undefined);
    await createManyReaders(db.prisma, 20, TOPIC);
    const before = new Date();
    const run = await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    assert.equal(run.counts!.sent, 20);
    const rows = await budgetRows(db);
    assert.deepEqual(
      rows.map((r) => r.name),
      ['domain:example.org', 'global'],
    );
    for (const row of rows) assert.ok(row.updatedAt >= before, `${row.name} was taken from during the run`);
  });
});
