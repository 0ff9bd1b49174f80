// node-cron's RunCoordinator on Postgres: one lease row per scheduled fire decides which instance of a fleet runs it.
// node-cron asks `shouldRun("<task name>:<fire time ISO>", ttlMs)` on every instance at every fire. The first
// instance to insert the row wins; the others find it and stand down. A lease expires unless its holder renews it,
// so a holder that died mid-run blocks nothing: the next fire has a key of its own, and catch-up on start may take
// over the dead one's unfinished lease. A lease with done_at set is never taken again.
// Row claims in one statement, not session advisory locks: Prisma's pool may run lock and unlock on different
// connections.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunCoordinator } from 'node-cron';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logger.js';

export interface LeaseCoordinator extends RunCoordinator {
  /** Who this instance is in the leases table. */
  readonly holder: string;
  shouldRun(key: string, ttlMs: number): Promise<boolean>;
  /** Marks the fire done, or gives the lease back when `fail(key)` was called for it. */
  onComplete(key: string): Promise<void>;
  /** Says that the run of a held key did not finish, so its lease is given back on completion, not marked done. */
  fail(key: string): void;
  /** The keys this instance holds right now (claimed, not yet completed). */
  heldKeys(): string[];
  /** Resolves when this instance holds no lease. */
  idle(): Promise<void>;
  /** Stops renewing; later claims answer false and later completions are left to expire. */
  close(): void;
}

export interface LeaseCoordinatorOptions {
  prisma: PrismaClient;
  log: Logger;
  /** Defaults to host/pid/random, unique per coordinator. */
  holder?: string;
  /** Attempts at a claim before node-cron is told it failed (it then skips the fire: fail-closed). */
  claimAttempts?: number;
  claimRetryMs?: number;
}

interface Held {
  ttlMs: number;
  renewal: NodeJS.Timeout;
  failed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createLeaseCoordinator(options: LeaseCoordinatorOptions): LeaseCoordinator {
  const { prisma, log } = options;
  const holder = options.holder ?? newHolderName();
  const attempts = options.claimAttempts ?? 3;
  const retryMs = options.claimRetryMs ?? 500;
  const held = new Map<string, Held>();
  let waiters: Array<() => void> = [];
  let closed = false;

  // Times come from the database clock (UTC, as Prisma stores TIMESTAMP columns) so instances with skewed clocks
  // agree on when a lease expires.
  async function claim(key: string, ttlMs: number): Promise<boolean> {
    const rows = await prisma.$queryRaw<{ key: string }[]>`
      INSERT INTO leases (key, holder, acquired_at, expires_at)
      VALUES (${key}, ${holder}, now() AT TIME ZONE 'UTC',
              (now() AT TIME ZONE 'UTC') + ${ttlMs}::int * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE
        SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
        WHERE leases.done_at IS NULL AND leases.expires_at <= EXCLUDED.acquired_at
      RETURNING key`;
    return rows.length === 1;
  }

  async function renew(key: string, ttlMs: number): Promise<void> {
    const count = await prisma.$executeRaw`
      UPDATE leases SET expires_at = (now() AT TIME ZONE 'UTC') + ${ttlMs}::int * interval '1 millisecond'
      WHERE key = ${key} AND holder = ${holder} AND done_at IS NULL`;
    if (count === 0) log.warn({ key, holder }, 'lease lost while running: another instance may take this fire over');
  }

  /** Forgets a held key, after its row is written, so idle() means "every lease is settled in the database". */
  function forget(key: string): void {
    held.delete(key);
    if (held.size === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  }

  return {
    holder,

    async shouldRun(key, ttlMs) {
      if (closed) return false;
      for (let attempt = 1; ; attempt++) {
        try {
          if (!(await claim(key, ttlMs))) return false;
          break;
        } catch (err) {
          // A database blip at fire time would otherwise skip the day's run on every instance.
          if (attempt >= attempts) throw err;
          log.warn({ err, key, attempt }, 'lease claim failed: retrying');
          await sleep(retryMs * attempt);
        }
      }
      // Renew well before expiry so a long run keeps its lease; unref: a pending renewal never holds the process up.
      const renewal = setInterval(
        () => {
          if (closed) clearInterval(renewal);
          else renew(key, ttlMs).catch((err) => log.warn({ err, key }, 'lease renewal failed'));
        },
        Math.max(50, Math.floor(ttlMs / 3)),
      );
      renewal.unref();
      held.set(key, { ttlMs, renewal, failed: false });
      return true;
    },

    async onComplete(key) {
      const h = held.get(key);
      if (!h) return;
      clearInterval(h.renewal);
      try {
        if (closed) return; // after close the lease simply expires: a restart may make the fire up
        if (h.failed) {
          // Give it back at once (not done): catch-up on the next start makes the fire up.
          await prisma.$executeRaw`
            UPDATE leases SET expires_at = now() AT TIME ZONE 'UTC'
            WHERE key = ${key} AND holder = ${holder} AND done_at IS NULL`;
        } else {
          await prisma.$executeRaw`
            UPDATE leases SET done_at = now() AT TIME ZONE 'UTC' WHERE key = ${key} AND holder = ${holder}`;
        }
      } finally {
        forget(key);
      }
    },

    fail(key) {
      const h = held.get(key);
      if (h) h.failed = true;
    },

    heldKeys: () => [...held.keys()],

    idle() {
      if (held.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },

    close() {
      closed = true;
      for (const h of held.values()) clearInterval(h.renewal);
    },
  };
}

/**
 * Deletes a task's leases older than the fire `keepFromKey` names and expired for a week. Catch-up only ever
 * looks at the most recent fire, so older rows are history; a week of it stays for whoever reads the table.
 */
export async function deleteOldLeases(prisma: PrismaClient, taskName: string, keepFromKey: string): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM leases
    WHERE starts_with(key, ${`${taskName}:`}) AND key COLLATE "C" < ${keepFromKey} COLLATE "C"
      AND expires_at < (now() AT TIME ZONE 'UTC') - interval '7 days'`;
}

/** A name for this instance in the leases table: host/pid/random, so two schedulers in one process differ too. */
export function newHolderName(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** The key node-cron gives a fire: "<task name>:<fire time as ISO 8601 UTC>". */
export function leaseKey(taskName: string, fire: Date): string {
  return `${taskName}:${fire.toISOString()}`;
}
