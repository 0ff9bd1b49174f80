import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from '../helpers/app.js';

describe('health and docs', () => {
  it('answers /healthz and /readyz, and serves the OpenAPI document', async () => {
    const { app } = await buildTestApp();
    const health = await app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'up' });

    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });

    const spec = await app.inject({ url: '/docs/json' });
    assert.equal(spec.statusCode, 200);
    assert.ok(spec.json().paths['/readyz'], 'the OpenAPI document lists /readyz');
    assert.equal(health.headers['x-content-type-options'], 'nosniff');
  });

  it('reports not ready when the database is gone', async () => {
    const { app, db } = await buildTestApp();
    await db.prisma.$disconnect();
    // The adapter reconnects on demand, so take the database away for real.
    const { adminQuery } = await import('../helpers/test-server.js');
    await adminQuery(process.env.PAPERMAIL_TEST_SERVER_URL!, `ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    await adminQuery(
      process.env.PAPERMAIL_TEST_SERVER_URL!,
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
      [db.name],
    );
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    await adminQuery(process.env.PAPERMAIL_TEST_SERVER_URL!, `ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
  });
});
