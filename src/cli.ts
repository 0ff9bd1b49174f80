// The papermail command line: the same services as the HTTP app, one command per job.
import { Command, CommanderError } from 'commander';
import { registerAdmin } from './cli/admin.js';
import { registerDemo } from './cli/demo.js';
import { registerDigest } from './cli/digest.js';
import { registerIngest } from './cli/ingest.js';
import { registerMigrate } from './cli/migrate.js';
import { registerResend } from './cli/resend.js';
import { reportCliError } from './cli/runtime.js';

const program = new Command()
  .name('papermail')
  .description('Daily email digest of trending AI papers')
  .showHelpAfterError()
  .exitOverride();

registerMigrate(program);
registerDemo(program);
registerIngest(program);
registerDigest(program);
registerResend(program);
registerAdmin(program);

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.exit(reportCliError(err));
}
