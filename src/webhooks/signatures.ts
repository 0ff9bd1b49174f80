// Shared pieces of webhook authentication: constant-time comparison and the freshness of a signed timestamp.
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';

/** Compares two secrets without leaking, by timing, how much of them matched (or their lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function unsigned(provider: string, why: string) {
  return errors.unauthorized(`This ${provider} webhook request is not signed by the configured key: ${why}.`);
}

/** A signed timestamp (seconds) must be near now, so a captured request cannot be replayed days later. */
export function checkFresh(provider: string, timestamp: string | undefined, maxAgeSeconds: number, now: Date) {
  const seconds = Number(timestamp);
  if (!timestamp || !Number.isFinite(seconds)) throw unsigned(provider, 'the timestamp is missing');
  if (Math.abs(now.getTime() / 1000 - seconds) > maxAgeSeconds) throw unsigned(provider, 'the timestamp is stale');
}
