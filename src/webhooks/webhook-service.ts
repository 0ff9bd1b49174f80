// Provider feedback: authenticate a webhook request, read its events and record them (record-events.ts). An SNS
// subscription confirmation is answered by fetching its SubscribeURL. No HTTP server here: routes call `receive`.
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/client.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { readGeneric } from './generic.js';
import { readMailgun } from './mailgun.js';
import { readPostmark } from './postmark.js';
import type { Provider, ProviderEvent, WebhookRequest } from './provider-event.js';
import { type RecordResult, recordProviderEvents } from './record-events.js';
import { readSendgrid } from './sendgrid.js';
import { readSesNotification } from './ses-notification.js';
import { type FetchText, isSnsUrl, readSnsMessage } from './sns-message.js';

export interface WebhookResult extends RecordResult {
  /** Set for SNS control messages: what was done instead of recording events. */
  subscription?: 'confirmed' | 'unsubscribed';
}

export interface WebhookService {
  /** Whether the provider's endpoint is configured; one that is not answers 404. */
  enabled(provider: Provider): boolean;
  /** Verifies, reads and records one request: 401 when it is not signed by the configured key, 400 when malformed. */
  receive(provider: Provider, request: WebhookRequest, now?: Date): Promise<WebhookResult>;
}

export interface WebhookDeps {
  prisma: PrismaClient;
  config: Config;
  log: Logger;
  /** How certificates and SubscribeURLs are fetched; defaults to fetch with the sources' time limit. */
  fetchText?: FetchText;
}

function defaultFetchText(timeoutMs: number): FetchText {
  return async (url) => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return response.text();
  };
}

export function createWebhookService(deps: WebhookDeps): WebhookService {
  const { prisma, log } = deps;
  const w = deps.config.webhooks;
  const fetchText = deps.fetchText ?? defaultFetchText(deps.config.sources.timeoutMs);
  const none = (events = 0): WebhookResult => ({ events, recorded: 0, suppressed: 0 });

  function enabled(provider: Provider): boolean {
    switch (provider) {
      case 'ses':
        return w.sesTopicArns.length > 0;
      case 'postmark':
        return w.postmarkSecret !== undefined;
      case 'mailgun':
        return w.mailgunSigningKey !== undefined;
      case 'sendgrid':
        return w.sendgridPublicKey !== undefined;
      case 'generic':
        return w.genericSecret !== undefined;
    }
  }

  function readEvents(provider: Exclude<Provider, 'ses'>, request: WebhookRequest, now: Date): ProviderEvent[] {
    switch (provider) {
      case 'postmark':
        return readPostmark(request, w.postmarkSecret!);
      case 'mailgun':
        return readMailgun(request, w.mailgunSigningKey!, w.maxAgeSeconds, now);
      case 'sendgrid':
        return readSendgrid(request, w.sendgridPublicKey!, w.maxAgeSeconds, now);
      case 'generic':
        return readGeneric(request, w.genericSecret!);
    }
  }

  async function receiveSes(request: WebhookRequest, now: Date): Promise<WebhookResult> {
    const trust = { topicArns: w.sesTopicArns, trustedOrigin: w.sesTrustedCertOrigin, fetchText };
    const message = await readSnsMessage(request.body, trust, now);
    if (message.Type === 'SubscriptionConfirmation') {
      const url = message.SubscribeURL;
      if (!url || !isSnsUrl(url, w.sesTrustedCertOrigin)) {
        throw errors.badRequest('The SubscribeURL of this SNS confirmation is not an https SNS URL.');
      }
      try {
        await fetchText(url);
      } catch (err) {
        log.error({ err, topic: message.TopicArn }, 'SNS subscription confirmation failed');
        throw errors.sourceUnavailable('Could not confirm the SNS subscription; SNS will try again.');
      }
      log.info({ topic: message.TopicArn }, 'SNS subscription confirmed');
      return { ...none(), subscription: 'confirmed' };
    }
    if (message.Type === 'UnsubscribeConfirmation') {
      log.warn({ topic: message.TopicArn }, 'SNS says this endpoint was unsubscribed from the topic');
      return { ...none(), subscription: 'unsubscribed' };
    }
    return recordProviderEvents(prisma, 'ses', readSesNotification(message.Message, message.MessageId));
  }

  return {
    enabled,
    async receive(provider, request, now = new Date()) {
      if (!enabled(provider)) throw errors.notFound(`The ${provider} webhook is not configured.`);
      if (provider === 'ses') return receiveSes(request, now);
      return recordProviderEvents(prisma, provider, readEvents(provider, request, now));
    },
  };
}
