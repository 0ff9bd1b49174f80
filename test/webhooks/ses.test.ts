// Amazon SES feedback through SNS: a real digest run into the SMTP sink, then SES's bounce and complaint
// notifications (the examples of the SES developer guide, "Amazon SNS notification contents") for those messages,
// in SNS envelopes signed with a local certificate, posted to /webhooks/ses.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadFixturePapers } from '../digest/fixture-papers.js';
import { createReaders } from '../digest/readers.js';
import type { TestApp } from '../helpers/app.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { type Sns, startSns } from './sns-signer.js';
import { buildWebhookApp, eventsOf, readersWithSends, snapshot, statusOf } from './world.js';

const DAY = '2026-07-30';

/** SES's bounce notification example, for our message to `address`. */
function sesBounce(address: string, messageId: string, bounceType = 'Permanent') {
  return {
    notificationType: 'Bounce',
    bounce: {
      bounceType,
      bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
      bouncedRecipients: [
        { emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
      ],
      timestamp: '2016-01-27T14:59:38.237Z',
      feedbackId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
      remoteMtaIp: '127.0.2.0',
      reportingMTA: 'dns; a8-70.smtp-out.amazonses.com',
    },
    mail: {
      timestamp: '2016-01-27T14:59:38.237Z',
      source: 'digest@localhost',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/localhost',
      sourceIp: '127.0.3.0',
      sendingAccountId: '123456789012',
      messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
      destination: [address],
      headersTruncated: false,
      headers: [
        { name: 'From', value: 'papermail <digest@localhost>' },
        { name: 'To', value: address },
        { name: 'Message-ID', value: messageId },
      ],
      commonHeaders: {
        from: ['papermail <digest@localhost>'],
        to: [address],
        messageId,
        subject: 'Trending AI papers',
      },
    },
  };
}

/** SES's complaint notification example; only the common headers carry our Message-ID here. */
function sesComplaint(address: string, messageId: string) {
  return {
    notificationType: 'Complaint',
    complaint: {
      userAgent: 'AnyCompany Feedback Loop (V0.01)',
      complainedRecipients: [{ emailAddress: address }],
      complaintFeedbackType: 'abuse',
      arrivalDate: '2016-01-27T14:59:38.237Z',
      timestamp: '2016-01-27T14:59:38.237Z',
      feedbackId: '000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000',
    },
    mail: {
      timestamp: '2016-01-27T14:59:38.237Z',
      messageId: '000001378603177f-7a5433e7-8edb-42ae-af10-f0181f34d6ee-000000',
      source: 'digest@localhost',
      destination: [address],
      headersTruncated: false,
      commonHeaders: {
        from: ['papermail <digest@localhost>'],
        to: [address],
        messageId,
        subject: 'Trending AI papers',
      },
    },
  };
}

interface World extends TestApp {
  sns: Sns;
  ada: { id: number; email: string; messageId: string };
  bob: { id: number; email: string; messageId: string };
}

/**
 * Two readers who were sent a digest. With `viaSmtp`, a real run through the SMTP sink (the Message-IDs as the sink
 * received them); otherwise sent deliveries written straight to the database, which is much cheaper.
 */
async function setup(viaSmtp = false): Promise<World> {
  const sns = await startSns();
  const sink = await startSmtpSink({ closeAfter: false });
  const app = await buildWebhookApp({ SMTP_URL: sink.url, SES_SNS_TRUSTED_CERT_ORIGIN: sns.server.baseUrl });
  // After the app (and its pooled SMTP connections) closed: the sink would otherwise wait 30 s for them.
  after(() => sink.close());
  const specs = [
    { email: 'ada@example.org', topics: ['agents'] },
    { email: 'bob@example.org', topics: ['agents'] },
  ];
  if (!viaSmtp) {
    const [ada, bob] = await readersWithSends(app.db.prisma, specs);
    return {
      ...app,
      sns,
      ada: { ...ada!, messageId: ada!.deliveries[0]!.messageId },
      bob: { ...bob!, messageId: bob!.deliveries[0]!.messageId },
    };
  }
  await loadFixturePapers(app.db.prisma, DAY);
  const [ada, bob] = await createReaders(app.db.prisma, specs);
  const run = await app.services.digests.runDay(DAY, { trigger: 'test' });
  assert.equal(run.counts?.sent, 2);
  const idOf = (address: string) => sink.to(address)[0]!.parsed.messageId!;
  return {
    ...app,
    sns,
    ada: { ...ada!, messageId: idOf('ada@example.org') },
    bob: { ...bob!, messageId: idOf('bob@example.org') },
  };
}

function post(world: TestApp, envelope: Record<string, string> | string) {
  return world.app.inject({
    method: 'POST',
    url: '/webhooks/ses',
    // SNS posts its JSON as text/plain.
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
    payload: typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
  });
}

describe('Amazon SES feedback through SNS', () => {
  it('a permanent bounce (SignatureVersion 1) stops the reader at once and is recorded on that delivery', async () => {
    const world = await setup(true);
    const res = await post(world, world.sns.notification(sesBounce(world.ada.email, world.ada.messageId), '1'));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { events: 1, recorded: 1, suppressed: 1 });

    assert.equal(await statusOf(world.db.prisma, world.ada.id), 'bounced');
    assert.equal(await statusOf(world.db.prisma, world.bob.id), 'active');
    const delivery = await world.db.prisma.delivery.findUniqueOrThrow({ where: { messageId: world.ada.messageId } });
    const [event, ...more] = await eventsOf(world.db.prisma);
    assert.equal(more.length, 0);
    assert.equal(event!.provider, 'ses');
    assert.equal(event!.type, 'hard_bounce');
    assert.equal(event!.deliveryId, delivery.id);
    assert.equal(event!.subscriberId, world.ada.id);
    assert.match(event!.detail, /Bounce Permanent\/General: 5\.1\.1: smtp; 550 5\.1\.1 user unknown/);
  });

  it('a complaint (SignatureVersion 2) marks the reader complained', async () => {
    const world = await setup();
    const res = await post(world, world.sns.notification(sesComplaint(world.bob.email, world.bob.messageId), '2'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await statusOf(world.db.prisma, world.bob.id), 'complained');
    assert.equal(await statusOf(world.db.prisma, world.ada.id), 'active');
    const [event] = await eventsOf(world.db.prisma);
    assert.equal(event!.type, 'complaint');
    assert.equal(event!.detail, 'Complaint: abuse');
  });

  it('confirms an SNS subscription by fetching its SubscribeURL, and records nothing', async () => {
    const world = await setup();
    const before = await snapshot(world.db.prisma);
    const res = await post(world, world.sns.subscriptionConfirmation('2336412f37fb687f5d51e6e2425dacbba'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().subscription, 'confirmed');
    const visits = world.sns.server.requests.filter((r) => r.url.pathname === '/confirm');
    assert.equal(visits.length, 1);
    assert.equal(visits[0]!.url.searchParams.get('Token'), '2336412f37fb687f5d51e6e2425dacbba');
    assert.deepEqual(await snapshot(world.db.prisma), before);
  });

  it('forged, tampered, foreign and unsigned messages get 401 and change nothing', async () => {
    const world = await setup();
    const { sns } = world;
    const before = await snapshot(world.db.prisma);
    const good = sns.notification(sesBounce(world.ada.email, world.ada.messageId));
    const otherAddress = JSON.stringify(sesBounce(world.bob.email, world.bob.messageId));
    const forged: [string, Record<string, string> | string][] = [
      ['a Message changed after signing', { ...good, Message: otherAddress }],
      ['a signature from another message', { ...good, Signature: sns.notification({}).Signature! }],
      ['no signature', { ...good, Signature: '' }],
      ['a topic we did not configure', sns.sign({ ...good, TopicArn: 'arn:aws:sns:us-east-1:999999999999:other' })],
      ['a certificate off SNS', sns.sign({ ...good, SigningCertURL: 'https://sns.evil.example/cert.pem' })],
      [
        'a look-alike SNS host',
        sns.sign({ ...good, SigningCertURL: 'https://sns.us-east-1.amazonaws.com.evil.example/c.pem' }),
      ],
      ['plain http to SNS', sns.sign({ ...good, SigningCertURL: 'http://sns.us-east-1.amazonaws.com/c.pem' })],
      ['not an SNS message', JSON.stringify(sesBounce(world.ada.email, world.ada.messageId))],
      ['not JSON', 'hello'],
    ];
    for (const [what, envelope] of forged) {
      const res = await post(world, envelope);
      assert.equal(res.statusCode, 401, `${what}: ${res.body}`);
      assert.equal(res.json().error, 'PAPERMAIL_ERR_UNAUTHORIZED');
    }
    assert.deepEqual(await snapshot(world.db.prisma), before);
    // Only the trusted origin's certificate was ever fetched.
    const fetched = new Set(sns.server.requests.map((r) => r.url.pathname));
    assert.deepEqual([...fetched], ['/SimpleNotificationService-test.pem']);
  });

  it('a replayed notification is harmless: recorded once, and it does not undo what an admin did since', async () => {
    const world = await setup();
    const envelope = world.sns.notification(sesBounce(world.ada.email, world.ada.messageId));
    assert.equal((await post(world, envelope)).json().recorded, 1);
    // The admin finds the address works again and reactivates the reader; SNS then retries the same message.
    await world.db.prisma.subscriber.update({ where: { id: world.ada.id }, data: { status: 'active' } });
    const replay = await post(world, envelope);
    assert.equal(replay.statusCode, 200);
    assert.deepEqual(replay.json(), { events: 1, recorded: 0, suppressed: 0 });
    assert.equal(await statusOf(world.db.prisma, world.ada.id), 'active');
    assert.equal((await eventsOf(world.db.prisma)).length, 1);
  });

  it('a transient bounce is recorded but does not stop the reader on its own', async () => {
    const world = await setup();
    const res = await post(world, world.sns.notification(sesBounce(world.ada.email, world.ada.messageId, 'Transient')));
    assert.deepEqual(res.json(), { events: 1, recorded: 1, suppressed: 0 });
    assert.equal(await statusOf(world.db.prisma, world.ada.id), 'active');
    assert.equal((await eventsOf(world.db.prisma))[0]!.type, 'soft_bounce');
  });
});
