/**
 * The duplicate store a paywire-callback node uses, as configured: `memory` (default; one
 * runtime, survives redeploys, not restarts), `context` (a Node-RED context store the user
 * names, e.g. localfilesystem to survive restarts; per instance unless that store is shared)
 * or `redis` (one Redis shared by every instance behind a load balancer).
 */
import { ContextDedupeStore, MemoryDedupeStore, RedisDedupeStore } from '../../lib/dedupe';
import type { DedupeStore, KeyValueStore } from '../../lib/dedupe';
import { RedisClient } from '../../lib/redis/client';
import type { RedisClientState } from '../../lib/redis/client';
import { RedisUrlError, describeEndpoint, parseRedisUrl } from '../../lib/redis/url';
import type { Node, NodeAPI } from './red';

export const DEDUPE_MODES = ['memory', 'context', 'redis'] as const;
export type DedupeMode = (typeof DEDUPE_MODES)[number];
export const DEFAULT_REDIS_PREFIX = 'paywire:dedupe:';

export interface DedupeConfig {
  dedupe?: string;
  contextStore?: string;
  redisPrefix?: string;
}

export interface CallbackDedupe {
  mode: DedupeMode;
  store: DedupeStore;
  /** Where claims live, for status and logs (never a credential). */
  where: string;
  close(): Promise<void>;
}

export interface DedupeEvents {
  onRedisState(state: RedisClientState, error?: Error): void;
  warn(message: string): void;
}

/**
 * Remembered deliveries live beside the module, not the node, so a redeploy does not
 * forget them and let a provider's retry through twice. Keys are scoped by path.
 */
const memoryStore = new MemoryDedupeStore();

/**
 * One store per (runtime's global context, store name): claims are serialized per store
 * object, so every node and every redeploy in a runtime must share it.
 */
const contextStores = new WeakMap<object, Map<string, ContextDedupeStore>>();

type GlobalContext = ReturnType<Node['context']>['global'];

type Settle<T> = (err: Error | null | undefined, value?: T) => void;
interface CallbackContext {
  get(key: string, store: string, cb: Settle<unknown>): void;
  get(key: string, cb: Settle<unknown>): void;
  set(key: string, value: unknown, store: string, cb: Settle<void>): void;
  set(key: string, value: unknown, cb: Settle<void>): void;
  keys(store: string, cb: Settle<string[]>): void;
  keys(cb: Settle<string[]>): void;
}

/**
 * `default` is the runtime's default store whatever settings.js calls it: asked for without a
 * name (Node-RED warns "Unknown context store 'default'" when no store has that name).
 */
export function contextKeyValue(global: GlobalContext | ReturnType<Node['context']>, storeName: string): KeyValueStore {
  const settle =
    <T>(resolve: (value: T) => void, reject: (err: Error) => void): Settle<T> =>
    (err, value) => {
      if (err) reject(err);
      else resolve(value as T);
    };
  const ctx = global as unknown as CallbackContext;
  const named = storeName === 'default' ? undefined : storeName;
  return {
    get: (key) => new Promise((resolve, reject) => (named ? ctx.get(key, named, settle(resolve, reject)) : ctx.get(key, settle(resolve, reject)))),
    set: (key, value) => new Promise((resolve, reject) => (named ? ctx.set(key, value, named, settle<void>(resolve, reject)) : ctx.set(key, value, settle<void>(resolve, reject)))),
    keys: () => new Promise((resolve, reject) => (named ? ctx.keys(named, settle(resolve, reject)) : ctx.keys(settle(resolve, reject)))),
  };
}

/** Store names Node-RED knows; any other name would silently fall back to the default store. */
export function knownContextStores(RED: NodeAPI): string[] {
  const configured = (RED.settings as { contextStorage?: Record<string, unknown> }).contextStorage;
  const names = configured ? Object.keys(configured) : [];
  return names.length > 0 ? ['default', ...names] : ['default', 'memory'];
}

export function isDedupeMode(value: unknown): value is DedupeMode {
  return typeof value === 'string' && (DEDUPE_MODES as readonly string[]).includes(value);
}

/**
 * The runtime-wide store: the in-memory one (`contextStore` undefined; forgotten on restart) or
 * the one over the named context store. Callback and watch nodes choosing the same one share
 * it, which is how a watch learns which states a callback already emitted.
 */
export function sharedDedupeStore(RED: NodeAPI, node: Node, contextStore: string | undefined, warn: (message: string) => void): { store: DedupeStore; where: string } | { problem: string } {
  if (contextStore === undefined) return { store: memoryStore, where: 'memory' };
  const name = contextStore;
  const known = knownContextStores(RED);
  if (!known.includes(name)) return { problem: `context store "${name}" is not configured in settings.js (known: ${known.join(', ')})` };
  const global = node.context().global;
  let perStore = contextStores.get(global);
  if (!perStore) contextStores.set(global, (perStore = new Map<string, ContextDedupeStore>()));
  let store = perStore.get(name);
  if (!store) {
    store = new ContextDedupeStore(contextKeyValue(global, name), {
      onPruneError: (err) => warn(`removing expired deliveries from context store "${name}" failed: ${err instanceof Error ? err.message : String(err)}`),
    });
    perStore.set(name, store);
  }
  return { store, where: `context ${name}` };
}

export function setupDedupe(RED: NodeAPI, node: Node, config: DedupeConfig, redisUrl: string | undefined, events: DedupeEvents): CallbackDedupe | { problem: string } {
  const mode = config.dedupe || 'memory';
  if (!isDedupeMode(mode)) return { problem: `unknown duplicate store "${mode}" (use memory, context or redis)` };

  if (mode === 'memory') return { mode, store: memoryStore, where: 'memory', close: () => Promise.resolve() };

  if (mode === 'context') {
    const shared = sharedDedupeStore(RED, node, (config.contextStore ?? '').trim() || 'default', (message) => events.warn(message));
    if ('problem' in shared) return shared;
    return { mode, store: shared.store, where: shared.where, close: () => Promise.resolve() };
  }

  let endpoint;
  try {
    endpoint = parseRedisUrl(redisUrl ?? '');
  } catch (err) {
    return { problem: err instanceof RedisUrlError ? err.message : 'the Redis URL is not valid' };
  }
  const prefix = config.redisPrefix?.trim() || DEFAULT_REDIS_PREFIX;
  // State changes come from socket events, never during the constructor, so `store` is set.
  const client = new RedisClient(endpoint, {
    onStateChange: (state, error) => {
      // Claims whose reply was lost are released first thing on a new connection.
      if (state === 'ready') store.retryReleases();
      events.onRedisState(state, error);
    },
  });
  const store = new RedisDedupeStore(client, prefix);
  return { mode, store, where: `redis ${describeEndpoint(endpoint)}`, close: () => client.close() };
}
