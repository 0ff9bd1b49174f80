import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSenderLoop } from '../../src/jobs/sender-loop.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { createReaders } from '../digest/readers.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';

const DAY = '2026-07-31';

describe('the sender loop', () => {
  it('sends deliveries left pending after the daily run gave up waiting (a relay that was down)', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink();
    await loadSeedPapers(db.prisma, DAY);
    const config = testConfig({ SMTP_URL: sink.url, SEND_RETRY_BASE_MS: '200' }, db);
    const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma });
    const [ada] = await createReaders(db.prisma, [{ email: 'ada@example.org', topics: ['speculative-decoding'] }]);

    // The relay says "try later" and the run stops waiting at once: the delivery stays pending.
    sink.setPolicy(() => ({ code: 451, message: '4.3.0 Try again later' }));
    const run = await services.digests.runDay(DAY, { trigger: 'test', waitLimitMs: 0 });
    assert.equal(run.status, 'incomplete');
    assert.equal(sink.to(ada!.email).length, 0);

    sink.setPolicy(undefined);
    const loop = createSenderLoop(services, 100);
    loop.start();
    await waitUntil('the retry went out', async () => sink.to(ada!.email).length === 1, 15_000);
    await loop.stop();
    await services.close();
    const delivery = await db.prisma.delivery.findFirstOrThrow({ where: { subscriberId: ada!.id } });
    assert.equal(delivery.status, 'sent');
    assert.equal(sink.to(ada!.email).length, 1);
  });
});
