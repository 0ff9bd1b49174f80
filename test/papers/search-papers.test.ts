import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchPapers } from '../../src/papers/search-papers.js';
import { createTestDatabase } from '../helpers/database.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';

describe('full-text search over papers', () => {
  it('finds the speculative-decoding papers of the seed page, titles first, and nothing unrelated', async () => {
    const db = await createTestDatabase();
    const seeds = await loadSeedPapers(db.prisma, '2026-07-31');
    const about = (re: RegExp) => seeds.filter((p) => re.test(`${p.title} ${p.abstract}`)).map((p) => p.id);
    const speculative = about(/speculative decoding/i);
    assert.ok(speculative.length >= 4, 'the seed page has several speculative-decoding papers');

    const hits = await searchPapers(db.prisma, 'speculative decoding');

    assert.deepEqual(hits.map((h) => h.id).sort(), speculative.sort());
    // Those that say it in the title (weight A) come before those that only discuss it in the abstract.
    const inTitle = seeds.filter((p) => /speculative decoding/i.test(p.title)).map((p) => p.id);
    assert.deepEqual(
      hits
        .slice(0, inTitle.length)
        .map((h) => h.id)
        .sort(),
      inTitle.sort(),
    );
    assert.ok(hits.every((h, i) => i === 0 || hits[i - 1]!.score >= h.score));

    // Decoding papers of other kinds (parallel, contrastive, skip decoding) are not speculative decoding.
    const otherDecoding = about(/decod/i).filter((id) => !speculative.includes(id));
    assert.ok(otherDecoding.length > 5);
    assert.ok(hits.every((h) => !otherDecoding.includes(h.id)));
  });

  it('limits the search to the papers listed on a day', async () => {
    const db = await createTestDatabase();
    await loadSeedPapers(db.prisma, '2026-07-31');
    assert.ok((await searchPapers(db.prisma, 'speculative decoding', { day: '2026-07-31' })).length > 0);
    assert.deepEqual(await searchPapers(db.prisma, 'speculative decoding', { day: '2026-07-30' }), []);
    assert.deepEqual(await searchPapers(db.prisma, 'quantum chromodynamics'), []);
  });
});
