import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDailyJob } from '../../src/jobs/daily-job.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../helpers/database.js';

const { prisma } = await createTestDatabase();

describe('the daily job', () => {
  it('records its run in `runs`: the day, what triggered it, its status and timings', async () => {
    const before = new Date();
    await runDailyJob({ prisma, log: createLogger('silent') }, '2026-07-31', 'catch-up');
    const runs = await prisma.run.findMany();
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.equal(run.date.toISOString().slice(0, 10), '2026-07-31');
    assert.equal(run.trigger, 'catch-up');
    assert.equal(run.status, 'done');
    assert.equal(run.error, null);
    assert.ok(run.startedAt.getTime() >= before.getTime() - 1000);
    assert.ok(run.finishedAt && run.finishedAt.getTime() >= run.startedAt.getTime());
    assert.equal(typeof (run.stats as { durationMs?: unknown }).durationMs, 'number');
  });
});
