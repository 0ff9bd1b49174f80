// Pages of a long list: ?page=N (from 1), 50 rows each, with links to the previous and next page.
import { Type } from '@sinclair/typebox';

export const PAGE_SIZE = 50;
export const PageQuery = Type.Object({ page: Type.Integer({ minimum: 1, maximum: 100000, default: 1 }) });

export function pageOf(page: number) {
  return { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
}

/** Links for the pager; `query` is the list's other parameters, kept on each link. */
export function pager(page: number, total: number, query: Record<string, string | undefined> = {}) {
  const last = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const link = (n: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    params.set('page', String(n));
    return `?${params.toString()}`;
  };
  return {
    page,
    last,
    total,
    previous: page > 1 ? link(page - 1) : undefined,
    next: page < last ? link(page + 1) : undefined,
    hasLinks: page > 1 || page < last,
  };
}
