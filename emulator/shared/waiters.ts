// "Resolve when the delivery log looks like this" for tests: conditions re-checked whenever the
// owner reports a change, each with a deadline on the owner's timer registry.
import type { TimerRegistry } from './timers';

interface Waiter<T> {
  test: (state: T) => boolean;
  resolve: (state: T) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class ConditionWaiters<T> {
  private readonly waiters = new Set<Waiter<T>>();

  constructor(
    private readonly timers: TimerRegistry,
    /** The current state, handed to tests and to resolved promises. */
    private readonly snapshot: () => T,
  ) {}

  /** Resolves with the state once `test` holds; rejects with `timeoutError()` after timeoutMs. */
  wait(test: (state: T) => boolean, timeoutMs: number, timeoutError: () => Error): Promise<T> {
    const now = this.snapshot();
    if (test(now)) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        test,
        resolve,
        reject,
        timer: this.timers.set(() => {
          this.waiters.delete(waiter);
          reject(timeoutError());
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Call after every change: settles the waiters whose condition now holds. */
  notify(): void {
    if (this.waiters.size === 0) return;
    const state = this.snapshot();
    for (const w of [...this.waiters]) {
      if (!w.test(state)) continue;
      this.waiters.delete(w);
      this.timers.clear(w.timer);
      w.resolve(state);
    }
  }

  /** Rejects every pending wait (stop, reset). */
  rejectAll(reason: string): void {
    for (const w of this.waiters) {
      this.timers.clear(w.timer);
      w.reject(new Error(reason));
    }
    this.waiters.clear();
  }
}
