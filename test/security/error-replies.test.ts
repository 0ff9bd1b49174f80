// The one rule for error answers (errors.ts, toErrorReply): a 5xx is logged with its cause and answered with a code
// and a plain "it failed", never its details; the framework's own client errors get stable PAPERMAIL_ERR_ codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors, INTERNAL_MESSAGE, toErrorReply } from '../../src/errors.js';
import { adminQuery } from '../helpers/test-server.js';
import { auth, buildSecurityWorld, serverErrorsIn } from './security-world.js';

describe('error answers', () => {
  it('logs a 5xx with its cause and tells the client only that it failed', async () => {
    const world = await buildSecurityWorld();
    const server = process.env.PAPERMAIL_TEST_SERVER_URL!;
    // Take the database away for real: the adapter would reconnect after a mere disconnect.
    await adminQuery(server, `ALTER DATABASE "${world.db.name}" ALLOW_CONNECTIONS false`);
    await adminQuery(server, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
      world.db.name,
    ]);
    try {
      const api = await world.app.inject({ url: '/api/topics' });
      assert.equal(api.statusCode, 500);
      assert.deepEqual(api.json(), { error: 'PAPERMAIL_ERR_INTERNAL', message: INTERNAL_MESSAGE });
      const page = await world.app.inject({ url: '/' });
      assert.equal(page.statusCode, 500);
      assert.match(page.body, /Something went wrong on our side\. Please try again later\./);
      assert.doesNotMatch(page.body, /connect|database|prisma|at [^ ]+\.ts/i);
    } finally {
      await adminQuery(server, `ALTER DATABASE "${world.db.name}" ALLOW_CONNECTIONS true`);
    }
    const logged = world.logs.filter((l) => l.level >= 50);
    assert.deepEqual(
      logged.map((l) => l.msg),
      ['request failed', 'page request failed'],
    );
    for (const line of logged) assert.ok((line.err as { stack?: string }).stack, 'the cause is in the log');
  });

  it("keeps a source's failure message for the operator on /ingest, and never the details", async () => {
    const world = await buildSecurityWorld({ HF_BASE_URL: 'http://127.0.0.1:9', HTTP_RETRIES: '0' });
    const response = await world.app.inject({
      method: 'POST',
      url: '/api/admin/ingest',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ date: '2026-07-31', source: 'huggingface' }),
    });
    assert.equal(response.statusCode, 503, response.body);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['error', 'message']);
    assert.equal(body.error, 'PAPERMAIL_ERR_SOURCE_UNAVAILABLE');
    assert.match(body.message, /Hugging Face/);
    assert.deepEqual(
      world.logs.filter((l) => l.level >= 50).map((l) => l.msg),
      ['request failed'],
      'and it is logged',
    );

    // Anywhere else, a 5xx PapermailError says only that it failed.
    const failure = errors.sourceUnavailable('Hugging Face is down at http://10.0.0.7/internal', { retries: 3 });
    assert.deepEqual(toErrorReply(failure).body, {
      error: 'PAPERMAIL_ERR_SOURCE_UNAVAILABLE',
      message: INTERNAL_MESSAGE,
    });
    assert.equal(toErrorReply(new TypeError('x is undefined')).statusCode, 500);
    assert.deepEqual(toErrorReply(errors.unknownTopic('Unknown topic "x"', { unknown: ['x'] })).body, {
      error: 'PAPERMAIL_ERR_UNKNOWN_TOPIC',
      message: 'Unknown topic "x"',
      details: { unknown: ['x'] },
    });
  });

  it("answers the framework's client errors with stable codes", async () => {
    const world = await buildSecurityWorld();
    const post = (headers: Record<string, string>, payload: string) =>
      world.app.inject({ method: 'POST', url: '/api/subscriptions', headers, payload });
    const big = await post({ 'content-type': 'application/json' }, JSON.stringify({ email: 'x'.repeat(2_000_000) }));
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error, 'PAPERMAIL_ERR_PAYLOAD_TOO_LARGE');
    const media = await post({ 'content-type': 'multipart/form-data; boundary=x' }, '--x--');
    assert.equal(media.statusCode, 415);
    assert.equal(media.json().error, 'PAPERMAIL_ERR_UNSUPPORTED_MEDIA_TYPE');
    const broken = await post({ 'content-type': 'application/json' }, '{email:');
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error, 'PAPERMAIL_ERR_BAD_REQUEST');
    const nowhere = await world.app.inject({ url: '/no/such/page' });
    assert.deepEqual(nowhere.json(), {
      error: 'PAPERMAIL_ERR_NOT_FOUND',
      message: 'There is nothing at this address.',
    });
    assert.deepEqual(serverErrorsIn(world.logs), []);
  });
});
