/** A manual clock for the retry and rate-limit code: minutes of waiting run in microseconds. */
import type { Clock } from '../../lib/http/clock';

interface Timer {
  at: number;
  id: number;
  fn: () => void;
}

/** Lets promise chains started by a timer run before the next one fires. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(public t = 1_800_000_000_000) {}

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + Math.max(0, ms), id: this.nextId++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }

  /** Fires timers one after the other until `promise` settles; resolves with its outcome. */
  async run<T>(promise: Promise<T>, maxTimers = 1000): Promise<T> {
    let done = false;
    promise.then(
      () => (done = true),
      () => (done = true),
    );
    await settle();
    for (let i = 0; !done && i < maxTimers; i++) {
      const next = this.earliest();
      if (!next) {
        await settle();
        if (!done && !this.earliest()) throw new Error('FakeClock.run: nothing left to fire and the promise is still pending');
        continue;
      }
      await this.advance(next.at - this.t);
    }
    return promise;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best;
  }
}
