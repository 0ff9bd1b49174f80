// A JSON file in the Hugging Face Daily Papers shape, for demos and backfills: its papers are listed on whatever
// day is asked for.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errors } from '../errors.js';
import type { PaperSource } from './paper-source.js';
import { parseDailyPapersJson, readDailyPapers } from './read-hf-daily-papers.js';

export function createFileSource(file: string): PaperSource {
  const fullPath = path.resolve(file);
  return {
    name: 'file',
    async fetchDay(day) {
      let body: string;
      try {
        body = await readFile(fullPath, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw errors.sourceUnavailable(`cannot read ${file}${code === 'ENOENT' ? ': no such file' : ` (${code})`}`);
      }
      return readDailyPapers(parseDailyPapersJson(body, file), day, 'file');
    },
  };
}
