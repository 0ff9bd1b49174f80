// The migration that gives digests a period and moves selections out of deliveries keeps every row: each delivery
// points at a selection holding the papers and "why" it carried, and nothing else changes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { migrationNames, projectRoot } from '../../src/db/migrate.js';
import { adminQuery, resolveTestServer, withDatabase } from '../helpers/test-server.js';

const MIGRATION = '20261202100000_digest_periods_selections';

const sqlOf = (name: string) =>
  readFileSync(path.join(projectRoot, 'prisma/migrations', name, 'migration.sql'), 'utf8');

describe('migration: digest periods and selections', () => {
  it('keeps every digest and delivery, and gives each (digest, reader) a selection made from its original', async () => {
    const server = await resolveTestServer();
    const name = `papermail_migration_${process.pid}`;
    await adminQuery(server.url, `DROP DATABASE IF EXISTS "${name}"`);
    await adminQuery(server.url, `CREATE DATABASE "${name}"`);
    const client = new pg.Client({ connectionString: withDatabase(server.url, name) });
    await client.connect();
    after(async () => {
      await client.end();
      await adminQuery(server.url, `DROP DATABASE IF EXISTS "${name}"`);
      await server.embedded?.stop();
    });
    for (const m of migrationNames().filter((m) => m < MIGRATION)) await client.query(sqlOf(m));

    await client.query(`
      INSERT INTO subscribers (email, email_key, token, status, updated_at) VALUES
        ('a@example.org', 'a@example.org', 'token-a', 'active', now()),
        ('b@example.org', 'b@example.org', 'token-b', 'active', now());
      INSERT INTO digests (id, date, status, updated_at) VALUES (1, '2026-07-20', 'done', now()), (2, '2026-07-21', 'done', now());
      INSERT INTO deliveries (id, digest_id, subscriber_id, resend_of_id, paper_ids, matches, status, by_email, message_id, updated_at) VALUES
        (1, 1, 1, NULL, '{2407.1,2407.2}', '{"why": {"2407.1": ["Agents"]}}', 'failed', true, '<m1@x>', now()),
        (2, 1, 1, 1,    '{2407.1,2407.2}', '{"why": {"2407.1": ["Agents"]}}', 'sent', true, '<m2@x>', now()),
        (3, 1, 2, NULL, '{2407.3}', '{}', 'skipped', false, NULL, now()),
        (4, 2, 2, NULL, '{2407.4}', '{"note": "trending"}', 'sent', true, '<m4@x>', now());
      SELECT setval('digests_id_seq', 2);
      SELECT setval('deliveries_id_seq', 4);`);
    const before = await client.query(
      'SELECT id, digest_id, subscriber_id, status, message_id FROM deliveries ORDER BY id',
    );

    await client.query(sqlOf(MIGRATION));

    const digests = await client.query(
      `SELECT id, kind::text, to_char(period_start, 'YYYY-MM-DD') AS s, to_char(period_end, 'YYYY-MM-DD') AS e,
              to_char(date, 'YYYY-MM-DD') AS d FROM digests ORDER BY id`,
    );
    assert.deepEqual(digests.rows, [
      { id: 1, kind: 'day', s: '2026-07-20', e: '2026-07-20', d: '2026-07-20' },
      { id: 2, kind: 'day', s: '2026-07-21', e: '2026-07-21', d: '2026-07-21' },
    ]);
    const after_ = await client.query(
      'SELECT id, digest_id, subscriber_id, status, message_id FROM deliveries ORDER BY id',
    );
    assert.deepEqual(after_.rows, before.rows, 'every delivery is kept as it was');
    const carried = await client.query(`
      SELECT d.id, x.paper_ids AS "paperIds", x.matches, x.by_email AS "byEmail"
      FROM deliveries d JOIN selections x ON x.id = d.selection_id ORDER BY d.id`);
    assert.deepEqual(carried.rows, [
      { id: 1, paperIds: ['2407.1', '2407.2'], matches: { why: { '2407.1': ['Agents'] } }, byEmail: true },
      { id: 2, paperIds: ['2407.1', '2407.2'], matches: { why: { '2407.1': ['Agents'] } }, byEmail: true },
      { id: 3, paperIds: ['2407.3'], matches: {}, byEmail: false },
      { id: 4, paperIds: ['2407.4'], matches: { note: 'trending' }, byEmail: true },
    ]);
    const selections = await client.query('SELECT count(*)::int AS n FROM selections');
    assert.equal(selections.rows[0].n, 3, 'one selection per (digest, reader): the resend shares the original');

    // The database keeps a delivery and its selection about the same digest and reader.
    await assert.rejects(
      client.query('UPDATE deliveries SET digest_id = 2 WHERE id = 1'),
      /deliveries_selection_id_digest_id_subscriber_id_fkey/,
    );
    // A date may have a day issue and a week issue, not two of one kind.
    await client.query(
      `INSERT INTO digests (kind, period_start, period_end, date, updated_at) VALUES ('week', '2026-07-15', '2026-07-21', '2026-07-21', now())`,
    );
    await assert.rejects(
      client.query(
        `INSERT INTO digests (kind, period_start, period_end, date, updated_at) VALUES ('day', '2026-07-21', '2026-07-21', '2026-07-21', now())`,
      ),
      /digests_kind_period_start_key/,
    );
    await assert.rejects(
      client.query(
        `INSERT INTO digests (kind, period_start, period_end, date, updated_at) VALUES ('day', '2026-07-01', '2026-07-02', '2026-07-02', now())`,
      ),
      /digests_period_check/,
    );
  });
});
