// The shipped models as papermail reads them: a model file that does not fit the code fails at start, naming the
// command that rewrites it, and a fit on separable data sends what it should.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fitLogistic, loadModel, probability } from '../../src/relevance/logistic-model.js';
import { loadPrototypes } from '../../src/relevance/topic-prototypes.js';
import { topicCatalog } from '../../src/topics/catalog.js';

const shipped = new URL('../../src/relevance/topic-model.json', import.meta.url);

function modelFile(content: unknown): URL {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'model-')), 'model.json');
  writeFileSync(file, JSON.stringify(content));
  return pathToFileURL(file);
}

describe('logistic models', () => {
  it('refuses a model file whose features differ from the code, or that lost a weight, naming the command', () => {
    const good = loadModel(
      shipped,
      ['title', 'abstract', 'against', 'distinctTerms', 'definingTerms', 'titleDefining', 'early'],
      'npm run train:topics -- --write',
    );
    assert.equal(good.threshold, 0.5);
    assert.throws(
      () => loadModel(shipped, ['title', 'abstract'], 'npm run train:topics -- --write'),
      /features differ from the code's; run npm run train:topics -- --write/,
    );
    const lost = { ...good, weights: good.weights.slice(1) };
    assert.throws(() => loadModel(modelFile(lost), good.features, 'npm run train:topics'), /features differ/);
    assert.throws(() => loadModel(modelFile({ ...good, threshold: 2 }), good.features, 'x'), /not a model/);
  });

  it('fits a separable feature: papers that have it are sent, papers that lack it are not', () => {
    const examples = Array.from({ length: 200 }, (_, i) => ({
      x: [i % 4 === 0 ? 1 : 0, i % 3],
      y: (i % 4 === 0 ? 1 : 0) as 0 | 1,
    }));
    const model = { ...fitLogistic(['signal', 'noise'], examples), threshold: 0.5 };
    assert.ok(probability(model, [1, 0]) > 0.9);
    assert.ok(probability(model, [0, 2]) < 0.1);
    assert.ok(Math.abs(model.weights[1]!) < Math.abs(model.weights[0]!) / 10, JSON.stringify(model.weights));
  });

  it('ships a prototype for every catalog topic, and refuses a prototype file that lost its parts', () => {
    const file = new URL('../../src/relevance/topic-prototypes.json', import.meta.url);
    const prototypes = loadPrototypes(file, 'npm run train:topics -- --write');
    assert.deepEqual(Object.keys(prototypes.topics).sort(), topicCatalog.map((t) => t.slug).sort());
    for (const [slug, p] of Object.entries(prototypes.topics)) {
      assert.ok(Object.keys(p.terms).length > 50 && p.spread > 0, slug);
    }
    const { idf: _, ...noIdf } = prototypes;
    assert.throws(
      () => loadPrototypes(modelFile(noIdf), 'npm run train:topics'),
      /not prototypes \(npm run train:topics\)/,
    );
    const flat = { ...prototypes, topics: { agents: { ...prototypes.topics.agents!, spread: 0 } } };
    assert.throws(() => loadPrototypes(modelFile(flat), 'x'), /not prototypes/);
  });
});
