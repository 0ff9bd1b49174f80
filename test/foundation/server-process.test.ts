import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestDatabase } from '../helpers/database.js';
import { collect, runCli, startScript, startServer } from '../helpers/process.js';

function postgresProcessesUsing(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('postgres') && line.includes(dir));
}

describe('the server process', () => {
  it('runs on a bounded heap (bin/papermail-node), which PAPERMAIL_HEAP_MB raises', async () => {
    const probe = `const v8 = await import('node:v8');
      console.log(JSON.stringify({ limit: v8.getHeapStatistics().heap_size_limit, arenas: process.env.MALLOC_ARENA_MAX }))`;
    const heap = async (env: Record<string, string>) => {
      const result = await collect(startScript('--input-type=module', ['-e', probe], env)).done;
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as { limit: number; arenas: string };
    };
    const bounded = await heap({});
    const mb = bounded.limit / 2 ** 20;
    // The old space plus the young generation's share: near 512 MB, where node's own default here is gigabytes.
    assert.ok(mb >= 512 && mb < 576, `heap limit ${mb} MB`);
    assert.equal(bounded.arenas, '2');
    const raised = await heap({ PAPERMAIL_HEAP_MB: '1024', MALLOC_ARENA_MAX: '4' });
    assert.ok(raised.limit / 2 ** 20 >= 1024, `raised heap limit ${raised.limit / 2 ** 20} MB`);
    assert.equal(raised.arenas, '4');
  });

  it('refuses a bad PORT at once with one line naming it', async () => {
    const started = Date.now();
    const result = await collect(startScript('src/server.ts', [], { PORT: 'abc' })).done;
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^papermail: configuration error: PORT must be a whole number/m);
    // "At once" means before any connection attempt or timeout (those take 30 s and more); tsx compiling the
    // server on a loaded 2-core machine takes up to ~15 s of that by itself.
    assert.ok(Date.now() - started < 20_000);
  });

  it('serves on DATABASE_URL, starts no Postgres, and exits cleanly on SIGTERM', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-ext-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startServer({ DATABASE_URL: db.url, DATA_DIR: dataDir });
    assert.deepEqual(postgresProcessesUsing(dataDir), []);
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    const result = await server.done;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(Date.now() - t0 < 5000, 'stops within 5 s');
    assert.match(result.stdout, /shutting down/);
  });

  it('with no DATABASE_URL runs an embedded Postgres that keeps its data and stops with the process', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-embedded-'));
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    const first = await runCli(['demo'], { DATA_DIR: dataDir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /topics: 17 added/);
    const second = await runCli(['demo'], { DATA_DIR: dataDir });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /topics: 0 added, 17 in the catalog/, 'the second run reuses the same data');
    assert.deepEqual(postgresProcessesUsing(dataDir), [], 'the CLI leaves no Postgres behind');

    const server = await startServer({ DATA_DIR: dataDir });
    assert.ok(postgresProcessesUsing(dataDir).length > 0, 'the embedded Postgres runs under DATA_DIR');
    server.child.kill('SIGTERM');
    const result = await server.done;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(postgresProcessesUsing(dataDir), [], 'SIGTERM leaves no Postgres behind');
  });
});
