// Amazon SNS HTTP(S) deliveries: the envelope, its signature (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) over
// the documented "name\nvalue\n" string, checked against the certificate at SigningCertURL, which must be an
// https URL on sns.<region>.amazonaws.com. https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
import { createVerify, X509Certificate } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { readJson } from './provider-event.js';
import { unsigned } from './signatures.js';

export const SnsMessageSchema = Type.Object({
  Type: Type.Union([
    Type.Literal('Notification'),
    Type.Literal('SubscriptionConfirmation'),
    Type.Literal('UnsubscribeConfirmation'),
  ]),
  MessageId: Type.String({ minLength: 1 }),
  TopicArn: Type.String(),
  Subject: Type.Optional(Type.String()),
  Message: Type.String(),
  Timestamp: Type.String(),
  SignatureVersion: Type.Union([Type.Literal('1'), Type.Literal('2')]),
  Signature: Type.String(),
  SigningCertURL: Type.String(),
  SubscribeURL: Type.Optional(Type.String()),
  Token: Type.Optional(Type.String()),
});
export type SnsMessage = Static<typeof SnsMessageSchema>;

/** Fetches a URL's body as text: certificates and SubscribeURL. Injectable so tests use a local server. */
export type FetchText = (url: string) => Promise<string>;

export interface SnsTrust {
  topicArns: string[];
  /** Test only: an origin trusted like sns.<region>.amazonaws.com. */
  trustedOrigin: string | undefined;
  fetchText: FetchText;
}

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** True for an https URL on an SNS host (or the test-only trusted origin): certificates and SubscribeURL. */
export function isSnsUrl(raw: string, trustedOrigin: string | undefined): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (trustedOrigin !== undefined && url.origin === trustedOrigin) return true;
  return url.protocol === 'https:' && SNS_HOST.test(url.hostname) && url.port === '';
}

function stringToSign(m: SnsMessage): string {
  const keys =
    m.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}\n${m[k]}\n`)
    .join('');
}

// Certificates rotate rarely; one fetch per URL per process is enough (a forged URL never gets here).
const certificates = new Map<string, Promise<string>>();

async function certificate(url: string, fetchText: FetchText): Promise<string> {
  let pending = certificates.get(url);
  if (!pending) {
    pending = fetchText(url);
    certificates.set(url, pending);
    pending.catch(() => certificates.delete(url));
  }
  return pending;
}

/** Parses the envelope and proves it came from SNS for one of our topics; anything else is a 401. */
export async function readSnsMessage(body: string, trust: SnsTrust, now: Date): Promise<SnsMessage> {
  let message: SnsMessage;
  try {
    message = readJson(SnsMessageSchema, body, 'SNS message');
  } catch {
    throw unsigned('SNS', 'the body is not a signed SNS message');
  }
  if (!trust.topicArns.includes(message.TopicArn)) throw unsigned('SNS', 'the topic is not one of SES_SNS_TOPIC_ARNS');
  if (!isSnsUrl(message.SigningCertURL, trust.trustedOrigin)) {
    throw unsigned('SNS', 'the signing certificate is not on an https sns.<region>.amazonaws.com URL');
  }
  let pem: string;
  try {
    pem = await certificate(message.SigningCertURL, trust.fetchText);
    const cert = new X509Certificate(pem);
    if (new Date(cert.validFrom) > now || new Date(cert.validTo) < now) throw new Error('expired');
  } catch {
    throw unsigned('SNS', 'the signing certificate could not be fetched or is not valid now');
  }
  const verifier = createVerify(message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  verifier.update(stringToSign(message), 'utf8');
  if (!verifier.verify(pem, message.Signature, 'base64')) throw unsigned('SNS', 'the signature does not match');
  return message;
}
