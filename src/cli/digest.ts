// `papermail digest --date D [--dry-run]`: prepare and send one day's digest from the command line, and wait until
// every delivery is sent or failed for good (retries included, up to SEND_WAIT_LIMIT_MS).
import type { Command } from 'commander';
import { parseDay, today } from '../dates.js';
import type { DeliveryCounts } from '../digest/delivery-counts.js';
import type { PrepareReport } from '../digest/prepare-digest.js';
import type { Services } from '../services.js';
import { CliError, withRuntime } from './runtime.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

export function registerDigest(program: Command): void {
  program
    .command('digest')
    .description("match a day's papers to every active reader and send the digest (exit 1 if any failed or is left)")
    .option('--date <YYYY-MM-DD>', 'the day whose list to send (default: today in DIGEST_TIMEZONE)')
    .option('--dry-run', 'print who would get which papers; write and send nothing')
    .action(async (opts: { date?: string; dryRun?: boolean }) => {
      await withRuntime(async ({ config, services }) => {
        const day = opts.date ?? today(config.scheduler.timezone);
        try {
          parseDay(day);
        } catch (err) {
          throw new CliError((err as Error).message);
        }
        if (opts.dryRun) return printDryRun(await services.digests.prepare(day, { dryRun: true }));
        // A past day's readers' hours have all gone by: runDay makes everything due at once.
        await sendDay(services, day);
      });
    });
}

function describeDay(r: PrepareReport): string {
  return (
    `${r.day}: ${r.papers} papers listed, ${r.readers} active readers without a digest yet, ` +
    `${r.interests.topics} topics and ${r.interests.keywords} keywords matched once each (${r.matchMs} ms)`
  );
}

function printDryRun(report: PrepareReport): void {
  if (report.papers === 0) {
    out(`${report.day}: no papers are listed that day (ingest it first): nobody would get a digest`);
    return;
  }
  out(describeDay(report));
  const titles = new Map(report.dayPapers?.map((p) => [p.id, p.title]));
  for (const plan of report.plans ?? []) {
    const note =
      plan.matches.note === 'trending'
        ? ' (no topics chosen: top trending)'
        : plan.matches.note === 'no-match'
          ? ' (nothing matched: top three)'
          : '';
    out(`${plan.email} — ${plan.paperIds.length} ${plan.paperIds.length === 1 ? 'paper' : 'papers'}${note}`);
    plan.paperIds.forEach((id, i) => {
      const why = plan.matches.why[id] ?? [];
      out(`   ${i + 1}. ${titles.get(id) ?? id}${why.length ? `  [${why.join(', ')}]` : ''}`);
    });
  }
  for (const email of report.unmatched ?? []) out(`${email} — nothing matches today: no email`);
  out('dry run: nothing was written or sent');
}

async function sendDay(services: Services, day: string): Promise<void> {
  const bar = process.stdout.isTTY ? startProgressBar(services, day) : undefined;
  let report: Awaited<ReturnType<Services['digests']['runDay']>>;
  try {
    report = await services.digests.runDay(day, { trigger: 'cli' });
  } finally {
    await bar?.stop();
  }
  const { prepare, counts } = report;
  if (prepare.papers === 0) {
    out(`${day}: no papers are listed that day (ingest it first): nothing to send`);
    return;
  }
  out(describeDay(prepare));
  out(
    `deliveries: ${prepare.created} prepared now` +
      (prepare.noMatch ? `, ${prepare.noMatch} readers with no match today get nothing` : ''),
  );
  const c = counts!;
  const waiting = c.pending - c.scheduled + c.sending;
  out(
    `sent ${c.sent} · failed ${c.failed} · skipped ${c.skipped} · pending ${waiting} ` +
      (c.scheduled ? `· due later at the readers' hours ${c.scheduled} ` : '') +
      `(of ${c.total}, in ${(report.timings.totalMs / 1000).toFixed(1)} s)`,
  );
  const problems: string[] = [];
  if (c.failed > 0) problems.push(`${c.failed} ${c.failed === 1 ? 'delivery' : 'deliveries'} failed`);
  if (waiting > 0) problems.push(`${waiting} still pending (retries not due yet)`);
  if (problems.length > 0) throw new CliError(`${day}: ${problems.join(', ')}`);
}

/** A one-line bar on a terminal, fed by the database (so it also counts other senders' work). */
function startProgressBar(services: Services, day: string): { stop(): Promise<void> } {
  let last: DeliveryCounts | undefined;
  const draw = (c: DeliveryCounts) => {
    const done = c.sent + c.failed + c.skipped;
    const width = 30;
    const filled = c.total ? Math.round((done / c.total) * width) : 0;
    process.stdout.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${c.total} ` +
        `sent ${c.sent} · failed ${c.failed} · pending ${c.pending + c.sending}   `,
    );
  };
  const tick = async () => {
    const c = await services.digests.counts(day).catch(() => undefined);
    if (!c || c.total === 0) return;
    last = c;
    draw(c);
  };
  const timer = setInterval(() => void tick(), 500);
  return {
    async stop() {
      clearInterval(timer);
      await tick();
      if (last) process.stdout.write('\n');
    },
  };
}
