import type { Command } from 'commander';
import { daysBetween, parseDay } from '../dates.js';
import { isPapermailError } from '../errors.js';
import { parseSourceSpec } from '../ingest/create-paper-source.js';
import type { IngestReport } from '../ingest/ingest-service.js';
import { CliError, loadCliConfig, withRuntime } from './runtime.js';

interface IngestOptions {
  date?: string;
  from?: string;
  to?: string;
  source?: string;
}

/** The days asked for, checked before anything is opened, so a typo fails at once. */
function daysToIngest(options: IngestOptions): string[] {
  if (options.date !== undefined) {
    if (options.from !== undefined || options.to !== undefined) {
      throw new CliError('give either --date or --from and --to, not both');
    }
    parseDay(options.date);
    return [options.date.trim()];
  }
  if (options.from === undefined || options.to === undefined) {
    throw new CliError('give --date YYYY-MM-DD, or a range with --from YYYY-MM-DD --to YYYY-MM-DD');
  }
  const days = daysBetween(options.from.trim(), options.to.trim());
  if (days.length > 366) throw new CliError(`the range has ${days.length} days; ingest at most a year at once`);
  return days;
}

function describe(r: IngestReport): string[] {
  const lines = [
    `${r.day} ${r.source}: ${r.fetched} fetched, ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged, ` +
      `${r.skipped.length} skipped (${r.newPapers} papers new to the database)`,
  ];
  for (const s of r.skipped) lines.push(`  skipped ${s.id ?? '(no id)'}: ${s.reason}`);
  return lines;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description("fetch a day's trending papers (or a range of days) and store them")
    .option('--date <day>', 'the day to ingest, YYYY-MM-DD')
    .option('--from <day>', 'first day of a range, YYYY-MM-DD')
    .option('--to <day>', 'last day of a range, YYYY-MM-DD')
    .option('--source <source>', 'huggingface, arxiv or file:PATH (default: SOURCE, else huggingface)')
    .action(async (options: IngestOptions) => {
      const days = daysToIngest(options);
      const source = options.source ?? loadCliConfig().sources.default;
      parseSourceSpec(source);
      await withRuntime(async ({ services }) => {
        for (const day of days) {
          try {
            const report = await services.ingest.ingestDay(day, source);
            for (const line of describe(report)) process.stdout.write(`${line}\n`);
          } catch (err) {
            // Days before this one are stored (each day is its own transaction); say which day failed.
            if (isPapermailError(err)) throw new CliError(`${day}: ${err.message}`);
            throw err;
          }
        }
      });
    });
}
