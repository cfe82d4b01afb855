// Replays of idempotency_key (deposit addresses) and client_reference (withdrawals), whose
// semantics the documentation leaves open (reference §6). Ours: the same key with the same
// parameters returns the first answer unchanged; with other parameters it is a 409 conflict.
import { cpgErrors } from './envelope';

interface Entry<T> {
  fingerprint: string;
  result: T;
  expiresAt: number;
}

export class IdempotencyStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /**
   * @param field named in the 409 message
   * @param ttlMs how long a key is remembered (Infinity: forever)
   */
  constructor(
    private readonly field: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * Runs `create` once per key: a later call with the same key and fingerprint gets the first
   * answer unchanged; one with another fingerprint throws the 409. Without a key it always runs.
   * A `create` that throws remembers nothing, so a refused request can be retried.
   */
  once(key: string | undefined, fingerprint: string, nowMs: number, create: () => T): T {
    if (key === undefined) return create();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > nowMs) {
      if (entry.fingerprint !== fingerprint) throw cpgErrors.conflict(this.field);
      return entry.result;
    }
    const result = create();
    this.entries.set(key, { fingerprint, result, expiresAt: nowMs + this.ttlMs });
    return result;
  }

  clear(): void {
    this.entries.clear();
  }
}
