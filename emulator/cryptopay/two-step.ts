// Two-step objects (invoice recalculations, coin withdrawals, exchange transfers): created with
// force_commit false they must be committed within 30 s of the emulator clock (reference §4.4, §4.6,
// §4.7). Errors (README assumption 7): repeated commit → 409 already_committed; late → 409 expired.
import { errors } from './errors';

export const COMMIT_WINDOW_MS = 30_000;

export interface Committable {
  committed: boolean;
  /** Emulator-clock deadline: precise creation time + 30 s. */
  commitDeadlineMs: number;
}

export function commitDeadline(nowMs: number): number {
  return nowMs + COMMIT_WINDOW_MS;
}

/** Throws 409 already_committed or 409 expired unless `item` can be committed at `nowMs`. */
export function assertCommittable(item: Committable, nowMs: number): void {
  if (item.committed) throw errors.alreadyCommitted();
  if (nowMs > item.commitDeadlineMs) throw errors.expired();
}
