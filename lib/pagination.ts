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

  /**
   * Pages in order. The next page is requested as soon as one arrives, before the caller has
   * handled it, so a caller that takes a while per page (a flow emitting one message per row)
   * overlaps its work with the gateway's. At most two pages are held; a caller that stops early
   * leaves one request unused.
   */
  async *pages(): AsyncGenerator<Page<T>> {
    let next: Promise<Page<T>> | undefined = this.fetchPage(undefined);
    while (next) {
      const page: Page<T> = await next;
      // A page that claims more but is empty would loop forever on the same cursor.
      next = page.hasMore && page.items.length > 0 ? this.fetchPage(page) : undefined;
      // Its failure is reported when the caller asks for that page, not as an unhandled rejection.
      next?.catch(() => undefined);
      yield page;
    }
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
