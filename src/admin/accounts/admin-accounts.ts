// The dashboard's people: admin accounts (role admin or viewer), signing in with the login throttle, and the
// sessions a signed-in browser holds. The CLI adds and removes accounts; the dashboard's routes sign in and out.
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../db/client.js';
import { errors, isPapermailError } from '../../errors.js';
import { parseEmailAddress } from '../../subscriptions/email-address.js';
import { type Actor, recordAudit, runAudited } from '../audit.js';
import { clearLoginFailures, lockedUntil, recordLoginFailure, throttleKeys } from './login-throttle.js';
import { hashPassword, UNUSABLE_HASH, verifyPassword } from './password-hash.js';

export type AdminRole = 'admin' | 'viewer';
export const ADMIN_ROLES: readonly AdminRole[] = ['admin', 'viewer'];

/** Who is signed in: what the dashboard shows and checks on every request. */
export interface SignedInAdmin {
  id: number;
  email: string;
  role: AdminRole;
}

/** Passwords shorter than this are refused: a generated one is 24 characters. */
export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

export interface AdminAccounts {
  add(actor: Actor, email: string, role: AdminRole, password: string): Promise<SignedInAdmin>;
  /** Removes the account and signs out every session it has. */
  remove(actor: Actor, email: string): Promise<{ id: number; sessions: number }>;
  list(): Promise<(SignedInAdmin & { createdAt: string; lastSignInAt: string | null })[]>;
  /**
   * The account if the password is right. 429 while the account or the address is locked (whatever the password);
   * otherwise a wrong password or an unknown address is one 401 with the same words, after the same work.
   */
  signIn(email: string, password: string, address: string): Promise<SignedInAdmin>;
  sessions: {
    save(sessionId: string, adminId: number, expiresAt: Date): Promise<void>;
    /** The admin of a live session (read now, so a changed role or a removed account counts at once). */
    find(sessionId: string): Promise<SignedInAdmin | undefined>;
    destroy(sessionId: string): Promise<void>;
  };
}

/** The audit log's "who" for the dashboard: the admin by address. */
export function dashboardActor(admin: SignedInAdmin): Actor {
  return `dashboard ${admin.email}`;
}

/** Only the hash of a session id is stored: a leaked table holds no usable cookie. */
function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw errors.badRequest(`The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) throw errors.badRequest('The password is too long.');
}

export function createAdminAccounts(prisma: PrismaClient): AdminAccounts {
  return {
    async add(actor, email, role, password) {
      const { address, key } = parseEmailAddress(email);
      if (!ADMIN_ROLES.includes(role)) throw errors.badRequest(`The role must be admin or viewer (got "${role}").`);
      checkPassword(password);
      const passwordHash = await hashPassword(password);
      return runAudited(prisma, { actor, action: 'admin.add', params: { email: address, role } }, async (tx) => {
        if (await tx.adminAccount.findUnique({ where: { emailKey: key }, select: { id: true } })) {
          throw errors.conflict(`${address} already has an admin account (remove it first to start over).`);
        }
        const row = await tx.adminAccount.create({ data: { email: address, emailKey: key, passwordHash, role } });
        const value = { id: row.id, email: row.email, role: row.role };
        return { value, result: { id: row.id } };
      });
    },

    async remove(actor, email) {
      const { address, key } = parseEmailAddress(email);
      return runAudited(prisma, { actor, action: 'admin.remove', params: { email: address } }, async (tx) => {
        const account = await tx.adminAccount.findUnique({ where: { emailKey: key }, select: { id: true } });
        if (!account) throw errors.notFound(`${address} has no admin account.`);
        const sessions = await tx.adminSession.count({ where: { adminId: account.id } });
        // The sessions go with the account (ON DELETE CASCADE): a removed admin is signed out everywhere at once.
        await tx.adminAccount.delete({ where: { id: account.id } });
        return { value: { id: account.id, sessions }, result: { id: account.id, sessions } };
      });
    },

    async list() {
      const rows = await prisma.adminAccount.findMany({ orderBy: { id: 'asc' } });
      return rows.map((r) => ({
        id: r.id,
        email: r.email,
        role: r.role,
        createdAt: r.createdAt.toISOString(),
        lastSignInAt: r.lastSignInAt?.toISOString() ?? null,
      }));
    },

    async signIn(email, password, address) {
      let key: string;
      try {
        key = parseEmailAddress(email).key;
      } catch (err) {
        if (!isPapermailError(err)) throw err;
        key = String(email).trim().toLowerCase().slice(0, 254);
      }
      const keys = throttleKeys(key, address);
      const until = await lockedUntil(prisma, keys);
      if (until) {
        const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
        throw errors.tooManyRequests(
          `Too many wrong passwords: sign-in is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}.`,
          { retryAfterSeconds: Math.ceil((until.getTime() - Date.now()) / 1000) },
        );
      }
      const account = await prisma.adminAccount.findUnique({ where: { emailKey: key } });
      const ok = await verifyPassword(
        String(password).slice(0, MAX_PASSWORD_LENGTH),
        account?.passwordHash ?? UNUSABLE_HASH,
      );
      if (!account || !ok) {
        await recordLoginFailure(prisma, keys);
        throw errors.unauthorized('The email or the password is wrong.');
      }
      await clearLoginFailures(prisma, keys[0]!);
      await prisma.adminAccount.update({ where: { id: account.id }, data: { lastSignInAt: new Date() } });
      const admin = { id: account.id, email: account.email, role: account.role };
      await recordAudit(prisma, { actor: dashboardActor(admin), action: 'admin.sign-in', params: { address } });
      return admin;
    },

    sessions: {
      async save(sessionId, adminId, expiresAt) {
        const idHash = sessionKey(sessionId);
        await prisma.adminSession.upsert({
          where: { idHash },
          create: { idHash, adminId, expiresAt },
          update: { expiresAt },
        });
        // Sign-ins are rare: sweeping what has expired here keeps both tables small without a job of their own.
        await prisma.adminSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
        await prisma.$executeRaw`
          DELETE FROM login_throttle WHERE window_started_at < now() - interval '1 day'
            AND (locked_until IS NULL OR locked_until < now())`;
      },

      async find(sessionId) {
        const row = await prisma.adminSession.findUnique({
          where: { idHash: sessionKey(sessionId) },
          select: { expiresAt: true, admin: { select: { id: true, email: true, role: true } } },
        });
        if (!row || row.expiresAt.getTime() <= Date.now()) return undefined;
        return row.admin;
      },

      async destroy(sessionId) {
        await prisma.adminSession.deleteMany({ where: { idHash: sessionKey(sessionId) } });
      },
    },
  };
}
