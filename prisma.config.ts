// Prisma CLI config. The JS (WebAssembly) schema engine and the pg adapter let `prisma migrate deploy` run
// without downloading native engines, which these machines cannot do (see docs in README, "Prisma offline").
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? '' });
  },
});
