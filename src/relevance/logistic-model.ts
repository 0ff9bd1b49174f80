// A logistic model over a few named features, stored as a small JSON file: the features' means and spreads (so
// the weights are comparable), one weight per feature, a bias, and the probability at which a paper is sent.
// Written by hand (a dot product and a sigmoid): a machine-learning package would bring far more than this needs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const LogisticModelSchema = Type.Object(
  {
    features: Type.Array(Type.String()),
    mean: Type.Array(Type.Number()),
    scale: Type.Array(Type.Number()),
    weights: Type.Array(Type.Number()),
    bias: Type.Number(),
    /** The probability a paper must reach to be sent, chosen for F1 on the days trained on. */
    threshold: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
  },
  { additionalProperties: false },
);
export type LogisticModel = Static<typeof LogisticModelSchema>;

/**
 * Reads a model file and checks it against the schema and the features the code computes, so a hand-edited file
 * that lost a weight, or features changed without retraining, fails at start rather than as silent misses.
 */
export function loadModel(file: URL, features: readonly string[], retrain: string): LogisticModel {
  const name = fileURLToPath(file);
  const model: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Value.Check(LogisticModelSchema, model)) throw new Error(`${name}: not a model (${retrain})`);
  const sized = model.mean.length === features.length && model.scale.length === features.length;
  if (model.features.join() !== features.join() || model.weights.length !== features.length || !sized) {
    throw new Error(`${name}: its features differ from the code's; run ${retrain}`);
  }
  return model;
}

export function probability(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  for (let i = 0; i < model.weights.length; i++) {
    z += (model.weights[i]! * ((x[i] ?? 0) - model.mean[i]!)) / model.scale[i]!;
  }
  return 1 / (1 + Math.exp(-z));
}

export interface Example {
  x: number[];
  y: 0 | 1;
}

/** Solves a x = b for a small dense system (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const k = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[r]![j]! -= k * m[c]![j]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/**
 * Fits the weights by Newton's method on the L2-regularised log loss (the bias is not regularised). Deterministic
 * and converged, so the model file changes only when the labels or the features do.
 */
export function fitLogistic(
  features: readonly string[],
  examples: readonly Example[],
  options: { l2?: number; iterations?: number } = {},
): Omit<LogisticModel, 'threshold'> {
  const d = features.length;
  const n = examples.length;
  const mean = Array.from({ length: d }, (_, j) => examples.reduce((a, e) => a + e.x[j]!, 0) / n);
  const scale = mean.map((m, j) => {
    const v = examples.reduce((a, e) => a + (e.x[j]! - m) ** 2, 0) / n;
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  // Column d is the bias.
  const xs = examples.map((e) => [...e.x.map((v, j) => (v - mean[j]!) / scale[j]!), 1]);
  const l2 = options.l2 ?? 1;
  let w = new Array<number>(d + 1).fill(0);
  for (let it = 0; it < (options.iterations ?? 25); it++) {
    const grad = w.map((wj, j) => (j < d ? l2 * wj : 0));
    const hess = Array.from({ length: d + 1 }, (_, i) =>
      Array.from({ length: d + 1 }, (_, j) => (i === j && i < d ? l2 : 0)),
    );
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      let z = 0;
      for (let j = 0; j <= d; j++) z += w[j]! * x[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const err = p - examples[i]!.y;
      const s = p * (1 - p);
      for (let j = 0; j <= d; j++) {
        grad[j]! += err * x[j]!;
        for (let k = j; k <= d; k++) hess[j]![k]! += s * x[j]! * x[k]!;
      }
    }
    for (let j = 0; j <= d; j++) for (let k = 0; k < j; k++) hess[j]![k] = hess[k]![j]!;
    const step = solve(hess, grad);
    w = w.map((wj, j) => wj - step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    features: [...features],
    mean: mean.map(round),
    scale: scale.map(round),
    weights: w.slice(0, d).map(round),
    bias: round(w[d]!),
  };
}
