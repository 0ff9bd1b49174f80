// What an interest is to the matcher: weighted terms, terms that count against, and the absolute score a paper
// must reach. Catalog topics store one of these (topics.definition); a reader's keyword is turned into one by
// keywordDefinition(). One schema, used by the topic admin API, the catalog seed and the matcher.
import { type Static, Type } from '@sinclair/typebox';

export const FieldSchema = Type.Union([Type.Literal('title'), Type.Literal('abstract'), Type.Literal('keywords')]);

export const TermSchema = Type.Object(
  {
    text: Type.String({
      minLength: 1,
      maxLength: 80,
      description: 'A word or phrase, stemmed and expanded with synonyms',
    }),
    weight: Type.Number({ minimum: 0.05, maximum: 3, description: 'How much one mention counts (1 = defining)' }),
    fields: Type.Optional(
      Type.Array(FieldSchema, { minItems: 1, maxItems: 3, description: 'Where it counts (default: everywhere)' }),
    ),
  },
  { additionalProperties: false },
);

export const TopicDefinitionSchema = Type.Object(
  {
    terms: Type.Array(TermSchema, { minItems: 1, maxItems: 80 }),
    against: Type.Optional(Type.Array(TermSchema, { maxItems: 40 })),
    threshold: Type.Optional(Type.Number({ minimum: 0.1, maximum: 20 })),
  },
  { additionalProperties: false },
);

export type Term = Static<typeof TermSchema>;
export type TopicDefinition = Static<typeof TopicDefinitionSchema>;
export type Field = Static<typeof FieldSchema>;
