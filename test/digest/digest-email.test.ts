import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDigestEmail } from '../../src/digest/digest-email.js';
import { type PaperView, toPaperView } from '../../src/digest/paper-view.js';
import type { DeliveryMatches } from '../../src/digest/select-papers.js';
import { createLinks } from '../../src/links.js';

const links = createLinks('https://papers.example.org');

function papers(n: number): Map<string, PaperView> {
  return new Map(
    Array.from({ length: n }, (_, i) => {
      const id = `2607.${String(10000 + i)}`;
      const view = toPaperView({
        id,
        title: `Paper ${i + 1}`,
        authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'],
        abstract: 'An abstract.',
        aiSummary: null,
        aiKeywords: [],
        codeUrl: null,
        githubStars: null,
        projectUrl: null,
        thumbnailUrl: null,
        upvotes: 10 - i,
        comments: 0,
        rank: i + 1,
      });
      return [id, view] as const;
    }),
  );
}

function subjectFor(n: number, why: (i: number) => string[], note?: DeliveryMatches['note']) {
  const all = papers(n);
  const ids = [...all.keys()];
  const matches: DeliveryMatches = { interests: [], why: Object.fromEntries(ids.map((id, i) => [id, why(i)])), note };
  return buildDigestEmail(links, { day: '2026-07-31', papers: all, paperIds: ids, matches, token: 't' }).subject;
}

describe('the digest subject line', () => {
  it('names the two interests that matched most, counts the papers and dates the issue', () => {
    assert.equal(
      subjectFor(6, (i) => (i < 4 ? ['Speculative decoding'] : ['Tokenization'])),
      '6 new papers on speculative decoding and tokenization — Jul 31',
    );
    assert.equal(
      subjectFor(1, () => ['LLM agents']),
      '1 new paper on LLM agents — Jul 31',
    );
    assert.equal(
      subjectFor(5, (i) => [['Retrieval and RAG', 'memory', 'LLM agents'][i % 3]!]),
      '5 new papers on retrieval and RAG, memory, and more — Jul 31',
    );
  });

  it('says so when the papers are the top of the day rather than matches', () => {
    assert.equal(
      subjectFor(10, () => [], 'trending'),
      '10 trending papers — Jul 31',
    );
    assert.equal(
      subjectFor(3, () => [], 'no-match'),
      'Nothing on your topics today: 3 trending papers — Jul 31',
    );
  });
});
