/**
 * "This state of this object has reached the flow": the record a watch and a callback node
 * share, so a flow using both sees each change once. Kept behind one small interface of our
 * own (set-if-absent with a TTL, undoable) so the duplicate store under it can change.
 *
 * Two kinds of record: a state that was emitted, and an object that is (or was) watched. The
 * first message of a state wins, from either node. A callback repeating a state (Cryptopay's
 * transaction_created and transaction_confirmed are both `confirming`; CPG's deposit.confirmed
 * and deposit.swept both `completed`) is skipped only for a watched object: without a watch
 * the callback node behaves exactly as before.
 */
import type { DedupeStore } from '../dedupe/types';
import type { Observed, WatchTarget } from './targets';

export interface EmittedStateStore {
  /** Records `key` unless it is recorded; a handle to undo it, or undefined when it was already there. */
  setIfAbsent(key: string, ttlMs: number): Promise<Recorded | undefined>;
}

export interface Recorded {
  /** The message did not reach the flow after all: forget the record, so the next one is not taken for a duplicate. */
  undo(): Promise<void>;
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

type ObjectRef = Pick<WatchTarget, 'provider' | 'resource' | 'id'>;

/** One state of one object behind one gateway (ids are only unique per gateway account). */
export interface StateFact {
  /** The gateway config node's id. */
  gateway: string;
  target: ObjectRef;
  observed: Observed;
}

function objectKey(gateway: string, target: ObjectRef): string {
  return `${gateway} ${target.provider} ${target.resource} ${target.id}`;
}

function stateKey(fact: StateFact): string {
  const state = fact.observed.reason ? `${fact.observed.state}/${fact.observed.reason}` : fact.observed.state;
  return `paywire-state emitted ${objectKey(fact.gateway, fact.target)} ${state}`;
}

/** Notes that a watch follows this object (kept for the TTL, also after the watch ends, so late repeats stay skipped). */
export async function markWatched(store: EmittedStateStore, gateway: string, target: ObjectRef, ttlMs: number): Promise<void> {
  await store.setIfAbsent(`paywire-state watched ${objectKey(gateway, target)}`, ttlMs);
}

/** The watch saw a new state: a record to emit it under, or undefined when a callback already emitted it. */
export function claimForWatch(store: EmittedStateStore, fact: StateFact, ttlMs: number): Promise<Recorded | undefined> {
  return store.setIfAbsent(stateKey(fact), ttlMs);
}

/**
 * A callback brings a state: a record to emit it under, or undefined when this state of a
 * watched object already reached the flow (skip it).
 */
export async function claimForCallback(store: EmittedStateStore, fact: StateFact, ttlMs: number): Promise<Recorded | undefined> {
  const emitted = await store.setIfAbsent(stateKey(fact), ttlMs);
  if (emitted) return emitted;
  // Is the object watched? A set-if-absent that succeeds says no, and is undone at once.
  const probe = await store.setIfAbsent(`paywire-state watched ${objectKey(fact.gateway, fact.target)}`, ttlMs);
  if (!probe) return undefined;
  await probe.undo();
  // Not watched: a repeated state reaches the flow, as it does without a watch.
  return { undo: () => Promise.resolve() };
}
