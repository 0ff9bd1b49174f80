import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { buildTestApp } from '../helpers/app.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { addReader, auth } from './admin-helpers.js';

describe('admin: topics', () => {
  it('creates a topic whose query Postgres can read, and refuses one it cannot, or a taken slug', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    await loadSeedPapers(db.prisma);
    const create = (payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/admin/topics', headers: auth, payload });

    const res = await create({
      slug: 'state-space-models',
      name: 'State space models',
      description: 'Mamba and friends.',
      query: '"state space model" OR mamba OR "linear attention"',
    });
    assert.equal(res.statusCode, 201, res.body);
    const { topic, check } = res.json();
    assert.equal(topic.slug, 'state-space-models');
    assert.equal(topic.retiredAt, null);
    assert.equal(check.tsquery, "'state' <-> 'space' <-> 'model' | 'mamba' | 'linear' <-> 'attent'");
    assert.equal(typeof check.matchingPapers, 'number');

    // On the seed page, speculative decoding is a theme: the check says how many papers the query finds today.
    const spec = await create({
      slug: 'spec-dec-2',
      name: 'Speculative decoding again',
      query: '"speculative decoding"',
    });
    assert.equal(spec.statusCode, 201);
    assert.ok(spec.json().check.matchingPapers >= 3, JSON.stringify(spec.json().check));

    const listed = (await app.inject({ url: '/api/admin/topics', headers: auth })).json().topics;
    assert.ok(listed.some((t: { slug: string }) => t.slug === 'state-space-models'));

    const stopWords = await create({ slug: 'nothing', name: 'Nothing', query: 'the and of "to be"' });
    assert.equal(stopWords.statusCode, 400);
    assert.match(stopWords.json().message, /nothing Postgres can search for/);
    const punctuation = await create({ slug: 'nothing', name: 'Nothing', query: '!!! ... ---' });
    assert.equal(punctuation.statusCode, 400);
    const taken = await create({ slug: 'agents', name: 'Agents again', query: 'agent' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.json().message, /already a topic "agents"/);
    const badSlug = await create({ slug: 'Bad Slug', name: 'Bad', query: 'agent' });
    assert.equal(badSlug.statusCode, 400);
    const noName = await create({ slug: 'no-name', name: '   ', query: 'agent' });
    assert.equal(noName.statusCode, 400);
    assert.equal(await db.prisma.topic.count({ where: { slug: { in: ['nothing', 'no-name'] } } }), 0);

    const entries = await db.prisma.auditEntry.findMany({ where: { action: 'topic.create' }, orderBy: { id: 'asc' } });
    assert.deepEqual(entries[0]?.params, {
      slug: 'state-space-models',
      name: 'State space models',
      description: 'Mamba and friends.',
      query: '"state space model" OR mamba OR "linear attention"',
    });
    assert.equal((entries[0]!.result as { tsquery: string }).tsquery, check.tsquery);
    const refused = entries.find((e) => (e.params as { slug: string }).slug === 'nothing');
    assert.equal((refused!.result as { error: string }).error, 'PAPERMAIL_ERR_BAD_REQUEST', 'refusals are logged too');
  });

  it('renames a topic and changes its query, keeping the slug; a bad query changes nothing', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    const patch = (slug: string, payload: Record<string, unknown>) =>
      app.inject({ method: 'PATCH', url: `/api/admin/topics/${slug}`, headers: auth, payload });

    const renamed = await patch('agents', { name: 'Agents and tool use' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().topic.name, 'Agents and tool use');
    assert.equal(renamed.json().topic.slug, 'agents');
    assert.equal(renamed.json().check, undefined);

    const before = await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'agents' } });
    const bad = await patch('agents', { query: 'the of' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await db.prisma.topic.findUniqueOrThrow({ where: { slug: 'agents' } })).query, before.query);

    const requeried = await patch('agents', { query: '"tool use" OR agentic', description: 'Tools.' });
    assert.equal(requeried.statusCode, 200);
    assert.equal(requeried.json().topic.query, '"tool use" OR agentic');
    assert.equal(requeried.json().topic.description, 'Tools.');
    assert.equal(requeried.json().check.tsquery, "'tool' <-> 'use' | 'agent'");

    assert.equal((await patch('agents', {})).statusCode, 400);
    assert.equal((await patch('no-such-topic', { name: 'X' })).statusCode, 404);

    const entries = await db.prisma.auditEntry.findMany({ where: { action: 'topic.update' }, orderBy: { id: 'asc' } });
    const change = entries.find((e) => (e.params as { query?: string }).query === '"tool use" OR agentic');
    assert.deepEqual((change!.result as { before: unknown }).before, {
      name: 'Agents and tool use',
      description: before.description,
      query: before.query,
      definition: null,
    });
  });

  it('retires a topic: kept in the admin list, gone from readers, who keep their other interests', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    const p = db.prisma;
    const both = await addReader(p, { email: 'both@example.org', topics: ['agents', 'reasoning'] });
    const only = await addReader(p, { email: 'only@example.org', topics: ['agents'] });
    const keyword = await addReader(p, { email: 'kw@example.org', topics: ['agents'], keywords: ['tool use'] });
    const unrelated = await addReader(p, { email: 'other@example.org', topics: ['reasoning'] });

    const res = await app.inject({ method: 'POST', url: '/api/admin/topics/agents/retire', headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.ok(body.topic.retiredAt);
    assert.deepEqual([body.alreadyRetired, body.readersAffected, body.readersLeftWithoutInterests], [false, 3, 1]);

    const slugsOf = async (id: number) =>
      (await p.subscriberTopic.findMany({ where: { subscriberId: id }, include: { topic: true } })).map(
        (t) => t.topic.slug,
      );
    assert.deepEqual(await slugsOf(both), ['reasoning']);
    assert.deepEqual(await slugsOf(only), []);
    assert.deepEqual(await slugsOf(keyword), []);
    assert.deepEqual(await slugsOf(unrelated), ['reasoning']);
    assert.equal((await p.subscriber.findUniqueOrThrow({ where: { id: only } })).status, 'active');

    const topics = (await app.inject({ url: '/api/admin/topics', headers: auth })).json().topics;
    assert.equal(topics.at(-1).slug, 'agents', 'retired topics come last');
    assert.ok(topics.slice(0, -1).every((t: { retiredAt: string | null }) => t.retiredAt === null));
    // The catalog seed does not bring a retired topic back.
    const seeded = await seedTopics(p);
    assert.equal(seeded.created, 0);
    assert.equal(seeded.total, topics.length - 1);

    const twice = await app.inject({ method: 'POST', url: '/api/admin/topics/agents/retire', headers: auth });
    assert.equal(twice.statusCode, 200);
    assert.deepEqual([twice.json().alreadyRetired, twice.json().topic.retiredAt], [true, body.topic.retiredAt]);

    const [entry] = await p.auditEntry.findMany({ where: { action: 'topic.retire' }, orderBy: { id: 'asc' } });
    assert.deepEqual(entry?.params, { slug: 'agents' });
    assert.deepEqual((entry!.result as { readerIds: number[] }).readerIds.sort(), [both, only, keyword].sort());
    assert.equal(
      (await app.inject({ method: 'POST', url: '/api/admin/topics/nope/retire', headers: auth })).statusCode,
      404,
    );
  });
});
