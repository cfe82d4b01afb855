/**
 * Auto-pagination: a list is an async iterable of items, and also exposes its pages for
 * callers that want one message per page. At most 1 + READ_AHEAD pages are held in memory.
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

/** Pages fetched but not yet handed to the caller, at most. */
export const READ_AHEAD = 2;

export class AutoPager<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: PageFetcher<T>) {}

  /**
   * Pages in order. Each page needs the one before it (its cursor), so the requests form a
   * chain; the next one leaves as soon as a page arrives, not when the caller asks for it, so
   * a caller that takes a while per page (a flow emitting one message per row) never holds
   * the chain up while it keeps within READ_AHEAD pages. A caller that stops early leaves at
   * most one request unused.
   */
  async *pages(): AsyncGenerator<Page<T>> {
    // Requested or arrived, not yet handed over; in order.
    const waiting: Array<Promise<Page<T>>> = [];
    let newest: Page<T> | undefined;
    let arrived = 0; // of those waiting
    let inFlight = false;
    let ended = false; // the last page arrived, or a request failed
    let closed = false; // the caller stopped

    const requestNext = (): void => {
      if (closed || ended || inFlight || arrived >= READ_AHEAD) return;
      inFlight = true;
      const request = this.fetchPage(newest);
      waiting.push(request);
      // Registered before the caller awaits `request`, so `arrived` counts the page first.
      // A failure is reported when the caller reaches that page, never as an unhandled rejection.
      request.then(
        (page) => {
          inFlight = false;
          newest = page;
          arrived += 1;
          // A page that claims more but is empty would loop forever on the same cursor.
          if (!page.hasMore || page.items.length === 0) ended = true;
          requestNext();
        },
        () => {
          inFlight = false;
          ended = true;
        },
      );
    };

    requestNext();
    try {
      while (waiting.length > 0) {
        const page = await waiting.shift()!;
        arrived -= 1;
        requestNext();
        yield page;
      }
    } finally {
      closed = true;
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
