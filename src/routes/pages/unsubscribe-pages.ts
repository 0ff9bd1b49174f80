// Unsubscribe. POST /unsubscribe/:token is the RFC 8058 one-click endpoint: mail clients post
// "List-Unsubscribe=One-Click" as a urlencoded or multipart form, with no cookie and no CSRF value (the RFC allows
// none), and must get a 200 without a redirect. The page's own button posts the same form. GET only shows a page.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors } from '../../errors.js';
import { checkCsrfToken, issueCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import type { ReaderPreferences } from '../../subscriptions/reader-preferences.js';
import { parseMultipartFields } from '../multipart-fields.js';
import { csrfOf, formBinding, readerActions } from './page-forms.js';
import { sendPage } from './page-reply.js';
import { sendPreferencesPage } from './preferences-pages.js';

const TokenParams = Type.Object({ token: Type.String() });
const ONE_CLICK_BODY_LIMIT = 16 * 1024;

export const unsubscribePages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, secret } = services;

  // Only this plugin's routes take multipart bodies; the parser is registered in its scope alone.
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'string', bodyLimit: ONE_CLICK_BODY_LIMIT },
    (request, body, done) => {
      try {
        done(null, parseMultipartFields(body as string, request.headers['content-type'] ?? ''));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );

  function unsubscribePage(token: string, preferences: ReaderPreferences) {
    const unsubscribed = ['unsubscribed', 'bounced', 'complained'].includes(preferences.status);
    return {
      email: preferences.email,
      unsubscribed,
      canResubscribe: preferences.status === 'unsubscribed' && preferences.confirmed,
      csrf: { resubscribe: issueCsrfToken(secret, formBinding('resubscribe', token)) },
      actions: readerActions(token),
    };
  }

  app.get('/unsubscribe/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const preferences = await subscriptions.getPreferences(token);
    const title = preferences.status === 'unsubscribed' ? 'You are unsubscribed' : 'Unsubscribe';
    return sendPage(reply, 200, 'unsubscribe', title, unsubscribePage(token, preferences));
  });

  app.post(
    '/unsubscribe/:token',
    {
      schema: {
        tags: ['readers'],
        summary: 'One-click unsubscribe (RFC 8058)',
        description:
          'Body `List-Unsubscribe=One-Click`, as application/x-www-form-urlencoded or multipart/form-data. ' +
          'No cookie or CSRF value needed. Answers 200 with a page, never a redirect; takes effect at once.',
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const { token } = request.params;
      await subscriptions.getPreferences(token);
      const body = request.body as Record<string, unknown> | undefined;
      if (body?.['List-Unsubscribe'] !== 'One-Click') {
        throw errors.badRequest(
          'An unsubscribe request must carry the form field List-Unsubscribe with the value One-Click.',
        );
      }
      await subscriptions.unsubscribe(token);
      const preferences = await subscriptions.getPreferences(token);
      return sendPage(reply, 200, 'unsubscribe', 'You are unsubscribed', unsubscribePage(token, preferences));
    },
  );

  app.post(
    '/unsubscribe/:token/resubscribe',
    { schema: { hide: true, params: TokenParams } },
    async (request, reply) => {
      const { token } = request.params;
      await subscriptions.getPreferences(token);
      checkCsrfToken(secret, formBinding('resubscribe', token), csrfOf(request.body));
      await subscriptions.resubscribe(token);
      return sendPreferencesPage(services, reply, token, await subscriptions.getPreferences(token), {
        notice: 'Welcome back: your subscription is active again.',
      });
    },
  );
};
