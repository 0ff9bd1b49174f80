// Postmark, Mailgun, SendGrid and the generic endpoint, with payloads shaped like each provider's documented
// examples, against real Postgres: what each event does to the reader, and what a forgery or a replay does not.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { signGeneric } from '../../src/webhooks/generic.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import {
  buildWebhookApp,
  eventsOf,
  GENERIC_SECRET,
  MAILGUN_KEY,
  POSTMARK_SECRET,
  readersWithSends,
  sendgridKeys,
  snapshot,
  statusOf,
} from './world.js';

const json = { 'content-type': 'application/json' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function postmark(app: TestApp, record: unknown, authorization = basic('postmark', POSTMARK_SECRET)) {
  return app.app.inject({
    method: 'POST',
    url: '/webhooks/postmark',
    headers: { ...json, authorization },
    // Postmark's IDs are 64-bit numbers, beyond what a JavaScript number holds exactly: sent as bare digits.
    payload: JSON.stringify(record).replace(/"ID":"(\d+)"/, '"ID":$1'),
  });
}

/** Postmark's bounce webhook example (developer docs, "Bounce webhook"). */
function postmarkBounce(email: string, type = 'HardBounce', id = '4323372036854775807') {
  return {
    RecordType: 'Bounce',
    MessageStream: 'outbound',
    ID: id,
    Type: type,
    TypeCode: type === 'HardBounce' ? 1 : 4096,
    Name: type === 'HardBounce' ? 'Hard bounce' : 'Soft bounce',
    Tag: 'digest',
    MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
    Metadata: {},
    ServerID: 23,
    Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
    Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
    Email: email,
    From: 'digest@localhost',
    BouncedAt: '2019-11-05T16:33:54.9070259Z',
    DumpAvailable: true,
    Inactive: true,
    CanActivate: true,
    Subject: 'Trending AI papers',
  };
}

/** Postmark's spam complaint webhook example. */
function postmarkComplaint(email: string) {
  return {
    RecordType: 'SpamComplaint',
    MessageStream: 'outbound',
    ID: '42',
    Type: 'SpamComplaint',
    TypeCode: 512,
    Name: 'Spam complaint',
    Tag: 'digest',
    MessageID: '00000000-0000-0000-0000-000000000000',
    Metadata: {},
    ServerID: 1234,
    Description: 'The subscriber explicitly marked this message as spam.',
    Details: 'Test spam complaint details',
    Email: email,
    From: 'digest@localhost',
    BouncedAt: '2019-11-05T16:33:54.9070259Z',
    DumpAvailable: true,
    Inactive: true,
    CanActivate: false,
    Subject: 'Trending AI papers',
  };
}

/** Mailgun's "failed" event (webhooks docs), signed with `key` at `timestamp` (seconds). */
function mailgunFailed(
  recipient: string,
  messageId: string,
  severity: 'permanent' | 'temporary',
  o: { id?: string; key?: string; timestamp?: number; event?: string } = {},
) {
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const token = randomBytes(25).toString('hex');
  const signature = createHmac('sha256', o.key ?? MAILGUN_KEY)
    .update(timestamp + token)
    .digest('hex');
  return {
    signature: { timestamp, token, signature },
    'event-data': {
      id: o.id ?? randomBytes(11).toString('base64url'),
      timestamp: 1521472262.908181,
      'log-level': severity === 'permanent' ? 'error' : 'warn',
      event: o.event ?? 'failed',
      severity,
      reason: severity === 'permanent' ? 'bounce' : 'generic',
      recipient,
      'recipient-domain': recipient.split('@')[1],
      envelope: { sender: 'digest@localhost', transport: 'smtp', targets: recipient },
      message: {
        headers: { to: recipient, 'message-id': messageId.replace(/^<|>$/g, ''), from: 'digest@localhost' },
        attachments: [],
        size: 111,
      },
      'delivery-status': {
        'attempt-no': 1,
        code: severity === 'permanent' ? 550 : 452,
        message: severity === 'permanent' ? '' : '4.2.2 The email account that you tried to reach is over quota.',
        description: severity === 'permanent' ? 'Not delivering to previously bounced address' : '',
        'session-seconds': 0.1,
      },
      flags: { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false },
      tags: [],
      'user-variables': {},
    },
  };
}

function mailgun(app: TestApp, payload: unknown) {
  return app.app.inject({ method: 'POST', url: '/webhooks/mailgun', headers: json, payload: JSON.stringify(payload) });
}

/** A SendGrid event webhook batch (docs, "Event webhook reference"): a bounce, a spam report, a delivery. */
function sendgridBatch(bounced: string, complained: string, delivered: { email: string; messageId: string }) {
  return [
    {
      email: bounced,
      timestamp: 1513299569,
      'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
      event: 'bounce',
      category: 'digest',
      sg_event_id: '6g4ZI7SA-xmRDv57GoPIPw==',
      sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
      reason: '500 unknown recipient',
      status: '5.0.0',
      type: 'bounce',
    },
    {
      email: complained,
      timestamp: 1513299569,
      'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-556>',
      event: 'spamreport',
      category: 'digest',
      sg_event_id: '37nvH5QBz858KGVYCM4uOA==',
      sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.1',
    },
    {
      email: delivered.email,
      timestamp: 1513299569,
      'smtp-id': delivered.messageId,
      event: 'delivered',
      category: 'digest',
      sg_event_id: 'rWVYmVk90MjZJ9iohOBa3w==',
      sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.2',
      response: '250 OK',
    },
  ];
}

function sendgrid(app: TestApp, body: string, o: { key?: typeof sendgridKeys.privateKey; timestamp?: string } = {}) {
  const timestamp = o.timestamp ?? String(Math.floor(Date.now() / 1000));
  const signature = sign('sha256', Buffer.from(timestamp + body), o.key ?? sendgridKeys.privateKey).toString('base64');
  return app.app.inject({
    method: 'POST',
    url: '/webhooks/sendgrid',
    headers: {
      ...json,
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
    },
    payload: body,
  });
}

function generic(app: TestApp, body: string, signature = signGeneric(GENERIC_SECRET, body)) {
  return app.app.inject({
    method: 'POST',
    url: '/webhooks/generic',
    headers: { ...json, 'x-papermail-signature': signature },
    payload: body,
  });
}

const two = [{ email: 'ada@example.org' }, { email: 'Bob@Example.org' }];

describe('Postmark', () => {
  it('a HardBounce stops the reader at once, found by address, on their latest delivery', async () => {
    const app = await buildWebhookApp();
    const [ada, bob] = await readersWithSends(app.db.prisma, two, 2);
    const res = await postmark(app, postmarkBounce('ada@example.org'));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { events: 1, recorded: 1, suppressed: 1 });
    assert.equal(await statusOf(app.db.prisma, ada!.id), 'bounced');
    assert.equal(await statusOf(app.db.prisma, bob!.id), 'active');
    const [event] = await eventsOf(app.db.prisma);
    assert.equal(event!.deliveryId, ada!.deliveries[1]!.id);
    assert.equal(event!.providerEventId, 'Bounce:4323372036854775807');
  });

  it('a SpamComplaint marks the reader complained (the address is matched whatever its case)', async () => {
    const app = await buildWebhookApp();
    const [, bob] = await readersWithSends(app.db.prisma, two);
    const res = await postmark(app, postmarkComplaint('bob@example.org'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await statusOf(app.db.prisma, bob!.id), 'complained');
  });

  it('without the password, or with a wrong one, gets 401 and changes nothing', async () => {
    const app = await buildWebhookApp();
    await readersWithSends(app.db.prisma, two);
    const before = await snapshot(app.db.prisma);
    for (const auth of ['', basic('postmark', 'wrong-password-0123456789'), `Bearer ${POSTMARK_SECRET}`]) {
      const res = await postmark(app, postmarkBounce('ada@example.org'), auth);
      assert.equal(res.statusCode, 401, auth);
    }
    assert.deepEqual(await snapshot(app.db.prisma), before);
  });
});

describe('Mailgun', () => {
  it('a permanent failure stops the reader, found by the Message-ID papermail set', async () => {
    const app = await buildWebhookApp();
    const [ada] = await readersWithSends(app.db.prisma, two, 3);
    // An older digest bounced: the event belongs to that delivery, not the latest.
    const res = await mailgun(app, mailgunFailed('ada@example.org', ada!.deliveries[0]!.messageId, 'permanent'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await statusOf(app.db.prisma, ada!.id), 'bounced');
    const [event] = await eventsOf(app.db.prisma);
    assert.equal(event!.deliveryId, ada!.deliveries[0]!.id);
    assert.equal(event!.type, 'hard_bounce');
    assert.match(event!.detail, /^failed permanent bounce: 550: Not delivering/);
  });

  it('a complaint stops the reader', async () => {
    const app = await buildWebhookApp();
    const [ada] = await readersWithSends(app.db.prisma, two);
    const payload = mailgunFailed('ada@example.org', ada!.deliveries[0]!.messageId, 'permanent', {
      event: 'complained',
    });
    assert.equal((await mailgun(app, payload)).statusCode, 200);
    assert.equal(await statusOf(app.db.prisma, ada!.id), 'complained');
  });

  it('three temporary failures within the last five sends suspend the reader; retries of one send count once', async () => {
    const app = await buildWebhookApp();
    const [ada] = await readersWithSends(app.db.prisma, two, 7);
    const d = ada!.deliveries;
    const soft = async (i: number) => {
      const res = await mailgun(app, mailgunFailed('ada@example.org', d[i]!.messageId, 'temporary'));
      assert.equal(res.statusCode, 200, res.body);
      return statusOf(app.db.prisma, ada!.id);
    };
    // Sends 1 and 2 are older than the last five; send 7 bounces twice (Mailgun reports each retry).
    for (const i of [0, 1, 5, 6, 6]) assert.equal(await soft(i), 'active', `after a soft bounce of send ${i + 1}`);
    assert.equal(await soft(4), 'bounced');
    assert.equal((await eventsOf(app.db.prisma)).filter((e) => e.type === 'soft_bounce').length, 6);
  });

  it('a forged or stale signature gets 401 and changes nothing; a replayed event is recorded once', async () => {
    const app = await buildWebhookApp();
    const [ada] = await readersWithSends(app.db.prisma, two);
    const messageId = ada!.deliveries[0]!.messageId;
    const before = await snapshot(app.db.prisma);
    const forged = mailgunFailed('ada@example.org', messageId, 'permanent', { key: 'key-not-ours-0123456789' });
    const stale = mailgunFailed('ada@example.org', messageId, 'permanent', {
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const tampered = mailgunFailed('bob@example.org', messageId, 'permanent');
    tampered.signature.token = randomBytes(25).toString('hex');
    for (const payload of [forged, stale, tampered, { 'event-data': forged['event-data'] }]) {
      const res = await mailgun(app, payload);
      assert.equal(res.statusCode, 401, res.body);
    }
    assert.deepEqual(await snapshot(app.db.prisma), before);

    const event = mailgunFailed('ada@example.org', messageId, 'temporary', { id: 'G9Bn5sl1TC6gnUi5N6SJ3g' });
    assert.equal((await mailgun(app, event)).json().recorded, 1);
    // Mailgun retries a webhook it got no 2xx for: the same event, signed afresh.
    const again = mailgunFailed('ada@example.org', messageId, 'temporary', { id: 'G9Bn5sl1TC6gnUi5N6SJ3g' });
    assert.deepEqual((await mailgun(app, again)).json(), { events: 1, recorded: 0, suppressed: 0 });
    assert.equal((await eventsOf(app.db.prisma)).length, 1);
  });
});

describe('SendGrid event webhook', () => {
  it('a signed batch: the bounce stops one reader, the spam report another, the delivery is recorded', async () => {
    const app = await buildWebhookApp();
    const [ada, bob, cy] = await readersWithSends(app.db.prisma, [...two, { email: 'cy@example.org' }]);
    const body = JSON.stringify(
      sendgridBatch('ada@example.org', 'bob@example.org', {
        email: 'cy@example.org',
        messageId: cy!.deliveries[0]!.messageId,
      }),
    );
    const res = await sendgrid(app, body);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { events: 3, recorded: 3, suppressed: 2 });
    assert.equal(await statusOf(app.db.prisma, ada!.id), 'bounced');
    assert.equal(await statusOf(app.db.prisma, bob!.id), 'complained');
    assert.equal(await statusOf(app.db.prisma, cy!.id), 'active');
    const events = await eventsOf(app.db.prisma);
    assert.deepEqual(
      events.map((e) => [e.type, e.deliveryId]),
      [
        ['hard_bounce', ada!.deliveries[0]!.id],
        ['complaint', bob!.deliveries[0]!.id],
        ['delivery', cy!.deliveries[0]!.id],
      ],
    );
    assert.deepEqual((await sendgrid(app, body)).json(), { events: 3, recorded: 0, suppressed: 0 });
  });

  it('signed by another key, changed after signing, stale or unsigned: 401 and nothing changes', async () => {
    const app = await buildWebhookApp();
    await readersWithSends(app.db.prisma, two);
    const before = await snapshot(app.db.prisma);
    const body = JSON.stringify(
      sendgridBatch('ada@example.org', 'bob@example.org', { email: 'x@example.org', messageId: '<x@y>' }),
    );
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    assert.equal((await sendgrid(app, body, { key: other })).statusCode, 401);
    const signed = await sendgrid(app, '[]', {});
    assert.equal(signed.statusCode, 200);
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    assert.equal((await sendgrid(app, body, { timestamp: stale })).statusCode, 401);
    const tampered = await app.app.inject({
      method: 'POST',
      url: '/webhooks/sendgrid',
      headers: {
        ...json,
        'x-twilio-email-event-webhook-signature': sign(
          'sha256',
          Buffer.from(`1700000000${body}`),
          sendgridKeys.privateKey,
        ).toString('base64'),
        'x-twilio-email-event-webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      payload: body,
    });
    assert.equal(tampered.statusCode, 401);
    const unsigned = await app.app.inject({ method: 'POST', url: '/webhooks/sendgrid', headers: json, payload: body });
    assert.equal(unsigned.statusCode, 401);
    assert.deepEqual(await snapshot(app.db.prisma), before);
  });
});

describe('generic webhook', () => {
  it('events in papermail words, signed with WEBHOOK_SECRET: complaint and hard bounce stop, bad fields are named', async () => {
    const app = await buildWebhookApp();
    const [ada, bob] = await readersWithSends(app.db.prisma, two);
    const body = JSON.stringify({
      events: [
        { id: 'relay-1', type: 'complaint', email: 'ada@example.org', detail: 'ARF abuse report' },
        { id: 'relay-2', type: 'hard_bounce', messageId: bob!.deliveries[0]!.messageId.slice(1, -1) },
      ],
    });
    const before = await snapshot(app.db.prisma);
    assert.equal((await generic(app, body, signGeneric('some-other-secret-0123', body))).statusCode, 401);
    assert.equal((await generic(app, body, '')).statusCode, 401);
    assert.deepEqual(await snapshot(app.db.prisma), before);

    const res = await generic(app, body);
    assert.deepEqual(res.json(), { events: 2, recorded: 2, suppressed: 2 });
    assert.equal(await statusOf(app.db.prisma, ada!.id), 'complained');
    assert.equal(await statusOf(app.db.prisma, bob!.id), 'bounced');

    const bad = JSON.stringify({ events: [{ id: 'relay-3', type: 'exploded', email: 'ada@example.org' }] });
    const refused = await generic(app, bad);
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().message, /\/events\/0\/type/);
    const nobody = JSON.stringify({ events: [{ id: 'relay-4', type: 'complaint' }] });
    assert.match((await generic(app, nobody)).json().message, /\/events\/0: it needs an email or a messageId/);
  });

  it('every endpoint whose secret is unset answers 404', async () => {
    const app = await buildTestApp();
    await readersWithSends(app.db.prisma, two);
    const before = await snapshot(app.db.prisma);
    for (const provider of ['ses', 'postmark', 'mailgun', 'sendgrid', 'generic']) {
      const res = await app.app.inject({ method: 'POST', url: `/webhooks/${provider}`, headers: json, payload: '{}' });
      assert.equal(res.statusCode, 404, provider);
    }
    assert.deepEqual(await snapshot(app.db.prisma), before);
  });
});
