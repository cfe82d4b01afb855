/**
 * The result shapes every provider's operations hand the nodes, in one place: one object, a
 * fixed list, or pages fetched as the node reads them.
 */
import { singlePage } from './operations';
import type { OperationResult, ResultItem, ResultPage } from './operations';
import type { Page } from './pagination';

/** Anything that yields pages: an AutoPager, or a provider's own paging. */
export interface PageSource<T> {
  pages(): AsyncGenerator<Page<T>>;
}

export const objectResult = (item: ResultItem): OperationResult => ({ kind: 'object', ...item });

/** The item marked as an earlier identical request's result (msg.paywire.replayed). */
export function replayedItem(item: ResultItem, replayed: boolean): ResultItem {
  return replayed ? { ...item, meta: { ...item.meta, replayed: true } } : item;
}

/** A list the gateway answered in one piece. */
export function arrayResult<T>(resource: string, items: readonly T[], toItem: (item: T) => ResultItem): OperationResult {
  return { kind: 'list', resource, pages: singlePage({ items: items.map(toItem), hasMore: false, total: items.length }) };
}

/** A paginated list, each page fetched and converted when the node asks for it. */
export function pagedResult<T>(resource: string, source: PageSource<T>, toItem: (item: T) => ResultItem): OperationResult {
  async function* pages(): AsyncGenerator<ResultPage> {
    for await (const page of source.pages()) {
      yield { items: page.items.map(toItem), hasMore: page.hasMore, total: page.total };
    }
  }
  return { kind: 'list', resource, pages: pages() };
}

/**
 * A paginated list whose first page is fetched before the operation returns, so a refused
 * login or a bad filter fails the operation before any row is sent.
 */
export async function prefetchedResult<T>(resource: string, source: PageSource<T>, toItem: (item: T) => ResultItem): Promise<OperationResult> {
  const iterator = source.pages();
  let next = await iterator.next();
  async function* pages(): AsyncGenerator<ResultPage> {
    while (!next.done) {
      yield { items: next.value.items.map(toItem), hasMore: next.value.hasMore, total: next.value.total };
      next = await iterator.next();
    }
  }
  return { kind: 'list', resource, pages: pages() };
}
