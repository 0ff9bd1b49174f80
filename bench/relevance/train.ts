// What the two training scripts (train-keyword-model.ts, train-topic-model.ts) share: counting a held-out part's
// decisions, printing the model beside the rule it replaces, and writing the fitted model where the matcher reads it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LogisticModel } from '../../src/relevance/logistic-model.js';
import { type Counts, fmt, type InterestScore, meanDefined, precisionRecall, summarise } from './evaluate.js';

export const noCounts = (): Counts => ({ tp: 0, fp: 0, fn: 0 });

/** Adds one decision to `c`. */
export function tally(c: Counts, sent: boolean, relevant: boolean): void {
  if (sent) relevant ? c.tp++ : c.fp++;
  else if (relevant) c.fn++;
}

/** One line per interest, then the macro averages: the model's precision and recall beside the rule's. */
export function printComparison(title: string, rows: { name: string; model: Counts; rule: Counts }[]): void {
  const width = Math.max(28, ...rows.map((r) => r.name.length + 1));
  const pr = rows.map((r) => ({ name: r.name, model: precisionRecall(r.model), rule: precisionRecall(r.rule) }));
  let out = `${title}\n${''.padEnd(width)} model P    R   rule P    R\n`;
  for (const r of pr) {
    out += `${r.name.padEnd(width)} ${fmt(r.model.precision)} ${fmt(r.model.recall)}   ${fmt(r.rule.precision)} ${fmt(r.rule.recall)}\n`;
  }
  const macro = (side: 'model' | 'rule', which: 'precision' | 'recall') =>
    fmt(meanDefined(pr.map((r) => r[side][which])));
  out += `${'macro'.padEnd(width)} ${macro('model', 'precision')} ${macro('model', 'recall')}   ${macro('rule', 'precision')} ${macro('rule', 'recall')}\n`;
  process.stdout.write(out);
}

/** The model's macro and micro precision and recall per group of interests (`groupOf` names an interest's). */
export function printGroups(rows: { name: string; model: Counts }[], groupOf: (name: string) => string): void {
  const groups = new Map<string, InterestScore[]>();
  for (const r of rows) {
    const scores = groups.get(groupOf(r.name)) ?? [];
    scores.push({ kind: 'keyword', name: r.name, ...r.model, ...precisionRecall(r.model) });
    groups.set(groupOf(r.name), scores);
  }
  for (const [group, scores] of groups) {
    const m = summarise(scores);
    process.stdout.write(
      `${group}: macro P ${fmt(m.macroP)} R ${fmt(m.macroR)}, micro P ${fmt(m.microP)} R ${fmt(m.microR)}\n`,
    );
  }
}

/** Prints the fitted model and, with --write, stores it as src/relevance/<name>. */
export function writeModel(name: string, model: LogisticModel, write: boolean): void {
  process.stdout.write(`\n${name} fitted on the tuning days: ${JSON.stringify(model)}\n`);
  writeJson(name, model, write);
}

/** With --write, stores `data` as src/relevance/<name>. */
export function writeJson(name: string, data: unknown, write: boolean): void {
  if (!write) return;
  const file = path.resolve(import.meta.dirname, '../../src/relevance', name);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
}
