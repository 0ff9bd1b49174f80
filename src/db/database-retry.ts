// A Postgres blip (a failover, a restart, a terminated session) must not end a send or lose a state change: the
// statements the sender and the run log write are conditional and safe to repeat, so they are retried with backoff
// for a bounded time. Anything that is not a lost connection (a bug, a constraint) fails at once.
import type { Logger } from '../logger.js';
import { sleep } from '../sleep.js';

/** SQLSTATEs of a lost or refused connection: class 08, admin/crash shutdown, cannot connect now, too many clients. */
const TRANSIENT_SQLSTATE = /^(08...|57P0[123]|53300)$/;
/** What the driver adapter calls a connection that is gone or never came. */
const TRANSIENT_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Prisma's own codes for the same: cannot reach, timed out, server closed the connection, no pool slot in time. */
const TRANSIENT_PRISMA = new Set(['P1001', 'P1002', 'P1017', 'P2024']);
/** node-postgres errors without a code when the socket goes away under a query. */
const TRANSIENT_MESSAGE =
  /Connection terminated|connection (is |was )?closed|ECONNRESET|ECONNREFUSED|terminating connection/i;

/** True when `err` says the connection to Postgres failed, not the statement: the same statement may succeed again. */
export function isTransientDatabaseError(err: unknown): boolean {
  const e = err as {
    code?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string; originalCode?: string } } };
    cause?: unknown;
  } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (TRANSIENT_PRISMA.has(e.code) || TRANSIENT_SQLSTATE.test(e.code))) return true;
  const cause = e.meta?.driverAdapterError?.cause;
  if (cause) {
    if (cause.kind && TRANSIENT_KINDS.has(cause.kind)) return true;
    const state = cause.originalCode ?? cause.code;
    if (typeof state === 'string' && TRANSIENT_SQLSTATE.test(state)) return true;
  }
  if (typeof e.message === 'string' && TRANSIENT_MESSAGE.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isTransientDatabaseError(e.cause);
}

export interface DatabaseRetry {
  /** How long to keep trying, from the first failure. */
  budgetMs: number;
  log: Logger;
  /** Stops waiting between attempts (the last error is thrown). */
  signal?: AbortSignal;
}

/**
 * Runs `write` and, while it fails for a lost connection, runs it again with backoff (50 ms doubling to 2 s) until it
 * succeeds or `budgetMs` has passed since the first failure; then the last error is thrown. Only for statements that
 * are safe to repeat: conditional updates that name the state they expect, reads.
 */
export async function retryOnDatabaseBlip<T>(what: string, write: () => Promise<T>, o: DatabaseRetry): Promise<T> {
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await write();
      if (attempt > 1) o.log.info({ what, attempt }, 'database write went through after a retry');
      return result;
    } catch (err) {
      firstFailure ??= Date.now();
      const left = firstFailure + o.budgetMs - Date.now();
      if (!isTransientDatabaseError(err) || left <= 0 || o.signal?.aborted) throw err;
      const delay = Math.min(50 * 2 ** (attempt - 1), 2000, left);
      o.log.warn({ err, what, attempt, retryInMs: delay }, 'database connection failed: retrying');
      await sleep(delay, o.signal);
    }
  }
}
