// Keywords as readers type them, folded so that "KV cache " and "kv cache" are one interest.
export function normaliseKeyword(keyword: string): string {
  return keyword.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
