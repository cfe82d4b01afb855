/**
 * One connection to Redis through ioredis, a maintained client (TLS, ACL users, reconnection,
 * EVALSHA with a fallback to EVAL after a restart emptied the script cache). ioredis is loaded
 * when the first connection opens, so a runtime without Redis never loads it.
 *
 * Paywire only runs small Lua scripts, each atomic in Redis. Every script echoes a token its
 * caller chose, and a reply whose token is not the one sent is refused: a reply can never be
 * taken for another command's, whatever happens to the connection.
 */
import type * as IoRedisModule from 'ioredis';
import type { Redis as IoRedis, RedisOptions } from 'ioredis';
import { describeEndpoint, parseRedisUrl } from './url';
import type { RedisEndpoint } from './url';

export type RedisState = 'connecting' | 'ready' | 'down' | 'closed';

export interface RedisConnectionOptions {
  /** PEM of the CA that signed the server's certificate (self-signed servers), for rediss://. */
  ca?: string | undefined;
  /** From the call to the reply, including any wait for the connection. */
  commandTimeoutMs?: number | undefined;
  connectTimeoutMs?: number | undefined;
  onStateChange?: ((state: RedisState, error?: Error) => void) | undefined;
}

/** A Lua script; its reply is a table whose last element is the token passed as ARGV[1]. */
export interface LuaScript {
  /** Name for ioredis' script cache, unique per script text. */
  readonly name: string;
  readonly keys: number;
  readonly lua: string;
}

/** What the stores need from a connection (tests may give their own). */
export interface RedisScripting {
  /** Runs `script`; resolves with the reply's elements before the echoed token. */
  run(script: LuaScript, keys: readonly string[], token: string, args?: readonly string[]): Promise<unknown[]>;
}

/** Redis answered something that is not a reply to the command sent. */
export class RedisReplyMismatchError extends Error {
  constructor(script: string) {
    super(`Redis answered ${script} with a reply that belongs to no command sent; reconnecting`);
    this.name = 'RedisReplyMismatchError';
  }
}

let ioredis: typeof IoRedisModule | undefined;

function loadIoRedis(): typeof IoRedisModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on first use only (see above)
  return (ioredis ??= require('ioredis') as typeof IoRedisModule);
}

const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const RECONNECT_MAX_MS = 2000;

export function ioRedisOptions(endpoint: RedisEndpoint, options: RedisConnectionOptions = {}): RedisOptions {
  return {
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    ...(endpoint.username !== undefined ? { username: endpoint.username } : {}),
    ...(endpoint.password !== undefined ? { password: endpoint.password } : {}),
    ...(endpoint.tls ? { tls: { servername: endpoint.host, ...(options.ca ? { ca: options.ca } : {}) } } : {}),
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    // A command waiting for a connection fails after one reconnection attempt (and always
    // within commandTimeout): callers answer 503 and the gateway retries, nothing piles up.
    maxRetriesPerRequest: 1,
    retryStrategy: (times: number) => Math.min(100 * times, RECONNECT_MAX_MS),
    // Our own key prefix is applied by the stores; no client name, no ready check delay.
    enableReadyCheck: true,
  };
}

export class RedisConnection implements RedisScripting {
  private readonly client: IoRedis;
  private current: RedisState = 'connecting';
  private readonly defined = new Set<string>();
  readonly where: string;

  constructor(
    endpoint: RedisEndpoint,
    private readonly options: RedisConnectionOptions = {},
  ) {
    this.where = describeEndpoint(endpoint);
    const Redis = loadIoRedis().default;
    this.client = new Redis(ioRedisOptions(endpoint, options));
    this.client.on('ready', () => this.moveTo('ready'));
    // ioredis reports each failed attempt; we report the change of state once.
    this.client.on('error', (err: Error) => this.moveTo('down', err));
    this.client.on('close', () => this.moveTo('down'));
    this.client.on('end', () => this.moveTo('closed'));
  }

  get state(): RedisState {
    return this.current;
  }

  async run(script: LuaScript, keys: readonly string[], token: string, args: readonly string[] = []): Promise<unknown[]> {
    if (this.current === 'closed') throw new Error(`the Redis connection (${this.where}) is closed`);
    if (!this.defined.has(script.name)) {
      this.client.defineCommand(script.name, { numberOfKeys: script.keys, lua: script.lua });
      this.defined.add(script.name);
    }
    const command = (this.client as unknown as Record<string, (...a: string[]) => Promise<unknown>>)[script.name]!;
    const reply = await command.call(this.client, ...keys, token, ...args);
    if (!Array.isArray(reply) || reply[reply.length - 1] !== token) {
      // Never expected (replies come in order on one connection); if it happens, start afresh.
      this.client.disconnect(true);
      throw new RedisReplyMismatchError(script.name);
    }
    return reply.slice(0, -1) as unknown[];
  }

  /** Closes the connection; commands still waiting fail. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    this.moveTo('closed');
    // QUIT waits for Redis; a Redis that does not answer must not hold up a redeploy.
    const quit = this.client.quit().catch(() => undefined);
    const timer = setTimeout(() => this.client.disconnect(), 1000);
    await quit;
    clearTimeout(timer);
    this.client.disconnect();
  }

  private moveTo(state: RedisState, error?: Error): void {
    if (this.current === 'closed' || state === this.current) return;
    this.current = state;
    this.options.onStateChange?.(state, error);
  }
}

/** Parses `url` (throws RedisUrlError, never echoing it) and opens a connection. */
export function openRedis(url: string, options: RedisConnectionOptions = {}): RedisConnection {
  return new RedisConnection(parseRedisUrl(url), options);
}
