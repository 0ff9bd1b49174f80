import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { buildServer } from '../../src/app.js';
import { createServices } from '../../src/services.js';
import { buildTestApp, TEST_ADMIN_TOKEN, testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { auth } from './admin-helpers.js';

const UNAUTHORIZED = { error: 'PAPERMAIL_ERR_UNAUTHORIZED', message: 'Unauthorized.' };

describe('admin access', () => {
  it('answers 401 and nothing else without the token, with a wrong one, or with another scheme', async () => {
    const { app, db } = await buildTestApp();
    const attempts: Record<string, string | undefined> = {
      missing: undefined,
      wrong: 'Bearer not-the-admin-token-at-all',
      'one character short': `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}`,
      'one character more': `Bearer ${TEST_ADMIN_TOKEN}x`,
      'basic scheme': `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}`,
      'bare token': TEST_ADMIN_TOKEN,
      'empty bearer': 'Bearer ',
    };
    const requests = [
      { method: 'GET' as const, url: '/api/admin/subscribers' },
      { method: 'GET' as const, url: '/api/admin/subscribers?limit=not-a-number' },
      { method: 'GET' as const, url: '/api/admin/subscribers.csv' },
      { method: 'DELETE' as const, url: '/api/admin/subscribers/1' },
      { method: 'GET' as const, url: '/api/admin/audit' },
      { method: 'POST' as const, url: '/api/admin/topics', payload: { slug: 'x' } },
    ];
    for (const [label, authorization] of Object.entries(attempts)) {
      for (const request of requests) {
        const res = await app.inject({ ...request, headers: authorization ? { authorization } : {} });
        assert.equal(res.statusCode, 401, `${label}: ${request.method} ${request.url}`);
        // The same bare answer whatever was wrong: no hint about the token, the route or the parameters.
        assert.deepEqual(res.json(), UNAUTHORIZED, `${label}: ${request.method} ${request.url}`);
        assert.equal(res.headers['www-authenticate'], 'Bearer');
      }
    }
    const csv = await app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { 'content-type': 'text/csv', authorization: 'Bearer wrong-token-wrong-token' },
      payload: 'email\nada@example.org\n',
    });
    assert.equal(csv.statusCode, 401);
    assert.equal(await db.prisma.subscriber.count(), 0, 'nothing was imported');
    assert.equal(await db.prisma.auditEntry.count(), 0, 'refused requests are not admin actions');

    const ok = await app.inject({ url: '/api/admin/subscribers', headers: auth });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { total: 0, limit: 50, offset: 0, subscribers: [] });
    assert.equal(ok.headers['cache-control'], 'no-store');
    const lowerCase = await app.inject({
      url: '/api/admin/topics',
      headers: { authorization: `bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(lowerCase.statusCode, 200, 'the scheme name is case-insensitive (RFC 7235)');
  });

  it('has no admin routes when ADMIN_TOKEN is not set, and says so in the log at start', async () => {
    const db = await createTestDatabase();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = testConfig({ ADMIN_TOKEN: '', LOG_LEVEL: 'info' }, db);
    assert.equal(config.adminToken, undefined);
    const services = createServices({ config, log: pino({ level: 'info' }, sink), prisma: db.prisma });
    const app = await buildServer(services);
    await app.ready();
    after(async () => {
      await app.close();
      await services.close();
    });
    assert.ok(
      lines.some((l) => JSON.parse(l).msg === 'admin API is off: set ADMIN_TOKEN to turn on /api/admin'),
      lines.join(''),
    );
    for (const url of ['/api/admin/subscribers', '/api/admin/topics', '/api/admin/audit']) {
      const withToken = await app.inject({ url, headers: auth });
      assert.equal(withToken.statusCode, 404, url);
    }
    const spec = (await app.inject({ url: '/docs/json' })).json();
    assert.ok(
      !Object.keys(spec.paths).some((p) => p.startsWith('/api/admin')),
      'no admin routes in the OpenAPI document',
    );
  });

  it('marks every admin route with the admin bearer scheme in the OpenAPI document', async () => {
    const { app } = await buildTestApp();
    const spec = (await app.inject({ url: '/docs/json' })).json();
    assert.deepEqual(spec.components.securitySchemes.admin, { type: 'http', scheme: 'bearer' });
    const adminPaths = Object.entries(spec.paths as Record<string, Record<string, { security?: unknown }>>).filter(
      ([p]) => p.startsWith('/api/admin'),
    );
    assert.ok(adminPaths.length >= 7, `admin paths: ${adminPaths.map(([p]) => p).join(', ')}`);
    for (const [p, operations] of adminPaths) {
      for (const [method, operation] of Object.entries(operations)) {
        assert.deepEqual(operation.security, [{ admin: [] }], `${method} ${p}`);
      }
    }
  });
});
