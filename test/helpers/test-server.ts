// Finds the Postgres server tests run against and builds the migrated template database every test file clones.
// TEST_DATABASE_URL or DATABASE_URL names a server; without either, an embedded Postgres under .data/test serves.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { type EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrateDatabase, migrationNames, projectRoot } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';

/** A name that changes whenever a migration does, so a stale template is never used. */
export function templateName(): string {
  const hash = createHash('sha256');
  for (const name of migrationNames()) {
    hash.update(name);
    hash.update(readFileSync(path.join(projectRoot, 'prisma/migrations', name, 'migration.sql')));
  }
  return `papermail_template_${hash.digest('hex').slice(0, 12)}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery<T extends pg.QueryResultRow = pg.QueryResultRow>(
  serverUrl: string,
  sql: string,
  params: unknown[] = [],
): Promise<pg.QueryResult<T>> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await client.query<T>(sql, params);
  } finally {
    await client.end();
  }
}

/** Creates the template database if missing: migrated once, then renamed into place so others never see half. */
export async function ensureTemplate(serverUrl: string): Promise<string> {
  const name = templateName();
  const found = await adminQuery(serverUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount) return name;
  const building = `${name}_${process.pid}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${building}"`);
  await migrateDatabase(withDatabase(serverUrl, building));
  try {
    await adminQuery(serverUrl, `ALTER DATABASE "${building}" RENAME TO "${name}"`);
  } catch {
    // Another run built it first.
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${building}"`);
  }
  return name;
}

export interface TestServer {
  url: string;
  embedded?: EmbeddedServer;
}

export async function resolveTestServer(): Promise<TestServer> {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url) return { url };
  const embedded = await startEmbeddedPostgres(path.join(projectRoot, '.data/test'), createLogger('warn'), 'postgres');
  return { url: embedded.url, embedded };
}
