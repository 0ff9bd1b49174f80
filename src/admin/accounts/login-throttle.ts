// Wrong passwords at the dashboard's sign-in, counted per account and per client address in Postgres (a fleet of
// instances shares the count, and a restart does not reset it). Past the limit within the window the key is locked
// for a while and every sign-in for it is answered 429, right or wrong, so guessing gains nothing.
import type { PrismaClient } from '../../db/client.js';

/** Wrong passwords a key may collect within WINDOW before it is locked: a typo or two, never a guessing run. */
export const LOGIN_FAILURE_LIMIT = 10;
const WINDOW_MS = 15 * 60_000;
/** How long a locked key stays locked. */
export const LOGIN_LOCK_MS = 15 * 60_000;

/** The throttle keys of one sign-in attempt: the account asked for and the address asking. */
export function throttleKeys(emailKey: string, address: string): string[] {
  return [`account:${emailKey}`, `address:${address}`];
}

/** When the latest lock among `keys` ends, or undefined when none is locked. */
export async function lockedUntil(prisma: PrismaClient, keys: string[]): Promise<Date | undefined> {
  const rows = await prisma.$queryRaw<{ until: Date | null }[]>`
    SELECT max(locked_until) AS until FROM login_throttle WHERE key = ANY(${keys}::text[]) AND locked_until > now()`;
  return rows[0]?.until ?? undefined;
}

/**
 * Counts one wrong password against each key, in one statement per key that relies on the row's own window: a window
 * older than WINDOW starts over at 1; reaching the limit sets the lock.
 */
export async function recordLoginFailure(prisma: PrismaClient, keys: string[]): Promise<void> {
  for (const key of keys) {
    await prisma.$executeRaw`
      INSERT INTO login_throttle (key, failures, window_started_at, locked_until)
      VALUES (${key}, 1, now(), CASE WHEN 1 >= ${LOGIN_FAILURE_LIMIT} THEN now() + ${LOGIN_LOCK_MS} * interval '1 millisecond' END)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_throttle.window_started_at < now() - ${WINDOW_MS} * interval '1 millisecond'
                        THEN 1 ELSE login_throttle.failures + 1 END,
        window_started_at = CASE WHEN login_throttle.window_started_at < now() - ${WINDOW_MS} * interval '1 millisecond'
                                 THEN now() ELSE login_throttle.window_started_at END,
        locked_until = CASE
          WHEN login_throttle.window_started_at >= now() - ${WINDOW_MS} * interval '1 millisecond'
               AND login_throttle.failures + 1 >= ${LOGIN_FAILURE_LIMIT}
          THEN now() + ${LOGIN_LOCK_MS} * interval '1 millisecond'
          ELSE login_throttle.locked_until END`;
  }
}

/** A right password clears the account's count (the address keeps its own: one good account is no cover). */
export async function clearLoginFailures(prisma: PrismaClient, accountKey: string): Promise<void> {
  await prisma.$executeRaw`DELETE FROM login_throttle WHERE key = ${accountKey}`;
}
