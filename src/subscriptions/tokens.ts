// Reader tokens: the only thing a link carries. 32 random bytes (256 bits) in base64url, so they cannot be guessed,
// say nothing about the address, and are safe in a URL path. A string that cannot be a token (not base64url, or
// shorter than 128 bits) is refused before any database work, and callers answer it exactly like an unknown token.
import { randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;
/** At least 128 bits (22 characters); tokens made elsewhere (admin imports) may differ in length. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22,128}$/;

/** A fresh random token (256 bits, 43 base64url characters). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether `text` could be a token at all (the shape only: it may still be unknown). */
export function isWellFormedToken(text: unknown): text is string {
  return typeof text === 'string' && TOKEN_SHAPE.test(text);
}
