// Runs live in Postgres: whether a day is running holds across instances and the schedule, and a run whose
// process died reads as abandoned (its heartbeat went stale) instead of running for ever, and the day can run again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runDailyJob } from '../../src/jobs/daily-job.js';
import { createManyReaders } from '../digest/readers.js';
import { buildTestApp, TEST_ADMIN_TOKEN } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { startServer } from '../helpers/process.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { waitUntil } from '../helpers/wait.js';
import { auth } from './admin-helpers.js';

const DAY = '2026-07-31';
const SEED_FILE = path.resolve('prisma/seed/daily-papers-2026-07-31.json');

interface RunRow {
  id: number;
  trigger: string;
  status: string;
  heartbeatAt: string;
}

describe('runs across instances', () => {
  it('an admin run on one instance is running for another; the schedule there waits for it, and then is running for the first', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink({ closeAfter: false });
    await loadSeedPapers(db.prisma, DAY);
    await createManyReaders(db.prisma, 4, { topics: ['speculative-decoding'] }, 'early');
    const env = { SMTP_URL: sink.url, SEND_RETRY_BASE_MS: '20', SOURCE: `file:${SEED_FILE}` };
    const one = await buildTestApp(env, { db });
    const two = await buildTestApp(env, { db });
    after(() => sink.close());
    sink.setDelay(400); // a slow relay keeps each run going while the other instance is asked
    const url = `/api/admin/digests/${DAY}/run`;
    const runOf = async (app: typeof one, payload: object) => {
      const res = await app.app.inject({ method: 'POST', url, headers: auth, payload });
      assert.equal(res.statusCode, 202, res.body);
      return res.json() as { runId: number; date: string; alreadyRunning: boolean };
    };
    const runsSeenBy = async (app: typeof one) =>
      ((await app.app.inject({ url: `/api/admin/digests/${DAY}`, headers: auth })).json().runs as RunRow[]).map((r) => [
        r.id,
        r.trigger,
        r.status,
      ]);

    const started = await runOf(one, { ingest: false });
    assert.equal(started.alreadyRunning, false);
    assert.deepEqual(await runOf(two, { ingest: false }), { runId: started.runId, date: DAY, alreadyRunning: true });
    assert.deepEqual(await runsSeenBy(two), [[started.runId, 'admin', 'running']]);

    // The schedule fires on the second instance meanwhile: it waits for the admin's run instead of starting one.
    // Readers who join after the admin's run was prepared are the scheduled run's to send.
    await waitUntil('the admin run to prepare', async () => (await db.prisma.delivery.count()) === 4);
    await createManyReaders(db.prisma, 3, { topics: ['speculative-decoding'] }, 'late');
    const scheduled = runDailyJob(two.services, DAY, 'schedule');
    await one.services.admin.digests.runFinished(DAY);
    await waitUntil('the scheduled run to start', async () => (await db.prisma.run.count()) === 2);
    const [scheduledRun] = await db.prisma.run.findMany({ where: { trigger: 'schedule' } });
    // ... and while it sends the late readers' digests, the first instance says it is running.
    assert.deepEqual(await runOf(one, {}), { runId: scheduledRun!.id, date: DAY, alreadyRunning: true });
    await scheduled;

    assert.deepEqual(await runsSeenBy(one), [
      [scheduledRun!.id, 'schedule', 'done'],
      [started.runId, 'admin', 'done'],
    ]);
    const readers = await db.prisma.subscriber.findMany();
    assert.equal(readers.length, 7);
    for (const r of readers) assert.equal(sink.to(r.email).length, 1, r.email);
    const audit = await db.prisma.auditEntry.findMany({ where: { action: 'digest.run' }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      audit.map((a) => a.result),
      [
        { runId: started.runId },
        { runId: started.runId, alreadyRunning: true },
        { runId: scheduledRun!.id, alreadyRunning: true },
      ],
    );
  });

  it('a run whose server was killed reads as abandoned once its heartbeat is stale, and the day can run again', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink({ closeAfter: false });
    await loadSeedPapers(db.prisma, DAY);
    const readers = await createManyReaders(db.prisma, 30, { topics: ['speculative-decoding'] });
    const staleMs = 1500;
    const env = {
      SMTP_URL: sink.url,
      RUN_STALE_MS: String(staleMs),
      SEND_LEASE_MS: String(staleMs),
      SEND_CONCURRENCY: '2',
    };
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-runs-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({
      ...env,
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      SECRET: 'test-secret-test-secret-test-secret-0123',
      LOG_LEVEL: 'warn',
    });
    sink.setDelay(100);
    const res = await fetch(`${server.base}/api/admin/digests/${DAY}/run`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ingest: false }),
    });
    assert.equal(res.status, 202);
    const killed = (await res.json()) as { runId: number; alreadyRunning: boolean };
    assert.equal(killed.alreadyRunning, false);
    await waitUntil('some digests to go out', () => sink.messages.length >= 3, 30_000);
    server.child.kill('SIGKILL');
    assert.equal((await server.done).signal, 'SIGKILL');
    assert.ok(sink.messages.length < readers.length, 'the kill came mid-run');

    const app = await buildTestApp(env, { db });
    after(() => sink.close());
    const lastRun = async () =>
      (await app.app.inject({ url: `/api/admin/digests/${DAY}`, headers: auth })).json().runs[0] as RunRow;
    await waitUntil('the dead run to read as abandoned', async () => (await lastRun()).status === 'abandoned', 10_000);
    const abandoned = await lastRun();
    assert.equal(abandoned.id, killed.runId);
    assert.ok(Date.now() - Date.parse(abandoned.heartbeatAt) >= staleMs, 'its heartbeat stopped with its process');
    const list = (await app.app.inject({ url: '/api/admin/digests', headers: auth })).json();
    assert.equal(list.days[0].lastRun.status, 'abandoned', 'the list of days says so too');

    sink.setDelay(0);
    const again = await app.app.inject({
      method: 'POST',
      url: `/api/admin/digests/${DAY}/run`,
      headers: auth,
      payload: { ingest: false },
    });
    assert.equal(again.statusCode, 202);
    assert.equal(again.json().alreadyRunning, false, 'a new run of the day starts');
    assert.notEqual(again.json().runId, killed.runId);
    await app.services.admin.digests.runFinished(DAY);

    const runs = await db.prisma.run.findMany({ orderBy: { id: 'asc' } });
    assert.deepEqual(
      runs.map((r) => [r.id, r.status]),
      [
        [killed.runId, 'abandoned'],
        [again.json().runId, 'done'],
      ],
    );
    assert.ok(runs[0]!.finishedAt, 'the abandoned row says when its process was last seen');
    for (const r of readers) assert.ok(sink.to(r.email).length >= 1, r.email);
    assert.equal(await db.prisma.delivery.count({ where: { status: { not: 'sent' } } }), 0);
  });
});
