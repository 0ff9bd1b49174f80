// Keeps the leases of the deliveries a sender holds (claimed, not yet recorded) alive, so no other sender takes them
// over while this one is still working on them, including while a "sent" mark waits for Postgres to come back.
import type { PrismaClient } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { extendClaims } from '../delivery-claims.js';

export interface LeaseHeartbeat {
  /** No beat after this; resolves once a beat under way has finished, so nothing is renewed after it resolves. */
  stop(): Promise<void>;
}

export interface LeaseHeartbeatOptions {
  prisma: PrismaClient;
  claimer: string;
  leaseMs: number;
  /** The ids held right now, read at every beat. */
  held: () => number[];
  log: Logger;
}

/** Renews the held leases every third of the lease. A failed beat is logged; the next one tries again. */
export function startLeaseHeartbeat(o: LeaseHeartbeatOptions): LeaseHeartbeat {
  let beating: Promise<void> | undefined;
  const beat = () => {
    if (beating) return; // Postgres is slow: one beat at a time, never a pile of them
    const ids = o.held();
    if (ids.length === 0) return;
    beating = extendClaims(o.prisma, o.claimer, ids, o.leaseMs)
      .catch((err) => o.log.warn({ err, claimer: o.claimer, held: ids.length }, 'could not extend claims'))
      .finally(() => {
        beating = undefined;
      });
  };
  const timer = setInterval(beat, Math.max(50, Math.floor(o.leaseMs / 3)));
  return {
    async stop() {
      clearInterval(timer);
      await beating;
    },
  };
}
