// Per-API-key request limit (reference §8.4: 200 requests per minute per api key).
// Sliding 60-second window on the emulator clock; a request rejected with 429 does not use quota.

/** One key's hits, oldest first; expired hits leave from the front in O(1) amortized. */
class HitQueue {
  private times: number[] = [];
  private head = 0;

  get size(): number {
    return this.times.length - this.head;
  }

  dropUpTo(since: number): void {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= since) this.head += 1;
    // Compact once the dead prefix outweighs the live part, so memory follows the window.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  push(t: number): void {
    this.times.push(t);
  }
}

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, HitQueue>();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /**
   * Records a request for `key` at `nowMs`; false when it exceeds the limit. The emulator clock
   * never goes back, so hits arrive in time order and expire from the front of the queue
   * (a filter over the whole window made a lifted limit cost O(requests per minute) per request).
   */
  tryHit(key: string, nowMs: number): boolean {
    let queue = this.hits.get(key);
    if (!queue) this.hits.set(key, (queue = new HitQueue()));
    queue.dropUpTo(nowMs - this.windowMs);
    if (queue.size >= this.limit) return false;
    queue.push(nowMs);
    return true;
  }

  reset(): void {
    this.hits.clear();
  }
}
