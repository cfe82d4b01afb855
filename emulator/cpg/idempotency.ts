// Replays of idempotency_key (deposit addresses) and client_reference (withdrawals), whose
// semantics the documentation leaves open (reference §6). Ours: the same key with the same
// parameters returns the first answer unchanged; with other parameters it is a 409 conflict.
// With `checkBody` off (option `replayChecksBody: false`) the key alone decides, as a gateway
// that does not compare bodies would: a client must then check the replay itself.
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
    private readonly checkBody: boolean = true,
  ) {}

  /**
   * Runs `create` once per key: a later call with the same key and fingerprint gets the first
   * answer (through `replay`, default unchanged); one with another fingerprint throws the 409
   * (unless bodies are not checked). Without a key it always runs.
   * A `create` that throws remembers nothing, so a refused request can be retried.
   */
  once(key: string | undefined, fingerprint: string, nowMs: number, create: () => T, replay: (first: T) => T = (first) => first): T {
    if (key === undefined) return create();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > nowMs) {
      if (this.checkBody && entry.fingerprint !== fingerprint) throw cpgErrors.conflict(this.field);
      return replay(entry.result);
    }
    const result = create();
    this.entries.set(key, { fingerprint, result, expiresAt: nowMs + this.ttlMs });
    return result;
  }

  clear(): void {
    this.entries.clear();
  }
}
