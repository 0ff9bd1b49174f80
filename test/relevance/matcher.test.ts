// The matcher on its own (pure, no database): what a reader who typed a keyword or chose a topic notices.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileDefinition } from '../../src/relevance/compile-interest.js';
import { type Interest, matchPapers } from '../../src/relevance/interest-matcher.js';
import { keywordDefinition } from '../../src/relevance/keywords.js';
import { narrowerTerms, synonymGroups } from '../../src/relevance/lexicon.js';
import type { PaperText } from '../../src/relevance/paper-text.js';
import { textTokens } from '../../src/relevance/text-tokens.js';
import { topicCatalog } from '../../src/topics/catalog.js';

const paper = (id: string, title: string, abstract: string, aiKeywords: string[] = []): PaperText => ({
  id,
  title,
  abstract,
  aiKeywords,
});

const keyword = (text: string): Interest => ({
  key: `keyword:${text}`,
  label: text,
  kind: 'keyword',
  definition: keywordDefinition(text),
});

/** A catalog topic as papermail matches it: by its definition and, found by its slug, its labelled prototype. */
const topic = (slug: string, options: { prototype?: boolean } = {}): Interest => {
  const seed = topicCatalog.find((t) => t.slug === slug)!;
  const interest: Interest = { key: `topic:${slug}`, label: seed.name, kind: 'topic', definition: seed.definition };
  return options.prototype === false ? interest : { ...interest, slug };
};

const matched = (papers: PaperText[], interest: Interest) => [
  ...matchPapers(papers, [interest]).get(interest.key)!.keys(),
];

describe('the matcher', () => {
  it('"speech tokenizer" finds speech tokenization and audio codec papers, not every paper that says "token"', () => {
    const papers = [
      paper('a', 'Speech Tokenization at 25 Hz', 'We study speech tokenization for spoken language models.'),
      paper('b', 'A Neural Audio Codec for Speech Language Models', 'An audio codec whose discrete tokens feed an LM.'),
      paper('c', 'Token Merging for Faster ViTs', 'Tokens are merged; the token count drops and tokens are pooled.'),
      paper('d', 'Speech Recognition with Fewer Tokens', 'Speech recognition where each token is cheaper.'),
    ];
    assert.deepEqual(matched(papers, keyword('speech tokenizer')).sort(), ['a', 'b']);
  });

  it('keeps word families apart that stemming would merge', () => {
    assert.notEqual(textTokens('tokenizer')[0], textTokens('token')[0]);
    assert.notEqual(textTokens('generation')[0], textTokens('generalization')[0]);
    assert.notEqual(textTokens('interpretability')[0], textTokens('interpretation')[0]);
    assert.notEqual(textTokens('computer')[0], textTokens('computation')[0]);
    assert.equal(textTokens('tokenization')[0], textTokens('tokenizers')[0]);
    const papers = [
      paper('g', 'On the Generalization of Video Classifiers', 'Generalization of video models to new domains.'),
    ];
    assert.deepEqual(matched(papers, keyword('video generation')), []);
  });

  it('no phrase of the lexicon shrinks to one word when its stop words drop out ("computer use" was "comput")', () => {
    const phrases = new Set([
      ...synonymGroups.flat(),
      ...Object.keys(narrowerTerms),
      ...Object.values(narrowerTerms).flat(),
    ]);
    const shrunk = [...phrases].filter(
      (p) => p.split(/[^a-z0-9]+/i).filter(Boolean).length > 1 && textTokens(p).length < 2,
    );
    assert.deepEqual(shrunk, []);
    const papers = [
      paper(
        'c',
        'Adaptive Computation for Efficient Inference',
        'We compute less per token and use the saved compute.',
      ),
      paper('u', 'A Computer-Use Agent for Spreadsheets', 'A GUI agent that operates computers through the screen.'),
    ];
    assert.deepEqual(matched(papers, keyword('gui agents')), ['u']);
  });

  it('abbreviations and synonyms find each other: TTS, MoE, VLM', () => {
    const papers = [
      paper('t', 'Fast TTS with Flow Matching', 'A TTS system that synthesizes speech in real time.'),
      paper('m', 'Scaling MoE Routers', 'Sparse MoE layers with a new router for MoE language models.'),
    ];
    assert.deepEqual(matched(papers, keyword('text-to-speech')), ['t']);
    assert.deepEqual(matched(papers, keyword('mixture of experts')), ['m']);
  });

  it('without the lexicon a keyword is its own phrasing only (how train:keywords measures a keyword nobody listed)', () => {
    const patterns = (lexicon: boolean) =>
      compileDefinition(keywordDefinition('mixture of experts'), { keyword: true, lexicon }).terms.flatMap((t) =>
        t.patterns.map((p) => p.join(' ')),
      );
    assert.ok(patterns(true).includes('moe'));
    assert.deepEqual(patterns(false), ['mixtur expert']);
  });

  it('one passing mention is not a match; the cut is absolute, so a day with none sends none', () => {
    const passing = paper('p', 'A Benchmark for Table QA', 'Unlike speculative decoding, our method answers tables.');
    const about = paper('s', 'Speculative Decoding with Tree Drafts', 'Speculative decoding with a draft model.');
    assert.deepEqual(matched([passing, about], topic('speculative-decoding')), ['s']);
    assert.deepEqual(matched([passing], topic('speculative-decoding')), []);
  });

  it('no catalog topic sends a paper that names it once in passing, however many of its terms that name nests', () => {
    // "visual token pruning" also says "token pruning", "visual tokens" and "prune": counted term by term, that one
    // passing phrase sent the paper to visual-token-pruning readers (p 0.85), and "reinforcement learning from human
    // feedback" to rl-for-llms readers (0.34, over its cut). One mention of one phrase is never enough
    // (topicSaidOnce).
    const filler =
      'We study formula prediction for spreadsheets with many rows and columns, where a formula must read cells, ' +
      'aggregate values and compare entries across the sheet. Our method parses the sheet into a structured form ' +
      'and writes a small program executed over it.';
    for (const seed of topicCatalog) {
      const name = seed.definition.terms.find((t) => (t.weight ?? 1) >= 1)!.text;
      const passing = paper(
        'p',
        'Predicting Spreadsheet Formulas from Cell Context',
        `${filler} Unlike ${name}, our approach needs no extra training. ${filler}`,
      );
      assert.deepEqual(matched([passing], topic(seed.slug)), [], `${seed.slug}: "${name}" once in passing`);
    }
  });

  it("a catalog topic's supporting words alone never send a paper: a speech benchmark is not a speech-tokenizer paper", () => {
    // ChildVox (2605.29257, a labelled tuning day): "speech" and "audio" throughout, nothing about tokenizers; its
    // closeness to the topic's labelled papers gave it p 0.93.
    const childVox = paper(
      'childvox',
      'ChildVox: A Speech, Audio, and Large Audio-Language Model Benchmark in Understanding and Characterizing Sound across Childhood',
      'We present ChildVox, a novel benchmark for characterizing the diverse acoustic signals through which children ' +
        'communicate. Specifically, ChildVox follows the full developmental trajectory from birth through school age, ' +
        'covering physiological sounds, non-linguistic vocalizations, canonical syllables, and spoken language. ' +
        'ChildVox integrates more than 20 sub-tasks across 17 child-centered audio and speech datasets, enabling ' +
        'systematic cross-corpus and cross-domain comparison. We evaluate a representative range of audio and speech ' +
        'foundation models, including self-supervised, ASR-oriented, and large audio-language models, on tasks ' +
        'including physiological sound classification, vocalization and canonical syllables modeling, and speech ' +
        'quality assessment and recognition. Benchmark results show that ChildVox provides a suite of ' +
        'high-performance models in recognizing a wide range of acoustic signals from children, supporting downstream ' +
        "applications such as characterizing children's language levels and tracking speech production with age.",
    );
    const codec = paper(
      'codec',
      'A Low-Bitrate Neural Audio Codec for Speech Language Models',
      'We present a neural audio codec that turns speech into discrete tokens at 12.5 Hz with residual vector ' +
        'quantization. The tokenizer keeps semantic content in its first codebook, and a speech language model ' +
        'trained on its tokens beats one trained on prior codecs at the same bitrate.',
    );
    assert.deepEqual(matched([childVox, codec], topic('speech-tokenizers')), ['codec']);
    assert.deepEqual(matched([childVox], topic('speech-audio')), ['childvox'], 'it is a speech paper');
  });

  it('"quantization" is not vector quantization, nor "tokenization for language models" a speech tokenizer', () => {
    const papers = [
      paper(
        'vq',
        'Stable Vector-Quantized Tokenizers for Image Generation',
        'Vector quantization discretises image latents into codebook entries. We study why vector quantization ' +
          'collapses during tokenizer training and propose a stable vector-quantized tokenizer.',
      ),
      paper(
        'llm',
        'Four-Bit Quantization of Large Language Models without Calibration Data',
        'We quantize the weights of large language models to 4 bits. Our quantization keeps accuracy within one ' +
          'point of the full-precision model and needs no calibration data.',
      ),
      paper(
        'speech',
        'A Speech Tokenizer for Spoken Language Models',
        'Speech tokenization turns audio into discrete units. Our speech tokenizer keeps semantic content, and ' +
          'spoken language models trained on its tokens improve.',
      ),
      paper(
        'bpe',
        'Rethinking Tokenization for Large Language Models',
        'Tokenization decides how text becomes tokens. We compare byte pair encoding vocabularies for language ' +
          'models and show how tokenization shapes their arithmetic.',
      ),
    ];
    assert.deepEqual(matched(papers, keyword('quantization')), ['llm']);
    assert.deepEqual(matched(papers, keyword('tokenization for language models')), ['bpe']);
    // A reader who asks for the other meaning gets it.
    assert.deepEqual(matched(papers, keyword('vector quantization')), ['vq']);
    assert.deepEqual(matched(papers, keyword('speech tokenizer')), ['speech']);
  });

  it('a keyword that would match most of the day is weighed down to the best of it, not dropped', () => {
    const papers = Array.from({ length: 12 }, (_, i) =>
      paper(`x${i}`, i < 2 ? `Reasoning Models ${i}` : `Paper ${i}`, 'reasoning '.repeat(i < 2 ? 6 : 3)),
    );
    const got = matched(papers, keyword('reasoning'));
    assert.ok(got.length > 0 && got.length <= Math.floor(12 * 0.4), `kept ${got.length}`);
    assert.ok(got.includes('x0') && got.includes('x1'), 'the papers most about it stay');
  });

  it('"X for Y" keywords count their subject alone and their setting as context', () => {
    const papers = [
      paper(
        'k',
        'Tokenizer Choice Shapes Multilingual Language Models',
        'Tokenization decides what language models see.',
      ),
      paper('n', 'Language Models for Chemistry', 'Language models read molecules.'),
    ];
    assert.deepEqual(matched(papers, keyword('tokenization for language models')), ['k']);
  });

  it('an "X for Y" phrase the lexicon knows whole is not split: "AI for science" is not every paper about AI', () => {
    const papers = [
      paper(
        'a',
        'Securing the AI Agent: Red Teaming AI Systems',
        'AI agents act for users. We red-team AI assistants, AI coding tools and AI browsers, and report how AI ' +
          'systems fail under attack: AI safety needs AI red teams that think like attackers of AI products.',
        ['AI agents', 'AI red teaming', 'AI safety'],
      ),
      paper(
        's',
        'A Foundation Model for Protein Design',
        'We train a protein language model for drug discovery and design binders that fold as predicted.',
      ),
    ];
    assert.deepEqual(matched(papers, keyword('ai for science')), ['s']);
  });

  it('a paper whose title names the keyword is sent even when its abstract says it in other words', () => {
    const papers = [
      paper(
        't',
        'SpAtten: Efficient Sparse Attention Architecture with Cascade Token and Head Pruning',
        'Attention is costly on long inputs. We prune unimportant tokens and heads in cascade, on the fly, and ' +
          'design hardware that skips their computation, for a 162x speed-up over a GPU at equal accuracy.',
      ),
      paper(
        'p',
        'Faster Long-Context Inference by Caching',
        'We cache keys and values across requests. Unlike sparse attention, nothing is dropped from the context.',
      ),
    ];
    assert.deepEqual(matched(papers, keyword('sparse attention')), ['t']);
  });

  it('a keyword that is the subject of an abstract is sent without being in the title; one passing mention is not', () => {
    const filler = Array.from({ length: 12 }, (_, i) =>
      paper(`f${i}`, `Scaling Study ${i}`, 'We train language models on more data and report the loss curves.'),
    );
    const method =
      'We describe the architecture, the data pipeline, the training recipe and the ablations in detail, compare ' +
      'with strong open baselines under the same compute, and discuss limitations and failure cases at length. ';
    const subject = paper(
      's',
      'Forcing Long Rollouts Without Drift',
      `Video generation models drift over long horizons. ${method}Our autoregressive video generation model keeps ` +
        'minute-long video generation stable, and we release the code.',
    );
    const passing = paper(
      'p',
      'A Tokenizer for Image Understanding',
      `We present an image tokenizer for classification and retrieval. ${method}Unlike tokenizers built for video ` +
        'generation, ours is trained for recognition only.',
    );
    assert.deepEqual(matched([...filler, subject, passing], keyword('video generation')), ['s']);
  });

  it("a catalog topic's labelled papers teach it words its definition lacks; a paper must still say one of its terms", () => {
    const papers = [
      paper(
        'b',
        'How Well Do Agents Browse? A Study',
        'Browsing the web for a user means reading pages, filling forms and following links over many steps. We ' +
          'present WebProbe, a suite of 1,200 tasks on 85 live websites, each with a human-verified answer, to ' +
          'measure how well autonomous browsers navigate them. We evaluate 14 open and proprietary models and find that ' +
          'frontier models still fail on 40% of tasks, most often by losing track of the goal after a page loads or ' +
          'by trusting a search result without checking it. We analyse these failure modes and release the tasks, ' +
          'the answers and an evaluation harness.',
      ),
      paper(
        'x',
        'Sparse Cholesky Factorisation on GPUs',
        'We factorise sparse matrices on GPUs, 3x faster than cuSPARSE.',
      ),
      // Words a plain object already has: the prototype's tables are maps, so they score like any other word.
      paper(
        'o',
        'constructor toString __proto__ valueOf',
        'hasOwnProperty constructor prototype __proto__ '.repeat(20),
      ),
    ];
    // The definition alone finds too little agent vocabulary in it to send it; close to the topic's labelled papers
    // (benchmarks of web agents), it is sent. An abstract too short to judge is left to the definition alone.
    assert.deepEqual(matched(papers, topic('agents', { prototype: false })), []);
    assert.deepEqual(matched(papers, topic('agents')), ['b']);
    for (const slug of topicCatalog.map((t) => t.slug)) {
      const scores = [
        ...matchPapers(papers, [topic(slug)], { keepAll: true })
          .get(`topic:${slug}`)!
          .values(),
      ];
      assert.ok(
        scores.every((m) => Number.isFinite(m.score) && Number.isFinite(m.strength)),
        slug,
      );
      assert.ok(!matched(papers, topic(slug)).includes('x'), slug);
    }
  });
});
