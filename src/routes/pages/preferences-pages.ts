// The preferences page behind the link in every digest: topics, keywords, papers per digest, the "top 3 when
// nothing matches" option, pause and resume, unsubscribe. Every form carries a CSRF value bound to the token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { isPapermailError } from '../../errors.js';
import { checkCsrfToken, issueCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import { MAX_KEYWORD_LENGTH, MAX_KEYWORDS, splitKeywordText } from '../../subscriptions/keywords.js';
import { MAX_PAPERS, MIN_PAPERS, type ReaderPreferences } from '../../subscriptions/reader-preferences.js';
import { describeStatus } from '../../subscriptions/reader-status.js';
import { asList, csrfOf, readerActions, readerBinding } from './page-forms.js';
import { sendPage } from './page-reply.js';

const TokenParams = Type.Object({ token: Type.String() });

interface PageState {
  notice?: string;
  error?: string;
  /** What the reader typed, shown again after an error. */
  typed?: { topics: string[]; keywords: string; maxPapers: string; topWhenNoMatch: boolean };
}

export async function sendPreferencesPage(
  services: Services,
  reply: FastifyReply,
  token: string,
  preferences: ReaderPreferences,
  state: PageState = {},
  status = 200,
) {
  const chosen = new Set(state.typed?.topics ?? preferences.topics);
  const all = await services.topics.listActive();
  const votes = await services.feedback.listForReader(token);
  const { status: readerStatus } = preferences;
  return sendPage(reply, status, 'preferences', 'Your preferences', {
    email: preferences.email,
    statusText: describeStatus(readerStatus),
    notice: state.notice,
    error: state.error,
    noInterests: !state.typed && preferences.topics.length === 0 && preferences.keywords.length === 0,
    topics: all.map((t) => ({ ...t, checked: chosen.has(t.slug) })),
    keywords: state.typed?.keywords ?? preferences.keywords.join('\n'),
    maxPapersValue: state.typed?.maxPapers ?? preferences.maxPapers,
    topWhenNoMatch: state.typed?.topWhenNoMatch ?? preferences.topWhenNoMatch,
    minPapers: MIN_PAPERS,
    maxPapers: MAX_PAPERS,
    maxKeywords: MAX_KEYWORDS,
    maxKeywordLength: MAX_KEYWORD_LENGTH,
    canPause: readerStatus === 'active',
    canResume: readerStatus === 'paused',
    canUnsubscribe: ['pending', 'active', 'paused'].includes(readerStatus),
    canResubscribe: readerStatus === 'unsubscribed' && preferences.confirmed,
    csrf: issueCsrfToken(services.secret, readerBinding(token)),
    actions: readerActions(token),
    moreOf: votes.filter((v) => v.vote === 'more'),
    lessOf: votes.filter((v) => v.vote === 'less'),
  });
}

export const preferencesPages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, secret } = services;

  /** The known reader's preferences, after checking the CSRF value of the form (404 before 403). */
  async function authorise(token: string, body: unknown): Promise<ReaderPreferences> {
    const preferences = await subscriptions.getPreferences(token);
    checkCsrfToken(secret, readerBinding(token), csrfOf(body));
    return preferences;
  }

  app.get('/preferences/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    return sendPreferencesPage(services, reply, token, await subscriptions.getPreferences(token));
  });

  app.post('/preferences/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    const current = await authorise(token, request.body);
    const form = request.body as Record<string, unknown>;
    const one = (name: string): string | undefined => asList(form[name])[0];
    const typed = {
      topics: asList(form.topics),
      keywords: one('keywords') ?? '',
      maxPapers: one('maxPapers') ?? '',
      topWhenNoMatch: one('topWhenNoMatch') !== undefined,
    };
    try {
      const saved = await subscriptions.updatePreferences(token, {
        topics: typed.topics,
        keywords: splitKeywordText(typed.keywords),
        maxPapers: typed.maxPapers,
        topWhenNoMatch: typed.topWhenNoMatch,
      });
      return sendPreferencesPage(services, reply, token, saved, {
        notice: 'Saved. Your next digest follows these preferences.',
      });
    } catch (err) {
      if (!isPapermailError(err) || err.statusCode !== 400) throw err;
      return sendPreferencesPage(services, reply, token, current, { error: err.message, typed }, 400);
    }
  });

  app.post('/preferences/:token/pause', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    await authorise(token, request.body);
    await subscriptions.pause(token);
    return sendPreferencesPage(services, reply, token, await subscriptions.getPreferences(token), {
      notice: 'Paused. No digests until you resume.',
    });
  });

  app.post('/preferences/:token/resume', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    await authorise(token, request.body);
    await subscriptions.resume(token);
    return sendPreferencesPage(services, reply, token, await subscriptions.getPreferences(token), {
      notice: 'Resumed. Your digest starts again with the next issue.',
    });
  });
};
