// A sender thread's renderer lives as long as its process. It keeps the papers of the last digests it heard of, not
// of every day since it started, and a delivery of an older digest (a resend, a retry) is still composed right.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { simpleParser } from 'mailparser';
import { type ComposeSettings, createComposeOne, type DigestJob } from '../../src/digest/compose-digest.js';
import { createComposer } from '../../src/digest/composer.js';
import { compileDigestHtml } from '../../src/digest/render-digest.js';
import { KEPT_DIGESTS, serveRendering } from '../../src/digest/render-service.js';
import { createLogger } from '../../src/logger.js';
import { fixtureViews } from './fixture-papers.js';

const settings = async (): Promise<ComposeSettings> => ({
  publicUrl: 'https://papers.example.org',
  listId: 'papermail.example.org',
  mailFrom: 'papermail <digest@example.org>',
  digestHtml: await compileDigestHtml(),
});

test('a renderer keeps the last digests it heard of, and still composes an older one asked for again', async () => {
  const views = fixtureViews(['2026-07-31'], 10);
  const papers = new Map(views.map((v) => [v.id, v]));
  const dayOf = (digestId: number) => `2026-08-${String(digestId).padStart(2, '0')}`;
  const job = (digestId: number): DigestJob => ({
    id: digestId,
    digestId,
    email: `reader${digestId}@example.org`,
    token: `token-${digestId}`,
    messageId: `<digest.${digestId}@example.org>`,
    paperIds: [views[digestId % views.length]!.id],
    matches: { interests: [], why: {} },
  });
  const composeSettings = await settings();
  const channel = new MessageChannel();
  const server = serveRendering(channel.port1, await createComposeOne(composeSettings));
  const composer = await createComposer(composeSettings, 0, createLogger('silent'), channel.port2);
  const subjectOf = async (digestId: number) => {
    const [message] = await composer.compose([job(digestId)], digestId, { day: dayOf(digestId), papers });
    return (await simpleParser(message!.raw)).subject;
  };
  try {
    const days = KEPT_DIGESTS + 8;
    for (let digestId = 1; digestId <= days; digestId++) {
      assert.match((await subjectOf(digestId)) ?? '', new RegExp(`Aug ${digestId}$`));
    }
    assert.equal(server.digestsKept(), KEPT_DIGESTS, 'the papers of the last digests only');
    // The first digest was dropped at both ends: it is announced again, and its email is its own.
    assert.match((await subjectOf(1)) ?? '', /Aug 1$/);
    assert.equal(server.digestsKept(), KEPT_DIGESTS);
  } finally {
    await composer.close();
    channel.port1.close();
  }
});
