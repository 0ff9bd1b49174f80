// The preferences page behind the link in every digest: topics, keywords, papers per digest, the "top 3 when
// nothing matches" option, pause and resume, unsubscribe. Every form carries a CSRF value bound to the token and
// to that form.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { isPapermailError } from '../../errors.js';
import { checkCsrfToken, issueCsrfToken } from '../../pages/csrf-token.js';
import type { Services } from '../../services.js';
import { MAX_KEYWORD_LENGTH, MAX_KEYWORDS, splitKeywordText } from '../../subscriptions/keywords.js';
import { MAX_PAPERS, MIN_PAPERS, type ReaderPreferences } from '../../subscriptions/reader-preferences.js';
import { describeStatus } from '../../subscriptions/reader-status.js';
import { PlainLines, PlainText } from '../plain-text-schema.js';
import { deliveryOptions } from './delivery-options.js';
import {
  asList,
  csrfOf,
  formBinding,
  formCsrfValues,
  type ReaderForm,
  readerActions,
  TopicsField,
} from './page-forms.js';
import { sendPage } from './page-reply.js';

const TokenParams = Type.Object({ token: Type.String() });

/** The save form's fields; other fields (a browser's or a proxy's) are ignored, as forms go. */
const SaveForm = Type.Object({
  csrf: Type.Optional(Type.Unknown()),
  topics: Type.Optional(TopicsField),
  keywords: Type.Optional(PlainLines({ maxLength: 5000 })),
  maxPapers: Type.Optional(PlainText({ maxLength: 20 })),
  topWhenNoMatch: Type.Optional(PlainText({ maxLength: 20 })),
  cadence: Type.Optional(PlainText({ maxLength: 20 })),
  weekday: Type.Optional(PlainText({ maxLength: 20 })),
  timezone: Type.Optional(PlainText({ maxLength: 100 })),
  hour: Type.Optional(PlainText({ maxLength: 20 })),
  channel: Type.Optional(PlainText({ maxLength: 20 })),
  excludeKeywords: Type.Optional(PlainLines({ maxLength: 5000 })),
  authors: Type.Optional(PlainLines({ maxLength: 5000 })),
});

interface PageState {
  notice?: string;
  error?: string;
  /** What the reader typed, shown again after an error. */
  typed?: { topics: string[]; keywords: string; maxPapers: string; topWhenNoMatch: boolean } & TypedSettings;
}

/** The delivery settings as the form sends them (text), shown again after an error. */
interface TypedSettings {
  cadence: string | undefined;
  weekday: string | undefined;
  timezone: string | undefined;
  hour: string | undefined;
  channel: string | undefined;
  excludeKeywords: string | undefined;
  authors: string | undefined;
}

/** The "When and how" fieldset: its options with the reader's (or typed) values marked, and the list fields. */
function settingsView(operatorZone: string, p: ReaderPreferences, typed: TypedSettings | undefined) {
  const marked = {
    cadence: typed?.cadence ?? p.cadence,
    weekday: typed?.weekday ?? String(p.weekday),
    timezone: typed?.timezone ?? p.timezone,
    hour: typed?.hour ?? String(p.hour),
    channel: typed?.channel ?? p.channel,
  };
  return {
    ...deliveryOptions(operatorZone, marked, p.timezone),
    excludeKeywords: typed?.excludeKeywords ?? p.excludeKeywords.join('\n'),
    authors: typed?.authors ?? p.authors.join('\n'),
    feedUrl: p.feedUrl,
  };
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
    csrf: formCsrfValues((binding) => issueCsrfToken(services.secret, binding), token),
    actions: readerActions(token),
    settings: settingsView(services.config.scheduler.timezone, preferences, state.typed),
    moreOf: votes.filter((v) => v.vote === 'more'),
    lessOf: votes.filter((v) => v.vote === 'less'),
  });
}

export const preferencesPages: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { subscriptions, secret } = services;

  /** The known reader's preferences, after checking the CSRF value of the form (404 before 403). */
  async function authorise(token: string, form: ReaderForm, body: unknown): Promise<ReaderPreferences> {
    const preferences = await subscriptions.getPreferences(token);
    checkCsrfToken(secret, formBinding(form, token), csrfOf(body));
    return preferences;
  }

  app.get('/preferences/:token', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    return sendPreferencesPage(services, reply, token, await subscriptions.getPreferences(token));
  });

  app.post(
    '/preferences/:token',
    { schema: { hide: true, params: TokenParams, body: SaveForm } },
    async (request, reply) => {
      const { token } = request.params;
      const current = await authorise(token, 'save', request.body);
      const form = request.body as Record<string, unknown>;
      const one = (name: string): string | undefined => asList(form[name])[0];
      const typed = {
        topics: asList(form.topics),
        keywords: one('keywords') ?? '',
        maxPapers: one('maxPapers') ?? '',
        topWhenNoMatch: one('topWhenNoMatch') !== undefined,
        cadence: one('cadence'),
        weekday: one('weekday'),
        timezone: one('timezone'),
        hour: one('hour'),
        channel: one('channel'),
        excludeKeywords: one('excludeKeywords'),
        authors: one('authors'),
      };
      try {
        const saved = await subscriptions.updatePreferences(token, {
          topics: typed.topics,
          keywords: splitKeywordText(typed.keywords),
          maxPapers: typed.maxPapers,
          topWhenNoMatch: typed.topWhenNoMatch,
          cadence: typed.cadence,
          weekday: typed.weekday,
          timezone: typed.timezone,
          hour: typed.hour,
          channel: typed.channel,
          // Left out (an older form): unchanged.
          excludeKeywords: typed.excludeKeywords === undefined ? undefined : splitKeywordText(typed.excludeKeywords),
          authors: typed.authors?.split(/[\r\n]+/),
        });
        return sendPreferencesPage(services, reply, token, saved, {
          notice: 'Saved. Your next digest follows these preferences.',
        });
      } catch (err) {
        if (!isPapermailError(err) || err.statusCode !== 400) throw err;
        return sendPreferencesPage(services, reply, token, current, { error: err.message, typed }, 400);
      }
    },
  );

  app.post('/preferences/:token/feed', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    await authorise(token, 'replaceFeed', request.body);
    const saved = await subscriptions.replaceFeedToken(token);
    return sendPreferencesPage(services, reply, token, saved, {
      notice: 'Your feed has a new address. The old one no longer works: update your feed reader.',
    });
  });

  app.post('/preferences/:token/pause', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    await authorise(token, 'pause', request.body);
    await subscriptions.pause(token);
    return sendPreferencesPage(services, reply, token, await subscriptions.getPreferences(token), {
      notice: 'Paused. No digests until you resume.',
    });
  });

  app.post('/preferences/:token/resume', { schema: { hide: true, params: TokenParams } }, async (request, reply) => {
    const { token } = request.params;
    await authorise(token, 'resume', request.body);
    await subscriptions.resume(token);
    return sendPreferencesPage(services, reply, token, await subscriptions.getPreferences(token), {
      notice: 'Resumed. Your digest starts again with the next issue.',
    });
  });
};
