// Turns a source name as operators write it (huggingface, arxiv, file:PATH) into a PaperSource with its HTTP client.
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { createArxivSource } from './arxiv-source.js';
import { createFileSource } from './file-source.js';
import { createHttpClient } from './http-client.js';
import { createHuggingFaceSource } from './huggingface-source.js';
import type { PaperSource } from './paper-source.js';
import { sourceUserAgent } from './user-agent.js';

export type SourceSpec = { kind: 'huggingface' } | { kind: 'arxiv' } | { kind: 'file'; path: string };

/** Knobs tests and benchmarks turn; production uses the defaults. */
export interface SourceTuning {
  /** First retry delay (default 1000 ms, doubling). */
  retryBaseMs?: number;
  /** Spacing between arXiv requests (default 3000 ms, as arXiv asks). */
  arxivIntervalMs?: number;
  hfPageSize?: number;
  arxivPageSize?: number;
  /** Longest server-requested wait we sit out before failing (default 120 s). */
  maxServerWaitMs?: number;
}

export const ARXIV_INTERVAL_MS = 3000;

export function parseSourceSpec(text: string): SourceSpec {
  const value = text.trim();
  if (value === 'huggingface' || value === 'arxiv') return { kind: value };
  if (value.startsWith('file:') && value.length > 'file:'.length) return { kind: 'file', path: value.slice(5) };
  throw errors.badRequest(`unknown source "${value}": use huggingface, arxiv or file:PATH`);
}

export function createPaperSource(
  spec: SourceSpec,
  config: Config,
  log: Logger,
  tuning: SourceTuning = {},
): PaperSource {
  const http = (name: string, minIntervalMs?: number) =>
    createHttpClient({
      name,
      userAgent: sourceUserAgent(config.publicUrl),
      timeoutMs: config.sources.timeoutMs,
      retries: config.sources.retries,
      log,
      ...(tuning.retryBaseMs !== undefined ? { retryBaseMs: tuning.retryBaseMs } : {}),
      ...(tuning.maxServerWaitMs !== undefined ? { maxServerWaitMs: tuning.maxServerWaitMs } : {}),
      ...(minIntervalMs !== undefined ? { minIntervalMs } : {}),
    });
  switch (spec.kind) {
    case 'huggingface':
      return createHuggingFaceSource({
        baseUrl: config.sources.hfBaseUrl,
        http: http('Hugging Face'),
        ...(tuning.hfPageSize ? { pageSize: tuning.hfPageSize } : {}),
      });
    case 'arxiv':
      return createArxivSource({
        baseUrl: config.sources.arxivBaseUrl,
        categories: config.sources.arxivCategories,
        http: http('arXiv', tuning.arxivIntervalMs ?? ARXIV_INTERVAL_MS),
        ...(tuning.arxivPageSize ? { pageSize: tuning.arxivPageSize } : {}),
      });
    case 'file':
      return createFileSource(spec.path);
  }
}
