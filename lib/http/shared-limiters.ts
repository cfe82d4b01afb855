/**
 * One rate limiter per gateway account: every client (every paywire-gateway node) that talks to
 * the same service at the same base URL with the same API key shares it, because the gateway
 * counts per key. The key itself is never kept, only a short hash of it.
 */
import { accountHash } from '../account-hash';
import type { Clock } from './clock';
import { RateLimiter } from './rate-limiter';
import type { LimiterSettings } from './rate-limiter';

interface User {
  settings: LimiterSettings;
  onNotice: (text: string) => void;
}

interface Entry {
  limiter: RateLimiter;
  users: Map<number, User>;
  clock: Clock;
  /** Cancels the removal planned when the last user left. */
  cancelRemoval?: (() => void) | undefined;
}

const registry = new Map<string, Entry>();
let nextUser = 1;

export function limiterKey(service: string, baseUrl: string, identity: string): string {
  return `${service}|${baseUrl}|${accountHash(identity)}`;
}

/**
 * Users of one key may configure it differently: the strictest rate wins (they share the
 * gateway's one limit) and the largest queue bound (memory is the only cost of waiting).
 */
function combine(users: Iterable<User>): LimiterSettings {
  let result: LimiterSettings | undefined;
  for (const { settings } of users) {
    if (!result) {
      result = { ...settings };
      continue;
    }
    if (settings.limit / settings.windowMs < result.limit / result.windowMs) {
      result = { ...result, limit: settings.limit, windowMs: settings.windowMs };
    }
    result.maxQueue = Math.max(result.maxQueue, settings.maxQueue);
  }
  return result!;
}

export interface LimiterMembership {
  readonly limiter: RateLimiter;
  leave(): void;
}

export function joinLimiter(key: string, service: string, settings: LimiterSettings, clock: Clock, onNotice: (text: string) => void = () => undefined): LimiterMembership {
  let entry = registry.get(key);
  if (!entry) {
    const users = new Map<number, User>();
    const created: Entry = {
      users,
      clock,
      limiter: new RateLimiter(service, settings, clock, (text) => {
        for (const user of users.values()) user.onNotice(text);
      }),
    };
    entry = created;
    registry.set(key, entry);
  }
  entry.cancelRemoval?.();
  entry.cancelRemoval = undefined;
  const id = nextUser++;
  entry.users.set(id, { settings, onNotice });
  entry.limiter.configure(combine(entry.users.values()));
  const joined = entry;
  let left = false;
  return {
    limiter: joined.limiter,
    leave() {
      if (left) return;
      left = true;
      joined.users.delete(id);
      if (joined.users.size > 0) {
        joined.limiter.configure(combine(joined.users.values()));
        return;
      }
      joined.limiter.failWaiting();
      // A redeployed gateway comes back with the same key at once: it must not start a fresh
      // window while the old one's requests still count at the gateway.
      forgetWhenIdle(key, joined);
    },
  };
}

function forgetWhenIdle(key: string, entry: Entry): void {
  if (entry.users.size > 0 || registry.get(key) !== entry) return;
  const wait = entry.limiter.idleAt() - entry.clock.now();
  if (wait <= 0) {
    registry.delete(key);
    return;
  }
  // A request still in flight (its clients closed) answers within its timeout; look again soon.
  entry.cancelRemoval = entry.clock.setTimer(() => {
    entry.cancelRemoval = undefined;
    forgetWhenIdle(key, entry);
  }, Number.isFinite(wait) ? wait : 1000);
}

/**
 * Forgets every account no client uses now, even if its last requests still count. Only for a
 * process that knows a base URL and key now lead to a different account: the test suite, whose
 * emulators share one key and may be given a port an earlier test's emulator had.
 */
export function forgetUnusedLimiters(): void {
  for (const [key, entry] of registry) {
    if (entry.users.size > 0) continue;
    entry.cancelRemoval?.();
    entry.cancelRemoval = undefined;
    registry.delete(key);
  }
}

/** Accounts whose limiter has users now (tests check that closing every client frees them). */
export function limitersInUse(): number {
  let n = 0;
  for (const entry of registry.values()) if (entry.users.size > 0) n++;
  return n;
}
