import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLeaseCoordinator, deleteOldLeases, leaseKey } from '../../src/jobs/lease-coordinator.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../helpers/database.js';
import { sleep } from '../helpers/wait.js';

const { prisma } = await createTestDatabase();
const log = createLogger('silent');
const coordinator = (holder: string) => createLeaseCoordinator({ prisma, log, holder });

async function insertLease(key: string, holder: string, expiresInMs: number, done = false): Promise<void> {
  await prisma.$executeRaw`
    INSERT INTO leases (key, holder, acquired_at, expires_at, done_at)
    VALUES (${key}, ${holder}, now() AT TIME ZONE 'UTC',
            (now() AT TIME ZONE 'UTC') + ${expiresInMs}::int * interval '1 millisecond',
            CASE WHEN ${done} THEN now() AT TIME ZONE 'UTC' END)`;
}

describe('the Postgres run coordinator', () => {
  it('of eight instances claiming one fire at the same moment, exactly one runs it', async () => {
    const key = leaseKey('claim-race', new Date('2026-07-31T07:00:00Z'));
    const instances = Array.from({ length: 8 }, (_, i) => coordinator(`instance-${i}`));
    const answers = await Promise.all(instances.map((c) => c.shouldRun(key, 30_000)));
    assert.equal(answers.filter(Boolean).length, 1);
    const winner = instances[answers.indexOf(true)]!;
    const lease = await prisma.lease.findUniqueOrThrow({ where: { key } });
    assert.equal(lease.holder, winner.holder);
    assert.equal(lease.doneAt, null);
    await winner.onComplete(key);
    assert.ok((await prisma.lease.findUniqueOrThrow({ where: { key } })).doneAt, 'completion marks the fire done');
  });

  it('takes over a lease whose holder died once it has expired, and not while it is live', async () => {
    const dead = leaseKey('takeover', new Date('2026-07-31T07:00:00Z'));
    const live = leaseKey('takeover', new Date('2026-08-01T07:00:00Z'));
    await insertLease(dead, 'crashed-instance', -1000);
    await insertLease(live, 'running-instance', 60_000);
    const [a, b] = [coordinator('a'), coordinator('b')];
    assert.equal(await a.shouldRun(live, 30_000), false, 'a live lease blocks');
    const taken = await Promise.all([a.shouldRun(dead, 30_000), b.shouldRun(dead, 30_000)]);
    assert.equal(taken.filter(Boolean).length, 1, 'one instance takes the expired lease over');
    const lease = await prisma.lease.findUniqueOrThrow({ where: { key: dead } });
    assert.ok(['a', 'b'].includes(lease.holder));
    assert.ok(lease.expiresAt.getTime() > Date.now(), 'the new holder has a fresh expiry');
    a.close();
    b.close();
  });

  it('never runs a completed fire again, even long after its lease expired', async () => {
    const key = leaseKey('done', new Date('2026-07-31T07:00:00Z'));
    await insertLease(key, 'earlier-instance', -3_600_000, true);
    assert.equal(await coordinator('late').shouldRun(key, 30_000), false);
  });

  it('renews the lease of a long run so no instance takes it over while its holder lives', async () => {
    const key = leaseKey('renew', new Date('2026-07-31T07:00:00Z'));
    const holder = coordinator('long-runner');
    assert.equal(await holder.shouldRun(key, 1000), true);
    await sleep(2500); // two and a half lease lengths: without renewal it would have expired twice
    assert.equal(await coordinator('other').shouldRun(key, 1000), false);
    await holder.onComplete(key);
  });

  it('without renewal (a dead holder) the lease runs out and another instance takes the fire', async () => {
    const key = leaseKey('expire', new Date('2026-07-31T07:00:00Z'));
    const dying = coordinator('dying');
    assert.equal(await dying.shouldRun(key, 300), true);
    dying.close(); // stops renewing, as a killed process would
    await sleep(500);
    assert.equal(await coordinator('survivor').shouldRun(key, 300), true);
  });

  it('gives back the lease of a failed run instead of marking the fire done', async () => {
    const key = leaseKey('failed', new Date('2026-07-31T07:00:00Z'));
    const first = coordinator('first');
    assert.equal(await first.shouldRun(key, 30_000), true);
    first.fail(key);
    await first.onComplete(key);
    const lease = await prisma.lease.findUniqueOrThrow({ where: { key } });
    assert.equal(lease.doneAt, null);
    assert.equal(await coordinator('retry').shouldRun(key, 30_000), true, 'the fire can be made up at once');
  });

  it('idle() waits until every held lease is completed', async () => {
    const c = coordinator('idle');
    const key = leaseKey('idle', new Date('2026-07-31T07:00:00Z'));
    assert.equal(await c.shouldRun(key, 30_000), true);
    let idle = false;
    const waiting = c.idle().then(() => {
      idle = true;
    });
    await sleep(50);
    assert.equal(idle, false);
    assert.deepEqual(c.heldKeys(), [key]);
    await c.onComplete(key);
    await waiting;
    assert.equal(idle, true);
  });

  it('deletes a task’s week-old leases older than the latest fire, and keeps the rest', async () => {
    const old = leaseKey('prune', new Date('2026-07-01T07:00:00Z'));
    const recent = leaseKey('prune', new Date('2026-07-30T07:00:00Z'));
    const latest = leaseKey('prune', new Date('2026-07-31T07:00:00Z'));
    const otherTask = leaseKey('prune-other', new Date('2026-07-01T07:00:00Z'));
    await insertLease(old, 'x', -8 * 86_400_000, true);
    await insertLease(recent, 'x', -3_600_000, true);
    await insertLease(latest, 'x', -8 * 86_400_000, true);
    await insertLease(otherTask, 'x', -8 * 86_400_000, true);
    assert.equal(await deleteOldLeases(prisma, 'prune', latest), 1);
    const left = await prisma.lease.findMany({ where: { key: { in: [old, recent, latest, otherTask] } } });
    assert.deepEqual(left.map((l) => l.key).sort(), [latest, otherTask, recent].sort());
  });
});
