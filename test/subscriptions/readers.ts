// Shared steps of the reader tests: sign up through the API, read links out of the emails that arrived, pull CSRF
// values out of pages, look at rows.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import type { PrismaClient } from '../../src/db/client.js';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import type { ReceivedMail, SmtpSink } from '../helpers/smtp-sink.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

export interface ReaderWorld extends TestApp {
  sink: SmtpSink;
}

/** The app on a fresh database with the topic catalog, sending mail to a fresh SMTP sink. */
export async function buildReaderWorld(env: Record<string, string> = {}): Promise<ReaderWorld> {
  const sink = await startSmtpSink({ closeAfter: false });
  const world = await buildTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://papers.example.org', ...env });
  // After the app (and its pooled SMTP connections) closed: the sink would otherwise wait 30 s for them.
  after(() => sink.close());
  await seedTopics(world.db.prisma);
  return { ...world, sink };
}

let nextIp = 1;
/** A client address of its own, so that tests do not share the per-IP sign-up limit. */
export function freshIp(): string {
  nextIp += 1;
  return `10.${(nextIp >> 16) & 255}.${(nextIp >> 8) & 255}.${nextIp & 255}`;
}

/** POST /api/subscriptions, then works through the sign-up queue, so its email has arrived. */
export async function signUp(world: ReaderWorld, body: Record<string, unknown>) {
  const response = await world.app.inject({
    method: 'POST',
    url: '/api/subscriptions',
    payload: body,
    remoteAddress: freshIp(),
  });
  await world.services.subscriptions.processSignups();
  return response;
}

/** The first path in a mail's text part that starts with `prefix` ("/confirm/"), without the host. */
export function linkIn(mail: ReceivedMail, prefix: string): string {
  const text = mail.parsed.text ?? '';
  const match = new RegExp(`https://papers\\.example\\.org(${prefix}[A-Za-z0-9_-]+)`).exec(text);
  assert.ok(match, `no ${prefix} link in:\n${text}`);
  return match[1]!;
}

/** The CSRF value of the first form of a page, or of the form whose action ends with `action` ("/pause"). */
export function csrfIn(html: string, action?: string): string {
  const forms = action === undefined ? html : html.slice(html.search(new RegExp(`action="[^"]*${action}"`)));
  const match = /name="csrf" value="([^"]+)"/.exec(forms);
  assert.ok(match, `the page has no CSRF field${action ? ` in a form posting to …${action}` : ''}`);
  return match[1]!;
}

export function readerRow(prisma: PrismaClient, email: string) {
  return prisma.subscriber.findUnique({
    where: { emailKey: email.toLowerCase() },
    include: { topics: { include: { topic: true }, orderBy: { topicId: 'asc' } } },
  });
}

/** Signs `email` up and confirms it through the pages; returns its long-lived token. */
export async function activeReader(world: ReaderWorld, email: string, topics = ['agents']): Promise<string> {
  const before = world.sink.to(email).length;
  const response = await signUp(world, { email, topics });
  assert.equal(response.statusCode, 202);
  const mails = world.sink.to(email);
  assert.equal(mails.length, before + 1, 'one confirmation email');
  const confirmed = await pressConfirm(world, linkIn(mails.at(-1)!, '/confirm/'));
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  const row = await readerRow(world.db.prisma, email);
  assert.equal(row?.status, 'active');
  return row!.token;
}

/** Opens a confirmation link and presses its button, as a person does; returns the answer to the press. */
export async function pressConfirm(world: ReaderWorld, confirmPath: string) {
  const page = await world.app.inject({ url: confirmPath });
  assert.equal(page.statusCode, 200, page.body);
  return world.app.inject({
    method: 'POST',
    url: confirmPath,
    headers: FORM,
    payload: form({ csrf: csrfIn(page.body) }),
  });
}

/** A form body, urlencoded. */
export function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
