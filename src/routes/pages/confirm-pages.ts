// The confirmation link. GET shows a page with a button and changes nothing (mail scanners open links); the
// button POSTs, with a CSRF value bound to the confirmation token, and only that activates. Once pressed, the link
// answers with a short "already confirmed" page that shows nothing about the reader.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FirstDigest } from '../../digest/first-digest.js';
import { checkCsrfToken, issueCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import type { ConfirmationView } from '../../subscriptions/confirm-sign-up.js';
import { describeDelivery } from './delivery-options.js';
import { csrfOf } from './page-forms.js';
import { sendPage } from './page-reply.js';

const TokenParams = Type.Object({ token: Type.String() });

export const confirmPages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, secret } = services;
  const binding = (token: string) => `confirm:${token}`;

  function pageData(token: string, view: ConfirmationView) {
    return {
      ...view,
      open: view.state === 'open',
      delivery: view.state === 'open' ? describeDelivery(view.delivery) : [],
      alreadyConfirmed: view.state === 'already-confirmed',
      action: `/confirm/${encodeURIComponent(token)}`,
      csrf: view.state === 'open' ? issueCsrfToken(secret, binding(token)) : undefined,
      // The long-lived token only on the answer to the press that confirmed, never on a GET or a second press.
      preferencesPath: view.state === 'confirmed' ? `/preferences/${encodeURIComponent(view.token)}` : undefined,
      first: view.state === 'confirmed' ? describeFirstDigest(view.firstDigest) : undefined,
    };
  }

  app.get('/confirm/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const view = await subscriptions.findConfirmation(token);
    return sendPage(reply, 200, 'confirm', titleOf(view), pageData(token, view));
  });

  app.post('/confirm/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    // Unknown tokens first, so that every bad link gets the same 404 whatever the form carried.
    await subscriptions.findConfirmation(token);
    checkCsrfToken(secret, binding(token), csrfOf(request.body));
    const view = await subscriptions.confirm(token);
    return sendPage(reply, 200, 'confirm', titleOf(view), pageData(token, view));
  });
};

/** What the page says about the first digest: on its way, in the feed, or when it is expected. */
function describeFirstDigest(first: FirstDigest | undefined) {
  if (!first) return { unknown: true };
  if (first.state === 'queued') return { sent: dayLabel(first.day) };
  if (first.state === 'in-feed') return { inFeed: dayLabel(first.day) };
  return first.at ? { at: dueLabel(first.at, first.timezone) } : { unknown: true };
}

const dayLabel = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });

/** "Tuesday, December 2 at 08:00 (Asia/Tokyo)": the reader's own clock. */
function dueLabel(at: Date, timezone: string): string {
  const date = at.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: timezone });
  const time = at.toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: timezone,
  });
  return `${date} at ${time} (${timezone})`;
}

function titleOf(view: ConfirmationView): string {
  if (view.state === 'open') return 'Confirm your subscription';
  return view.state === 'confirmed' ? 'You are subscribed' : 'Already confirmed';
}
