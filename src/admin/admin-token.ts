// The admin API's one credential: `Authorization: Bearer <ADMIN_TOKEN>`.
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A checker for Authorization headers. Both sides are hashed first so that timingSafeEqual compares equal-length
 * digests: the time taken says nothing about the token, not even its length.
 */
export function createAdminTokenCheck(adminToken: string): (authorization: string | undefined) => boolean {
  const expected = digest(adminToken);
  return (authorization) => {
    const match = /^Bearer ([^\s]+)\s*$/i.exec(authorization ?? '');
    // A missing or malformed header still costs one comparison, like a wrong token.
    const given = digest(match?.[1] ?? '');
    return timingSafeEqual(given, expected) && match !== null;
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
