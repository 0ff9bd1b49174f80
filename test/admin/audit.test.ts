import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { buildTestApp } from '../helpers/app.js';
import { auth } from './admin-helpers.js';

describe('admin: audit log', () => {
  it('lists every admin action newest first, with who, what and the parameters, a page at a time', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    const send = (method: 'POST' | 'PATCH', url: string, payload: Record<string, unknown>) =>
      app.inject({ method, url, headers: auth, payload });
    await send('POST', '/api/admin/topics', { slug: 'mamba', name: 'Mamba', query: 'mamba' });
    await send('PATCH', '/api/admin/topics/mamba', { name: 'Mamba models' });
    await send('POST', '/api/admin/topics/mamba/retire', {});
    await app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: 'email\nada@example.org\n',
    });
    await app.inject({ url: '/api/admin/subscribers.csv', headers: auth });

    const page = async (query: string) => {
      const res = await app.inject({ url: `/api/admin/audit${query}`, headers: auth });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as {
        total: number;
        entries: { id: number; at: string; actor: string; action: string; params: Record<string, unknown> }[];
      };
    };
    const first = await page('?limit=2');
    assert.equal(first.total, 5);
    assert.deepEqual(
      first.entries.map((e) => e.action),
      ['subscribers.export', 'subscribers.import'],
    );
    const rest = await page('?limit=10&offset=2');
    assert.deepEqual(
      rest.entries.map((e) => [e.action, e.params]),
      [
        ['topic.retire', { slug: 'mamba' }],
        ['topic.update', { slug: 'mamba', name: 'Mamba models' }],
        ['topic.create', { slug: 'mamba', name: 'Mamba', description: '', query: 'mamba' }],
      ],
    );
    assert.ok(rest.entries.every((e) => e.actor === 'admin-api 127.0.0.1' && !Number.isNaN(Date.parse(e.at))));

    const topicOnly = await page('?action=topic.update');
    assert.deepEqual([topicOnly.total, topicOnly.entries[0]?.action], [1, 'topic.update']);
    const afterReads = await page('');
    assert.equal(afterReads.total, 5, 'reading the audit log is not itself logged');
  });
});
