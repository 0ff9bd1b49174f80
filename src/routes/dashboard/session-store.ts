// @fastify/session's store, on the accounts service: sessions live in Postgres (every instance of a fleet knows
// them, a restart signs nobody out) and each request reads the admin afresh, so a removed account or a changed role
// counts at once.
import type { SessionStore } from '@fastify/session';
import type { AdminAccounts, SignedInAdmin } from '../../admin/accounts/admin-accounts.js';

declare module 'fastify' {
  interface Session {
    /** Set at sign-in; a session without it is nobody's. */
    adminId?: number;
    /** Read from the account at each request (not stored in the session). */
    admin?: SignedInAdmin;
  }
}

/** The session cookie's name (path /admin). */
export const SESSION_COOKIE = 'papermail_admin';

export function createSessionStore(accounts: AdminAccounts, maxAgeMs: number): SessionStore {
  return {
    set(sessionId, session, callback) {
      // A session is regenerated at sign-in before it names anyone: nothing to keep until it does.
      if (session.adminId === undefined) return callback();
      const expires = session.cookie.expires ?? new Date(Date.now() + maxAgeMs);
      accounts.sessions.save(sessionId, session.adminId, new Date(expires)).then(() => callback(), callback);
    },
    get(sessionId, callback) {
      accounts.sessions.find(sessionId).then((admin) => {
        if (!admin) return callback(null, null);
        // The cookie part is rebuilt from the plugin's options; expiry is the database's to say.
        callback(null, { adminId: admin.id, admin } as never);
      }, callback);
    },
    destroy(sessionId, callback) {
      accounts.sessions.destroy(sessionId).then(() => callback(), callback);
    },
  };
}
