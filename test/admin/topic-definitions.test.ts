import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MatchChange } from '../../src/admin/topic-match-diff.js';
import { topicInterest } from '../../src/relevance/topic-interest.js';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { topicDefinitions } from '../../src/topics/topic-definitions.js';
import { loadFixturePapers } from '../digest/fixture-papers.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { createDelivery, dayDigest } from '../helpers/deliveries.js';
import { addReader, auth } from './admin-helpers.js';

// Nine real fixture days: the check looks at the latest seven (07-22 … 07-30), the performance at all of them.
const DAYS = [
  '2026-07-20',
  '2026-07-21',
  '2026-07-22',
  '2026-07-23',
  '2026-07-24',
  '2026-07-27',
  '2026-07-28',
  '2026-07-29',
  '2026-07-30',
];
const LAST_SEVEN = DAYS.slice(-7);

async function setup(): Promise<TestApp> {
  const setup = await buildTestApp();
  await seedTopics(setup.db.prisma);
  for (const day of DAYS) await loadFixturePapers(setup.db.prisma, day);
  return setup;
}

type Change = MatchChange;

const catalogSpec = topicDefinitions['reasoning']!;
const withWorldModels = { ...catalogSpec, terms: [...catalogSpec.terms, { text: 'world model', weight: 3 }] };
// "world model" as the matcher reads it: stemmed, with its synonyms and narrower terms from the lexicon.
const worldModel = /world[- ]model|world simulat|interactive video world|action-conditioned video|dynamics model/i;

describe('admin: topic definitions, check and performance', () => {
  it('checks a definition change: the recent papers that would enter and leave, with scores; nothing is saved', async () => {
    const { app, db, services } = await setup();
    const p = db.prisma;
    const before = await p.topic.findUniqueOrThrow({ where: { slug: 'reasoning' } });
    const check = (slug: string, payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: `/api/admin/topics/${slug}/check`, headers: auth, payload });

    const res = await check('reasoning', { definition: withWorldModels });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.topic.definitionSource, 'catalog');
    assert.deepEqual(body.topic.definition, catalogSpec);
    assert.equal(body.proposed.definitionSource, 'admin');
    assert.deepEqual(body.matches.days, LAST_SEVEN);

    // Adding a term only adds papers: every one entering is a world-model paper listed in the last seven days, and
    // every paper of those days that the catalog definition missed and that names a world model in its title enters
    // (one passing mention in an abstract is for the topic model to weigh).
    const entering: Change[] = body.matches.entering;
    assert.deepEqual(body.matches.leaving, []);
    assert.ok(entering.length >= 2, JSON.stringify(entering.map((e) => e.title)));
    const listed = await p.listing.findMany({
      where: { date: { gte: new Date(`${LAST_SEVEN[0]}T00:00:00Z`) } },
      include: { paper: true },
    });
    const wanted = new Set<string>();
    const saying = new Set<string>();
    const matchedNow = new Set<string>();
    for (const day of LAST_SEVEN) {
      const now = (await services.matcher.matchDay(day, [topicInterest(before)])).get(`topic:${before.id}`)!;
      for (const id of now.keys()) matchedNow.add(`${day} ${id}`);
      for (const l of listed) {
        const date = l.date.toISOString().slice(0, 10);
        if (date !== day || now.has(l.paperId)) continue;
        if (worldModel.test(l.paper.title)) wanted.add(`${date} ${l.paperId}`);
        if (worldModel.test(`${l.paper.title} ${l.paper.abstract}`)) saying.add(`${date} ${l.paperId}`);
      }
    }
    const entered = new Set(entering.map((e) => `${e.date} ${e.paperId}`));
    assert.ok(wanted.size >= 1 && [...wanted].every((k) => entered.has(k)), JSON.stringify([...wanted]));
    assert.ok(
      [...entered].every((k) => saying.has(k)),
      JSON.stringify([...entered]),
    );
    for (const e of entering) {
      assert.ok(LAST_SEVEN.includes(e.date));
      assert.ok(e.title.length > 0);
      assert.ok(e.strength >= 1 && e.score > 0, JSON.stringify(e));
      assert.ok(
        e.evidence.some((x) => /world model/.test(x)),
        JSON.stringify(e.evidence),
      );
    }
    assert.equal(body.matches.matchedProposed, body.matches.matchedNow + entering.length);

    // A definition that cannot reach its threshold: every current match leaves, scored as it matches now.
    const narrow = await check('reasoning', {
      definition: { terms: [{ text: 'speculative decoding', weight: 0.05 }], threshold: 20 },
    });
    assert.equal(narrow.statusCode, 200, narrow.body);
    const leaving: Change[] = narrow.json().matches.leaving;
    assert.equal(narrow.json().matches.matchedProposed, 0);
    assert.deepEqual(new Set(leaving.map((l) => `${l.date} ${l.paperId}`)), matchedNow);
    assert.equal(narrow.json().matches.matchedNow, matchedNow.size);
    assert.ok(matchedNow.size >= 1);
    assert.ok(leaving.every((l) => l.strength >= 1 && l.evidence.length > 0));

    // A topic defined by its query: proposing a query is proposing the definition read from it.
    const created = await app.inject({
      method: 'POST',
      url: '/api/admin/topics',
      headers: auth,
      payload: { slug: 'simulators', name: 'Simulators', query: 'simulator' },
    });
    assert.equal(created.json().topic.definitionSource, 'query');
    const requery = await check('simulators', { query: '"world model"' });
    assert.equal(requery.statusCode, 200, requery.body);
    assert.equal(requery.json().proposed.definitionSource, 'query');
    assert.equal(requery.json().check.tsquery, "'world' <-> 'model'");
    assert.ok(requery.json().matches.entering.every((e: Change) => worldModel.test(e.title) || e.evidence.length > 0));
    assert.ok(requery.json().matches.entering.length >= 2);

    const after = await p.topic.findUniqueOrThrow({ where: { slug: 'reasoning' } });
    assert.deepEqual(after, before, 'a check saves nothing');
    assert.equal((await p.topic.findUniqueOrThrow({ where: { slug: 'simulators' } })).query, 'simulator');
    assert.equal(await p.auditEntry.count({ where: { action: 'topic.update' } }), 0);
    assert.equal(await p.auditEntry.count({ where: { action: 'topic.check' } }), 3);
    assert.equal((await check('reasoning', {})).statusCode, 400);
    assert.equal((await check('no-such-topic', { query: 'agent' })).statusCode, 404);
  });

  it('saves a definition with PATCH, answers the same diff, audits it, and null goes back to the catalog', async () => {
    const { app, db, services } = await setup();
    const p = db.prisma;
    const patch = (payload: Record<string, unknown>) =>
      app.inject({ method: 'PATCH', url: '/api/admin/topics/reasoning', headers: auth, payload });
    const checked = await app.inject({
      method: 'POST',
      url: '/api/admin/topics/reasoning/check',
      headers: auth,
      payload: { definition: withWorldModels },
    });

    const saved = await patch({ definition: withWorldModels });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.deepEqual(saved.json().matches, checked.json().matches);
    assert.equal(saved.json().topic.definitionSource, 'admin');
    assert.deepEqual(saved.json().topic.definition, withWorldModels);
    const row = await p.topic.findUniqueOrThrow({ where: { slug: 'reasoning' } });
    assert.deepEqual(row.definition, withWorldModels);
    // The daily run's matcher now finds the world-model papers for this topic.
    const entered: Change[] = saved.json().matches.entering;
    const day = entered[0]!.date;
    const now = (await services.matcher.matchDay(day, [topicInterest(row)])).get(`topic:${row.id}`)!;
    assert.ok(now.has(entered[0]!.paperId));

    const listed = (await app.inject({ url: '/api/admin/topics', headers: auth })).json().topics;
    const spec = listed.find((t: { slug: string }) => t.slug === 'reasoning');
    assert.equal(spec.definitionSource, 'admin');

    const renamed = await patch({ name: 'Speculative decoding and drafts' });
    assert.equal(renamed.json().matches, undefined, 'a rename moves no paper');
    assert.equal(renamed.json().topic.definitionSource, 'admin');

    const reset = await patch({ definition: null });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal(reset.json().topic.definitionSource, 'catalog');
    assert.deepEqual(reset.json().topic.definition, catalogSpec);
    assert.deepEqual(
      reset.json().matches.leaving.map((c: Change) => [c.date, c.paperId]),
      entered.map((c) => [c.date, c.paperId]),
    );
    assert.deepEqual(reset.json().matches.entering, []);
    assert.equal((await p.topic.findUniqueOrThrow({ where: { slug: 'reasoning' } })).definition, null);

    const entries = await p.auditEntry.findMany({ where: { action: 'topic.update' }, orderBy: { id: 'asc' } });
    assert.equal(entries.length, 3);
    const [first, , last] = entries as [(typeof entries)[0], unknown, (typeof entries)[0]];
    assert.deepEqual(first.params, { slug: 'reasoning', definition: withWorldModels });
    const firstResult = first.result as { before: { definition: unknown }; matches: { entering: string[][] } };
    assert.equal(firstResult.before.definition, null);
    assert.deepEqual(
      firstResult.matches.entering,
      entered.map((c) => [c.date, c.paperId]),
    );
    assert.deepEqual(last.params, { slug: 'reasoning', definition: null });
    assert.deepEqual((last.result as { before: { definition: unknown } }).before.definition, withWorldModels);

    // A topic created with its own definition.
    const created = await app.inject({
      method: 'POST',
      url: '/api/admin/topics',
      headers: auth,
      payload: {
        slug: 'world-models',
        name: 'World models',
        query: '"world model"',
        definition: { terms: [{ text: 'world model', weight: 1 }] },
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().topic.definitionSource, 'admin');
    const createEntry = await p.auditEntry.findFirstOrThrow({ where: { action: 'topic.create' } });
    assert.deepEqual((createEntry.params as { definition: unknown }).definition, {
      terms: [{ text: 'world model', weight: 1 }],
    });
  });

  it('refuses a bad definition with a 400 naming the field, and changes nothing', async () => {
    const { app, db } = await setup();
    const p = db.prisma;
    const before = await p.topic.findUniqueOrThrow({ where: { slug: 'agents' } });
    const term = { text: 'tool use', weight: 1 };
    const bad: [unknown, RegExp][] = [
      [{ terms: [] }, /definition\/terms must NOT have fewer than 1 items/],
      [{ terms: [{ text: 'tool use', weight: 5 }] }, /definition\/terms\/0\/weight must be <= 3/],
      [{ terms: [term, { text: '', weight: 1 }] }, /definition\/terms\/1\/text/],
      [{ terms: [term], threshold: 'high' }, /definition\/threshold must be number/],
      [{ terms: [term, { text: 'agents', weight: 1, fields: ['body'] }] }, /definition\/terms\/1\/fields\/0/],
      [
        { terms: [{ text: 'the of', weight: 1 }] },
        /definition\/terms\/0\/text "the of" has no word the matcher can use/,
      ],
      [{ terms: [term], against: [{ text: '!!!', weight: 1 }] }, /definition\/against\/0\/text/],
      ['tool use', /definition/],
    ];
    for (const [definition, message] of bad) {
      for (const [method, url] of [
        ['PATCH', '/api/admin/topics/agents'],
        ['POST', '/api/admin/topics/agents/check'],
      ] as const) {
        const res = await app.inject({ method, url, headers: auth, payload: { definition } });
        assert.equal(res.statusCode, 400, `${method} ${JSON.stringify(definition)}: ${res.body}`);
        assert.match(res.json().message, message, `${method} ${JSON.stringify(definition)}`);
      }
    }
    const create = await app.inject({
      method: 'POST',
      url: '/api/admin/topics',
      headers: auth,
      payload: { slug: 'tools', name: 'Tools', query: 'tool', definition: { terms: [{ text: 'tool', weight: 0 }] } },
    });
    assert.equal(create.statusCode, 400);
    assert.match(create.json().message, /definition\/terms\/0\/weight must be >= 0.05/);
    assert.equal(await p.topic.count({ where: { slug: 'tools' } }), 0);
    assert.deepEqual(await p.topic.findUniqueOrThrow({ where: { slug: 'agents' } }), before);
  });

  it('reports matches per listed day as the matcher counts them, readers, and the feedback that names it', async () => {
    const { app, db, services } = await setup();
    const p = db.prisma;
    await addReader(p, { email: 'a@example.org', topics: ['reasoning'] });
    await addReader(p, { email: 'b@example.org', topics: ['reasoning', 'agents'] });
    await addReader(p, { email: 'c@example.org', topics: ['reasoning'], status: 'paused' });
    await addReader(p, { email: 'd@example.org', topics: ['agents'] });
    const get = (slug: string) => app.inject({ url: `/api/admin/topics/${slug}/performance`, headers: auth });

    const res = await get('reasoning');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    const row = await p.topic.findUniqueOrThrow({ where: { slug: 'reasoning' } });
    const interest = topicInterest(row);
    const expected = [];
    for (const date of DAYS) {
      const listed = await p.listing.count({ where: { date: new Date(`${date}T00:00:00Z`) } });
      const matched = (await services.matcher.matchDay(date, [interest])).get(interest.key)!.size;
      expected.push({ date, papersListed: listed, papersMatched: matched });
    }
    assert.deepEqual(body.days, expected);
    assert.ok(expected.some((d) => d.papersMatched > 0));
    assert.ok(expected.some((d) => d.papersMatched < d.papersListed));
    assert.deepEqual(body.readers, { active: 2, total: 3 });
    assert.equal(body.topic.slug, 'reasoning');

    assert.deepEqual(body.feedback, { more: 0, less: 0 });
    // Votes count for the topics they name, by key: one reader's delivery of the day, five votes.
    const agents = await p.topic.findUniqueOrThrow({ where: { slug: 'agents' } });
    const readerId = (await p.subscriber.findFirstOrThrow({ where: { email: 'b@example.org' } })).id;
    const day = DAYS[DAYS.length - 1]!;
    const papers = (await p.listing.findMany({ where: { date: new Date(`${day}T00:00:00Z`) }, take: 5 })).map(
      (l) => l.paperId,
    );
    const digest = await dayDigest(p, day);
    const delivery = await createDelivery(p, { digestId: digest.id, subscriberId: readerId, paperIds: papers });
    const votes: ['more' | 'less', string[]][] = [
      ['more', [interest.key]],
      ['more', [interest.key, `topic:${agents.id}`]],
      ['less', [interest.key]],
      ['less', [`topic:${agents.id}`]],
      ['less', ['keyword:world model']],
    ];
    for (const [i, [vote, interestKeys]] of votes.entries()) {
      await p.feedback.create({
        data: { subscriberId: readerId, paperId: papers[i]!, deliveryId: delivery.id, vote, interestKeys },
      });
    }
    const feedback = (await get('reasoning')).json().feedback;
    const [counts] = await p.$queryRawUnsafe<{ more: number; less: number }[]>(
      `SELECT count(*) FILTER (WHERE vote::text = 'more')::int AS more, count(*) FILTER (WHERE vote::text = 'less')::int AS less
       FROM feedback WHERE $1 = ANY(interest_keys)`,
      interest.key,
    );
    assert.deepEqual(feedback, counts);
    assert.deepEqual(feedback, { more: 2, less: 1 });
    assert.equal((await get('agents')).json().readers.active, 2);
    assert.equal((await get('nope')).statusCode, 404);
  });
});
