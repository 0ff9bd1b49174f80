// How long the admin's CSV import and export take for a large list of readers. Prints numbers; asserts nothing.
//   npx tsx bench/admin-import-bench.ts [readers=20000]
// Uses TEST_DATABASE_URL / DATABASE_URL (or an embedded Postgres) and a throwaway database cloned from the template.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createSubscriberAdmin } from '../src/admin/subscriber-admin.js';
import { createPrismaClient } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { topicCatalog } from '../src/topics/catalog.js';
import { seedTopics } from '../src/topics/seed-topics.js';
import { adminQuery, ensureTemplate, resolveTestServer, withDatabase } from '../test/helpers/test-server.js';

const readers = Number(process.argv[2] ?? 20000);
const server = await resolveTestServer();
const template = await ensureTemplate(server.url);
const name = `papermail_bench_${randomBytes(4).toString('hex')}`;
await adminQuery(server.url, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
const prisma = createPrismaClient(withDatabase(server.url, name));
let confirmations = 0;
const admin = {
  subscribers: createSubscriberAdmin({
    prisma,
    log: createLogger('warn'),
    sendConfirmation: async () => {
      confirmations++;
    },
  }),
};

/** Runs `fn` once and prints how long it took, and the rate when it handled every reader. */
async function time<T>(label: string, fn: () => Promise<T>, perReader = true): Promise<T> {
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  const rate = perReader ? `  ${((readers / ms) * 1000).toFixed(0)} rows/s` : '';
  process.stdout.write(`${label.padEnd(40)} ${ms.toFixed(0).padStart(7)} ms${rate}\n`);
  return value;
}

try {
  await seedTopics(prisma);
  const slugs = topicCatalog.map((t) => t.slug);
  const lines = ['email,status,topics,keywords,max_papers'];
  for (let i = 0; i < readers; i++) {
    const topics = [slugs[i % slugs.length], slugs[(i * 7) % slugs.length]].join(' ');
    lines.push(`reader${i}@example${i % 50}.org,active,${topics},"kv cache; speech ${i % 13}",${1 + (i % 30)}`);
  }
  const csv = `${lines.join('\r\n')}\r\n`;
  process.stdout.write(`${readers} readers, ${(csv.length / 1024 / 1024).toFixed(1)} MiB of CSV\n`);

  const created = await time('import, all new (confirmed)', () =>
    admin.subscribers.importCsv('bench', csv, 'confirmed'),
  );
  const again = await time('import again, nothing to change', () =>
    admin.subscribers.importCsv('bench', csv, 'confirmed'),
  );
  const changed = csv.replaceAll(',active,', ',paused,');
  const paused = await time('import again, every reader paused', () =>
    admin.subscribers.importCsv('bench', changed, 'confirmed'),
  );
  const exported = await time('export all as CSV', () => admin.subscribers.exportCsv('bench', {}));
  await time(
    'list a page, email contains "7@example3"',
    () => admin.subscribers.list({ email: '7@example3' }, { limit: 50, offset: 0 }),
    false,
  );
  process.stdout.write(
    `created ${created.created}, unchanged ${again.skipped}, updated ${paused.updated}, exported ${exported.count}, ` +
      `confirmations ${confirmations}\n`,
  );
} finally {
  await prisma.$disconnect();
  await adminQuery(server.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await server.embedded?.stop();
}
