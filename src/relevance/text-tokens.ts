// Turning text into the stemmed tokens the matcher compares. Porter stemming (the `stemmer` package, the same
// algorithm as Postgres' english configuration) folds "agents"/"agentic" and "hallucinations"/"hallucinate", but it
// also folds "tokenizer" and "tokenization" into "token", a word in nearly every abstract of the field (a reader
// who typed "speech tokenizer" would then match every speech paper that mentions tokens), and "generation" into
// "generalization". So a few word families measured to collide keep a stem of their own (KEPT_APART).
import { stemmer } from 'stemmer';

// "new", "not" and "more" stay: "new benchmark" is not "benchmark". So does "use": without it "tool use" and
// "computer use" were the one words "tool" and "computer".
const STOP_WORDS = new Set(
  `a an and are as at be been being by for from has have in into is it its of on or that the their this these those
  to was were which with we our via using based towards toward than then also can such`
    .split(/\s+/)
    .filter(Boolean),
);

/** Word families whose Porter stems would merge with a different, often far more common, word. */
const KEPT_APART: [RegExp, string][] = [
  [/^tokeni[sz](e|es|ed|er|ers|ing|ation|ations)$/, 'tokeniz'],
  [/^detokeni[sz](e|es|ed|er|ers|ing|ation|ations)$/, 'detokeniz'],
  // Porter: generation = generalization = general = "gener".
  [/^generali[sz](e|es|ed|ing|ation|ations|able|ability)$/, 'generaliz'],
  [/^general(ly)?$/, 'general'],
  [/^generat(e|es|ed|ing|ion|ions|or|ors)$/, 'generat'],
  [/^generat(ive|ively)$/, 'generativ'],
  // interpretability is a field (safety); an interpretation is any reading of anything.
  [/^interpretab(le|ility)$/, 'interpretab'],
  [/^explainab(le|ility)$/, 'explainab'],
  // adapters (LoRA and kin) are not adaptive methods; optimizers are not optimisation.
  [/^adapters?$/, 'adapter'],
  [/^optimi[sz]ers?$/, 'optimizer'],
  [/^imaging$/, 'imaging'],
  [/^visuali[sz](e|es|ed|ing|ation|ations)$/, 'visualiz'],
  [/^(edit|edits|edited|editing)$/, 'edit'],
  [/^agentic$/, 'agentic'],
  // Porter: computer = compute = computation = "comput"; a computer-use agent is not every paper that computes.
  [/^computers?$/, 'computer'],
];

function stemWord(word: string): string {
  for (const [pattern, stem] of KEPT_APART) if (pattern.test(word)) return stem;
  // Acronyms with a plural s ("LLMs", "VLMs", "dLLMs") keep their letters.
  if (/^[a-z]*[0-9]*[a-z]+s$/.test(word) && word.length <= 6 && !/[aeiou]/.test(word.slice(0, -1))) {
    return word.slice(0, -1);
  }
  return stemmer(word);
}

/** Lower-cased, stemmed word tokens of `text`, stop words dropped: "Mixture-of-Experts" -> ["mixtur", "expert"]. */
export function textTokens(text: string): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    // "on" is a stop word, and "on-policy" (RL) would be "policy", which every robot paper has.
    .replace(/\b(on|off)-polic/g, '$1polic')
    .split(/[^a-z0-9]+/);
  const out: string[] = [];
  for (const word of words) {
    if (word === '' || STOP_WORDS.has(word)) continue;
    out.push(stemWord(word));
  }
  return out;
}
