import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareDigest } from '../../src/digest/prepare-digest.js';
import { createTestDatabase } from '../helpers/database.js';
import { loadSeedPapers, type SeedPaper } from '../helpers/seed-papers.js';
import { createReaders } from './readers.js';

const DAY = '2026-07-31';

// One database for the file: each test adds readers with addresses of its own.
const { prisma } = await createTestDatabase();
const seeds: SeedPaper[] = await loadSeedPapers(prisma, DAY);
const title = (id: string) => seeds.find((p) => p.id === id)!.title;

describe('matching papers to readers (seed page, real Postgres full-text search)', () => {
  /** What a dry run would send to `email`. */
  async function planFor(email: string) {
    const report = await prepareDigest(prisma, DAY, { dryRun: true });
    return { report, plan: report.plans!.find((p) => p.email === email) };
  }

  function assertPicks(picked: string[], wanted: string[], unwanted: string[]) {
    const titles = picked.map(title);
    for (const id of wanted)
      assert.ok(picked.includes(id), `"${title(id)}" should be picked; got:\n${titles.join('\n')}`);
    for (const id of unwanted) assert.ok(!picked.includes(id), `"${title(id)}" should not be picked`);
  }

  it('"speculative decoding" picks the draft-and-verify papers, not papers that only mention it in passing', async () => {
    await createReaders(prisma, [{ email: 'sd@example.org', topics: ['speculative-decoding'], maxPapers: 30 }]);
    const { plan } = await planFor('sd@example.org');
    assert.ok(plan);
    assertPicks(
      plan.paperIds,
      ['seed-017', 'seed-035', 'seed-015'], // S2D, FLASH, Token Recycling (draft tree, guess-and-verify)
      [
        'seed-020', // Duo-LLM: names speculative decoding once among related work
        'seed-065', // GOAT-TTS: multi-token prediction for TTS
        'seed-006', // parallel decoding of diffusion LMs, a different idea
        'seed-023', // SkipDecode: early exit
        'seed-013', // KL3M tokenizers
      ],
    );
    for (const id of plan.paperIds) assert.deepEqual(plan.matches.why[id], ['Speculative decoding']);
  });

  it('"visual token pruning" picks pruning of visual tokens, not text-token pruning or token selection', async () => {
    await createReaders(prisma, [{ email: 'vtp@example.org', topics: ['visual-token-pruning'], maxPapers: 30 }]);
    const { plan } = await planFor('vtp@example.org');
    assert.ok(plan);
    assertPicks(
      plan.paperIds,
      ['seed-022', 'seed-047', 'seed-048', 'seed-057', 'seed-036', 'seed-050'], // DivPrune, HiPrune, ATP-LLaVA, ToDRE, HiRED, VFlowOpt
      [
        'seed-044', // ssToken: token selection for fine-tuning
        'seed-015', // Token Recycling
        'seed-031', // TokenSelect: KV-cache token selection
        'seed-041', // Rethinking Tokenization
      ],
    );
  });

  it('"speech tokenizer" picks speech and audio tokenizers, not text or image tokenizers', async () => {
    await createReaders(prisma, [{ email: 'st@example.org', topics: ['speech-tokenizers'], maxPapers: 30 }]);
    const { plan } = await planFor('st@example.org');
    assert.ok(plan);
    assertPicks(
      plan.paperIds,
      ['seed-052', 'seed-069', 'seed-003', 'seed-046'], // WavTokenizer, DM-Codec, Discrete Audio Tokens, DualSpeechLM
      [
        'seed-013', // KL3M: text tokenizers
        'seed-029', // One-D-Piece: image tokenizer
        'seed-045', // Holistic Tokenizer for image generation
        'seed-041', // Rethinking Tokenization (text)
        'seed-010', // FlowTok: text and image tokens
      ],
    );
  });

  it('a keyword as common as "token" is weighed down to the papers most about it', async () => {
    await createReaders(prisma, [{ email: 'token@example.org', keywords: ['token'], maxPapers: 30 }]);
    const { plan } = await planFor('token@example.org');
    assert.ok(plan);
    assert.ok(plan.paperIds.length >= 5, `picked ${plan.paperIds.length}`);
    const mentioning = seeds.filter((p) => /token/i.test(`${p.title} ${p.abstract}`)).length;
    assert.ok(mentioning > seeds.length / 2, 'the seed page is full of "token"');
    // At most 40 % of the page, and each paper kept names tokens in its title or is about them all through the abstract.
    assert.ok(plan.paperIds.length <= Math.floor(seeds.length * 0.4), `kept ${plan.paperIds.length}`);
    for (const id of plan.paperIds) {
      const seed = seeds.find((p) => p.id === id)!;
      const inAbstract = seed.abstract.match(/\btokens?\b/gi)?.length ?? 0;
      assert.ok(/token/i.test(title(id)) || inAbstract >= 3, `${title(id)}: ${inAbstract} in the abstract`);
    }
    assert.ok(plan.paperIds.length < mentioning);
  });

  it("ranks by relevance and upvotes, stops at the reader's number, and says which interests matched", async () => {
    await createReaders(prisma, [
      {
        email: 'mixed@example.org',
        topics: ['speculative-decoding'],
        keywords: ['Diffusion Language Models '],
        maxPapers: 4,
      },
    ]);
    const { plan } = await planFor('mixed@example.org');
    assert.ok(plan);
    assert.equal(plan.paperIds.length, 4);
    // The strongest matches come first: each of the four is about one of the two interests by its title.
    for (const id of plan.paperIds) {
      assert.match(title(id), /speculative|draft|decoding|token recycling|diffusion (large )?language model|dllm/i);
    }
    const labels = new Set(plan.paperIds.flatMap((id) => plan.matches.why[id]!));
    assert.deepEqual([...labels].sort(), ['Speculative decoding', 'diffusion language models']);
    assert.deepEqual(plan.matches.interests, ['Speculative decoding', 'diffusion language models']);
  });

  it('a reader with no topics gets the top trending papers; no match gets nothing unless asked for the top three', async () => {
    await createReaders(prisma, [
      { email: 'all@example.org', maxPapers: 5 },
      { email: 'nothing@example.org', keywords: ['protein folding'] },
      { email: 'top3@example.org', keywords: ['protein folding'], topWhenNoMatch: true },
      { email: 'left@example.org', topics: ['speculative-decoding'], status: 'unsubscribed' },
      { email: 'unconfirmed@example.org', topics: ['speculative-decoding'], status: 'pending' },
    ]);
    const report = await prepareDigest(prisma, DAY, { dryRun: true });
    const byUpvotes = [...seeds].sort((a, b) => b.upvotes - a.upvotes).map((p) => p.id);
    const all = report.plans!.find((p) => p.email === 'all@example.org')!;
    assert.equal(all.matches.note, 'trending');
    assert.deepEqual(
      all.paperIds.map((id) => seeds.find((p) => p.id === id)!.upvotes),
      byUpvotes.slice(0, 5).map((id) => seeds.find((p) => p.id === id)!.upvotes),
    );
    assert.ok(!report.plans!.some((p) => p.email === 'nothing@example.org'));
    assert.ok(report.unmatched!.includes('nothing@example.org'));
    const top3 = report.plans!.find((p) => p.email === 'top3@example.org')!;
    assert.equal(top3.matches.note, 'no-match');
    assert.equal(top3.paperIds.length, 3);
    for (const email of ['left@example.org', 'unconfirmed@example.org']) {
      assert.ok(!report.plans!.some((p) => p.email === email) && !report.unmatched!.includes(email), email);
    }
  });

  it('matches each topic and distinct keyword once a day, however many readers share them', async () => {
    const db = await createTestDatabase();
    await loadSeedPapers(db.prisma, DAY);
    await createReaders(
      db.prisma,
      Array.from({ length: 40 }, (_, i) => ({
        email: `shared-${i}@example.org`,
        topics: i % 2 ? ['speculative-decoding'] : ['speculative-decoding', 'visual-token-pruning'],
        keywords: [i % 3 ? 'KV cache' : ' kv  CACHE'],
      })),
    );
    const report = await prepareDigest(db.prisma, DAY, { dryRun: true });
    assert.equal(report.readers, 40);
    assert.deepEqual(report.interests, { topics: 2, keywords: 1 });
  });

  it('writes one digest row and one delivery per reader, and a second run adds nothing', async () => {
    const db = await createTestDatabase();
    await loadSeedPapers(db.prisma, DAY);
    await createReaders(db.prisma, [
      { email: 'a@example.org', topics: ['speculative-decoding'] },
      { email: 'b@example.org', topics: ['speech-tokenizers'] },
      { email: 'c@example.org', keywords: ['protein folding'] },
    ]);
    const [first, second] = await Promise.all([prepareDigest(db.prisma, DAY), prepareDigest(db.prisma, DAY)]);
    assert.equal(first.created + second.created, 2, 'two readers have matches; concurrent runs do not double them');
    const third = await prepareDigest(db.prisma, DAY);
    assert.equal(third.created, 0);
    assert.equal(third.readers, 1, 'only the reader with no match is looked at again');
    assert.equal(await db.prisma.digest.count(), 1);
    const deliveries = await db.prisma.delivery.findMany({ include: { selection: true } });
    assert.equal(deliveries.length, 2);
    assert.equal(await db.prisma.selection.count(), 2);
    for (const d of deliveries) {
      assert.equal(d.status, 'pending');
      assert.ok(d.selection.paperIds.length > 0);
      const matches = d.selection.matches as { why: Record<string, string[]> };
      assert.deepEqual(Object.keys(matches.why).sort(), [...d.selection.paperIds].sort());
    }
  });

  it('prepares readers in batches: every reader of many batches gets the same selection as in one batch', async () => {
    const db = await createTestDatabase();
    await loadSeedPapers(db.prisma, DAY);
    const specs = Array.from({ length: 23 }, (_, i) => ({
      email: `batch-${i}@example.org`,
      topics: i % 2 === 0 ? ['speculative-decoding'] : ['speech-tokenizers'],
      keywords: i % 3 === 0 ? ['protein folding'] : [],
      maxPapers: 3 + (i % 4),
    }));
    await createReaders(db.prisma, specs);
    const whole = await prepareDigest(db.prisma, DAY, { dryRun: true });
    const batched = await prepareDigest(db.prisma, DAY, { readerBatch: 5 });
    assert.equal(batched.readers, 23);
    assert.equal(batched.created, whole.plans!.length);
    assert.deepEqual(batched.interests, whole.interests, 'each interest matched once across all batches');
    const selections = await db.prisma.selection.findMany({ include: { subscriber: true } });
    for (const plan of whole.plans!) {
      const written = selections.find((s) => s.subscriber.email === plan.email);
      assert.deepEqual(written?.paperIds, plan.paperIds, plan.email);
    }
  });

  it('a batch whose write fails stops the preparation; run again, every reader has one selection and its delivery', async () => {
    const db = await createTestDatabase();
    await loadSeedPapers(db.prisma, DAY);
    const readers = await createReaders(
      db.prisma,
      Array.from({ length: 23 }, (_, i) => ({ email: `fail-${i}@example.org`, topics: ['speculative-decoding'] })),
    );
    const whole = await prepareDigest(db.prisma, DAY, { dryRun: true });
    // The third batch's write fails in Postgres (batches are written while the next one is selected).
    const failing = readers[12]!.id;
    await db.prisma.$executeRawUnsafe(`
      CREATE FUNCTION fail_one() RETURNS trigger AS $$
      BEGIN IF NEW.subscriber_id = ${failing} THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await db.prisma.$executeRawUnsafe(
      'CREATE TRIGGER fail_one BEFORE INSERT ON selections FOR EACH ROW EXECUTE FUNCTION fail_one()',
    );
    await assert.rejects(prepareDigest(db.prisma, DAY, { readerBatch: 5 }), /disk full/);
    const orphans = async () =>
      (
        await db.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM selections x
          WHERE x.by_email AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.selection_id = x.id)`
      )[0]!.n;
    assert.equal(await orphans(), 0, 'a selection is never written without its delivery');
    const before = await db.prisma.selection.count();
    assert.ok(before < whole.plans!.length, 'the failed batch wrote nothing');

    await db.prisma.$executeRawUnsafe('DROP TRIGGER fail_one ON selections');
    const again = await prepareDigest(db.prisma, DAY, { readerBatch: 5 });
    assert.equal(again.created, whole.plans!.length - before, 'the second run adds only what is missing');
    assert.equal(await db.prisma.selection.count(), whole.plans!.length);
    assert.equal(await db.prisma.delivery.count(), whole.plans!.length);
    assert.equal(await orphans(), 0);
  });
});
