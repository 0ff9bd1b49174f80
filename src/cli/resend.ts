// `papermail resend --date D --to a@b.c [--to …]` or `papermail resend --date D --failed`: the admin API's resend
// from the command line. Queues the resends (same rules: unknown addresses, inactive readers and recent resends are
// reported and skipped), then sends them and waits until each is sent or failed (up to SEND_WAIT_LIMIT_MS).
import type { Command } from 'commander';
import { parseDay } from '../dates.js';
import { parseEmailAddress } from '../subscriptions/email-address.js';
import { CliError, withRuntime } from './runtime.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

interface ResendOptions {
  date?: string;
  to: string[];
  failed?: boolean;
  idempotencyKey?: string;
}

export function registerResend(program: Command): void {
  program
    .command('resend')
    .description("resend a day's digest to some readers, or to every reader whose delivery failed, and wait for it")
    .option('--date <YYYY-MM-DD>', 'the day whose digest to resend')
    .option(
      '--to <address>',
      'a reader to resend to (repeat for more)',
      (value, list: string[]) => [...list, value],
      [],
    )
    .option('--failed', 'resend to every reader whose delivery that day failed')
    .option('--idempotency-key <key>', 'run the same command again with this key and nothing is queued twice')
    .action(async (opts: ResendOptions) => {
      const target = checkOptions(opts);
      await withRuntime(async ({ services }) => {
        const admin = services.admin.digests;
        const report = await admin.resend('cli', opts.date!, target, { idempotencyKey: opts.idempotencyKey });
        const n = report.queued.length;
        out(
          `${report.date}: ${n} ${n === 1 ? 'resend' : 'resends'} queued, ${report.unknown.length} unknown, ` +
            `${report.skipped.length} skipped${report.replayed ? ' (the answer to an earlier run with this key)' : ''}`,
        );
        for (const q of report.queued) out(`queued  ${q.email}  delivery ${q.deliveryId} (resend of ${q.resendOf})`);
        for (const u of report.unknown) out(`unknown ${u.email}: ${u.reason}`);
        for (const s of report.skipped) out(`skipped ${s.email}: ${s.reason}`);

        const states = await admin.sendQueued(report);
        const emailOf = new Map(report.queued.map((q) => [q.deliveryId, q.email]));
        for (const s of states) {
          const why = s.status === 'sent' ? '' : s.lastError ? `: ${s.lastError}` : '';
          out(`${s.status.padEnd(7)} ${emailOf.get(s.id)}  delivery ${s.id}${why}`);
        }
        const problems: string[] = [];
        const failed = states.filter((s) => s.status === 'failed').length;
        const open = states.filter((s) => s.status === 'pending' || s.status === 'sending').length;
        if (report.unknown.length > 0)
          problems.push(`${report.unknown.length} unknown ${plural(report.unknown.length)}`);
        if (failed > 0) problems.push(`${failed} ${failed === 1 ? 'resend' : 'resends'} failed`);
        if (open > 0) problems.push(`${open} still pending (retries not due yet)`);
        if (problems.length > 0) throw new CliError(`${report.date}: ${problems.join(', ')}`);
      });
    });
}

/** Checks the options before anything is opened, so a typo fails at once with one line. */
function checkOptions(opts: ResendOptions): { emails: string[] } | { failed: true } {
  if (!opts.date) throw new CliError('give --date YYYY-MM-DD');
  try {
    parseDay(opts.date);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (opts.failed && opts.to.length > 0)
    throw new CliError('give either --to ADDRESS (one or more) or --failed, not both');
  if (opts.failed) return { failed: true };
  if (opts.to.length === 0) throw new CliError('give --to ADDRESS (repeat for more) or --failed');
  for (const address of opts.to) {
    try {
      parseEmailAddress(address);
    } catch (err) {
      throw new CliError(`--to ${address}: ${(err as Error).message}`);
    }
  }
  return { emails: opts.to };
}

function plural(n: number): string {
  return n === 1 ? 'address' : 'addresses';
}
