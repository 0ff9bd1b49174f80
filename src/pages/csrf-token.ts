// CSRF protection for the forms on token pages, with no cookie and no server state: each form carries
//   <issued-at seconds>.<HMAC-SHA256(secret, "papermail-csrf-v1:<binding>:<issued-at>")>
// where the binding names the form and the link token it belongs to ("preferences:<token>"). A value made for one
// reader's page does not work on another's, nor on another form, and it expires after MAX_AGE_SECONDS.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';

export const CSRF_FIELD = 'csrf';
const MAX_AGE_SECONDS = 24 * 3600;
const CLOCK_SKEW_SECONDS = 300;

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
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  const issuedAt = Number(match?.[1]);
  const given = Buffer.from(match?.[2] ?? '', 'base64url');
  if (given.length !== 32 || !timingSafeEqual(given, mac(secret, binding, issuedAt))) {
    throw errors.forbidden("The form's security token is not valid for this page. Reload the page and try again.");
  }
  const age = Math.floor(now / 1000) - issuedAt;
  if (age > MAX_AGE_SECONDS || age < -CLOCK_SKEW_SECONDS) {
    throw errors.forbidden('The form is too old (over a day). Reload the page and try again.');
  }
}
