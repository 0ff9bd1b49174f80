// The sender's stages on their own, against real Postgres, with real faults: a statement cut off by
// pg_terminate_backend while it waits on a row lock the test holds.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { claimDeliveries } from '../../src/digest/delivery-claims.js';
import { prepareDigest } from '../../src/digest/prepare-digest.js';
import { createClaimBatch } from '../../src/digest/send/claim-batch.js';
import { startLeaseHeartbeat } from '../../src/digest/send/lease-heartbeat.js';
import { createOutcomeRecorder } from '../../src/digest/send/record-outcome.js';
import { createSendProgress } from '../../src/digest/send/send-progress.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { createManyReaders } from './readers.js';

const DAY = '2026-07-31';
const log = createLogger('silent');

async function preparedDay(readers: number) {
  const db = await createTestDatabase();
  await loadSeedPapers(db.prisma, DAY);
  await createManyReaders(db.prisma, readers, { topics: ['speculative-decoding'] });
  await prepareDigest(db.prisma, DAY);
  return db;
}

/**
 * A second session that holds a row lock on one delivery, and a third that watches for statements waiting on it and
 * cuts them off (pg_stat_activity is a snapshot inside a transaction, so the lock holder cannot watch).
 */
async function lockDelivery(db: TestDatabase, id: number) {
  const holder = new pg.Client({ connectionString: db.url });
  const watcher = new pg.Client({ connectionString: db.url });
  await Promise.all([holder.connect(), watcher.connect()]);
  await holder.query('BEGIN');
  await holder.query('SELECT id FROM deliveries WHERE id = $1 FOR UPDATE', [id]);
  const waiting = async (like: string) => {
    const { rows } = await watcher.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND wait_event_type = 'Lock' AND query LIKE $1`,
      [like],
    );
    return rows.map((r) => r.pid);
  };
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await holder.query('COMMIT');
    await Promise.all([holder.end(), watcher.end()]);
  };
  return {
    waiting,
    async terminate(like: string) {
      const pids = await waiting(like);
      for (const pid of pids) await watcher.query('SELECT pg_terminate_backend($1)', [pid]);
      return pids.length;
    },
    release,
  };
}

const MARK_SENT = "%UPDATE deliveries SET status = 'sent'%";

describe('the sender stages', () => {
  it('a "sent" mark cut off by a lost connection is written again; marks that came meanwhile follow in one statement', {
    timeout: 60_000,
  }, async () => {
    const db = await preparedDay(3);
    const { rows } = await claimDeliveries(db.prisma, {
      claimer: 'stage-test',
      limit: 10,
      leaseMs: 60_000,
      domain: 't',
    });
    assert.equal(rows.length, 3);
    const written: number[] = [];
    const progress = createSendProgress((r) => written.push(r.sent));
    const held = new Map(rows.map((r) => [r.id, r]));
    const record = createOutcomeRecorder({
      prisma: db.prisma,
      claimer: 'stage-test',
      maxAttempts: 5,
      retryBaseMs: 1000,
      held,
      progress,
      log,
      retry: { budgetMs: 10_000, log },
    });
    const [first, ...others] = rows;
    const lock = await lockDelivery(db, first!.id);
    const marks: Promise<void>[] = [];
    try {
      marks.push(record.sent(first!));
      await waitUntil('the first mark to wait on the lock', async () => (await lock.waiting(MARK_SENT)).length === 1);
      marks.push(...others.map((d) => record.sent(d)));
      assert.equal(await lock.terminate(MARK_SENT), 1, 'the mark statement was cut off');
      // The retry waits on the lock again: the mark is not lost, and the others wait their turn behind it.
      await waitUntil('the retried mark', async () => (await lock.waiting(MARK_SENT)).length === 1);
      assert.equal(progress.report.sent, 0);
      assert.equal(held.size, 3, 'every delivery is still held (its lease renewed) until its mark is written');
    } finally {
      await lock.release();
    }
    await Promise.all(marks);

    const states = await db.prisma.delivery.findMany({ select: { status: true, sentAt: true } });
    assert.deepEqual(
      states.map((s) => s.status),
      ['sent', 'sent', 'sent'],
    );
    assert.deepEqual(written, [1, 3], 'two statements: the retried mark, then the two that waited behind it');
    assert.equal(held.size, 0);
  });

  it('each claim goes on from where the last one stopped, and what it passed over is claimed once nothing is ahead', async () => {
    const db = await preparedDay(25);
    const claim = createClaimBatch({
      prisma: db.prisma,
      claimer: 'keyset',
      batchSize: 10,
      leaseMs: 60_000,
      domain: 't',
      held: new Map(),
      progress: createSendProgress(() => {}),
      log,
      retry: { budgetMs: 10_000, log },
    });
    const ids = async () => (await claim()).toSend.map((d) => d.id).sort((a, b) => a - b);
    const all = (await db.prisma.delivery.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((d) => d.id);
    assert.deepEqual(await ids(), all.slice(0, 10));
    // One of them goes back to pending with an earlier time, behind the claimer's place: as a claim that rolled back
    // or a lease that lapsed would leave it.
    const passedOver = all[2]!;
    await db.prisma.$executeRaw`
      UPDATE deliveries SET status = 'pending', claimed_by = NULL, next_attempt_at = now() - interval '1 hour'
      WHERE id = ${passedOver}`;
    assert.deepEqual(await ids(), all.slice(10, 20), 'the next claim starts past the last one, not from the start');
    assert.deepEqual(await ids(), all.slice(20, 25));
    assert.deepEqual(await ids(), [passedOver], 'with nothing left ahead, the claim starts again from the start');
    assert.deepEqual(await ids(), []);
    const statuses = await db.prisma.delivery.groupBy({ by: ['status'], _count: true });
    assert.deepEqual(
      statuses.map((g) => [g.status, g._count]),
      [['sending', 25]],
    );
  });

  it('a large preparation leaves the planner fresh statistics, and claims then walk the claimable index', async () => {
    const db = await preparedDay(10_000);
    const [stats] = await db.prisma.$queryRaw<{ analyzed: boolean; changed: number }[]>`
      SELECT last_analyze IS NOT NULL AS analyzed, n_mod_since_analyze::int AS changed
      FROM pg_stat_user_tables WHERE relname = 'deliveries'`;
    assert.deepEqual(stats, { analyzed: true, changed: 0 });
    const plan = await db.prisma.$queryRaw<{ 'QUERY PLAN': string }[]>`
      EXPLAIN SELECT d.id FROM deliveries d
      WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= now() AND d.due_at <= now()
        AND d.digest_id = 1 AND (d.next_attempt_at, d.id) > (now()::timestamp(3) - interval '1 day', 5000)
      ORDER BY d.next_attempt_at, d.id LIMIT 200`;
    assert.match(plan.map((r) => r['QUERY PLAN']).join('\n'), /Index Scan using deliveries_claimable_idx/);
  });

  it('the lease heartbeat keeps held claims from lapsing, and renews nothing once stopped', async () => {
    const db = await preparedDay(2);
    const leaseMs = 600;
    const { rows } = await claimDeliveries(db.prisma, { claimer: 'holder', limit: 10, leaseMs, domain: 't' });
    const heartbeat = startLeaseHeartbeat({
      prisma: db.prisma,
      claimer: 'holder',
      leaseMs,
      held: () => rows.map((r) => r.id),
      log,
    });
    await sleep(leaseMs * 2.5);
    const { rows: meanwhile } = await claimDeliveries(db.prisma, { claimer: 'other', limit: 10, leaseMs, domain: 't' });
    await heartbeat.stop();
    assert.deepEqual(meanwhile, [], 'no other sender could take the held deliveries over');
    await sleep(leaseMs * 1.5);
    const { rows: lapsed } = await claimDeliveries(db.prisma, { claimer: 'other', limit: 10, leaseMs, domain: 't' });
    assert.deepEqual(
      lapsed.map((r) => [r.id, r.messageId]).sort(),
      rows.map((r) => [r.id, r.messageId]).sort(),
      'once stopped, the leases lapse and the next sender takes the deliveries with their Message-IDs',
    );
  });

  it('a mark that cannot be written within one lease stops the pass cleanly: no crash, no heartbeat after it, the next pass resends with the same Message-ID', {
    timeout: 60_000,
  }, async () => {
    const db = await preparedDay(4);
    const sink = await startSmtpSink({ closeAfter: false });
    const leaseMs = 600;
    const config = testConfig(
      { SMTP_URL: sink.url, SEND_CONCURRENCY: '1', SEND_LEASE_MS: String(leaseMs), SEND_RENDER_THREADS: '0' },
      db,
    );
    const services = createServices({ config, log, prisma: db.prisma });
    after(async () => {
      await services.close();
      await sink.close(); // after the pooled connections closed: the sink waits for open ones
    });
    sink.setDelay(300); // time to lock a claimed delivery before its message is accepted
    const pass = services.digests.sendPending().then(
      () => undefined,
      (err: unknown) => err,
    );
    await waitUntil('a claim', async () => (await db.prisma.delivery.count({ where: { status: 'sending' } })) > 0);
    const victim = await db.prisma.delivery.findFirstOrThrow({
      where: { status: 'sending' },
      orderBy: { id: 'asc' },
      include: { subscriber: true },
    });
    const lock = await lockDelivery(db, victim.id);
    let failure: unknown;
    try {
      // Postgres keeps cutting off whatever waits on that row (its mark, the heartbeat) for longer than a lease.
      let stopped = false;
      const outage = (async () => {
        while (!stopped) {
          await lock.terminate('%UPDATE deliveries%');
          await sleep(20);
        }
      })();
      failure = await pass;
      stopped = true;
      await outage;
    } finally {
      await lock.release();
    }
    assert.match(String((failure as Error)?.message), /terminating connection/, 'the pass reports the lost connection');

    // Nothing renews the stranded claim any more: it lapses, untouched.
    const stranded = await db.prisma.delivery.findMany({ where: { status: 'sending' } });
    assert.ok(stranded.some((d) => d.id === victim.id));
    await sleep(leaseMs);
    const later = await db.prisma.delivery.findMany({ where: { status: 'sending' } });
    assert.deepEqual(
      later.map((d) => d.nextAttemptAt.getTime()),
      stranded.map((d) => d.nextAttemptAt.getTime()),
      'no heartbeat after the pass returned',
    );

    sink.setDelay(0);
    await services.digests.sendPending();
    const deliveries = await db.prisma.delivery.findMany({ include: { subscriber: true } });
    assert.deepEqual(
      deliveries.filter((d) => d.status !== 'sent').map((d) => d.id),
      [],
      'the next pass sent what the failed one left',
    );
    for (const d of deliveries) {
      const mails = sink.to(d.subscriber.email);
      assert.ok(mails.length >= 1, d.subscriber.email);
      assert.ok(mails.length <= 2, 'at most one duplicate: the message whose mark was lost');
      for (const m of mails) assert.equal(m.parsed.messageId, d.messageId);
    }
    // Only the victim's mark failed: the relay had taken its message, so it went out twice, with one Message-ID.
    const duplicates = deliveries.filter((d) => sink.to(d.subscriber.email).length === 2);
    assert.deepEqual(
      duplicates.map((d) => d.id),
      [victim.id],
    );
  });
});
