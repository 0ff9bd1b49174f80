import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DAILY_PAPERS_PATH, readDailyPapersFixture, routeDailyPapers } from '../helpers/daily-papers-route.js';
import { createTestDatabase } from '../helpers/database.js';
import { startFixtureServer } from '../helpers/fixture-server.js';
import { freePort, runCli } from '../helpers/process.js';

/** A database, a fake Hugging Face, and the environment that points `papermail ingest` at both. */
async function setup() {
  const db = await createTestDatabase();
  const server = await startFixtureServer();
  routeDailyPapers(server);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'papermail-ingest-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATABASE_URL: db.url, HF_BASE_URL: server.baseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'error' };
  return { db, server, env };
}

describe('papermail ingest', () => {
  it('ingests a day and prints new / updated / skipped counts; a second run finds nothing new', async () => {
    const { db, server, env } = await setup();
    const items: unknown[] = readDailyPapersFixture('2026-07-31');
    routeDailyPapers(server, { '2026-07-31': [...items, { paper: { title: 'A paper without an id' } }] });

    const first = await runCli(['ingest', '--date', '2026-07-31'], env);

    assert.equal(first.code, 0, first.stderr);
    assert.equal(
      first.stdout,
      '2026-07-31 huggingface: 35 fetched, 34 new, 0 updated, 0 unchanged, 1 skipped (34 papers new to the database)\n' +
        '  skipped (no id): the paper has no arXiv id\n',
    );
    assert.equal(await db.prisma.listing.count(), 34);

    const second = await runCli(['ingest', '--date', '2026-07-31', '--source', 'huggingface'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^2026-07-31 huggingface: 35 fetched, 0 new, 0 updated, 34 unchanged, 1 skipped/);
    assert.equal(await db.prisma.listing.count(), 34);
  });

  it('ingests a range of days, one line each, and a file source', async () => {
    const { db, env } = await setup();

    const range = await runCli(['ingest', '--from', '2026-07-29', '--to', '2026-07-31'], env);

    assert.equal(range.code, 0, range.stderr);
    const lines = range.stdout.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.split(':')[0]),
      ['2026-07-29 huggingface', '2026-07-30 huggingface', '2026-07-31 huggingface'],
    );
    assert.match(lines[1]!, /16 fetched, 16 new/);
    assert.equal(await db.prisma.listing.count(), 20 + 16 + 34);

    const file = await runCli(
      ['ingest', '--date', '2026-08-03', '--source', 'file:prisma/seed/daily-papers-2026-07-31.json'],
      env,
    );
    assert.equal(file.code, 0, file.stderr);
    assert.match(file.stdout, /^2026-08-03 file: 34 fetched, 34 new, 0 updated, 0 unchanged, 0 skipped \(0 papers new/);
  });

  it('exits non-zero with a one-line reason: bad date, bad source, unreachable source, malformed response', async () => {
    const { db, server, env } = await setup();
    const closedPort = await freePort();

    server.route(DAILY_PAPERS_PATH, () => ({ body: '<html>Service temporarily unavailable</html>' }));
    const [badDate, noDate, badSource, unreachable, malformed] = await Promise.all([
      runCli(['ingest', '--date', '2026-02-30'], env),
      runCli(['ingest'], env),
      runCli(['ingest', '--date', '2026-07-31', '--source', 'rss'], env),
      runCli(['ingest', '--date', '2026-07-31'], {
        ...env,
        HF_BASE_URL: `http://127.0.0.1:${closedPort}`,
        HTTP_RETRIES: '0',
      }),
      runCli(['ingest', '--date', '2026-07-31'], env),
    ]);

    const cases = [
      [badDate, /^papermail: "2026-02-30" is not a real calendar date$/],
      [noDate, /^papermail: give --date YYYY-MM-DD, or a range with --from YYYY-MM-DD --to YYYY-MM-DD$/],
      [badSource, /^papermail: unknown source "rss": use huggingface, arxiv or file:PATH$/],
      [
        unreachable,
        new RegExp(`^papermail: 2026-07-31: Hugging Face failed after 1 attempt \\(.*ECONNREFUSED.*${closedPort}.*`),
      ],
      [malformed, /^papermail: 2026-07-31: Hugging Face's answer for 2026-07-31 \(page 0\) is not JSON .*<html>/],
    ] as const;
    for (const [result, reason] of cases) {
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.match(result.stderr.trim(), reason);
    }
    assert.equal(await db.prisma.listing.count(), 0);
  });
});
