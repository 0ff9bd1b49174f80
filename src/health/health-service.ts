import type { PrismaClient } from '../db/client.js';

export interface HealthService {
  /** Whether the database answers a query within `timeoutMs`. */
  databaseReady(timeoutMs?: number): Promise<boolean>;
}

export function createHealthService(prisma: PrismaClient): HealthService {
  return {
    async databaseReady(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const query = prisma.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([query, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
