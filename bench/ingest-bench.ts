// `npm run bench:ingest`: how long storing papers takes, network aside.
//   1. 5,000 papers with their listings upserted into a fresh database: as one day (one transaction), the same
//      again with new upvotes (the update path), and as a backfill of 100 days x 50 papers.
//   2. One real 60-paper day (items of the saved Hugging Face days) through the file source, as `papermail ingest
//      --source file:…` does it: first ingest, then a re-run.
// Runs against TEST_DATABASE_URL / DATABASE_URL (a server; a scratch database is created and dropped) or, with
// neither set, an embedded Postgres under .data/test.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createPrismaClient } from '../src/db/client.js';
import { projectRoot } from '../src/db/migrate.js';
import { createIngestService } from '../src/ingest/ingest-service.js';
import type { FetchedListing } from '../src/ingest/paper-source.js';
import { readDailyPapers } from '../src/ingest/read-hf-daily-papers.js';
import { storeDay } from '../src/ingest/store-day.js';
import { createLogger } from '../src/logger.js';
import { adminQuery, ensureTemplate, resolveTestServer, withDatabase } from '../test/helpers/test-server.js';

type Item = { paper: Record<string, unknown>; numComments?: number; [key: string]: unknown };

const fixtureDir = path.join(projectRoot, 'test/fixtures/hf-daily-papers');
const savedItems: Item[] = readdirSync(fixtureDir)
  .sort()
  .flatMap((f) => JSON.parse(readFileSync(path.join(fixtureDir, f), 'utf8')) as Item[]);

/** `count` realistic items: real titles, abstracts, authors and links from the saved days, under new ids. */
function syntheticItems(count: number, idPrefix: string, upvoteSeed = 0): Item[] {
  return Array.from({ length: count }, (_, i) => {
    const item = structuredClone(savedItems[i % savedItems.length]!);
    item.paper.id = `${idPrefix}.${String(i).padStart(5, '0')}`;
    item.paper.upvotes = (i * 7919 + upvoteSeed) % 500;
    return item;
  });
}

function listingsOf(items: Item[], day: string): FetchedListing[] {
  const read = readDailyPapers(items, day, 'file');
  if (read.skipped.length > 0) throw new Error(`unexpected skipped items: ${JSON.stringify(read.skipped[0])}`);
  return read.listings;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const out = (line: string) => process.stdout.write(`${line}\n`);

const server = await resolveTestServer();
const template = await ensureTemplate(server.url);
const name = `papermail_bench_${randomBytes(4).toString('hex')}`;
await adminQuery(server.url, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
const url = withDatabase(server.url, name);
const prisma = createPrismaClient(url, 5);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'papermail-bench-'));

try {
  out(`Postgres: ${server.embedded ? 'embedded' : 'from TEST_DATABASE_URL / DATABASE_URL'}; scratch database ${name}`);
  const load = os.loadavg().map((l) => l.toFixed(1));
  out(`machine: ${os.cpus().length} CPUs, load average ${load.join(' ')}`);
  await prisma.$queryRaw`SELECT 1`;

  // 1. 5,000 papers.
  const items = syntheticItems(5000, '2901');
  const [listings, parseMs] = await timed(async () => listingsOf(items, '2029-01-15'));
  const [inserted, insertMs] = await timed(() => storeDay(prisma, '2029-01-15', 'file', listings));
  out(`\n5,000 papers + listings, one day, one transaction (fresh database)`);
  out(`  parse and validate:        ${ms(parseMs)}`);
  out(`  insert:                    ${ms(insertMs)}  (${inserted.created} listings, ${inserted.newPapers} papers)`);
  const relisted = listingsOf(syntheticItems(5000, '2901', 13), '2029-01-15');
  const [updated, updateMs] = await timed(() => storeDay(prisma, '2029-01-15', 'file', relisted));
  out(
    `  re-run with new upvotes:   ${ms(updateMs)}  (${updated.updated} updated, ${updated.unchanged} unchanged listings)`,
  );
  const [same, sameMs] = await timed(() => storeDay(prisma, '2029-01-15', 'file', relisted));
  out(`  identical re-run:          ${ms(sameMs)}  (${same.unchanged} unchanged)`);

  const backfill = syntheticItems(5000, '2902');
  const [, backfillMs] = await timed(async () => {
    for (let d = 0; d < 100; d++) {
      const day = new Date(Date.UTC(2029, 1, 1) + d * 86_400_000).toISOString().slice(0, 10);
      await storeDay(prisma, day, 'file', listingsOf(backfill.slice(d * 50, (d + 1) * 50), day));
    }
  });
  out(`  as 100 days x 50 papers:   ${ms(backfillMs)}  (${ms(backfillMs / 100)} a day, one transaction each)`);

  // 2. A real 60-paper day through the file source.
  const realDay = ['2026-07-31', '2026-07-30', '2026-07-29']
    .flatMap((d) => JSON.parse(readFileSync(path.join(fixtureDir, `${d}.json`), 'utf8')) as Item[])
    .slice(0, 60);
  const file = path.join(tmp, 'day-60.json');
  writeFileSync(file, JSON.stringify(realDay));
  const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: url, SECRET: 'x'.repeat(32), DATA_DIR: tmp });
  const ingest = createIngestService({ prisma, config, log: createLogger('silent') });
  const firsts: number[] = [];
  const reruns: number[] = [];
  for (let run = 0; run < 7; run++) {
    // Each run a fresh day, so the first ingest inserts 60 listings (papers are new only on run 0).
    const day = `2026-09-${String(run + 1).padStart(2, '0')}`;
    const [report, firstMs] = await timed(() => ingest.ingestDay(day, `file:${file}`));
    if (report.created !== 60) throw new Error(`expected 60 new listings, got ${report.created}`);
    firsts.push(firstMs);
    reruns.push((await timed(() => ingest.ingestDay(day, `file:${file}`)))[1]);
  }
  out(`\nA real 60-paper day via the file source (read file + parse + one transaction), 7 runs`);
  out(`  first ingest, new papers:  ${ms(firsts[0]!)}`);
  out(`  first ingest of a day:     median ${ms(median(firsts.slice(1)))} (papers already known)`);
  out(`  re-run of the same day:    median ${ms(median(reruns))}`);
} finally {
  await prisma.$disconnect();
  await adminQuery(server.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  rmSync(tmp, { recursive: true, force: true });
  await server.embedded?.stop();
}
