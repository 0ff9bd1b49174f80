// Stands in for Amazon SNS: a self-signed signing certificate served by a local HTTP server (trusted through
// SES_SNS_TRUSTED_CERT_ORIGIN), envelopes signed the documented way, and a SubscribeURL that records its visits.
import { createSign, randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.js';
import { TOPIC_ARN } from './world.js';

export interface Sns {
  server: FixtureServer;
  certUrl: string;
  /** An SNS Notification carrying `message` (an SES notification object), signed with SignatureVersion 1 or 2. */
  notification(message: unknown, version?: '1' | '2', overrides?: Record<string, string>): Record<string, string>;
  subscriptionConfirmation(token: string): Record<string, string>;
  /** Signs an envelope as SNS does, after any change a test makes to it. */
  sign(envelope: Record<string, string>): Record<string, string>;
}

const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

export async function startSns(): Promise<Sns> {
  const pems = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const server = await startFixtureServer();
  server.route('/SimpleNotificationService-test.pem', () => ({
    headers: { 'content-type': 'application/x-pem-file' },
    body: pems.cert,
  }));
  server.route('/confirm', () => ({ body: '<ConfirmSubscriptionResponse/>' }));
  const certUrl = `${server.baseUrl}/SimpleNotificationService-test.pem`;

  function sign(envelope: Record<string, string>): Record<string, string> {
    const keys = envelope.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
    const text = keys
      .filter((k) => envelope[k] !== undefined)
      .map((k) => `${k}\n${envelope[k]}\n`)
      .join('');
    const signer = createSign(envelope.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    signer.update(text);
    return { ...envelope, Signature: signer.sign(pems.private, 'base64') };
  }

  return {
    server,
    certUrl,
    sign,
    notification(message, version = '1', overrides = {}) {
      return sign({
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: TOPIC_ARN,
        Message: JSON.stringify(message),
        Timestamp: new Date().toISOString(),
        SignatureVersion: version,
        SigningCertURL: certUrl,
        UnsubscribeURL: `${server.baseUrl}/unsubscribe`,
        ...overrides,
      });
    },
    subscriptionConfirmation(token) {
      return sign({
        Type: 'SubscriptionConfirmation',
        MessageId: randomUUID(),
        Token: token,
        TopicArn: TOPIC_ARN,
        Message: `You have chosen to subscribe to the topic ${TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `${server.baseUrl}/confirm?Action=ConfirmSubscription&TopicArn=${TOPIC_ARN}&Token=${token}`,
        Timestamp: new Date().toISOString(),
        SignatureVersion: '2',
        SigningCertURL: certUrl,
      });
    },
  };
}
