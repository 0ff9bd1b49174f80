import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../db/migrate.js';

const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

/**
 * Who we are, for the APIs we call: arXiv and Hugging Face ask clients to identify themselves so that they can
 * reach the operator of a misbehaving one. The public URL is the instance's own address.
 */
export function sourceUserAgent(publicUrl: string): string {
  return `papermail/${version} (+${publicUrl}; self-hosted daily digest of trending papers)`;
}
