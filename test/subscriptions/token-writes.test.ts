// Writes authorised by a reader's token against an erase that happens in between. The erase holds the reader's row
// lock while the write arrives (as a slow erase would); the write must wait, then find that its token no longer
// stands for anyone, and change nothing: an erase can never be undone by a stale page or API call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eraseSubscriber } from '../../src/admin/erase-subscriber.js';
import type { PrismaClient } from '../../src/db/client.js';
import { waitUntil } from '../helpers/wait.js';
import { activeReader, buildReaderWorld, type ReaderWorld, readerRow } from './readers.js';

/** Sessions of this database waiting for a row lock. */
async function lockWaiters(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return row?.n ?? 0;
}

/**
 * Starts erasing reader `id` and holds its row lock until `write` is waiting for it; then lets the erase commit
 * and returns the write's answer.
 */
async function eraseDuring<T>(world: ReaderWorld, id: number, write: () => Promise<T>): Promise<T> {
  const { prisma } = world.db;
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const erase = prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM subscribers WHERE id = ${id} FOR UPDATE`;
      locked();
      await released;
      return eraseSubscriber(tx, id);
    },
    { timeout: 20_000 },
  );
  await lockTaken;
  const answer = write();
  answer.catch(() => {}); // the caller looks at the outcome, after the erase
  await waitUntil('the write waits for the erase’s row lock', async () => (await lockWaiters(prisma)) > 0);
  release();
  await erase;
  return answer;
}

describe('token-authorised writes and an erase in between', () => {
  it('a stale preferences write after the erase changes nothing', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const token = await activeReader(world, 'ada@example.org', ['agents']);
    const { id } = (await readerRow(prisma, 'ada@example.org'))!;

    const response = await eraseDuring(world, id, () =>
      world.app.inject({
        method: 'PUT',
        url: `/api/preferences/${token}`,
        payload: { keywords: ['written back after the erase'], topics: ['reasoning'], maxPapers: 7 },
      }),
    );
    assert.equal(response.statusCode, 404, response.body);
    assert.match(response.json().message, /This link does not work/);
    const row = await prisma.subscriber.findUniqueOrThrow({ where: { id }, include: { topics: true } });
    assert.ok(row.erasedAt);
    assert.equal(row.email, `erased-${id}@invalid`);
    assert.deepEqual(row.keywords, []);
    assert.deepEqual(row.topics, [], 'no topics written back');
    assert.equal(row.maxPapers, 10);
    assert.equal(row.status, 'unsubscribed');
  });

  it('a stale "subscribe again" after the erase cannot make the erased reader active', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const token = await activeReader(world, 'bob@example.org');
    await world.services.subscriptions.unsubscribe(token);
    const { id } = (await readerRow(prisma, 'bob@example.org'))!;

    const response = await eraseDuring(world, id, () =>
      world.app.inject({ method: 'PUT', url: `/api/preferences/${token}`, payload: { status: 'active' } }),
    );
    assert.equal(response.statusCode, 404, response.body);
    const row = await prisma.subscriber.findUniqueOrThrow({ where: { id } });
    assert.equal(row.status, 'unsubscribed');
    assert.ok(row.erasedAt);

    // Not even with the erased row's own (new, secret) token: the statement names erased_at IS NULL.
    await assert.rejects(world.services.subscriptions.resubscribe(row.token), /This link does not work/);
    await assert.rejects(world.services.subscriptions.setStatus(row.token, 'active'), /This link does not work/);
    assert.equal((await prisma.subscriber.findUniqueOrThrow({ where: { id } })).status, 'unsubscribed');
  });

  it('a stale pause after the erase changes nothing', async () => {
    const world = await buildReaderWorld();
    const { prisma } = world.db;
    const token = await activeReader(world, 'cy@example.org');
    const { id } = (await readerRow(prisma, 'cy@example.org'))!;
    await assert.rejects(
      eraseDuring(world, id, () => world.services.subscriptions.pause(token)),
      /This link does not work/,
    );
    assert.equal((await prisma.subscriber.findUniqueOrThrow({ where: { id } })).status, 'unsubscribed');
  });
});
