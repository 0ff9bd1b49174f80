// What the security tests share: the real app on a fresh database with the topic catalog, mail to a real SMTP sink,
// every log line it writes captured, and the checks each finding's test makes after a hostile input: nothing in the
// database changed, no mail went out, no 5xx was logged.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import pg from 'pg';
import { createLogger } from '../../src/logger.js';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { addReader, auth } from '../admin/admin-helpers.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.js';

export { auth };

export interface LogLine {
  level: number;
  msg?: string;
  raw: string;
  [key: string]: unknown;
}

export interface SecurityWorld extends TestApp {
  sink: SmtpSink;
  /** Every line the app's logger wrote, raw and parsed. */
  logs: LogLine[];
  /** A confirmed, active reader with topics and keywords: the usual victim. */
  reader: { id: number; email: string; token: string };
}

/** The app on a fresh database, logging at `logLevel` into `world.logs`. */
export async function buildSecurityWorld(env: Record<string, string> = {}, logLevel = 'info'): Promise<SecurityWorld> {
  const sink = await startSmtpSink({ closeAfter: false });
  const logs: LogLine[] = [];
  const log = createLogger(logLevel, {
    write(raw: string) {
      logs.push({ ...(JSON.parse(raw) as { level: number }), raw });
    },
  });
  const world = await buildTestApp(
    { SMTP_URL: sink.url, PUBLIC_URL: 'https://papers.example.org', SIGNUP_RATE_LIMIT: '100000', ...env },
    { log },
  );
  after(() => sink.close());
  await seedTopics(world.db.prisma);
  const email = 'victim@example.org';
  const id = await addReader(world.db.prisma, { email, topics: ['agents'], keywords: ['world model'], maxPapers: 7 });
  const { token } = await world.db.prisma.subscriber.findUniqueOrThrow({ where: { id }, select: { token: true } });
  return { ...world, sink, logs, reader: { id, email, token } };
}

/** Every row of every table, as JSON, to compare before and after an input. */
export async function snapshot(world: TestApp, options: { except?: string[] } = {}): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: world.db.url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_prisma%'
       ORDER BY 1`,
    );
    const out: Record<string, unknown> = {};
    for (const { name } of tables.rows) {
      if (options.except?.includes(name)) continue;
      const rows = await client.query(`SELECT * FROM "${name}" ORDER BY 1`);
      out[name] = JSON.parse(JSON.stringify(rows.rows));
    }
    return out;
  } finally {
    await client.end();
  }
}

/** Log lines at error level or above, or about a 5xx answer. */
export function serverErrorsIn(logs: readonly LogLine[]): LogLine[] {
  return logs.filter((l) => l.level >= 50 || /"statusCode":5\d\d/.test(l.raw));
}

/**
 * Runs `input` and checks what a clean refusal leaves behind: the database as it was (audit_log aside, when an
 * admin action records its own refusal), no mail after a moment for background work, and no 5xx in the log.
 */
export async function assertRefusedCleanly<T>(
  world: SecurityWorld,
  input: () => Promise<T>,
  options: { auditMayChange?: boolean } = {},
): Promise<T> {
  const except = options.auditMayChange ? ['audit_log'] : [];
  const before = await snapshot(world, { except });
  const mailsBefore = world.sink.messages.length;
  const logsBefore = world.logs.length;
  const result = await input();
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(await snapshot(world, { except }), before, 'the database did not change');
  assert.equal(world.sink.messages.length, mailsBefore, 'no mail went out');
  assert.deepEqual(serverErrorsIn(world.logs.slice(logsBefore)), [], 'no 5xx was logged');
  return result;
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** An urlencoded form body; arrays repeat the field. */
export function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}
