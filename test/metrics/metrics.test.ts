// GET /metrics after a real run against the SMTP sink, parsed with a Prometheus text-format parser: the delivery
// numbers are the database's (a second instance that sent nothing reports the same), SMTP replies are counted by
// class, and the separate METRICS_PORT listener needs no token.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { loadConfig } from '../../src/config.js';
import { startMetricsServer } from '../../src/metrics/metrics-server.js';
import { auth } from '../admin/admin-helpers.js';
import { DAY, setupDigestApp } from '../admin/digest-setup.js';
import { createReaders } from '../digest/readers.js';
import { buildTestApp } from '../helpers/app.js';

type Families = ReturnType<typeof parsePrometheusTextFormat>;

function family(families: Families, name: string) {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `${name} is exposed`);
  return found;
}

/** label value -> sample value, for a metric with one label. */
function byLabel(families: Families, name: string, label: string): Record<string, number> {
  return Object.fromEntries(family(families, name).metrics.map((m) => [m.labels?.[label] ?? '', Number(m.value)]));
}

describe('metrics', () => {
  it('exposes deliveries by status as the database has them, SMTP replies by class, latency, runs and readers', async () => {
    const setup = await setupDigestApp();
    const { app, db, sink, services } = setup;
    await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'bob@example.org', topics: ['speculative-decoding'] },
      { email: 'cy@example.org', topics: ['speculative-decoding'] },
      { email: 'dee@example.org', topics: ['speculative-decoding'], status: 'paused' },
    ]);
    // bob's mailbox does not exist (550 5.1.1: failed, and bob is bounced); cy's relay is busy once (451, retried).
    sink.setPolicy((to, attempt) => {
      if (to.includes('bob@example.org')) return { code: 550, message: '5.1.1 No such user' };
      if (to.includes('cy@example.org') && attempt === 1) return { code: 451, message: '4.3.0 Try again later' };
      return undefined;
    });
    const report = await services.digests.runDay(DAY, { trigger: 'schedule' });
    assert.equal(report.status, 'done');

    const refused = await app.inject({ url: '/metrics' });
    assert.equal(refused.statusCode, 401);
    const wrong = await app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer not-the-admin-token-at-all' },
    });
    assert.equal(wrong.statusCode, 401);

    const res = await app.inject({ url: '/metrics', headers: auth });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(res.body);

    const rows = await db.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
    const inDatabase = Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    const exposed = byLabel(families, 'papermail_deliveries', 'status');
    assert.deepEqual(exposed, { pending: 0, sending: 0, sent: 2, failed: 1, skipped: 0 });
    for (const [status, n] of Object.entries(exposed)) assert.equal(n, inDatabase[status] ?? 0, status);
    assert.equal(family(families, 'papermail_deliveries').type, 'GAUGE');
    assert.equal(byLabel(families, 'papermail_deliveries_waiting', '')[''], 0);

    // What this process heard from the relay: ada 250, cy 451 then 250, bob 550.
    assert.deepEqual(byLabel(families, 'papermail_smtp_replies_total', 'class'), { '2xx': 2, '4xx': 1, '5xx': 1 });
    const latency = family(families, 'papermail_send_duration_seconds');
    assert.equal(latency.type, 'HISTOGRAM');
    assert.equal(Number(latency.metrics[0]?.count), 4);
    assert.ok(Number(latency.metrics[0]?.sum) > 0);

    assert.deepEqual(
      family(families, 'papermail_runs').metrics.map((m) => [m.labels, Number(m.value)]),
      [[{ status: 'done', trigger: 'schedule' }, 1]],
    );
    const run = await db.prisma.run.findFirstOrThrow();
    const durations = family(families, 'papermail_run_duration_seconds').metrics[0]!;
    assert.equal(Number(durations.count), 1);
    const seconds = (run.finishedAt!.getTime() - run.startedAt.getTime()) / 1000;
    assert.ok(Math.abs(Number(durations.sum) - seconds) < 0.01, `${durations.sum} ≈ ${seconds}`);

    assert.deepEqual(byLabel(families, 'papermail_readers', 'status'), {
      pending: 0,
      active: 2,
      paused: 1,
      unsubscribed: 0,
      bounced: 1,
      complained: 0,
    });
    assert.deepEqual(byLabel(families, 'papermail_reader_events_last_24h', 'event'), {
      signups: 4,
      confirmations: 0,
      unsubscribes: 0,
    });
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      family(families, name);
    }

    // Another instance on the same database, which sent nothing itself, reports the same deliveries and runs.
    const other = await buildTestApp({}, { db });
    const otherFamilies = parsePrometheusTextFormat((await other.app.inject({ url: '/metrics', headers: auth })).body);
    assert.deepEqual(byLabel(otherFamilies, 'papermail_deliveries', 'status'), exposed);
    assert.deepEqual(
      byLabel(otherFamilies, 'papermail_readers', 'status'),
      byLabel(families, 'papermail_readers', 'status'),
    );
    assert.deepEqual(
      otherFamilies.find((f) => f.name === 'papermail_smtp_replies_total')?.metrics ?? [],
      [],
      'replies are what this process heard: none',
    );

    // The separate listener: no token, /metrics only.
    const listener = await startMetricsServer(services.metrics, { host: '127.0.0.1', port: 0 }, services.log);
    try {
      const scraped = await fetch(listener.url);
      assert.equal(scraped.status, 200);
      assert.deepEqual(
        byLabel(parsePrometheusTextFormat(await scraped.text()), 'papermail_deliveries', 'status'),
        exposed,
      );
      assert.equal((await fetch(listener.url.replace('/metrics', '/admin'))).status, 404);
    } finally {
      await listener.close();
    }
  });

  it('reads METRICS_HOST and METRICS_PORT, and refuses a host without a port', () => {
    assert.equal(loadConfig({}).metrics, undefined);
    assert.deepEqual(loadConfig({ METRICS_PORT: '9464' }).metrics, { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics, {
      host: '0.0.0.0',
      port: 9464,
    });
    assert.throws(() => loadConfig({ METRICS_HOST: '0.0.0.0' }), /METRICS_HOST needs METRICS_PORT too/);
    assert.throws(() => loadConfig({ METRICS_PORT: 'x' }), /METRICS_PORT must be a whole number/);
    assert.throws(() => loadConfig({ METRICS_PORT: '3000' }), /METRICS_PORT must differ from PORT/);
  });
});
