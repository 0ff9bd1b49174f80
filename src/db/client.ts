import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

export { Prisma } from '../generated/prisma/client.js';
export type { PrismaClient };

const pools = new WeakMap<PrismaClient, pg.Pool>();

/** The one Prisma client of a process, over a node-postgres pool (no native query engine needed). */
export function createPrismaClient(connectionString: string, poolSize = 10): PrismaClient {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(prisma, pool);
  return prisma;
}

/**
 * The node-postgres pool under a client made by createPrismaClient, for the one statement per few messages on the
 * sender's hot path (the "sent" marks). Measured here: $executeRaw costs ~0.3 ms of CPU per statement, a prepared
 * statement on the pool ~0.07 ms, and marks written soon after each send are thousands of statements per run.
 */
export function poolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('this Prisma client was not made by createPrismaClient');
  return pool;
}
