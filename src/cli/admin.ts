// `papermail admin add EMAIL [--role admin|viewer] [--password-stdin]` and `papermail admin remove EMAIL`: the
// dashboard's accounts. Without --password-stdin a password is generated and printed once; only its hash is kept.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { ADMIN_ROLES, type AdminRole, MIN_PASSWORD_LENGTH } from '../admin/accounts/admin-accounts.js';
import { parseEmailAddress } from '../subscriptions/email-address.js';
import { CliError, withRuntime } from './runtime.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description("the web dashboard's accounts (sign-in at /admin)");

  admin
    .command('add <email>')
    .description('add an account; prints a one-time password unless --password-stdin')
    .option('--role <role>', 'admin (may change things) or viewer (sees everything, changes nothing)', 'admin')
    .option('--password-stdin', 'read the password from standard input (one line) instead of generating one')
    .action(async (email: string, opts: { role: string; passwordStdin?: boolean }) => {
      if (!ADMIN_ROLES.includes(opts.role as AdminRole)) {
        throw new CliError(`--role must be admin or viewer (got "${opts.role}")`);
      }
      checkAddress(email);
      const password = opts.passwordStdin ? await readPasswordFromStdin() : randomBytes(18).toString('base64url');
      // Checked before the database is opened, so a typo fails at once (the service checks again).
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new CliError(`The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`);
      }
      await withRuntime(async ({ services }) => {
        const account = await services.admin.accounts.add('cli', email, opts.role as AdminRole, password);
        out(`added ${account.email} (${account.role}): sign in at ${services.config.publicUrl}/admin/login`);
        if (!opts.passwordStdin) out(`one-time password (shown only now): ${password}`);
      });
    });

  admin
    .command('remove <email>')
    .description('remove an account and sign out all its sessions')
    .action(async (email: string) => {
      checkAddress(email);
      await withRuntime(async ({ services }) => {
        const removed = await services.admin.accounts.remove('cli', email);
        out(`removed ${email} (${removed.sessions} ${removed.sessions === 1 ? 'session' : 'sessions'} signed out)`);
      });
    });
}

function checkAddress(email: string): void {
  try {
    parseEmailAddress(email);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** The first line of standard input, without its line end (`printf %s "$PW" | …` and `echo "$PW" | …` both work). */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('--password-stdin reads a password piped in; none was');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new CliError('--password-stdin got an empty password');
  return line;
}
