/**
 * Hands one verified callback to the flow at most once per claim, and answers so that an
 * acknowledged callback is never lost (the claim protocol is in lib/dedupe/types.ts):
 *
 * - claimed: the message goes to the flow, the answer is 200, then the claim is marked done. If
 *   marking fails the answer stays 200 (the message is out) and one line is logged; the short
 *   in-flight TTL then lapses, so a later redelivery may be emitted again: at least once.
 * - in flight elsewhere: 503 with Retry-After, no message; the gateway retries.
 * - done: 200, no message.
 * - the store failed or did not answer in time: 503, no message. A claim that still succeeds
 *   after we gave up is released at once.
 * - the message could not be handed on: the claim is released, 500, the gateway retries.
 */
import type { DedupeStore } from '../../lib/dedupe';

export type DeliveryOutcome =
  | { kind: 'delivered'; status: 200 }
  | { kind: 'duplicate'; status: 200 }
  | { kind: 'inflight'; status: 503; retryAfterS: number }
  | { kind: 'unavailable'; status: 503; retryAfterS: number; error: Error }
  | { kind: 'not_handed_on'; status: 500; error: Error };

export interface DeliveryHooks {
  /** Queues the message to the flow (or Catch); throws when it cannot. */
  handOn(): void;
  /** Marking done failed after the message went out (logged once by the caller). */
  onMarkDoneFailed(error: Error): void;
  /** Releasing a claim failed (its in-flight TTL lapses instead). */
  onReleaseFailed(error: Error): void;
}

/** A claim not confirmed within this time is given up: 503, the gateway retries. */
export const CLAIM_TIMEOUT_MS = 10_000;
/** Seconds a gateway should wait before retrying after a 503. */
export const RETRY_AFTER_S = 5;

class ClaimTimeoutError extends Error {
  constructor() {
    super(`the duplicate store did not answer within ${CLAIM_TIMEOUT_MS / 1000} s`);
    this.name = 'ClaimTimeoutError';
  }
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

export async function deliverOnce(store: DedupeStore, key: string, hooks: DeliveryHooks, claimTimeoutMs = CLAIM_TIMEOUT_MS): Promise<DeliveryOutcome> {
  let gaveUp = false;
  let timer: NodeJS.Timeout | undefined;
  const claiming = store.claim(key);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      gaveUp = true;
      reject(new ClaimTimeoutError());
    }, claimTimeoutMs);
  });
  // A claim confirmed after we answered 503 must not block the gateway's retry.
  claiming.then(
    (late) => {
      if (gaveUp && late.state === 'claimed') store.release(key, late.token).catch((err: unknown) => hooks.onReleaseFailed(asError(err)));
    },
    () => undefined,
  );
  let claim;
  try {
    claim = await Promise.race([claiming, timeout]);
  } catch (err) {
    return { kind: 'unavailable', status: 503, retryAfterS: RETRY_AFTER_S, error: asError(err) };
  } finally {
    clearTimeout(timer);
  }
  if (claim.state === 'done') return { kind: 'duplicate', status: 200 };
  if (claim.state === 'inflight') return { kind: 'inflight', status: 503, retryAfterS: RETRY_AFTER_S };
  const { token } = claim;
  try {
    hooks.handOn();
  } catch (err) {
    store.release(key, token).catch((releaseErr: unknown) => hooks.onReleaseFailed(asError(releaseErr)));
    return { kind: 'not_handed_on', status: 500, error: asError(err) };
  }
  store.markDone(key, token).then(
    (marked) => {
      if (!marked) hooks.onMarkDoneFailed(new Error('the claim had expired before it could be marked done'));
    },
    (err: unknown) => hooks.onMarkDoneFailed(asError(err)),
  );
  return { kind: 'delivered', status: 200 };
}
