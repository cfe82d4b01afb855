/**
 * "This state of this object has reached the flow": the record a watch and a callback node
 * share, so a flow using both sees each change once. Kept behind one small interface of our
 * own (set-if-absent, kept or undone) so the duplicate store under it can change.
 *
 * Two kinds of record: a state that was emitted, and an object that is (or was) watched. The
 * first message of a state wins, from either node. A callback repeating a state (Cryptopay's
 * transaction_created and transaction_confirmed are both `confirming`; CPG's deposit.confirmed
 * and deposit.swept both `completed`) is skipped only for a watched object: without a watch
 * the callback node behaves exactly as before.
 */
import { accountHash } from '../account-hash';
import type { DedupeStore } from '../dedupe/types';
import type { Observed, WatchTarget } from './targets';

/**
 * The shared record over the duplicate store's two-step claim: a record is first held (in
 * flight, for about a minute), then kept once its message is out (the store's done time,
 * 48 h) or given back when it is not. Nothing but `keep` writes a long-lived record.
 */
export interface EmittedStateStore {
  /** Holds `key` unless someone recorded or holds it; undefined when it is taken. */
  setIfAbsent(key: string): Promise<Recorded | undefined>;
  /** Whether `key` is recorded or held, without leaving a record behind. */
  isPresent(key: string): Promise<boolean>;
  /** Records `key` for good unless it is recorded; waits out a brief hold (another node's `isPresent`). */
  ensure(key: string): Promise<void>;
}

export interface Recorded {
  /** The message reached the flow: keep the record. */
  keep(): Promise<void>;
  /** The message did not reach the flow after all: forget the record, so the next one is not taken for a duplicate. */
  undo(): Promise<void>;
}

/** A record with nothing behind it: a repeated state of an unwatched object, a callback without an object or state. */
export const NOTHING_RECORDED: Recorded = { keep: () => Promise.resolve(), undo: () => Promise.resolve() };

/** A probe holds a key for one store round trip; a hold past these retries is another writer's. */
const ENSURE_ATTEMPTS = 20;
const ENSURE_WAIT_MS = 25;

export function emittedStatesIn(store: DedupeStore): EmittedStateStore {
  return {
    async setIfAbsent(key) {
      const claim = await store.claim(key);
      if (claim.state !== 'claimed') return undefined;
      const { token } = claim;
      return {
        keep: async () => {
          if (!(await store.markDone(key, token))) throw new Error('the record had expired before it could be kept');
        },
        undo: () => store.release(key, token),
      };
    },
    async isPresent(key) {
      // The store has no plain read: a claim that succeeds says "absent" and is given back at once.
      const claim = await store.claim(key);
      if (claim.state !== 'claimed') return true;
      await store.release(key, claim.token);
      return false;
    },
    async ensure(key) {
      for (let attempt = 0; attempt < ENSURE_ATTEMPTS; attempt++) {
        const claim = await store.claim(key);
        if (claim.state === 'done') return;
        if (claim.state === 'claimed') {
          await store.markDone(key, claim.token);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, ENSURE_WAIT_MS));
      }
      throw new Error(`"${key}" stayed held by another node`);
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

/**
 * What `gateway` holds in a record: the config node, the address it talks to and the account
 * it uses (a short hash of its API key or user name, never the value), so a gateway node moved
 * to another environment (sandbox to live, where ids can repeat) or to another account at the
 * same address never meets the records of the one before.
 */
export function gatewayScope(gatewayId: string, baseUrl: string | undefined, accountIdentity = ''): string {
  return `${gatewayId}@${baseUrl ?? ''}#${accountIdentity ? accountHash(accountIdentity) : ''}`;
}

function objectKey(gateway: string, target: ObjectRef): string {
  return `${gateway} ${target.provider} ${target.resource} ${target.id}`;
}

function watchedKey(gateway: string, target: ObjectRef): string {
  return `paywire-state watched ${objectKey(gateway, target)}`;
}

function stateKey(fact: StateFact): string {
  const state = fact.observed.reason ? `${fact.observed.state}/${fact.observed.reason}` : fact.observed.state;
  return `paywire-state emitted ${objectKey(fact.gateway, fact.target)} ${state}`;
}

/**
 * Notes that a watch follows this object, kept for the store's done time (48 h), also after
 * the watch ends, so late repeats stay skipped.
 */
export async function markWatched(store: EmittedStateStore, gateway: string, target: ObjectRef): Promise<void> {
  await store.ensure(watchedKey(gateway, target));
}

/** The watch saw a new state: a record to emit it under, or undefined when a callback emitted (or is emitting) it. */
export function claimForWatch(store: EmittedStateStore, fact: StateFact): Promise<Recorded | undefined> {
  return store.setIfAbsent(stateKey(fact));
}

/**
 * A callback brings a state: a record to emit it under (keep it once the message is out), or
 * undefined when this state of a watched object already reached the flow (skip it).
 */
export async function claimForCallback(store: EmittedStateStore, fact: StateFact): Promise<Recorded | undefined> {
  const emitted = await store.setIfAbsent(stateKey(fact));
  if (emitted) return emitted;
  if (await store.isPresent(watchedKey(fact.gateway, fact.target))) return undefined;
  // Not watched: a repeated state reaches the flow, as it does without a watch.
  return NOTHING_RECORDED;
}
