/** The contract between the paywire-redis config node and the nodes that use it. */
import type { RedisConnection, RedisState } from '../../lib/redis-connection';
import type { Node } from './red';

export const REDIS_TYPE = 'paywire-redis';
export const DEFAULT_REDIS_KEY_PREFIX = 'paywire:';

/** A node using the connection; told each change of its state. */
export interface RedisUser {
  id: string;
  onRedisState(state: RedisState, error?: Error): void;
}

export interface RedisConfigNode extends Node {
  /** Put before every key Paywire writes, so several applications can share one Redis. */
  readonly prefix: string;
  /** host:port/db, for status and logs; never a credential. */
  readonly where: string;
  /** The shared connection, opened by the first user; a problem in words when there can be none. */
  use(user: RedisUser): RedisConnection | { problem: string };
  release(user: RedisUser): void;
}

export function isRedisNode(node: unknown): node is RedisConfigNode {
  return typeof node === 'object' && node !== null && (node as { type?: unknown }).type === REDIS_TYPE && typeof (node as { use?: unknown }).use === 'function';
}
