// An admin's proposed topic definition, checked before it can reach the matcher. The schema catches the shape; a
// term made only of stop words or punctuation passes the schema but compiles to nothing and would silently never
// count, so it is refused too, naming the term.
import { Value } from '@sinclair/typebox/value';
import { errors } from '../errors.js';
import { compileDefinition } from '../relevance/compile-interest.js';
import { type TopicDefinition, TopicDefinitionSchema } from '../relevance/interest-definition.js';

/** Returns `definition` typed, or throws a 400 whose message starts with the field (`definition/terms/0/weight`). */
export function checkTopicDefinition(definition: unknown): TopicDefinition {
  const first = Value.Errors(TopicDefinitionSchema, definition).First();
  if (first) throw errors.badRequest(`definition${first.path} ${first.message}`);
  const checked = definition as TopicDefinition;
  for (const list of ['terms', 'against'] as const) {
    (checked[list] ?? []).forEach((term, i) => {
      if (compileDefinition({ terms: [term] }).terms.length === 0) {
        throw errors.badRequest(
          `definition/${list}/${i}/text "${term.text}" has no word the matcher can use (only stop words or punctuation?).`,
        );
      }
    });
  }
  return checked;
}
