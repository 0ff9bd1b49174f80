// Reader tokens: the only thing a link carries. 24 random bytes (192 bits) in base64url, so they cannot be guessed,
// say nothing about the address, and are safe in a URL path. A string that does not have this shape is refused
// before any database work, and callers answer it exactly like an unknown token.
import { randomBytes } from 'node:crypto';

const TOKEN_BYTES = 24;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

/** A fresh random token (192 bits, 32 base64url characters). */
export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Whether `text` could be a token at all (the shape only: it may still be unknown). */
export function isWellFormedToken(text: unknown): text is string {
  return typeof text === 'string' && TOKEN_SHAPE.test(text);
}
