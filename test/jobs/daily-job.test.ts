import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDailyJob } from '../../src/jobs/daily-job.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { createReaders } from '../digest/readers.js';
import { testConfig } from '../helpers/app.js';
import { routeDailyPapers } from '../helpers/daily-papers-route.js';
import { createTestDatabase } from '../helpers/database.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

const DAY = '2026-07-31';

describe('the daily job', () => {
  it('ingests the day from Hugging Face, sends each reader the digest, expires stale sign-ups, and records the run', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    const hf = await startFixtureServer();
    routeDailyPapers(hf);
    const config = testConfig({ SMTP_URL: sink.url, HF_BASE_URL: hf.baseUrl }, db);
    const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma });
    const [ada, bob] = await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: [] },
      { email: 'bob@example.org', topics: ['agents'] },
    ]);
    await createReaders(db.prisma, [{ email: 'stale@example.org', status: 'pending' }]);
    await db.prisma.subscriber.update({
      where: { emailKey: 'stale@example.org' },
      data: { createdAt: new Date(Date.now() - 8 * 86_400_000), confirmExpiresAt: new Date(Date.now() - 86_400_000) },
    });

    await runDailyJob(services, DAY, 'schedule');
    await services.close();

    assert.ok((await db.prisma.listing.count()) >= 30, 'the day was ingested from the fixture server');
    assert.equal(sink.to(ada!.email).length, 1);
    assert.equal(sink.to(bob!.email).length, 1);
    assert.match(sink.to(ada!.email)[0]!.parsed.subject ?? '', /Jul 31/);
    assert.equal(await db.prisma.subscriber.count({ where: { emailKey: 'stale@example.org' } }), 0);
    const runs = await db.prisma.run.findMany();
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.trigger, 'schedule');
    assert.equal(runs[0]!.status, 'done');
    assert.equal(runs[0]!.date.toISOString().slice(0, 10), DAY);
  });
});
