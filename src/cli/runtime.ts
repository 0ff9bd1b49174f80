// What every CLI command needs: config, logger, database and services, opened once and closed on the way out.
import { type Config, ConfigError, loadConfig, readEnv } from '../config.js';
import { type Database, openDatabase } from '../db/database.js';
import { isPapermailError } from '../errors.js';
import { onShutdownSignal } from '../lifecycle.js';
import { createLogger, type Logger } from '../logger.js';
import { createServices, type Services } from '../services.js';

export interface Runtime {
  config: Config;
  log: Logger;
  db: Database;
  services: Services;
}

/** A failure the CLI reports as one line and a non-zero exit, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function loadCliConfig(overrides: Record<string, string> = {}): Config {
  try {
    return loadConfig({ ...readEnv(), ...overrides });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`configuration error: ${err.message}`);
    throw err;
  }
}

/** Runs `fn` with an open runtime and closes everything afterwards, also on Ctrl-C. */
export async function withRuntime<T>(
  fn: (rt: Runtime) => Promise<T>,
  options: { logLevel?: string; env?: Record<string, string> } = {},
): Promise<T> {
  const config = loadCliConfig(options.env);
  // CLI output is for people; logs go to stderr at warn unless LOG_LEVEL says more.
  const log = createLogger(options.logLevel ?? (config.logLevel === 'info' ? 'warn' : config.logLevel));
  const db = await openDatabase(config, log);
  const services = createServices({ config, log, prisma: db.prisma, databaseUrl: db.url });
  const close = async () => {
    await services.close();
    await db.close();
  };
  onShutdownSignal(log, close);
  try {
    return await fn({ config, log, db, services });
  } finally {
    await close();
  }
}

/** Turns any error into the one line a person reads and the exit code a script checks. */
export function reportCliError(err: unknown): number {
  if (err instanceof CliError) {
    process.stderr.write(`papermail: ${err.message}\n`);
    return err.exitCode;
  }
  if (isPapermailError(err)) {
    process.stderr.write(`papermail: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`papermail: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}
