// Papers rendered once per way emails show them (src/digest/paper-fragments.ts) must give every reader the very email
// the whole templates give: same HTML, same text, their own feedback links, whatever their "why" and however many
// ways a paper is shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDigestEmail, type DigestEmailData, type DigestEmailInput } from '../../src/digest/digest-email.js';
import { asciiHtml } from '../../src/digest/html-text.js';
import type { PaperView } from '../../src/digest/paper-view.js';
import { compileDigestHtml, createDigestRenderer } from '../../src/digest/render-digest.js';
import type { DeliveryMatches } from '../../src/digest/select-papers.js';
import { createFeedbackLinks } from '../../src/feedback/feedback-links.js';
import { createLinks } from '../../src/links.js';
import { emailTemplateFrom, splitEmailTemplate } from '../../src/mail/templates.js';
import { fixtureViews } from './fixture-papers.js';

const links = createLinks('https://papers.example.org');
const feedback = createFeedbackLinks(links, 's'.repeat(32));
const LABELS = ['Speculative decoding', 'LLM agents', 'C++ & <RAG> "tools"', 'modèles à diffusion', 'kv cache', 'a=b'];

/** The papers of a digest; `later` days have more upvotes, so each digest's emails differ. */
function dayPapers(later = 0): Map<string, PaperView> {
  const views = fixtureViews(['2026-07-31', '2026-07-30'], 40, later);
  return new Map(views.map((v) => [v.id, v]));
}

/** Readers' inputs: a few papers each, a "why" drawn from LABELS (one to three of them, or none), some notes. */
function inputs(papers: Map<string, PaperView>, count: number): DigestEmailInput[] {
  const ids = [...papers.keys()];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    // The first papers come back often, in many ways: more than a paper keeps.
    const paperIds = [...new Set(Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(ids.slice(0, 12))))];
    const why = Object.fromEntries(
      paperIds.map((id) => [id, Array.from({ length: Math.floor(random() * 4) }, () => pick(LABELS))]),
    );
    const note = pick([undefined, undefined, 'trending', 'no-match'] as const);
    const matches = { interests: LABELS.slice(0, i % 4), why, keys: {}, ...(note ? { note } : {}) };
    return {
      day: '2026-07-31',
      papers,
      paperIds,
      matches: matches as DeliveryMatches,
      token: `token${i}`,
      deliveryId: i % 5 === 0 ? undefined : 100 + i,
    };
  });
}

test('every email is what the whole templates render, with its own feedback links', async () => {
  const html = await compileDigestHtml();
  assert.ok(splitEmailTemplate('digest', html, 'papers'), 'the digest templates are cut at {{#each papers}}');
  const whole = emailTemplateFrom<DigestEmailData>('digest', html);
  const render = await createDigestRenderer(links, feedback, html);
  // A new digest's papers every 20 readers, as a process that renders day after day sees them: kept renderings of
  // earlier digests are dropped past the bound, and none may leak into another digest's emails.
  const digests = Array.from({ length: 60 }, (_, later) => dayPapers(later));
  let withLinks = 0;
  for (const [i, input] of inputs(digests[0]!, 1200).entries()) {
    input.papers = digests[Math.floor(i / 20)]!;
    const data = buildDigestEmail(links, input, feedback);
    const email = render(input);
    assert.equal(email.html, asciiHtml(whole.html(data)), `HTML of delivery ${input.deliveryId}`);
    assert.equal(email.text, whole.text(data), `text of delivery ${input.deliveryId}`);
    if (input.deliveryId !== undefined && data.papers.length > 0) {
      withLinks++;
      assert.ok(email.html.includes(data.papers[0]!.moreUrl!), 'the delivery’s own link is in its email');
    }
  }
  assert.ok(withLinks > 800);
});

test('a template with no {{#each papers}} block is not cut, and is rendered whole', () => {
  assert.equal(splitEmailTemplate('confirmation', '<p>{{confirmUrl}}</p>', 'papers'), undefined);
});
