// F3: reader tokens and addresses never reach the log. The review found them in the "incoming request" lines
// (L01); here every token route, the admin address lookups, a route that does not exist, an over-long and a
// badly escaped token, and a line at every level are logged, and not one line holds a token or the address.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newToken } from '../../src/subscriptions/tokens.js';
import { auth, buildSecurityWorld, FORM } from './security-world.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

describe('F3: tokens and addresses in the log', () => {
  it('redacts token path segments and email= values in every line, at every level', async () => {
    const world = await buildSecurityWorld({}, 'trace');
    const { token, email } = world.reader;
    const confirmToken = newToken();
    await world.db.prisma.subscriber.update({
      where: { id: world.reader.id },
      data: { confirmToken, confirmExpiresAt: new Date(Date.now() + 86_400_000) },
    });
    const requests = [
      { url: `/preferences/${token}` },
      { url: `/unsubscribe/${token}` },
      { url: `/api/preferences/${token}` },
      { url: `/confirm/${confirmToken}` },
      { url: `/preferences/${token}/no-such-page` },
      { url: `/preferences/${token}?email=${encodeURIComponent(email)}` },
      { url: `/unsubscribe/${token}%zz` },
      { url: `/preferences/${token.repeat(30)}` },
      { url: `/unsubscribe/${token}`, method: 'POST' as const, headers: FORM, payload: 'List-Unsubscribe=One-Click' },
      { url: `/api/admin/subscribers?email=${encodeURIComponent(email)}`, headers: auth },
      { url: `/api/admin/subscribers.csv?status=active&email=${email}`, headers: auth },
      { url: `/api/admin/digests/2026-07-31/preview?email=${encodeURIComponent(email)}`, headers: auth },
      { url: `/api/admin/digests/2026-07-31/deliveries?EMAIL=${email}`, headers: auth },
    ];
    for (const request of requests) await world.app.inject(request);
    // Whatever else logs a URL, at any level, in the message, in fields or in an error's message and stack.
    for (const level of LEVELS) {
      const url = `/preferences/${token}?email=${email}`;
      world.services.log[level]({ url, err: new Error(`failed at ${url}`) }, `${level}: GET /confirm/${confirmToken}`);
    }

    const leaks = world.logs.filter((l) =>
      [token, confirmToken, email, encodeURIComponent(email)].some((secret) => l.raw.includes(secret)),
    );
    assert.deepEqual(
      leaks.map((l) => l.raw),
      [],
    );
    // The lines are there, redacted: the requests were logged, at every level.
    const urls = world.logs.map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean);
    assert.ok(urls.includes('/preferences/<token>'), urls.join('\n'));
    assert.ok(urls.includes('/api/preferences/<token>'));
    assert.ok(urls.includes('/confirm/<token>'));
    assert.ok(urls.includes('/api/admin/subscribers?email=<redacted>'));
    assert.ok(urls.includes('/api/admin/subscribers.csv?status=active&email=<redacted>'));
    assert.ok(urls.includes('/api/admin/digests/2026-07-31/deliveries?EMAIL=<redacted>'));
    assert.ok(urls.includes('/preferences/<token>/no-such-page'));
    assert.deepEqual(
      LEVELS.map((level) => world.logs.some((l) => l.msg === `${level}: GET /confirm/<token>`)),
      LEVELS.map(() => true),
    );
    const errorLine = world.logs.find((l) => l.msg === 'error: GET /confirm/<token>');
    assert.match(
      String((errorLine?.err as { stack?: string } | undefined)?.stack),
      /failed at \/preferences\/<token>\?email=<redacted>/,
    );
  });
});
