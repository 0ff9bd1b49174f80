// The confirmation link. GET shows a page with a button and changes nothing (mail scanners open links); the
// button POSTs, with a CSRF value bound to the confirmation token, and only that activates. Once pressed, the link
// answers with a short "already confirmed" page that shows nothing about the reader.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
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

function titleOf(view: ConfirmationView): string {
  if (view.state === 'open') return 'Confirm your subscription';
  return view.state === 'confirmed' ? 'You are subscribed' : 'Already confirmed';
}
