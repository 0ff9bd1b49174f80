import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv } from '../../src/admin/csv.js';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { buildTestApp } from '../helpers/app.js';
import { addReader, auth, buildAdminApp } from './admin-helpers.js';

const HEADER =
  'email,status,topics,keywords,max_papers,top_when_no_match,created_at,confirmed_at,unsubscribed_at,' +
  'cadence,weekday,timezone,hour,channel,exclude_keywords,authors';
/** The delivery cells of a reader who never chose: daily, Monday, the operator's zone and hour, email, no lists. */
const USUAL = 'daily,1,,,email,,';

describe('readers as CSV', () => {
  it('round-trips: export, import into a fresh database, export again gives the same readers and topics', async () => {
    const source = await buildTestApp();
    await seedTopics(source.db.prisma);
    const p = source.db.prisma;
    await addReader(p, {
      email: 'Ada.Lovelace@example.org',
      topics: ['agents', 'reasoning'],
      keywords: ['diffusion llm', 'say "hi", then leave'],
      maxPapers: 5,
      topWhenNoMatch: true,
      createdAt: new Date('2026-06-01T08:00:00.000Z'),
      confirmedAt: new Date('2026-06-01T08:05:00.000Z'),
      delivery: {
        cadence: 'weekly',
        weekday: 5,
        timezone: 'Asia/Tokyo',
        hour: 8,
        channel: 'both',
        excludeKeywords: ['benchmark', '-negation'],
        authors: ['José Núñez', '@Ada'],
      },
    });
    await addReader(p, {
      email: 'bob@example.org',
      status: 'pending',
      createdAt: new Date('2026-06-02T08:00:00.000Z'),
      confirmToken: 'pending-token-of-bob-0123456789',
    });
    await addReader(p, {
      email: 'carol@example.org',
      status: 'unsubscribed',
      topics: ['speech-audio'],
      createdAt: new Date('2026-06-03T08:00:00.000Z'),
      confirmedAt: new Date('2026-06-03T09:00:00.000Z'),
      unsubscribedAt: new Date('2026-07-01T10:00:00.000Z'),
    });
    // An address and a keyword that a spreadsheet would run as formulas.
    await addReader(p, {
      email: '-dave@example.org',
      status: 'paused',
      topics: ['tokenization'],
      keywords: ['=HYPERLINK("http://evil.test","x")', '@risk'],
      createdAt: new Date('2026-06-04T08:00:00.000Z'),
      confirmedAt: new Date('2026-06-04T08:30:00.000Z'),
    });
    await addReader(p, {
      email: 'erin@example.org',
      status: 'bounced',
      topics: ['llm-inference', 'speculative-decoding'],
      createdAt: new Date('2026-06-05T08:00:00.000Z'),
      confirmedAt: new Date('2026-06-05T08:30:00.000Z'),
    });
    const erased = await addReader(p, { email: 'gone@example.org', topics: ['agents'] });
    assert.equal(
      (await source.app.inject({ method: 'DELETE', url: `/api/admin/subscribers/${erased}`, headers: auth }))
        .statusCode,
      200,
    );

    const first = await source.app.inject({ url: '/api/admin/subscribers.csv', headers: auth });
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(
      String(first.headers['content-disposition']),
      /^attachment; filename="papermail-readers-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const csv = first.body;
    assert.equal(
      csv,
      [
        HEADER,
        `Ada.Lovelace@example.org,active,agents reasoning,"diffusion llm; say ""hi"", then leave",5,true,2026-06-01T08:00:00.000Z,2026-06-01T08:05:00.000Z,,weekly,5,Asia/Tokyo,8,both,benchmark; '-negation,José Núñez; '@Ada`,
        `bob@example.org,pending,,,10,false,2026-06-02T08:00:00.000Z,,,${USUAL}`,
        `carol@example.org,unsubscribed,speech-audio,,10,false,2026-06-03T08:00:00.000Z,2026-06-03T09:00:00.000Z,2026-07-01T10:00:00.000Z,${USUAL}`,
        `'-dave@example.org,paused,tokenization,"'=HYPERLINK(""http://evil.test"",""x""); '@risk",10,false,2026-06-04T08:00:00.000Z,2026-06-04T08:30:00.000Z,,${USUAL}`,
        `erin@example.org,bounced,llm-inference speculative-decoding,,10,false,2026-06-05T08:00:00.000Z,2026-06-05T08:30:00.000Z,,${USUAL}`,
        '',
      ].join('\r\n'),
    );
    assert.ok(!csv.includes('gone@') && !csv.includes('erased-'), 'erased readers are not exported');

    // A fresh database with the same catalog: the import brings back every reader, their status, topics and dates.
    const target = await buildTestApp();
    await seedTopics(target.db.prisma);
    const imported = await target.app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(imported.statusCode, 200, imported.body);
    const report = imported.json();
    assert.deepEqual(
      { rows: report.rows, created: report.created, updated: report.updated, skipped: report.skipped },
      { rows: 5, created: 5, updated: 0, skipped: 0 },
    );
    assert.deepEqual(
      report.report.map((r: { row: number; email: string; status: string }) => [r.row, r.email, r.status]),
      [
        [2, 'Ada.Lovelace@example.org', 'active'],
        [3, 'bob@example.org', 'pending'],
        [4, 'carol@example.org', 'unsubscribed'],
        [5, '-dave@example.org', 'paused'],
        [6, 'erin@example.org', 'bounced'],
      ],
    );
    const again = await target.app.inject({ url: '/api/admin/subscribers.csv', headers: auth });
    assert.equal(again.body, csv);
    const ada = await target.db.prisma.subscriber.findUniqueOrThrow({
      where: { emailKey: 'ada.lovelace@example.org' },
    });
    assert.deepEqual(
      [ada.cadence, ada.weekday, ada.timezone, ada.hour, ada.channel, ada.excludeKeywords, ada.authors],
      ['weekly', 5, 'Asia/Tokyo', 8, 'both', ['benchmark', '-negation'], ['José Núñez', '@Ada']],
      'the delivery settings came across, formula guards taken off',
    );
    const bob = await target.db.prisma.subscriber.findUniqueOrThrow({ where: { emailKey: 'bob@example.org' } });
    assert.deepEqual([bob.timezone, bob.hour], [null, null], "a reader who never chose still follows the operator's");

    // Importing the same file again changes nothing, and says so.
    const twice = (
      await target.app.inject({
        method: 'POST',
        url: '/api/admin/subscribers/import?mode=confirmed',
        headers: { ...auth, 'content-type': 'text/csv' },
        payload: csv,
      })
    ).json();
    assert.equal(twice.skipped, 5);
    assert.ok(
      twice.report.every((r: { reason: string }) => /already up to date|never subscribes them again/.test(r.reason)),
      JSON.stringify(twice.report),
    );
    assert.equal(await target.db.prisma.subscriber.count(), 5);
  });

  it('reports every refused row with its number and reason, and imports the rest', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    await db.prisma.topic.update({ where: { slug: 'robotics' }, data: { retiredAt: new Date() } });
    await addReader(db.prisma, {
      email: 'carol@example.org',
      status: 'unsubscribed',
      unsubscribedAt: new Date('2026-07-01T10:00:00Z'),
    });
    await addReader(db.prisma, { email: 'dan@example.org', status: 'active', topics: ['agents'], maxPapers: 10 });
    await addReader(db.prisma, { email: 'pat@example.org', status: 'pending' });
    const csv = [
      'Email,Topics,Max Papers,Keywords,Favourite colour',
      'ada@example.org,agents;reasoning,5,speculative decoding,blue',
      'not-an-email,agents,5,,red',
      'bob@example.org,agents no-such-topic,5,,green',
      'eve@example.org,agents,99,,grey',
      'ADA@example.org,agents,5,,blue',
      'frank@example.org,agents',
      'carol@example.org,agents,10,,black',
      '"Ada <ada2@example.org>",agents,10,,white',
      'gina@example.org,robotics,10,,pink',
      'dan@example.org,agents reasoning,12,,none',
      'pat@example.org,,,,',
      '"hal@example.org","agents\nreasoning",3,"a; b",x',
      'ivy@example.org,,,,',
    ].join('\r\n');
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(body.ignoredColumns, ['Favourite colour']);
    const lines = body.report.map((r: { row: number; email: string; outcome: string; reason?: string }) => [
      r.row,
      r.email,
      r.outcome,
      r.reason ?? '',
    ]);
    assert.deepEqual(lines, [
      [2, 'ada@example.org', 'created', ''],
      [
        3,
        'not-an-email',
        'skipped',
        'This email address cannot be used: it needs a name, an @ and a domain, like ada@example.org.',
      ],
      [4, 'bob@example.org', 'skipped', 'unknown topic "no-such-topic"'],
      [5, 'eve@example.org', 'skipped', 'max_papers must be a whole number from 1 to 30 (got "99")'],
      [6, 'ADA@example.org', 'skipped', 'the same address as row 2'],
      [7, 'frank@example.org', 'skipped', 'it has 2 fields where the header has 5'],
      [
        8,
        'carol@example.org',
        'skipped',
        'the reader is unsubscribed since 2026-07-01; an import never subscribes them again',
      ],
      [
        9,
        'Ada <ada2@example.org>',
        'skipped',
        'This email address cannot be used: give the bare address, without a name or angle brackets.',
      ],
      [10, 'gina@example.org', 'skipped', 'the topic "robotics" is retired'],
      [11, 'dan@example.org', 'updated', ''],
      [12, 'pat@example.org', 'updated', ''],
      [13, 'hal@example.org', 'created', ''],
      [14, 'ivy@example.org', 'created', ''],
    ]);
    assert.deepEqual([body.rows, body.created, body.updated, body.skipped], [13, 3, 2, 8]);

    const reader = (email: string) =>
      db.prisma.subscriber.findUnique({
        where: { emailKey: email },
        include: { topics: { include: { topic: true } } },
      });
    const ada = await reader('ada@example.org');
    assert.equal(ada?.status, 'active');
    assert.ok(ada?.confirmedAt, 'confirmed mode: active at once');
    assert.deepEqual(ada?.topics.map((t) => t.topic.slug).sort(), ['agents', 'reasoning']);
    assert.deepEqual(ada?.keywords, ['speculative decoding']);
    assert.equal(ada?.maxPapers, 5);
    const hal = await reader('hal@example.org');
    assert.deepEqual(hal?.keywords, ['a', 'b']);
    assert.deepEqual(hal?.topics.map((t) => t.topic.slug).sort(), ['agents', 'reasoning']);
    assert.equal((await reader('carol@example.org'))?.status, 'unsubscribed', 'an import never re-activates');
    const dan = await reader('dan@example.org');
    assert.equal(dan?.maxPapers, 12);
    assert.deepEqual(dan?.topics.map((t) => t.topic.slug).sort(), ['agents', 'reasoning']);
    const pat = await reader('pat@example.org');
    assert.equal(pat?.status, 'active', 'confirmed mode confirms a pending reader');
    assert.equal(pat?.confirmToken, null);
    for (const email of [
      'not-an-email',
      'bob@example.org',
      'eve@example.org',
      'frank@example.org',
      'gina@example.org',
    ]) {
      assert.equal(await reader(email), null, `${email} was not imported`);
    }

    const [entry] = await db.prisma.auditEntry.findMany({ where: { action: 'subscribers.import' } });
    assert.deepEqual(entry?.params, { mode: 'confirmed', bytes: Buffer.byteLength(csv) });
    const result = entry?.result as {
      created: number;
      skipped: number;
      skippedRows: { row: number; reason: string }[];
    };
    assert.equal(result.created, 3);
    assert.deepEqual(
      result.skippedRows.map((r) => r.row),
      [3, 4, 5, 6, 7, 8, 9, 10],
    );
    for (const name of ['ada2@', 'hal@', 'ivy@', 'dan@', 'pat@', 'carol@', 'bob@', 'eve@', 'frank@']) {
      assert.ok(!JSON.stringify(entry).toLowerCase().includes(name), `the audit log does not name ${name}`);
    }
  });

  it('moves a status only away from mail, and leaves alone the columns the file does not have', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    const p = db.prisma;
    await addReader(p, { email: 'leaving@example.org', status: 'active', topics: ['agents'] });
    await addReader(p, { email: 'paused@example.org', status: 'paused', topics: ['agents'] });
    await addReader(p, { email: 'bounced@example.org', status: 'bounced' });
    await addReader(p, {
      email: 'kept@example.org',
      topics: ['agents', 'reasoning'],
      keywords: ['mamba'],
      maxPapers: 7,
    });
    const importCsv = async (csv: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/admin/subscribers/import?mode=confirmed',
        headers: { ...auth, 'content-type': 'text/csv' },
        payload: csv,
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().report as { email: string; outcome: string; reason?: string; status: string }[];
    };
    const report = await importCsv(
      [
        'email,status',
        'leaving@example.org,unsubscribed',
        'paused@example.org,active',
        'bounced@example.org,active',
      ].join('\n'),
    );
    assert.deepEqual(
      report.map((r) => [r.email, r.outcome, r.status, r.reason ?? '']),
      [
        ['leaving@example.org', 'updated', 'unsubscribed', ''],
        ['paused@example.org', 'skipped', 'paused', 'already up to date'],
        ['bounced@example.org', 'skipped', 'bounced', 'the reader is bounced; an import never subscribes them again'],
      ],
    );
    const leaving = await p.subscriber.findUniqueOrThrow({ where: { emailKey: 'leaving@example.org' } });
    assert.equal(leaving.status, 'unsubscribed');
    assert.ok(leaving.unsubscribedAt);

    const onlyEmail = await importCsv('email\nKEPT@example.org\n');
    assert.deepEqual(
      onlyEmail.map((r) => [r.outcome, r.reason]),
      [['skipped', 'already up to date']],
    );
    const kept = await p.subscriber.findUniqueOrThrow({
      where: { emailKey: 'kept@example.org' },
      include: { topics: { include: { topic: true } } },
    });
    assert.equal(kept.email, 'kept@example.org', 'the address keeps the case it had');
    assert.deepEqual(kept.keywords, ['mamba']);
    assert.equal(kept.maxPapers, 7);
    assert.deepEqual(kept.topics.map((t) => t.topic.slug).sort(), ['agents', 'reasoning']);

    const emptyTopics = await importCsv('email,topics\nkept@example.org,\n');
    assert.equal(emptyTopics[0]?.outcome, 'updated', 'an empty topics cell in a topics column means none');
    assert.equal(await p.subscriberTopic.count({ where: { subscriberId: kept.id } }), 0);
  });

  it('imports the delivery settings, refusing a bad one per row with its column named', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    await addReader(db.prisma, {
      email: 'kept@example.org',
      topics: ['agents'],
      delivery: { cadence: 'weekly', weekday: 3, timezone: 'Europe/Berlin', hour: 9, authors: ['Ada Lovelace'] },
    });
    await addReader(db.prisma, { email: 'reset@example.org', delivery: { timezone: 'Europe/Berlin', hour: 9 } });
    const csv = [
      'email,cadence,weekday,timezone,hour,channel,exclude_keywords,authors',
      'new@example.org,weekly,5,asia/tokyo,8,feed,benchmark; survey,Fei-Fei Li; Yann LeCun',
      'plain@example.org,,,,,,,',
      'c1@example.org,monthly,,,,,,',
      'c2@example.org,weekly,8,,,,,',
      'c3@example.org,,,Mars/Olympus_Mons,,,,',
      'c4@example.org,,,,24,,,',
      'c5@example.org,,,,7.5,,,',
      'c6@example.org,,,,,pigeon,,',
      '"c7@example.org",,,,,,"one\nper line",',
      `c8@example.org,,,,,,,${'x'.repeat(101)}`,
      'kept@example.org,,,,,,,',
      'reset@example.org,,,,,email,,',
    ].join('\r\n');
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(res.statusCode, 200, res.body);
    const lines = res
      .json()
      .report.map((r: { row: number; outcome: string; reason?: string }) => [r.row, r.outcome, r.reason ?? '']);
    assert.deepEqual(lines, [
      [2, 'created', ''],
      [3, 'created', ''],
      [4, 'skipped', 'cadence must be one of daily, weekly (got "monthly")'],
      [5, 'skipped', 'weekday must be a whole number from 1 to 7, 1 = Monday … 7 = Sunday (got "8")'],
      [6, 'skipped', 'timezone must be an IANA time zone such as Europe/Berlin (got "Mars/Olympus_Mons")'],
      [7, 'skipped', 'hour must be a whole number from 0 to 23, a local hour (got "24")'],
      [8, 'skipped', 'hour must be a whole number from 0 to 23, a local hour (got "7.5")'],
      [9, 'skipped', 'channel must be one of email, feed, both (got "pigeon")'],
      [10, 'skipped', 'exclude_keywords: A keyword cannot contain a line break'],
      [11, 'skipped', 'authors: a name is at most 100 characters'],
      [12, 'updated', ''],
      [13, 'updated', ''],
    ]);
    const row = (email: string) => db.prisma.subscriber.findUniqueOrThrow({ where: { emailKey: email } });
    const settings = async (email: string) => {
      const r = await row(email);
      return [r.cadence, r.weekday, r.timezone, r.hour, r.channel, r.excludeKeywords, r.authors];
    };
    assert.deepEqual(await settings('new@example.org'), [
      'weekly',
      5,
      'Asia/Tokyo',
      8,
      'feed',
      ['benchmark', 'survey'],
      ['Fei-Fei Li', 'Yann LeCun'],
    ]);
    assert.deepEqual(await settings('plain@example.org'), ['daily', 1, null, null, 'email', [], []]);
    // Empty cells: cadence, weekday and channel stay; lists become empty; time zone and hour the operator's again.
    assert.deepEqual(await settings('kept@example.org'), ['weekly', 3, null, null, 'email', [], []]);
    assert.deepEqual(await settings('reset@example.org'), ['daily', 1, null, null, 'email', [], []]);
    for (const email of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']) {
      assert.equal(await db.prisma.subscriber.count({ where: { emailKey: `${email}@example.org` } }), 0, email);
    }

    // A file with only some of the columns changes only those.
    const onlyZone = await app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: 'email,timezone\nnew@example.org,Europe/Paris\nplain@example.org,\n',
    });
    assert.deepEqual(
      onlyZone.json().report.map((r: { outcome: string; reason?: string }) => [r.outcome, r.reason ?? '']),
      [
        ['updated', ''],
        ['skipped', 'already up to date'],
      ],
    );
    assert.deepEqual(await settings('new@example.org'), [
      'weekly',
      5,
      'Europe/Paris',
      8,
      'feed',
      ['benchmark', 'survey'],
      ['Fei-Fei Li', 'Yann LeCun'],
    ]);
  });

  it('refuses a file it cannot read as a whole with a 400 that says why', async () => {
    const { app, db } = await buildTestApp();
    const post = (payload: string, url = '/api/admin/subscribers/import?mode=confirmed') =>
      app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'text/csv' }, payload });
    const noEmail = await post('name,topics\nAda,agents\n');
    assert.equal(noEmail.statusCode, 400);
    assert.match(noEmail.json().message, /at least "email"/);
    const open = await post('email,keywords\nada@example.org,"never closed\n');
    assert.equal(open.statusCode, 400);
    assert.match(open.json().message, /quoted field in row 2 never ends/);
    const noMode = await post('email\nada@example.org\n', '/api/admin/subscribers/import');
    assert.equal(noMode.statusCode, 400);
    assert.match(noMode.json().message, /mode/);
    const badMode = await post('email\nada@example.org\n', '/api/admin/subscribers/import?mode=whatever');
    assert.equal(badMode.statusCode, 400);
    assert.equal(await db.prisma.subscriber.count(), 0);
    // Larger than Fastify's default 1 MiB body limit, and with a charset parameter: accepted.
    const big = await app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=confirmed',
      headers: { ...auth, 'content-type': 'text/csv; charset=utf-8' },
      payload: `email,notes\nbig@example.org,${'x'.repeat(1_500_000)}\n`,
    });
    assert.equal(big.statusCode, 200, big.body.slice(0, 200));
    assert.deepEqual(big.json().ignoredColumns, ['notes']);
    await db.prisma.subscriber.deleteMany();
    const failed = await db.prisma.auditEntry.findMany({ where: { action: 'subscribers.import' } });
    assert.equal(failed.length, 3, 'the refused files are in the audit log, with the one imported');
    assert.equal(
      failed.filter((e) => (e.result as { error?: string }).error === 'PAPERMAIL_ERR_BAD_REQUEST').length,
      2,
    );
  });

  it('pending mode: new readers wait for confirmation and each gets one confirmation email', async () => {
    const sent: number[] = [];
    const { app, db } = await buildAdminApp(async (id) => {
      const reader = await db.prisma.subscriber.findUniqueOrThrow({ where: { id } });
      if (reader.email === 'broken@example.org') throw new Error('relay said no');
      sent.push(id);
    });
    await seedTopics(db.prisma);
    await addReader(db.prisma, { email: 'active@example.org', status: 'active' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/admin/subscribers/import?mode=pending',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload:
        'email,topics\nnew1@example.org,agents\nnew2@example.org,reasoning\nactive@example.org,agents\nbroken@example.org,agents\n',
    });
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json().report as {
      email: string;
      outcome: string;
      id: number;
      status: string;
      confirmation?: string;
    }[];
    const byEmail = Object.fromEntries(report.map((r) => [r.email, r]));
    const ids = ['new1@example.org', 'new2@example.org'].map((e) => byEmail[e]!.id);
    assert.deepEqual(sent.sort(), ids.sort(), 'one confirmation per new reader, none for the active one');
    assert.equal(byEmail['new1@example.org']!.confirmation, 'sent');
    assert.equal(byEmail['broken@example.org']!.confirmation, 'failed');
    assert.equal(byEmail['active@example.org']!.status, 'active', 'pending mode never lowers an active reader');
    assert.equal(byEmail['active@example.org']!.confirmation, undefined);
    const new1 = await db.prisma.subscriber.findUniqueOrThrow({ where: { emailKey: 'new1@example.org' } });
    assert.equal(new1.status, 'pending');
    assert.equal(new1.confirmedAt, null);
    assert.ok(new1.confirmToken && new1.confirmToken.length >= 22, 'a fresh confirm token');
    assert.ok(new1.confirmExpiresAt && new1.confirmExpiresAt > new Date());
    assert.notEqual(new1.confirmToken, new1.token);
    const [confirmations] = await db.prisma.auditEntry.findMany({
      where: { action: 'subscribers.import.confirmations' },
    });
    assert.deepEqual(confirmations?.result, { sent: 2, failedIds: [byEmail['broken@example.org']!.id] });
  });

  it('exports only the readers the filters select, and parses as CSV with the documented columns', async () => {
    const { app, db } = await buildTestApp();
    await seedTopics(db.prisma);
    await addReader(db.prisma, { email: 'a@example.org', topics: ['agents'] });
    await addReader(db.prisma, { email: 'b@example.org', topics: ['reasoning'] });
    await addReader(db.prisma, { email: 'c@example.org', status: 'pending', topics: ['agents'] });
    const res = await app.inject({ url: '/api/admin/subscribers.csv?topic=agents&status=active', headers: auth });
    const records = parseCsv(res.body);
    assert.equal(records[0]!.join(','), HEADER);
    assert.deepEqual(
      records.slice(1).map((r) => r[0]),
      ['a@example.org'],
    );
    const [entry] = await db.prisma.auditEntry.findMany({ where: { action: 'subscribers.export' } });
    assert.deepEqual(entry?.params, { status: 'active', topic: 'agents' });
    assert.deepEqual(entry?.result, { count: 1 });
  });

  it('streams a list larger than one batch whole, in id order, with its length announced', async () => {
    const { app, db } = await buildTestApp();
    const readers = 2500; // over two edges of the export's 1,000-reader batches
    await db.prisma.subscriber.createMany({
      data: Array.from({ length: readers }, (_, i) => ({
        email: `r${i}@example.org`,
        emailKey: `r${i}@example.org`,
        status: 'active' as const,
        token: `reader-token-${i}-0123456789abcdef`,
      })),
    });
    const res = await app.inject({ url: '/api/admin/subscribers.csv', headers: auth });
    assert.equal(res.statusCode, 200);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
    const emails = parseCsv(res.body)
      .slice(1)
      .map((r) => r[0]);
    assert.deepEqual(
      emails,
      Array.from({ length: readers }, (_, i) => `r${i}@example.org`),
    );
  });
});
