// Hugging Face Daily Papers: GET {base}/api/daily_papers?date=YYYY-MM-DD&p=N&limit=L, page by page until a short
// or empty page.
import { errors } from '../errors.js';
import type { HttpClient } from './http-client.js';
import type { PaperSource } from './paper-source.js';
import { isRecord, snippet } from './read-fields.js';
import { parseDailyPapersJson, readDailyPapers } from './read-hf-daily-papers.js';

export interface HuggingFaceSourceOptions {
  baseUrl: string;
  http: HttpClient;
  /** Items per page (the API's default is 50). */
  pageSize?: number;
  /** A stop for a server that ignores paging: no day has more pages than this. */
  maxPages?: number;
}

function idOf(item: unknown): unknown {
  return isRecord(item) && isRecord(item.paper) ? item.paper.id : undefined;
}

export function createHuggingFaceSource(options: HuggingFaceSourceOptions): PaperSource {
  const { baseUrl, http } = options;
  const pageSize = options.pageSize ?? 50;
  const maxPages = options.maxPages ?? 40;
  return {
    name: 'huggingface',
    async fetchDay(day) {
      const items: unknown[] = [];
      const seen = new Set<string>();
      for (let page = 0; page < maxPages; page++) {
        const url = `${baseUrl}/api/daily_papers?${new URLSearchParams({ date: day, p: String(page), limit: String(pageSize) })}`;
        const res = await http.get(url, 'application/json');
        if (res.status !== 200) {
          throw errors.sourceResponse(
            `Hugging Face answered HTTP ${res.status} for ${day} (page ${page}): ${snippet(res.body) || 'no body'}`,
          );
        }
        const pageItems = parseDailyPapersJson(res.body, `Hugging Face's answer for ${day} (page ${page})`);
        // A server that ignores `p` would send page 0 forever: stop when a page brings no id not seen before.
        const ids = pageItems.map(idOf).filter((id): id is string => typeof id === 'string');
        if (ids.length > 0 && ids.every((id) => seen.has(id))) break;
        for (const id of ids) seen.add(id);
        items.push(...pageItems);
        if (pageItems.length < pageSize) break;
      }
      return readDailyPapers(items, day, 'huggingface');
    },
  };
}
