import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { today } from '../../src/dates.js';
import { prepareDigest } from '../../src/digest/prepare-digest.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { loadFixturePapers } from './fixture-papers.js';
import { createReaders } from './readers.js';

/** "HH:MM" on the reader's clock. */
function localTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    at,
  );
}

async function dueOf(prisma: Awaited<ReturnType<typeof createTestDatabase>>['prisma'], day: string, email: string) {
  const row = await prisma.delivery.findFirstOrThrow({
    where: { digest: { date: new Date(`${day}T00:00:00Z`) }, subscriber: { emailKey: email } },
  });
  return row.dueAt;
}

describe("due times: each delivery waits for its reader's local hour", () => {
  it("a Tokyo 08:00 reader's delivery is due at 08:00 Tokyo time; a reader on the operator's hour gets it now", async () => {
    const { prisma } = await createTestDatabase();
    await loadFixturePapers(prisma, '2026-07-31');
    await createReaders(prisma, [
      { email: 'tokyo@example.org', settings: { timezone: 'Asia/Tokyo', hour: 8 } },
      { email: 'operator-hour@example.org' },
    ]);
    // The operator's run at 07:00 UTC is 16:00 in Tokyo: the Tokyo reader's 08:00 is the next morning.
    const preparedAt = new Date('2026-07-31T07:00:05Z');
    const report = await prepareDigest(prisma, '2026-07-31', {
      now: preparedAt,
      defaults: { timezone: 'UTC', hour: 7 },
    });
    assert.equal(report.created, 2);
    const tokyo = await dueOf(prisma, '2026-07-31', 'tokyo@example.org');
    assert.equal(tokyo.toISOString(), '2026-07-31T23:00:00.000Z');
    assert.equal(localTime(tokyo, 'Asia/Tokyo'), '08:00');
    const operator = await dueOf(prisma, '2026-07-31', 'operator-hour@example.org');
    assert.equal(operator.toISOString(), '2026-07-31T07:00:00.000Z', 'its hour is the current one: due at once');
  });

  it("a New York 07:00 reader's deliveries stay at 07:00 local across both DST changes", async () => {
    const { prisma } = await createTestDatabase();
    await createReaders(prisma, [{ email: 'ny@example.org', settings: { timezone: 'America/New_York', hour: 7 } }]);
    // Prepared at 05:00 UTC each day (midnight or 01:00 in New York), each day its own list.
    const days: [string, string, string][] = [
      ['2026-03-06', '2026-07-20', '2026-03-06T12:00:00.000Z'], // EST, UTC-5
      ['2026-03-08', '2026-07-21', '2026-03-08T11:00:00.000Z'], // the spring-forward day itself: EDT by 07:00
      ['2026-03-09', '2026-07-22', '2026-03-09T11:00:00.000Z'], // EDT, UTC-4
      ['2026-10-30', '2026-07-23', '2026-10-30T11:00:00.000Z'], // EDT
      ['2026-11-01', '2026-07-24', '2026-11-01T12:00:00.000Z'], // the fall-back day: EST by 07:00
      ['2026-11-02', '2026-07-27', '2026-11-02T12:00:00.000Z'], // EST
    ];
    for (const [day, file, expected] of days) {
      await loadFixturePapers(prisma, day, [file]);
      await prepareDigest(prisma, day, {
        now: new Date(`${day}T05:00:00Z`),
        defaults: { timezone: 'America/New_York', hour: 7 },
      });
      const due = await dueOf(prisma, day, 'ny@example.org');
      assert.equal(due.toISOString(), expected, day);
      assert.equal(localTime(due, 'America/New_York'), '07:00', day);
    }
  });

  it('a past day replayed as its scheduled fire prepared it: every reader due at their own hour, and all sent', async (t) => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    const config = testConfig({ SMTP_URL: sink.url }, db);
    const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma });
    t.after(() => Promise.all([services.close(), sink.close()]));
    await loadFixturePapers(db.prisma, '2026-07-31');
    await createReaders(db.prisma, [
      { email: 'tokyo@example.org', settings: { timezone: 'Asia/Tokyo', hour: 8 } },
      { email: 'tokyo-evening@example.org', settings: { timezone: 'Asia/Tokyo', hour: 22 } },
      { email: 'new-york@example.org', settings: { timezone: 'America/New_York', hour: 7 } },
      {
        email: 'auckland-friday@example.org',
        settings: { cadence: 'weekly', weekday: 5, timezone: 'Pacific/Auckland', hour: 6 },
      },
      { email: 'monday@example.org', settings: { cadence: 'weekly', weekday: 1, timezone: 'Europe/Berlin', hour: 9 } },
    ]);
    // 2026-07-31 is a Friday; the operator's run fired at 07:00 UTC that day.
    const run = await services.digests.runDay('2026-07-31', {
      trigger: 'test',
      preparedAt: new Date('2026-07-31T07:00:05Z'),
    });
    assert.equal(run.status, 'done');
    assert.equal(run.prepare.notTheirDay, 1, 'the Monday reader is not due on a Friday');
    assert.equal(run.counts?.sent, 4);
    const expected: [string, string, string, string][] = [
      ['tokyo@example.org', 'Asia/Tokyo', '08:00', '2026-07-31T23:00:00.000Z'],
      ['tokyo-evening@example.org', 'Asia/Tokyo', '22:00', '2026-07-31T13:00:00.000Z'],
      ['new-york@example.org', 'America/New_York', '07:00', '2026-07-31T11:00:00.000Z'],
      ['auckland-friday@example.org', 'Pacific/Auckland', '06:00', '2026-07-31T18:00:00.000Z'],
    ];
    for (const [email, zone, hour, due] of expected) {
      const dueAt = await dueOf(db.prisma, '2026-07-31', email);
      assert.equal(dueAt.toISOString(), due, email);
      assert.equal(localTime(dueAt, zone), hour, email);
      assert.equal(sink.to(email).length, 1, email);
    }
    assert.equal(sink.to('monday@example.org').length, 0);
  });

  it('the sender sends only what is due; a run for a past day sends everything at once', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    const config = testConfig({ SMTP_URL: sink.url }, db);
    const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma });
    const day = today('UTC');
    await loadFixturePapers(db.prisma, day, ['2026-07-22']);
    const hour = new Date().getUTCHours();
    await createReaders(db.prisma, [
      { email: 'now@example.org', settings: { timezone: 'UTC', hour } },
      { email: 'later@example.org', settings: { timezone: 'UTC', hour: (hour + 3) % 24 } },
    ]);
    const run = await services.digests.runDay(day, { trigger: 'test', waitLimitMs: 2000 });
    assert.equal(run.status, 'done', 'a delivery due later is not a run left incomplete');
    assert.equal(run.counts?.sent, 1);
    assert.equal(run.counts?.scheduled, 1);
    const again = await services.digests.sendPending();
    assert.equal(again.claimed, 0, 'the sender loop does not take a delivery before its time');
    assert.equal(sink.to('now@example.org').length, 1);
    assert.equal(sink.to('later@example.org').length, 0);

    const byHand = await services.digests.runDay(day, { trigger: 'test', dueNow: true });
    assert.equal(byHand.counts?.sent, 2);
    assert.equal(sink.to('later@example.org').length, 1);
    assert.equal(sink.to('now@example.org').length, 1, 'nobody twice');
    await services.close();
  });
});
