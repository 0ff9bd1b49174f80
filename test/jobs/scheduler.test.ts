import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import cron from 'node-cron';
import { pino } from 'pino';
import { today } from '../../src/dates.js';
import { leaseKey } from '../../src/jobs/lease-coordinator.js';
import { findPreviousFire } from '../../src/jobs/previous-fire.js';
import { createScheduler, type DailyJob, type DailyTrigger, type Scheduler } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../helpers/database.js';
import { sleep, waitUntil } from '../helpers/wait.js';

const { prisma } = await createTestDatabase();
const silent = createLogger('silent');
const EVERY_SECOND = '* * * * * *';

interface Call {
  instance: string;
  day: string;
  trigger: DailyTrigger;
}

/** A fresh task name per test, so tests sharing the database never share lease keys. */
const taskName = () => `test-${randomBytes(4).toString('hex')}`;

function recordingJob(calls: Call[], instance: string, work?: () => Promise<void>): DailyJob {
  return async (day, trigger) => {
    calls.push({ instance, day, trigger });
    await work?.();
  };
}

// Every scheduler a test creates is stopped when the file ends, even when an assertion failed half-way:
// a running node-cron task would keep the test process alive.
const created: Scheduler[] = [];
after(() => Promise.all(created.map((s) => s.stop())));

function scheduler(
  name: string,
  daily: DailyJob,
  options: { cron?: string; timezone?: string; enabled?: boolean; stopTimeoutMs?: number; log?: typeof silent } = {},
): Scheduler {
  const s = createScheduler({
    prisma,
    log: options.log ?? silent,
    config: {
      scheduler: {
        enabled: options.enabled ?? true,
        cron: options.cron ?? EVERY_SECOND,
        timezone: options.timezone ?? 'UTC',
      },
    },
    daily,
    name,
    leaseMs: 5_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 2_000,
  });
  created.push(s);
  return s;
}

const leasesOf = (name: string) =>
  prisma.lease.findMany({ where: { key: { startsWith: `${name}:` } }, orderBy: { key: 'asc' } });

function capturingLogger(): { log: typeof silent; lines: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += chunk;
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines: () => out };
}

/** The most recent fire of `expression` before now, as the scheduler computes it. */
function lastFire(expression: string, timezone: string): Date {
  const task = cron.createTask(expression, () => {}, { timezone });
  try {
    return findPreviousFire({ expression, timezone, at: new Date(), match: (d) => task.match(d) })!;
  } finally {
    task.destroy();
  }
}

describe('the scheduler', () => {
  it('with two instances firing together, runs every fire exactly once across both', async () => {
    const name = taskName();
    const calls: Call[] = [];
    const a = scheduler(name, recordingJob(calls, 'a'));
    const b = scheduler(name, recordingJob(calls, 'b'));
    await Promise.all([a.start(), b.start()]);
    await waitUntil(
      'four completed fires',
      async () => (await leasesOf(name)).filter((l) => l.doneAt).length >= 4,
      30_000,
    );
    await Promise.all([a.stop(), b.stop()]);

    const leases = await leasesOf(name);
    const done = leases.filter((l) => l.doneAt);
    assert.equal(done.length, leases.length, 'every claimed fire completed');
    assert.equal(calls.length, done.length, 'one daily run per fire, not one per instance');
    for (const lease of leases) assert.ok([a.holder, b.holder].includes(lease.holder));
    assert.ok(calls.filter((c) => c.trigger === 'schedule').length >= 3);
    assert.ok(calls.every((c) => c.day === today('UTC') || c.day === today('UTC', new Date(Date.now() - 60_000))));
  });

  it('takes over fires whose leases outlived their dead holder, and stands back from a live holder', async () => {
    const name = taskName();
    const calls: Call[] = [];
    // The next three fires are leased already: one by an instance that is alive and running it (lease valid), the
    // others by an instance that died (leases expired, never done), as a crash leaves them.
    const base = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const fires = [0, 1, 2].map((i) => leaseKey(name, new Date(base + i * 1000)));
    const liveFire = fires[1]!;
    const deadFires = fires.filter((k) => k !== liveFire);
    for (const key of fires) {
      const live = key === liveFire;
      await prisma.lease.create({
        data: {
          key,
          holder: live ? 'live-instance' : 'dead-instance',
          expiresAt: new Date(Date.now() + (live ? 60_000 : -60_000)),
        },
      });
    }
    const s = scheduler(name, recordingJob(calls, 's'));
    await s.start();
    await waitUntil('the three fires to pass', () => Date.now() > base + 2200, 15_000);
    await s.stop();

    const leases = await leasesOf(name);
    const byKey = new Map(leases.map((l) => [l.key, l]));
    const live = byKey.get(liveFire)!;
    assert.equal(live.holder, 'live-instance', 'the live lease was left alone');
    assert.equal(live.doneAt, null);
    const takenOver = deadFires.filter((k) => byKey.get(k)!.holder === s.holder);
    assert.ok(takenOver.length >= 1, 'the dead holder’s expired leases did not block their fires');
    for (const k of takenOver) assert.ok(byKey.get(k)!.doneAt, `${k} ran to the end`);
    const ranHere = leases.filter((l) => l.holder === s.holder && l.doneAt);
    assert.equal(calls.length, ranHere.length, 'every fire ran here at most once');
  });

  it('on start makes up the last fire no instance completed, once even when two instances start together', async () => {
    const name = taskName();
    const timezone = 'America/New_York';
    const calls: Call[] = [];
    const a = scheduler(name, recordingJob(calls, 'a'), { cron: '0 7 * * *', timezone });
    const b = scheduler(name, recordingJob(calls, 'b'), { cron: '0 7 * * *', timezone });
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.stop(), b.stop()]); // stop() waits for the make-up run

    const fire = lastFire('0 7 * * *', timezone);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.trigger, 'catch-up');
    assert.equal(calls[0]!.day, today(timezone, fire), 'the day of the missed fire, in the schedule’s time zone');
    const leases = await leasesOf(name);
    assert.deepEqual(
      leases.map((l) => l.key),
      [leaseKey(name, fire)],
      'only the most recent fire is made up',
    );
    assert.ok(leases[0]!.doneAt);

    const c = scheduler(name, recordingJob(calls, 'c'), { cron: '0 7 * * *', timezone });
    await c.start();
    await c.stop();
    assert.equal(calls.length, 1, 'a later start does not run a fire that already completed');
  });

  it('makes up a fire whose run failed at the next start, and stops once it has succeeded', async () => {
    const name = taskName();
    const calls: Call[] = [];
    const failing = scheduler(
      name,
      recordingJob(calls, 'failing', async () => {
        throw new Error('source down');
      }),
      { cron: '0 7 * * *' },
    );
    await failing.start();
    await failing.stop();
    const key = leaseKey(name, lastFire('0 7 * * *', 'UTC'));
    assert.equal((await prisma.lease.findUniqueOrThrow({ where: { key } })).doneAt, null, 'a failed run is not done');

    const healthy = scheduler(name, recordingJob(calls, 'healthy'), { cron: '0 7 * * *' });
    await healthy.start();
    await healthy.stop();
    assert.deepEqual(
      calls.map((c) => [c.instance, c.trigger]),
      [
        ['failing', 'catch-up'],
        ['healthy', 'catch-up'],
      ],
    );
    assert.ok((await prisma.lease.findUniqueOrThrow({ where: { key } })).doneAt);
  });

  it('with SCHEDULER=off starts no schedule and says the instance is API-only', async () => {
    const name = taskName();
    const calls: Call[] = [];
    const { log, lines } = capturingLogger();
    const off = scheduler(name, recordingJob(calls, 'off'), { enabled: false, log });
    await off.start();
    await sleep(1500); // a second-by-second schedule would have fired here
    await off.stop();
    assert.equal(calls.length, 0);
    assert.equal((await leasesOf(name)).length, 0, 'not even a lease claimed');
    assert.match(lines(), /SCHEDULER=off.*API only/);
  });

  it('stop() waits for the running job to finish', async () => {
    const name = taskName();
    const calls: Call[] = [];
    let finished = false;
    const s = scheduler(
      name,
      recordingJob(calls, 's', async () => {
        await sleep(700);
        finished = true;
      }),
    );
    await s.start();
    await waitUntil('a job to start', () => calls.length > 0);
    assert.equal(finished, false);
    await s.stop();
    assert.equal(finished, true, 'stop() returned only after the job finished');
    assert.equal(calls.length, 1, 'no fire started after stop');
  });

  it('stop() aborts the running job’s signal; the interrupted fire is made up at the next start', async () => {
    const name = taskName();
    const calls: Call[] = [];
    const interrupted: boolean[] = [];
    const honoursSignal: DailyJob = async (day, trigger, signal) => {
      calls.push({ instance: 'first', day, trigger });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      interrupted.push(signal.aborted);
    };
    const first = scheduler(name, honoursSignal, { cron: '0 7 * * *', stopTimeoutMs: 5_000 });
    await first.start();
    await waitUntil('the make-up run to start', () => calls.length === 1);
    await first.stop();
    assert.deepEqual(interrupted, [true], 'the job saw the abort and returned');
    const key = leaseKey(name, lastFire('0 7 * * *', 'UTC'));
    assert.equal((await prisma.lease.findUniqueOrThrow({ where: { key } })).doneAt, null, 'not done');

    const next = scheduler(name, recordingJob(calls, 'next'), { cron: '0 7 * * *' });
    await next.start();
    await next.stop();
    assert.deepEqual(
      calls.map((c) => c.instance),
      ['first', 'next'],
    );
    assert.ok((await prisma.lease.findUniqueOrThrow({ where: { key } })).doneAt);
  });

  it('stop() gives up waiting after its timeout and leaves the unfinished fire to expire', async () => {
    const name = taskName();
    const calls: Call[] = [];
    let release: () => void = () => {};
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { log, lines } = capturingLogger();
    const s = scheduler(
      name,
      recordingJob(calls, 's', () => stuck),
      { stopTimeoutMs: 300, log },
    );
    await s.start();
    await waitUntil('a job to start', () => calls.length > 0);
    await s.stop();
    assert.match(lines(), /stopped waiting for the running daily run/);
    const leases = await leasesOf(name);
    assert.equal(leases.filter((l) => l.doneAt).length, 0, 'the unfinished fire is not marked done');
    release();
  });
});
