/**
 * A rate limit shared by several processes (Node-RED instances) using one API key: each request
 * passes the local limiter (rate-limiter.ts) and then this gate, so the instances together stay
 * under the gateway's limit. Without a gate nothing changes. Implemented over Redis in
 * lib/redis-connection/rate-gate.ts.
 */
export interface SharedGateRequest {
  /** Identifies the account (already hashed; the API key never reaches a gate). */
  account: string;
  /** The limit in force here: configured, or lower when this process learned it from a 429. */
  limit: number;
  /** The configured limit, to tell whether `limit` was learned. */
  configuredLimit: number;
  windowMs: number;
  signal?: AbortSignal | undefined;
  /**
   * A retry's time left before its deadline: a gate that would make it wait longer rejects at
   * once with QueueDeadlineError (the caller reports the failure that made it retry).
   */
  maxWaitMs?: number | undefined;
}

export interface SharedGateOutcome {
  /** Nobody with this key may send before this many ms from now (a 429, or Remaining 0). */
  pauseMs?: number | undefined;
}

export interface SharedSlot {
  /** The request answered or failed: its slot counts one window from now. */
  leave(outcome: SharedGateOutcome): void;
}

export interface SharedRateGate {
  /** Resolves once the shared window has room and a slot is held for this request. */
  enter(request: SharedGateRequest): Promise<SharedSlot>;
}
