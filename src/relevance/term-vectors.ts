// Sparse tf-idf vectors of papers and their cosine: the topics' prototypes (topic-prototypes.ts) and a reader's
// feedback profile (rerank-for-reader.ts) both compare papers this way.

/** A sparse vector: term -> weight. */
export type TermVector = Map<string, number>;

/** Sublinear tf times idf, scaled to unit length. */
export function tfIdfVector(counts: Map<string, number>, idf: (term: string) => number): TermVector {
  const vector: TermVector = new Map();
  for (const [term, count] of counts) vector.set(term, (1 + Math.log(count)) * idf(term));
  return toUnitLength(vector);
}

/** Scales `vector` in place to unit length (a zero vector stays zero). */
export function toUnitLength(vector: TermVector): TermVector {
  let norm = 0;
  for (const weight of vector.values()) norm += weight * weight;
  norm = Math.sqrt(norm) || 1;
  for (const [term, weight] of vector) vector.set(term, weight / norm);
  return vector;
}

/** The cosine of two unit vectors; 0 against no vector at all. */
export function cosine(a: TermVector, b: TermVector | undefined): number {
  if (!b) return 0;
  let sum = 0;
  for (const [term, weight] of a) sum += weight * (b.get(term) ?? 0);
  return sum;
}
