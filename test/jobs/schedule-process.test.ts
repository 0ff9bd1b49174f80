import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/database.js';
import { startServers } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

describe('the schedule in `npm start`', () => {
  it('two server processes on one database run each fire once, and finish the running job on SIGTERM', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-schedule-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    // Each fire runs the real daily job: today's papers come from the bundled day file (no network here).
    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      SCHEDULER: 'on',
      DIGEST_CRON: '* * * * * *',
      SOURCE: `file:${path.resolve('prisma/seed/daily-papers-2026-07-31.json')}`,
    };
    const servers = await startServers([env, env]);
    await waitUntil(
      'four finished runs',
      async () => (await db.prisma.run.count({ where: { status: 'done' } })) >= 4,
      30_000,
    );
    for (const s of servers) s.child.kill('SIGTERM');
    const results = await Promise.all(servers.map((s) => s.done));

    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /scheduler started/);
      assert.match(result.stdout, /scheduler stopped/);
    }
    const runs = await db.prisma.run.findMany();
    assert.deepEqual(
      runs.filter((r) => r.status !== 'done'),
      [],
      'no run was left running or failed: shutdown waited for it',
    );
    const fires = await db.prisma.lease.count({
      where: { key: { startsWith: 'daily-digest:' }, doneAt: { not: null } },
    });
    assert.equal(runs.length, fires, 'one run per fire across both processes');
    assert.ok(runs.some((r) => r.trigger === 'schedule'));
    assert.equal(await db.prisma.digest.count(), 1, 'every fire of the day made the one digest of the day');
  });
});
