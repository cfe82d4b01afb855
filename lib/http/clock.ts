/**
 * Time for the retry and rate-limit code, injectable so tests run minutes of waiting in
 * milliseconds. Timers are unref'd: a queue that is still waiting never keeps a process alive.
 */
import { TransportError } from '../errors';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export function cancelled(service: string): TransportError {
  return new TransportError('network_error', `Request to ${service} was cancelled`, { sent: false });
}

/** Waits `ms` on `clock`; rejects as soon as `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined, service: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(service));
    const onAbort = (): void => {
      cancel();
      reject(cancelled(service));
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
