// The audit log: every admin action, what, when, by whom, with which parameters and what came of it (invariant 6).
// Entries name readers by id, never by address, so erasing a reader leaves nothing personal behind in the log.
import type { Prisma, PrismaClient } from '../db/client.js';
import { errors, isPapermailError } from '../errors.js';

/** Who did it: the admin API says which address the request came from; the CLI says "cli". */
export type Actor = string;

export interface AuditInput {
  actor: Actor;
  action: string;
  params?: Record<string, unknown>;
  result?: unknown;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actor: string;
  action: string;
  params: unknown;
  result: unknown;
}

type Db = PrismaClient | Prisma.TransactionClient;

/** Writes one audit entry, inside the caller's transaction when given one. */
export async function recordAudit(db: Db, entry: AuditInput): Promise<void> {
  await db.auditEntry.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      params: toJson(entry.params ?? {}),
      result: entry.result === undefined ? undefined : toJson(entry.result),
    },
  });
}

/**
 * Runs an admin action in one transaction and records it: on success the entry commits with the change, so no
 * change is ever without its entry; on failure the change rolls back and an entry with the error is written instead.
 * `work` returns the value for the caller and the result to keep in the log (ids and counts, not addresses).
 */
export async function runAudited<T>(
  prisma: PrismaClient,
  entry: Omit<AuditInput, 'result'>,
  work: (tx: Prisma.TransactionClient) => Promise<{ value: T; result: unknown }>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  try {
    return await prisma.$transaction(
      async (tx) => {
        const { value, result } = await work(tx);
        await recordAudit(tx, { ...entry, result });
        return value;
      },
      { timeout: options.timeoutMs ?? 15_000, maxWait: 10_000 },
    );
  } catch (err) {
    const known = isPapermailError(err) ? err : errors.internal('the action failed; see the server log');
    const error = { error: known.code, message: known.message };
    // The failure the caller sees matters more than its entry: a database that is down fails both.
    await recordAudit(prisma, { ...entry, result: error }).catch(() => undefined);
    throw err;
  }
}

/** The newest entries first, optionally of one action only. */
export async function listAudit(
  prisma: PrismaClient,
  query: { action?: string; limit: number; offset: number },
): Promise<{ total: number; entries: AuditEntryView[] }> {
  const where = query.action ? { action: query.action } : {};
  const [total, rows] = await Promise.all([
    prisma.auditEntry.count({ where }),
    prisma.auditEntry.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: query.limit,
      skip: query.offset,
    }),
  ]);
  return {
    total,
    entries: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      params: r.params,
      result: r.result,
    })),
  };
}

/** NUL and unpaired surrogates: text Postgres refuses in jsonb. */
const NOT_IN_JSONB = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Dates become ISO strings and undefined disappears, as JSON would have it. Postgres refuses NUL and unpaired
 * surrogates in jsonb, and an entry must always be writable (it may record the very input that held them), so
 * those become U+FFFD in the entry.
 */
function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null), (_key, v: unknown) =>
    typeof v === 'string' ? v.replace(NOT_IN_JSONB, '\uFFFD') : v,
  ) as Prisma.InputJsonValue;
}
