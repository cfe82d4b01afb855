/**
 * Auto-pagination: a list is an async iterable of items, and also exposes its pages for
 * callers that want one message per page. Only one page is held in memory at a time.
 */

export interface Page<T> {
  items: T[];
  hasMore: boolean;
  /** Total matching records when the gateway reports it. */
  total?: number | undefined;
  /** The cursor for the next page, for gateways that hand one out (CPG `next_cursor`). */
  nextCursor?: string | number | null | undefined;
}

/** Fetches the page that follows `previous` (undefined for the first page). */
export type PageFetcher<T> = (previous: Page<T> | undefined) => Promise<Page<T>>;

export class AutoPager<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: PageFetcher<T>) {}

  async *pages(): AsyncGenerator<Page<T>> {
    let previous: Page<T> | undefined;
    do {
      const page = await this.fetchPage(previous);
      yield page;
      // A page that claims more but is empty would loop forever on the same cursor.
      if (page.items.length === 0) return;
      previous = page;
    } while (previous.hasMore);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Collects every item; throws when there are more than `limit` rather than growing without bound. */
  async toArray(limit: number): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) {
      if (all.length >= limit) throw new RangeError(`more than ${limit} items`);
      all.push(item);
    }
    return all;
  }
}
