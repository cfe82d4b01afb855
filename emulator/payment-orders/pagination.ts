// DRF PageNumberPagination (reference §3): ?page=&page_size=, body {count, next, previous, results}
// inside the success envelope's `data`; next/previous are relative links as in the reference example.
import { poErrors } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageBody {
  count: number;
  next: string | null;
  previous: string | null;
  results: unknown[];
}

/** DRF _positive_int(strict=True, cutoff=max): anything but an integer >= 1 falls back to the default. */
function pageSize(query: URLSearchParams): number {
  const raw = query.get('page_size');
  if (raw === null || !/^\s*\+?\d+\s*$/.test(raw)) return DEFAULT_PAGE_SIZE;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < 1) return DEFAULT_PAGE_SIZE;
  return Math.min(n, MAX_PAGE_SIZE);
}

/** DRF replace_query_param / remove_query_param: the other parameters kept, sorted by name. */
function link(path: string, query: URLSearchParams, page: number | null): string {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of query) {
    if (k === 'page') continue;
    const list = grouped.get(k) ?? [];
    list.push(v);
    grouped.set(k, list);
  }
  if (page !== null) grouped.set('page', [String(page)]);
  const out = new URLSearchParams();
  for (const key of [...grouped.keys()].sort()) for (const v of grouped.get(key) ?? []) out.append(key, v);
  const qs = out.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

export function paginate<T>(items: readonly T[], query: URLSearchParams, path: string, toJson: (item: T) => unknown): PageBody {
  const size = pageSize(query);
  const numPages = Math.max(1, Math.ceil(items.length / size));
  const raw = query.get('page');
  let page: number;
  if (raw === null) page = 1;
  else if (raw === 'last') page = numPages;
  else if (/^\s*[+-]?\d+\s*$/.test(raw)) page = Number(raw.trim());
  else throw poErrors.invalidPage();
  if (!Number.isSafeInteger(page) || page < 1 || page > numPages) throw poErrors.invalidPage();
  const start = (page - 1) * size;
  return {
    count: items.length,
    next: page < numPages ? link(path, query, page + 1) : null,
    previous: page > 1 ? link(path, query, page === 2 ? null : page - 1) : null,
    results: items.slice(start, start + size).map(toJson),
  };
}
