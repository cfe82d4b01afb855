/**
 * "This state of this object has reached the flow": the record a watch and a callback node
 * share, so a flow using both sees each change once. Kept behind one small interface of our
 * own (set-if-absent with a TTL, undoable) so the duplicate store under it can change.
 *
 * Two facts per state: that someone emitted it, and that the watch did. A callback skips a
 * state only the watch emitted; two callbacks of one state (Cryptopay's transaction_created
 * and transaction_confirmed are both `confirming`) still both reach the flow, as without a watch.
 */
import type { DedupeStore } from '../dedupe/types';
import type { Observed, WatchTarget } from './targets';

export interface EmittedStateStore {
  /** Records `key` unless it is recorded; a handle to undo it, or undefined when it was already there. */
  setIfAbsent(key: string, ttlMs: number): Promise<{ undo(): Promise<void> } | undefined>;
}

/** How long an emitted state is remembered: past the longest retry schedule of any gateway (about 38.6 h) and a default watch. */
export const EMITTED_STATE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The record over a duplicate store: a claim that is never released is a recorded fact. */
export function emittedStatesIn(store: DedupeStore): EmittedStateStore {
  return {
    async setIfAbsent(key, ttlMs) {
      const claim = await store.claim(key, ttlMs);
      return claim ? { undo: () => claim.release() } : undefined;
    },
  };
}

/** One state of one object behind one gateway (ids are only unique per gateway account). */
export interface StateFact {
  /** The gateway config node's id. */
  gateway: string;
  target: Pick<WatchTarget, 'provider' | 'resource' | 'id'>;
  observed: Observed;
}

function keyOf(kind: 'emitted' | 'watched', fact: StateFact): string {
  const { provider, resource, id } = fact.target;
  const state = fact.observed.reason ? `${fact.observed.state}/${fact.observed.reason}` : fact.observed.state;
  return `paywire-state ${kind} ${fact.gateway} ${provider} ${resource} ${id} ${state}`;
}

export interface Recorded {
  /** The message did not reach the flow after all: forget the record, so the next one is not taken for a duplicate. */
  undo(): Promise<void>;
}

/**
 * The watch saw a new state: a record to emit it under, or undefined when a callback already
 * emitted it. The watch's own mark is set first, so a callback racing it never finds the state
 * emitted without knowing by whom.
 */
export async function claimForWatch(store: EmittedStateStore, fact: StateFact, ttlMs: number): Promise<Recorded | undefined> {
  const watched = await store.setIfAbsent(keyOf('watched', fact), ttlMs);
  const emitted = await store.setIfAbsent(keyOf('emitted', fact), ttlMs);
  if (emitted) return { undo: () => Promise.all([emitted.undo(), watched?.undo()]).then(() => undefined) };
  // A callback emitted it first: leave no mark saying the watch did.
  await watched?.undo();
  return undefined;
}

/**
 * A callback brings a state: undefined when the watch already emitted it (skip it), else a
 * handle to undo the record should the message not reach the flow after all.
 */
export async function claimForCallback(store: EmittedStateStore, fact: StateFact, ttlMs: number): Promise<Recorded | undefined> {
  const emitted = await store.setIfAbsent(keyOf('emitted', fact), ttlMs);
  if (emitted) return emitted;
  const probe = await store.setIfAbsent(keyOf('watched', fact), ttlMs);
  if (!probe) return undefined;
  // Only an earlier callback emitted this state: the flow gets this one too, as without a watch.
  await probe.undo();
  return { undo: () => Promise.resolve() };
}
