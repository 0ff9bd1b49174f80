// CSRF protection for the forms on token pages, with no cookie and no server state: each form carries
//   <issued-at seconds>.<HMAC-SHA256(secret, "papermail-csrf-v1:<binding>:<issued-at>")>
// where the binding names the form and the link token it belongs to ("save:<token>", "pause:<token>",
// "confirm:<token>" …). A value made for one reader's page does not work on another's, nor on another form, and it
// expires after MAX_AGE_SECONDS. Exactly one spelling of a value is accepted: the one issueCsrfToken writes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';

export const CSRF_FIELD = 'csrf';
const MAX_AGE_SECONDS = 24 * 3600;
const CLOCK_SKEW_SECONDS = 300;
/** Seconds without leading zeros, then the MAC in base64url (32 bytes, 43 characters). */
const SHAPE = /^(0|[1-9]\d{0,11})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, binding: string, issuedAt: number): Buffer {
  return createHmac('sha256', secret).update(`papermail-csrf-v1:${binding}:${issuedAt}`).digest();
}

/** A fresh CSRF value for a form bound to `binding`. */
export function issueCsrfToken(secret: string, binding: string, now = Date.now()): string {
  const issuedAt = Math.floor(now / 1000);
  return `${issuedAt}.${mac(secret, binding, issuedAt).toString('base64url')}`;
}

/** Throws a 403 that says what is wrong unless `value` is a valid, unexpired CSRF value for `binding`. */
export function checkCsrfToken(secret: string, binding: string, value: unknown, now = Date.now()): void {
  if (typeof value !== 'string' || value === '') {
    throw errors.forbidden('The form came without its security token. Reload the page and try again.');
  }
  const match = SHAPE.exec(value);
  const issuedAt = Number(match?.[1]);
  // Compared as text, not as decoded bytes: the last base64url character has two spare bits, and a value whose
  // spare bits differ would decode to the same MAC.
  const given = Buffer.from(match?.[2] ?? '');
  const expected = Buffer.from(mac(secret, binding, issuedAt).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw errors.forbidden("The form's security token is not valid for this page. Reload the page and try again.");
  }
  const age = Math.floor(now / 1000) - issuedAt;
  if (age > MAX_AGE_SECONDS) {
    throw errors.forbidden('The form is too old (over a day). Reload the page and try again.');
  }
  if (age < -CLOCK_SKEW_SECONDS) {
    throw errors.forbidden("The form's security token is dated in the future. Reload the page and try again.");
  }
}
