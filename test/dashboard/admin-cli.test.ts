// `papermail admin add` and `papermail admin remove`, run as the operator would, against a real database; the
// accounts they make sign in to the dashboard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from '../helpers/app.js';
import { runCli, runCliWithInput } from '../helpers/process.js';
import { postSignIn } from './dashboard-helpers.js';

describe('papermail admin', () => {
  it('adds accounts (password from stdin, or a printed one-time password), refuses bad input, removes them', async () => {
    const { app, db } = await buildTestApp();
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://papers.example.org' };
    const password = 'a long passphrase for ops';

    const added = await runCliWithInput(['admin', 'add', 'Ops@Example.org', '--password-stdin'], env, `${password}\n`);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(
      added.stdout,
      'added Ops@example.org (admin): sign in at https://papers.example.org/admin/login\n',
      'no password is printed when it came from stdin',
    );
    const ops = await db.prisma.adminAccount.findUniqueOrThrow({ where: { emailKey: 'ops@example.org' } });
    assert.equal(ops.role, 'admin');
    assert.match(ops.passwordHash, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal((await postSignIn(app, 'ops@example.org', password)).res.statusCode, 303);

    const viewer = await runCli(['admin', 'add', 'watcher@example.org', '--role', 'viewer'], env);
    assert.equal(viewer.code, 0, viewer.stderr);
    const oneTime = /one-time password \(shown only now\): ([\w-]{24})\n$/.exec(viewer.stdout)?.[1];
    assert.ok(oneTime, viewer.stdout);
    assert.equal((await postSignIn(app, 'watcher@example.org', oneTime)).res.statusCode, 303);
    assert.equal(
      (await db.prisma.adminAccount.findUniqueOrThrow({ where: { emailKey: 'watcher@example.org' } })).role,
      'viewer',
    );

    const refusals: [string[], string | undefined, RegExp][] = [
      [
        ['admin', 'add', 'ops@example.org', '--password-stdin'],
        'another long password',
        /ops@example\.org already has an admin account/,
      ],
      [
        ['admin', 'add', 'short@example.org', '--password-stdin'],
        'too short\n',
        /The password is too short: use at least 12 characters\./,
      ],
      [
        ['admin', 'add', 'x@example.org', '--role', 'owner'],
        undefined,
        /--role must be admin or viewer \(got "owner"\)/,
      ],
      [['admin', 'add', 'not an address'], undefined, /This email address cannot be used/],
      [['admin', 'remove', 'nobody@example.org'], undefined, /nobody@example\.org has no admin account\./],
    ];
    for (const [args, input, message] of refusals) {
      const res = input === undefined ? await runCli(args, env) : await runCliWithInput(args, env, input);
      assert.equal(res.code, 1, args.join(' '));
      assert.match(res.stderr, message);
      assert.doesNotMatch(res.stderr, /\n\s+at /, 'one line, no stack trace');
    }
    assert.equal(await db.prisma.adminAccount.count(), 2, 'nothing was added by the refused commands');

    const removed = await runCli(['admin', 'remove', 'watcher@example.org'], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'removed watcher@example.org (1 session signed out)\n');
    assert.equal(await db.prisma.adminAccount.count({ where: { emailKey: 'watcher@example.org' } }), 0);

    const audit = await db.prisma.auditEntry.findMany({ where: { actor: 'cli' }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      audit.map((a) => [a.action, a.params]),
      [
        ['admin.add', { email: 'Ops@example.org', role: 'admin' }],
        ['admin.add', { email: 'watcher@example.org', role: 'viewer' }],
        ['admin.add', { email: 'ops@example.org', role: 'admin' }],
        ['admin.remove', { email: 'nobody@example.org' }],
        ['admin.remove', { email: 'watcher@example.org' }],
      ],
    );
    assert.doesNotMatch(JSON.stringify(audit), /passphrase|password/i, 'no password in the log');
  });
});
