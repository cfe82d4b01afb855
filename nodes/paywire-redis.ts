/**
 * paywire-redis: the config node for one Redis, shared by callback nodes (duplicate store) and
 * gateways (rate limit shared across instances). The URL is a password credential; the
 * connection opens when the first node uses it, and ioredis loads only then.
 */
import { RedisUrlError, describeEndpoint, openRedis, parseRedisUrl } from '../lib/redis-connection';
import type { RedisConnection, RedisState } from '../lib/redis-connection';
import { upgradeConfig } from './shared/config-version';
import { httpAdminApp, needsPermission } from './shared/red';
import type { Node, NodeAPI, NodeDef } from './shared/red';
import { DEFAULT_REDIS_KEY_PREFIX, REDIS_TYPE } from './shared/redis-types';
import type { RedisConfigNode, RedisUser } from './shared/redis-types';

interface RedisNodeConfig extends NodeDef {
  prefix?: string;
  /** PEM of a CA for rediss:// servers with a certificate of their own (not a secret). */
  ca?: string;
}

interface RedisCredentials {
  url?: string;
}

/** The state each config node's dialog shows (GET /paywire/redis/:id/state). */
const states = new Map<string, () => { state: RedisState | 'unused' | 'invalid'; where: string; problem?: string }>();

export = function register(RED: NodeAPI): void {
  function PaywireRedisNode(this: Node, saved: RedisNodeConfig): void {
    RED.nodes.createNode(this, saved);
    const { config, problem: versionProblem } = upgradeConfig(REDIS_TYPE, saved);
    const node = this as unknown as RedisConfigNode;
    const url = (this.credentials as RedisCredentials | undefined)?.url ?? '';
    const prefix = (config.prefix ?? '').trim() || DEFAULT_REDIS_KEY_PREFIX;
    const users = new Map<string, RedisUser>();
    let connection: RedisConnection | undefined;
    let problem = versionProblem;
    let where = '';
    try {
      where = describeEndpoint(parseRedisUrl(url));
    } catch (err) {
      problem ??= err instanceof RedisUrlError ? err.message : 'the Redis URL is not valid';
    }
    let down = false;

    const onStateChange = (state: RedisState, error?: Error): void => {
      if (state === 'ready' && down) node.log(`Redis ${where} reachable again`);
      if (state === 'down' && !down) node.warn(`Redis ${where} unreachable (${error?.message ?? 'connection closed'}); reconnecting`);
      if (state === 'ready' || state === 'down') down = state === 'down';
      for (const user of users.values()) user.onRedisState(state, error);
    };

    Object.defineProperties(node, {
      prefix: { value: prefix, enumerable: true },
      where: { value: where, enumerable: true },
    });

    node.use = (user) => {
      if (problem) return { problem };
      users.set(user.id, user);
      connection ??= openRedis(url, { ca: config.ca?.trim() || undefined, onStateChange });
      user.onRedisState(connection.state);
      return connection;
    };
    node.release = (user) => {
      users.delete(user.id);
    };
    states.set(node.id, () => (problem ? { state: 'invalid', where, problem } : { state: connection?.state ?? 'unused', where }));

    node.on('close', (_removed: boolean, done: () => void) => {
      states.delete(node.id);
      users.clear();
      const closing = connection?.close();
      connection = undefined;
      if (!closing) return done();
      closing.then(done, () => done());
    });
  }

  RED.nodes.registerType(REDIS_TYPE, PaywireRedisNode, {
    credentials: {
      url: { type: 'password' },
    },
  });

  httpAdminApp(RED)?.get('/paywire/redis/:id/state', needsPermission(RED, `${REDIS_TYPE}.read`), (req, res) => {
    const read = states.get(String(req.params.id));
    res.json(read ? read() : { state: 'undeployed', where: '' });
  });
};
