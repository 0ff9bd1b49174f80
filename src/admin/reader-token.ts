import { randomBytes } from 'node:crypto';

/**
 * A new token for a reader's links: 256 random bits, never derived from the address. The reader service makes its
 * tokens the same way; at merge both should use one function.
 */
export function newReaderToken(): string {
  return randomBytes(32).toString('base64url');
}
