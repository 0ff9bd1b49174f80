// Applies prisma/migrations with Prisma's own `migrate deploy` (JS schema engine, no downloads), but only when a
// migration is pending: the CLI costs seconds, and after finishing it lingers ~10 s holding sockets, so once it
// prints its verdict we stop it instead of waiting.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { projectRoot } from '../project-root.js';

export { projectRoot };

const migrationsDir = path.join(projectRoot, 'prisma/migrations');

export function migrationNames(): string[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** The migrations in prisma/migrations that the database has not finished applying. */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('public._prisma_migrations') AS t`);
    if (exists.rows[0].t === null) return migrationNames();
    const done = await client.query(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const applied = new Set(done.rows.map((r: { migration_name: string }) => r.migration_name));
    return migrationNames().filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

/** Runs `prisma migrate deploy` against the database when something is pending. Returns what was applied. */
export async function migrateDatabase(databaseUrl: string, log?: Logger): Promise<string[]> {
  const pending = await pendingMigrations(databaseUrl);
  if (pending.length === 0) return [];
  log?.info({ pending }, 'applying database migrations');
  await runPrismaDeploy(databaseUrl);
  const still = await pendingMigrations(databaseUrl);
  if (still.length > 0) throw new Error(`migrations still pending after deploy: ${still.join(', ')}`);
  return pending;
}

function runPrismaDeploy(databaseUrl: string): Promise<void> {
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'migrate', 'deploy'], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let verdict: 'ok' | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/All migrations have been successfully applied|No pending migrations to apply/.test(output)) {
        verdict = 'ok';
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => {
      if (verdict === 'ok' || code === 0) resolve();
      else reject(new Error(`prisma migrate deploy failed (exit ${code}):\n${output.trim()}`));
    });
  });
}
