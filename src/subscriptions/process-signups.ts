// The sign-up worker's pass: claim due requests -> decide (the first time only) -> prepare the email -> send ->
// record. Any number of workers, in one process or many, can run at once: claims are disjoint (SKIP LOCKED) and
// every state change is conditional on the claim. A temporary SMTP failure (4xx, a dropped connection) is retried
// with exponential backoff, up to SEND_MAX_ATTEMPTS; a permanent one (5xx) fails the request. Either way the
// address's daily share is taken once, at the decision, and given back if no email ever goes out.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { classifySendError } from '../digest/classify-send-error.js';
import type { Logger } from '../logger.js';
import { mailDomain } from '../mail/message-options.js';
import { retryDelay } from '../mail/retry-delay.js';
import { decideSignup, type SignupDecision } from './decide-signup.js';
import { prepareSignupEmail, type SignupEmail } from './signup-email.js';
import type { SignupMail } from './signup-mail.js';
import {
  type ClaimedSignup,
  claimSignupRequests,
  extendSignupClaims,
  markSignupFinished,
  markSignupRetry,
  markSignupSent,
} from './signup-requests.js';

export interface SignupQueueReport {
  claimed: number;
  sent: number;
  /** Temporary failures put back for a later attempt. */
  retried: number;
  failed: number;
  /** Nothing to send (bounced address, daily share used up, confirmed or voided meanwhile). */
  skipped: number;
}

export interface ProcessSignupsOptions {
  /** Stop claiming; what is in flight finishes and is recorded. */
  signal?: AbortSignal;
  /** The clock decisions use (the daily share's day, the link's expiry). */
  now?: Date;
}

export interface SignupWorkerDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  mail: SignupMail;
}

type Outcome = 'sent' | 'retried' | 'failed' | 'skipped' | 'lost';

/** Processes every request due now, then returns. Requests retried for later are left for a later pass. */
export async function processSignups(
  deps: SignupWorkerDeps,
  options: ProcessSignupsOptions = {},
): Promise<SignupQueueReport> {
  const { prisma, config, log } = deps;
  const { concurrency, leaseMs } = config.send;
  const claimer = `${hostname()}:${process.pid}:signup:${randomBytes(3).toString('hex')}`;
  const domain = mailDomain(config);
  const report: SignupQueueReport = { claimed: 0, sent: 0, retried: 0, failed: 0, skipped: 0 };

  // Requests this worker holds: their leases are kept alive while they wait for a connection or the relay.
  const held = new Set<number>();
  const heartbeat = setInterval(
    () => {
      extendSignupClaims(prisma, claimer, [...held], leaseMs).catch((err) =>
        log.warn({ err }, 'sign-up queue: could not extend claims'),
      );
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  try {
    while (!options.signal?.aborted) {
      const rows = await claimSignupRequests(prisma, { claimer, limit: concurrency * 4, leaseMs, domain });
      if (rows.length === 0) break;
      // The clock of this batch's decisions: a pass that keeps finding work past midnight counts the new day.
      const now = options.now ?? new Date();
      report.claimed += rows.length;
      for (const row of rows) held.add(row.id);
      await eachConcurrently(rows, concurrency, async (row) => {
        const outcome = await processOne(deps, claimer, row, now);
        held.delete(row.id);
        if (outcome !== 'lost') report[outcome]++;
      });
    }
  } finally {
    clearInterval(heartbeat);
  }
  if (report.claimed > 0) log.info({ claimer, ...report }, 'sign-up queue: pass finished');
  return report;
}

async function processOne(deps: SignupWorkerDeps, claimer: string, row: ClaimedSignup, now: Date): Promise<Outcome> {
  const { prisma, mail } = deps;
  let email: SignupEmail;
  try {
    const decision = row.decided ? recordedDecision(row) : await decideSignup(prisma, claimer, row, now);
    if (!decision) return 'lost';
    // A decision to send nothing is final as recorded (status skipped, in the decision's own statement).
    if (decision.mail === null) return 'skipped';
    email = await prepareSignupEmail(prisma, row, decision, now);
  } catch (err) {
    return recordFailure(deps, claimer, row, err);
  }
  if ('skip' in email) {
    await record(deps, row, 'skipped', () => markSignupFinished(prisma, claimer, row.id, 'skipped', email.skip));
    return 'skipped';
  }
  try {
    await email.send(mail);
  } catch (err) {
    return recordFailure(deps, claimer, row, err);
  }
  // If this cannot be written, the lease lapses and the email goes again with the same Message-ID (crash policy).
  await record(deps, row, 'sent', () => markSignupSent(prisma, claimer, row.id));
  deps.log.info({ signupRequest: row.id }, 'sign-up queue: email sent');
  return 'sent';
}

/** The decision a previous claim recorded: a retry or a takeover after a crash does not decide (or count) again. */
function recordedDecision(row: ClaimedSignup): SignupDecision {
  if (row.subscriberId === null || row.mail === null) throw new Error(`sign-up request ${row.id} has no decision`);
  return { subscriberId: row.subscriberId, mail: row.mail, confirmToken: row.confirmToken };
}

async function recordFailure(
  deps: SignupWorkerDeps,
  claimer: string,
  row: ClaimedSignup,
  err: unknown,
): Promise<Outcome> {
  const { prisma, config, log } = deps;
  const verdict = classifySendError(err);
  if (verdict.permanent || row.attempts >= config.send.maxAttempts) {
    const reason = verdict.permanent ? verdict.reason : `gave up after ${row.attempts} attempts: ${verdict.reason}`;
    await record(deps, row, 'failed', () => markSignupFinished(prisma, claimer, row.id, 'failed', reason));
    log.warn({ signupRequest: row.id, reason }, 'sign-up queue: email failed');
    return 'failed';
  }
  const delay = retryDelay(config.send.retryBaseMs, row.attempts);
  await record(deps, row, 'retry', () => markSignupRetry(prisma, claimer, row.id, delay, verdict.reason));
  log.info(
    { signupRequest: row.id, attempt: row.attempts, retryInMs: delay, reason: verdict.reason },
    'sign-up queue: retry',
  );
  return 'retried';
}

const RECORD_TRIES = 3;
const RECORD_PAUSE_MS = 200;

/**
 * Writes an outcome, trying again after a database blip. When it still fails the row stays 'sending' and its lease
 * lapses, so another pass takes it again: nothing is lost, at worst an email goes twice.
 */
async function record(deps: SignupWorkerDeps, row: ClaimedSignup, what: string, write: () => Promise<unknown>) {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (attempt >= RECORD_TRIES) {
        deps.log.error({ err, signupRequest: row.id }, `sign-up queue: could not record ${what}; the lease will lapse`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RECORD_PAUSE_MS * attempt));
    }
  }
}

async function eachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
