/**
 * Duplicate suppression for callbacks, in two steps so an acknowledged callback is never lost:
 *
 * 1. `claim` marks the key *in flight* for a short time under a fresh token. Only the claimant
 *    may hand the message on; anyone else meeting an in-flight claim answers "try later".
 * 2. After the message was handed on, `markDone` turns the claim *done* for a long time, but
 *    only if it is still this token's (compare-and-set); `release` frees it (compare-and-delete)
 *    when the message could not be handed on.
 *
 * Only `markDone` writes a long-lived record, and only for the token that emitted. A claim
 * that runs late (a command resent after a reconnect, after its caller gave up) can only create
 * a short in-flight record: the callback is delayed until it expires, never taken for done.
 */
export type ClaimResult =
  | { readonly state: 'claimed'; readonly token: string }
  | { readonly state: 'inflight' }
  | { readonly state: 'done' };

export interface DedupeTtl {
  /** How long an unfinished claim blocks others (the claimant crashed or lost Redis). */
  inflightMs: number;
  /** How long a delivered key is remembered. */
  doneMs: number;
}

export interface DedupeStore {
  claim(key: string): Promise<ClaimResult>;
  /** True when the claim was still this token's and is now done. */
  markDone(key: string, token: string): Promise<boolean>;
  /** Frees the claim if it is still this token's in-flight one. */
  release(key: string, token: string): Promise<void>;
}

/**
 * In-flight: about a minute, long past any hand-over to the flow, short enough that a gateway's
 * next retry gets through. Done: longer than the longest retry schedule (CPG retries for about
 * 38.6 h, Cryptopay about 36 h), so a late retry is still known.
 */
export const DEFAULT_DEDUPE_TTL: Readonly<DedupeTtl> = { inflightMs: 60_000, doneMs: 48 * 60 * 60 * 1000 };
