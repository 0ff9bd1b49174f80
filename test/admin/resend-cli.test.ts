import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { createReaders } from '../digest/readers.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/process.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

const DAY = '2026-07-31';

describe('papermail resend', () => {
  it('resends to readers named with --to, then to the failed ones with --failed, and says what it did', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink({ closeAfter: false });
    await loadSeedPapers(db.prisma, DAY);
    await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'bob@example.org', topics: ['speculative-decoding'] },
      { email: 'cy@example.org', topics: ['speculative-decoding'], status: 'active' },
    ]);
    // The day's run, in this process, with the relay refusing bob.
    const services = createServices({
      config: testConfig({ SMTP_URL: sink.url }, db),
      log: createLogger('silent'),
      prisma: db.prisma,
    });
    sink.setPolicy((to) => (to.includes('bob@example.org') ? { code: 550, message: '5.7.1 Not now' } : undefined));
    await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    after(() => sink.close());
    sink.setPolicy(undefined);
    await db.prisma.subscriber.update({ where: { emailKey: 'cy@example.org' }, data: { status: 'unsubscribed' } });
    assert.equal(sink.messages.length, 2);
    const env = { DATABASE_URL: db.url, SMTP_URL: sink.url, LOG_LEVEL: 'silent' };

    const one = await runCli(['resend', '--date', DAY, '--to', 'ada@example.org', '--to', 'cy@example.org'], env);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^2026-07-31: 1 resend queued, 0 unknown, 1 skipped$/m);
    assert.match(one.stdout, /^queued {2}ada@example\.org {2}delivery \d+ \(resend of \d+\)$/m);
    assert.match(one.stdout, /^skipped cy@example\.org: the reader is unsubscribed$/m);
    assert.match(one.stdout, /^sent {4}ada@example\.org {2}delivery \d+$/m);
    assert.equal(sink.to('ada@example.org').length, 2);
    assert.equal(sink.to('cy@example.org').length, 1);

    const failed = await runCli(['resend', '--date', DAY, '--failed'], env);
    assert.equal(failed.code, 0, failed.stderr);
    assert.match(failed.stdout, /^queued {2}bob@example\.org /m);
    assert.equal(sink.to('bob@example.org').length, 1);
    assert.equal(sink.messages.length, 4);
    const audit = await db.prisma.auditEntry.findMany({ where: { action: 'digest.resend' } });
    assert.deepEqual(
      audit.map((a) => a.actor),
      ['cli', 'cli'],
    );

    const unknown = await runCli(['resend', '--date', DAY, '--to', 'nobody@example.org'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /^unknown nobody@example\.org: no reader has this address$/m);
    assert.equal(unknown.stderr, 'papermail: 2026-07-31: 1 unknown address\n');

    for (const [args, message] of [
      [['resend', '--date', DAY], 'papermail: give --to ADDRESS (repeat for more) or --failed\n'],
      [
        ['resend', '--date', DAY, '--failed', '--to', 'ada@example.org'],
        'papermail: give either --to ADDRESS (one or more) or --failed, not both\n',
      ],
      [['resend', '--date', '2026-13-01', '--failed'], 'papermail: "2026-13-01" is not a real calendar date\n'],
    ] as const) {
      const bad = await runCli([...args], env);
      assert.equal(bad.code, 1, args.join(' '));
      assert.equal(bad.stderr, message);
    }
    assert.equal(sink.messages.length, 4, 'nothing more was sent');
  });

  it('exits 1 when a resend fails', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink({ closeAfter: false });
    after(() => sink.close());
    await loadSeedPapers(db.prisma, DAY);
    await createReaders(db.prisma, [{ email: 'ada@example.org', topics: ['speculative-decoding'] }]);
    const services = createServices({
      config: testConfig({ SMTP_URL: sink.url }, db),
      log: createLogger('silent'),
      prisma: db.prisma,
    });
    await services.digests.runDay(DAY, { trigger: 'test' });
    await services.close();
    sink.setPolicy(() => ({ code: 554, message: '5.7.1 Refused' }));
    const res = await runCli(['resend', '--date', DAY, '--to', 'ada@example.org'], {
      DATABASE_URL: db.url,
      SMTP_URL: sink.url,
      LOG_LEVEL: 'silent',
    });
    assert.equal(res.code, 1);
    assert.match(res.stdout, /^failed {2}ada@example\.org {2}delivery \d+: 554 .*Refused$/m);
    assert.equal(res.stderr, 'papermail: 2026-07-31: 1 resend failed\n');
  });
});
