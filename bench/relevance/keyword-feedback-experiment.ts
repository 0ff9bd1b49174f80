// Pseudo-relevance feedback for readers' keywords: measured, not shipped (README, "How matching works").
//   npx tsx bench/relevance/keyword-feedback-experiment.ts
// For a keyword, the papers that clearly match it (the title names it, or the keyword model gives p >= HIGH) make a
// centroid tf-idf vector (topic-prototypes' vectorising and idf: words and word pairs, the title twice), plus SHARE
// of the keyword's own words. A paper close to it might be about the keyword though it says it in other words.
// Tuning days only, each keyword left out of every model that scores it or picks its clear matches (as
// train-keyword-model.ts: the first 22 keywords one at a time, the 24 added later by the model fitted on the 22).
// No label builds a centroid. Where its clear matches come from (SOURCES):
//   history: the other tuning days (later ones too: a long history); earlier: the tuning days before the day, as
//   papermail's database would hold them (the seed page counts as earlier); same: the day's own papers; both:
//   history and the day. A paper is never in its own centroid.
// The similarity is a z-score against the source's papers (the day's, for `same`). Variants: a 12th feature of the
// keyword model, or a separate rule (sent when the model sends or when z >= Z), each with the evidence a paper must
// hold (EVIDENCE): a whole phrasing of the keyword as today (full), one word of one (partial), or none.
// Other knobs: HIGHS, SHARES, ZS, CUTS (the models' cuts besides 0.5), APPLY (a source whose centroids the model
// fitted with another is run with: fitted on a long history, run on what the earlier days hold), MIN_MEMBERS (no
// feature below that many clear matches), NO_FEEDBACK (the keyword's own words alone), SCORED_FROM (score only the
// days from that date), PER_KEYWORD (what each variant changed, per keyword).
import { compileDefinition } from '../../src/relevance/compile-interest.js';
import {
  dayWords,
  KEYWORD_FEATURES,
  keywordDay,
  keywordFeatures,
  titleNamesKeyword,
} from '../../src/relevance/keyword-features.js';
import { keywordDefinition, normaliseKeyword } from '../../src/relevance/keywords.js';
import { type Example, fitLogistic, probability } from '../../src/relevance/logistic-model.js';
import { tokenizePaper } from '../../src/relevance/paper-text.js';
import { scorePaper } from '../../src/relevance/score-paper.js';
import { cosine, type TermVector, tfIdfVector, toUnitLength } from '../../src/relevance/term-vectors.js';
import { textTokens } from '../../src/relevance/text-tokens.js';
import { loadPrototypes, termCounts } from '../../src/relevance/topic-prototypes.js';
import { type InterestScore, precisionRecall, summarise } from './evaluate.js';
import { loadEvaluationSet } from './labelled-days.js';
import { noCounts, tally } from './train.js';

const env = process.env;
const list = (name: string, fallback: string) => (env[name] ?? fallback).split(',').filter(Boolean);
const fmt = (x: number) => x.toFixed(3);

const CUT = 0.5;
const MIN_MEMBERS = Number(env.MIN_MEMBERS ?? 0);
/** Score only the days from this date (the centroid still uses every source day): the cold start apart. */
const SCORED_FROM = env.SCORED_FROM ?? '0000';
const set = loadEvaluationSet();
const tuning = set.days.filter((d) => !set.heldOut.has(d.date));
const protos = loadPrototypes(new URL('../../src/relevance/topic-prototypes.json', import.meta.url), '');
const idf = new Map(Object.entries(protos.idf));
const weigh = (t: string) => idf.get(t) ?? protos.rareIdf;

interface Paper {
  day: number;
  vector: TermVector;
}
const papers: Paper[] = [];
const tokensByDay = tuning.map((d, di) =>
  d.papers.map((p) => {
    const t = tokenizePaper(p);
    papers.push({ day: di, vector: tfIdfVector(termCounts(t.title, t.abstract), weigh) });
    return t;
  }),
);
const wordsByDay = tokensByDay.map(dayWords);
// The seed page sorts first: it is history for every day.
const order = tuning.map((d) => (d.date === 'seed' ? '0000' : d.date));

interface Row {
  paper: number;
  day: number;
  x: number[];
  /** undefined: borderline (counts neither way, but may be a clear match). */
  y: 0 | 1 | undefined;
  named: boolean;
  full: boolean;
  partial: boolean;
}

/** The features that say a paper holds any word of a phrasing of the keyword. */
const COVER_ANY = (['titleCoverAny', 'abstractCoverAny'] as const).map((name) => KEYWORD_FEATURES.indexOf(name));

function rowsFor(keyword: string): Row[] {
  const compiled = compileDefinition(keywordDefinition(normaliseKeyword(keyword)), { keyword: true });
  const rows: Row[] = [];
  let i = 0;
  tuning.forEach((day, di) => {
    const stats = keywordDay(compiled, wordsByDay[di]!);
    for (const paper of tokensByDay[di]!) {
      const label = day.labels.get(paper.id)!;
      const x = keywordFeatures(compiled, paper, stats);
      rows.push({
        paper: i++,
        day: di,
        x,
        y: label.borderline.includes(keyword) ? undefined : label.relevant.includes(keyword) ? 1 : 0,
        named: titleNamesKeyword(compiled, paper),
        full: scorePaper(compiled, paper).evidence.length > 0,
        // One word of one phrasing (idf-weighted cover > 0), title or abstract.
        partial: COVER_ANY.some((feature) => x[feature]! > 0),
      });
    }
  });
  return rows;
}

const keywords = set.keywords;
const first = keywords.filter((k) => set.firstKeywords.has(k));
const rows = new Map(keywords.map((k) => [k, rowsFor(k)]));
const labelled = (rs: Row[]): Example[] => rs.flatMap((r) => (r.y === undefined ? [] : [{ x: r.x, y: r.y }]));

// The keyword model as shipped, for each keyword fitted without it: what picks its clear matches.
const baseP = new Map<string, number[]>();
for (const k of keywords) {
  const m = {
    ...fitLogistic(KEYWORD_FEATURES, labelled(first.filter((j) => j !== k).flatMap((j) => rows.get(j)!))),
    threshold: CUT,
  };
  baseP.set(
    k,
    rows.get(k)!.map((r) => probability(m, r.x)),
  );
}

function keywordVector(keyword: string): TermVector {
  const counts = new Map<string, number>();
  for (const term of keywordDefinition(normaliseKeyword(keyword)).terms) {
    for (const [t, n] of termCounts([], textTokens(term.text))) counts.set(t, (counts.get(t) ?? 0) + n * term.weight);
  }
  return tfIdfVector(counts, weigh);
}

type Source = 'history' | 'earlier' | 'same' | 'both';
const inSource = (source: Source, day: number, other: number) =>
  source === 'same'
    ? other === day
    : source === 'both'
      ? true
      : source === 'history'
        ? other !== day
        : order[other]! < order[day]!;

/** Per keyword, per row: the z-score of the paper's cosine to the keyword's centroid for its day. */
function similarities(keyword: string, source: Source, high: number, share: number): number[] {
  const rs = rows.get(keyword)!;
  const p = baseP.get(keyword)!;
  // NO_FEEDBACK: the keyword's own words alone, no clear matches (what the centroid adds beyond them).
  const clear = env.NO_FEEDBACK ? [] : rs.filter((r, i) => r.named || p[i]! >= high);
  const own = keywordVector(keyword);
  const out = new Array<number>(rs.length);
  for (let d = 0; d < tuning.length; d++) {
    const members = clear.filter((r) => inSource(source, d, r.day));
    // Too few clear matches make a centroid that is one paper's words: no feature (the background's mean).
    if (members.length < MIN_MEMBERS) {
      for (const r of rs) if (r.day === d) out[r.paper] = 0;
      continue;
    }
    const centroidOf = (without?: number) => {
      const kept = members.filter((r) => r.paper !== without);
      const sum: TermVector = new Map();
      for (const r of kept)
        for (const [t, w] of papers[r.paper]!.vector) sum.set(t, (sum.get(t) ?? 0) + w / kept.length);
      for (const [t, w] of own) sum.set(t, (sum.get(t) ?? 0) + share * w);
      return toUnitLength(sum);
    };
    const centroid = centroidOf();
    // Background: the source's papers (all of them, labels unseen), or the day's for a same-day centroid.
    const background = papers.filter((q) => (source === 'same' ? q.day === d : inSource(source, d, q.day)));
    const sims = (background.length >= 5 ? background : papers).map((q) => cosine(q.vector, centroid));
    const mean = sims.reduce((a, b) => a + b, 0) / sims.length;
    const spread = Math.sqrt(sims.reduce((a, b) => a + (b - mean) ** 2, 0) / sims.length) || 1;
    // A clear match of the day is sent anyway; left out of its own centroid, its similarity is what an unclear
    // paper's would be, so the model learns the feature from what it will see.
    for (const r of rs) {
      if (r.day !== d) continue;
      const c = members.some((m) => m.paper === r.paper) ? centroidOf(r.paper) : centroid;
      out[r.paper] = (cosine(papers[r.paper]!.vector, c) - mean) / spread;
    }
  }
  return out;
}

type Evidence = 'full' | 'partial' | 'none';
const has = (r: Row, e: Evidence) => (e === 'full' ? r.full : e === 'partial' ? r.partial : true);

function report(name: string, sent: (k: string, r: Row, i: number) => boolean) {
  const scores: InterestScore[] = keywords.map((k) => {
    const c = noCounts();
    rows.get(k)!.forEach((r, i) => {
      if (r.y !== undefined && order[r.day]! >= SCORED_FROM) tally(c, sent(k, r, i), r.y === 1);
    });
    return { kind: 'keyword', name: k, ...c, ...precisionRecall(c) };
  });
  const all = summarise(scores);
  const a = summarise(scores.filter((s) => set.firstKeywords.has(s.name)));
  const b = summarise(scores.filter((s) => !set.firstKeywords.has(s.name)));
  process.stdout.write(
    `${name.padEnd(50)} all ${fmt(all.macroP)} ${fmt(all.macroR)} | ${fmt(all.microP)} ${fmt(all.microR)}   first22 ${fmt(a.macroP)} ${fmt(a.macroR)}   more24 ${fmt(b.macroP)} ${fmt(b.macroR)}\n`,
  );
  return scores;
}

process.stdout.write(`${''.padEnd(50)}     macro P R | micro P R\n`);
const cuts = list('CUTS', '').map(Number);
const baseSent = (k: string, r: Row, i: number) => r.named || baseP.get(k)![i]! >= CUT;
report('current (no evidence check, as train:keywords)', baseSent);
for (const cut of cuts) report(`current at cut ${cut}`, (k, r, i) => r.full && (r.named || baseP.get(k)![i]! >= cut));
const current = report('current (evidence required, as the matcher)', (k, r, i) => r.full && baseSent(k, r, i));

/** Per keyword, what a variant changed against the current model: tp, fp and fn, before -> after. */
function perKeyword(scores: InterestScore[]) {
  if (!env.PER_KEYWORD) return;
  scores.forEach((s, i) => {
    const c = current[i]!;
    if (c.tp !== s.tp || c.fp !== s.fp)
      process.stdout.write(`    ${s.name.padEnd(32)} tp ${c.tp}->${s.tp} fp ${c.fp}->${s.fp} fn ${c.fn}->${s.fn}\n`);
  });
}

/**
 * Per keyword, the model that never saw it, fitted on the rows that hold `evidence` with `extra` (per keyword, per
 * row) as one more feature, and its probabilities with `applied` in its place.
 */
function leftOut(evidence: Evidence, extra?: Map<string, number[]>, applied = extra): Map<string, number[]> {
  const features = extra ? [...KEYWORD_FEATURES, 'centroid'] : [...KEYWORD_FEATURES];
  const x = (k: string, r: Row, i: number, by?: Map<string, number[]>) => (by ? [...r.x, by.get(k)![i]!] : r.x);
  const p = new Map<string, number[]>();
  for (const k of keywords) {
    const train = first
      .filter((j) => j !== k)
      .flatMap((j) =>
        rows
          .get(j)!
          .flatMap((r, i) => (r.y !== undefined && has(r, evidence) ? [{ x: x(j, r, i, extra), y: r.y }] : [])),
      );
    const m = { ...fitLogistic(features, train), threshold: CUT };
    p.set(
      k,
      rows.get(k)!.map((r, i) => probability(m, x(k, r, i, applied))),
    );
  }
  return p;
}

const control = leftOut('full');
report('control: fitted on evidence rows only', (k, r, i) => r.full && (r.named || control.get(k)![i]! >= CUT));

for (const source of list('SOURCES', 'history,earlier,same,both') as Source[]) {
  for (const high of list('HIGHS', '0.8').map(Number)) {
    for (const share of list('SHARES', '0.5').map(Number)) {
      const sim = new Map(keywords.map((k) => [k, similarities(k, source, high, share)]));
      const tag = `${source} high=${high} share=${share}`;
      for (const evidence of list('EVIDENCE', 'full,partial,none') as Evidence[]) {
        const p = leftOut(evidence, sim);
        const sentAt = (cut: number) => (k: string, r: Row, i: number) =>
          has(r, evidence) && (r.named || p.get(k)![i]! >= cut);
        perKeyword(report(`feature ${tag} ev=${evidence}`, sentAt(CUT)));
        for (const cut of cuts) report(`  at cut ${cut}`, sentAt(cut));
        if (env.APPLY) {
          const other = new Map(keywords.map((k) => [k, similarities(k, env.APPLY as Source, high, share)]));
          const q = leftOut(evidence, sim, other);
          report(`  applied with ${env.APPLY}`, (k, r, i) => has(r, evidence) && (r.named || q.get(k)![i]! >= CUT));
        }
        for (const z of list('ZS', '3,4').map(Number)) {
          report(
            `rule z>=${z} ${tag} ev=${evidence}`,
            (k, r, i) => (r.full && baseSent(k, r, i)) || (has(r, evidence) && sim.get(k)![i]! >= z),
          );
        }
      }
    }
  }
}
