import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimitState, retryAfterMs, serverWaitMs } from '../../src/ingest/rate-limit-headers.js';

describe('rate-limit headers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-07-31T07:00:00Z');
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '30' }), now), 30_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Fri, 31 Jul 2026 07:01:00 GMT' }), now), 60_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterMs(new Headers(), now), undefined);
  });

  it("reads Hugging Face's RateLimit header and the older draft forms", () => {
    assert.deepEqual(rateLimitState(new Headers({ ratelimit: '"api";r=0;t=55' })), { remaining: 0, resetMs: 55_000 });
    assert.deepEqual(rateLimitState(new Headers({ ratelimit: 'limit=500, remaining=12, reset=40' })), {
      remaining: 12,
      resetMs: 40_000,
    });
    assert.deepEqual(rateLimitState(new Headers({ 'ratelimit-remaining': '3', 'ratelimit-reset': '9' })), {
      remaining: 3,
      resetMs: 9_000,
    });
    assert.equal(serverWaitMs(new Headers({ 'retry-after': '2', ratelimit: '"api";r=0;t=55' })), 2_000);
  });
});
