// npm run check:phrases -- --keyword "KV cache compression" "snapkv" "kv eviction" …
// npm run check:phrases -- --file proposals.json   ({"<keyword>": {"synonyms": [...], "kinds": [...]}, …})
//
// Before a phrase goes into the lexicon (src/relevance/lexicon.ts) as a synonym or a kind of a labelled keyword: on
// the tuning days only, how many papers say it (title or abstract, stemmed as the matcher reads them), and how many
// of those are labelled relevant, borderline or not for the keyword; "new" counts the relevant ones that no phrasing
// the lexicon already gives the keyword finds. A phrase most of whose papers are not about the keyword (BAD) would
// send them; one no tuning paper says (unseen) can only be judged by what it means. The thirteenth session kept the
// phrases marked ok or unseen of what its helpers proposed, and dropped the BAD ones (README, "The lexicon").
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { compileDefinition, type Pattern } from '../src/relevance/compile-interest.js';
import { keywordDefinition, normaliseKeyword } from '../src/relevance/keywords.js';
import { FIELD_BREAK } from '../src/relevance/paper-text.js';
import { countPattern } from '../src/relevance/score-paper.js';
import { textTokens } from '../src/relevance/text-tokens.js';
import { loadEvaluationSet } from './relevance/labelled-days.js';

const { values, positionals } = parseArgs({
  options: { keyword: { type: 'string' }, file: { type: 'string' } },
  allowPositionals: true,
});
const set = loadEvaluationSet();
if (values.keyword !== undefined && !set.keywords.includes(values.keyword)) {
  process.stderr.write(`check:phrases: "${values.keyword}" is not a labelled keyword (interests.json)\n`);
  process.exit(2);
}
const proposals: Record<string, { synonyms?: string[]; kinds?: string[] }> = values.file
  ? JSON.parse(readFileSync(values.file, 'utf8'))
  : values.keyword !== undefined && positionals.length > 0
    ? { [values.keyword]: { kinds: positionals } }
    : {};
if (Object.keys(proposals).length === 0) {
  process.stderr.write('usage: npm run check:phrases -- --keyword "<keyword>" "<phrase>" … | --file proposals.json\n');
  process.exit(2);
}

const tuning = set.days.filter((d) => !set.heldOut.has(d.date));
const papers = tuning.flatMap((day) =>
  day.papers.map((p) => ({
    // The title and the abstract, with a separator no phrase contains, so a phrase never spans the two.
    tokens: [...textTokens(p.title), FIELD_BREAK, ...textTokens(p.abstract)],
    label: day.labels.get(p.id)!,
  })),
);

const says = (tokens: readonly string[], pattern: Pattern) => countPattern(tokens, pattern) > 0;

for (const [keyword, { synonyms = [], kinds = [] }] of Object.entries(proposals)) {
  if (!set.keywords.includes(keyword)) {
    process.stdout.write(`\n${keyword}: not a labelled keyword, nothing to check against\n`);
    continue;
  }
  const known = compileDefinition(keywordDefinition(normaliseKeyword(keyword)), { keyword: true })
    .terms.filter((t) => t.weight === 1)
    .flatMap((t) => t.patterns);
  process.stdout.write(`\n${keyword} (tuning days: ${tuning.length})\n`);
  for (const [kind, phrase] of [...synonyms.map((p) => ['synonym', p]), ...kinds.map((p) => ['kind', p])]) {
    const pattern = textTokens(phrase!);
    const c = { relevant: 0, fresh: 0, borderline: 0, not: 0 };
    for (const { tokens, label } of papers) {
      if (pattern.length === 0 || !says(tokens, pattern)) continue;
      if (label.relevant.includes(keyword)) {
        c.relevant++;
        if (!known.some((p) => says(tokens, p))) c.fresh++;
      } else if (label.borderline.includes(keyword)) c.borderline++;
      else c.not++;
    }
    const verdict = c.relevant + c.not === 0 ? 'unseen' : c.relevant >= c.not ? 'ok' : 'BAD';
    process.stdout.write(
      `${verdict.padEnd(7)}${kind!.padEnd(8)} ${phrase!.padEnd(36)} relevant ${c.relevant} (new ${c.fresh}), borderline ${c.borderline}, not ${c.not}\n`,
    );
  }
}
