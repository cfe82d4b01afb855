/**
 * paywire-gateway: the config node. Holds the credentials (password type only), owns the
 * provider connection (one keep-alive pool) and fans its health out to every node using it.
 */
import { providers } from './shared/lazy-lib';
import type { ProviderConnection, ProviderDefinition } from '../lib/providers';
import type { Credentials, HeaderMap } from '../lib/providers/types';
import { GatewayError, InputError, TransportError } from '../lib/errors';
import type { OperationContext, WaitProgress } from '../lib/operations';
import { DEFAULT_DEADLINE_MS, DEFAULT_MAX_QUEUE } from '../lib/http/reliable';
import type { ReliabilitySettings } from '../lib/http/reliable';
import { GATEWAY_TYPE, isGatewayNode } from './shared/gateway-types';
import type { GatewayNode, GatewayUser } from './shared/gateway-types';
import { catalogCache } from './shared/catalog-i18n';
import { connectionTestHandler } from './shared/connection-test';
import type { SavedGateway } from './shared/connection-test';
import { upgradeConfig } from './shared/config-version';
import { httpAdminApp, needsPermission } from './shared/red';
import { RedisRateGate } from '../lib/redis-connection';
import { gatewayScope } from '../lib/watch/emitted';
import { sameBadge } from './shared/status';
import { isRedisNode } from './shared/redis-types';
import type { RedisUser } from './shared/redis-types';
import type { Node, NodeAPI, NodeDef, NodeStatus } from './shared/red';

interface GatewayConfig extends NodeDef {
  provider: string;
  environment: 'sandbox' | 'production' | 'custom';
  baseUrl: string;
  timeout: string | number;
  /** Seconds a request may keep retrying; '' = default, 0 = never retry. */
  deadline?: string | number;
  /** Requests per window for this API key; '' = the provider's documented limit, 0 = off. */
  rateLimit?: string | number;
  /** Seconds; '' = the provider's window. */
  rateLimitWindow?: string | number;
  /** Requests that may wait for the rate limit; '' = default. */
  rateLimitQueue?: string | number;
  /** Id of a paywire-redis: the rate limit is then shared with every instance using it. */
  redis?: string;
}

type GatewayCredentials = Credentials;

const DEFAULT_TIMEOUT_S = 30;

function resolveBaseUrl(provider: ProviderDefinition, config: Pick<GatewayConfig, 'environment' | 'baseUrl'>): string | { problem: string } {
  if (config.environment === 'custom') {
    const url = (config.baseUrl ?? '').trim();
    if (!url) return { problem: 'custom environment needs a base URL' };
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { problem: 'base URL must be http(s)' };
    } catch {
      return { problem: 'base URL is not a valid URL' };
    }
    return url;
  }
  // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
  const url: unknown = Object.prototype.hasOwnProperty.call(provider.environments, config.environment)
    ? provider.environments[config.environment]
    : undefined;
  return typeof url === 'string' ? url : { problem: `${provider.label} has no ${config.environment} environment` };
}

/** A number setting: '' or missing gives undefined, anything not a number >= 0 gives undefined too. */
function setting(value: string | number | undefined): number | undefined {
  if (value === undefined || value === null || String(value).trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function reliabilityFrom(config: Pick<GatewayConfig, 'deadline' | 'rateLimit' | 'rateLimitWindow' | 'rateLimitQueue'>): ReliabilitySettings {
  const windowS = setting(config.rateLimitWindow);
  return {
    deadlineMs: (setting(config.deadline) ?? DEFAULT_DEADLINE_MS / 1000) * 1000,
    rateLimit: setting(config.rateLimit),
    rateLimitWindowMs: windowS ? windowS * 1000 : undefined,
    maxQueue: setting(config.rateLimitQueue) ?? DEFAULT_MAX_QUEUE,
  };
}

const RATE_LIMITED: NodeStatus = { fill: 'yellow', shape: 'ring', text: 'rate limited' };

function healthFromError(err: unknown): NodeStatus | undefined {
  if (err instanceof GatewayError) {
    if (err.httpStatus === 401) return { fill: 'red', shape: 'ring', text: 'auth failed' };
    if (err.httpStatus === 403) return { fill: 'red', shape: 'ring', text: 'forbidden' };
    if (err.httpStatus === 429) return RATE_LIMITED;
    if (err.httpStatus >= 500) return { fill: 'red', shape: 'ring', text: 'gateway error' };
    return { fill: 'green', shape: 'dot', text: 'connected' };
  }
  if (err instanceof TransportError) return { fill: 'red', shape: 'ring', text: 'unreachable' };
  return undefined;
}

export = function register(RED: NodeAPI): void {
  function PaywireGatewayNode(this: Node, saved: GatewayConfig): void {
    RED.nodes.createNode(this, saved);
    const { config, problem: versionProblem } = upgradeConfig(GATEWAY_TYPE, saved);
    const node = this as unknown as GatewayNode & Node<GatewayCredentials>;
    const users = new Map<string, GatewayUser>();
    const provider = providers().getProvider(config.provider);
    const baseUrl = provider ? resolveBaseUrl(provider, config) : { problem: `unknown provider "${config.provider}"` };
    const timeoutS = Number(config.timeout) > 0 ? Number(config.timeout) : DEFAULT_TIMEOUT_S;
    let connection: ProviderConnection | undefined;
    // Set on close: a message still reaching a node of the old flow must not open a connection nobody closes.
    let closed = false;
    let status: NodeStatus = {};
    // Requests waiting in this key's rate-limit queue, as last reported.
    let queued = 0;
    const reliability: ReliabilitySettings = { ...reliabilityFrom(config), onNotice: (text) => node.warn(text) };
    const redisUser: RedisUser = { id: node.id, onRedisState: () => undefined };
    let sharedLimitOf: { release(): void } | undefined;

    /** The limit shared through the selected paywire-redis; looked up on first use, when every config node exists. */
    function sharedGate(): RedisRateGate | undefined {
      if (!config.redis) return undefined;
      const redisNode = RED.nodes.getNode(config.redis) as unknown;
      if (!isRedisNode(redisNode)) throw new InputError(`Gateway "${node.name || node.id}": the selected paywire-redis configuration is missing or not deployed`);
      const connection = redisNode.use(redisUser);
      if ('problem' in connection) throw new InputError(`Gateway "${node.name || node.id}": paywire-redis "${redisNode.name || redisNode.id}": ${connection.problem}`);
      sharedLimitOf = { release: () => redisNode.release(redisUser) };
      return new RedisRateGate(connection, redisNode.prefix);
    }

    const limit = provider ? (reliability.rateLimit ?? provider.httpPolicy.rateLimit.limit) : 0;
    const rateLimit = provider && limit > 0 ? { limit, windowMs: reliability.rateLimitWindowMs ?? provider.httpPolicy.rateLimit.windowMs } : undefined;
    const configProblem = versionProblem ?? (typeof baseUrl === 'string' ? undefined : baseUrl.problem);

    function setStatus(next: NodeStatus): void {
      if (sameBadge(next, status)) return;
      status = next;
      for (const user of users.values()) user.onGatewayStatus(next);
    }

    Object.defineProperties(node, {
      provider: { value: provider, enumerable: true },
      configProblem: { value: configProblem, enumerable: true },
      endpoint: { value: provider && typeof baseUrl === 'string' ? { provider: provider.id, baseUrl } : undefined, enumerable: true },
      recordScope: {
        value: gatewayScope(node.id, typeof baseUrl === 'string' ? baseUrl : undefined, node.credentials?.apiKey || node.credentials?.username || ''),
        enumerable: false,
      },
      gatewayStatus: { get: () => status },
      rateLimit: { value: rateLimit, enumerable: true },
    });

    node.register = (user) => {
      users.set(user.id, user);
      if (configProblem) user.onGatewayStatus({ fill: 'red', shape: 'ring', text: 'gateway config' });
      else if (status.text) user.onGatewayStatus(status);
    };

    node.deregister = (user) => {
      users.delete(user.id);
    };

    node.run = async (resource: string, operation: string, input: Record<string, unknown>, ctx: OperationContext) => {
      if (!provider || typeof baseUrl !== 'string' || versionProblem) {
        throw new InputError(`Gateway "${node.name || node.id}" is not usable: ${configProblem ?? 'unknown provider'}`);
      }
      const problem = providers().credentialProblem(provider, node.credentials ?? {});
      if (problem) throw new InputError(`Gateway "${node.name || node.id}" cannot call ${provider.label}: ${problem}`);
      if (closed) throw new TransportError('network_error', `Gateway "${node.name || node.id}" was stopped (redeploy or shutdown); nothing was sent to ${provider.label}`, { sent: false });
      connection ??= providers().connect(provider, { baseUrl, credentials: { ...node.credentials }, timeoutMs: timeoutS * 1000, reliability: { ...reliability, sharedGate: sharedGate() } });
      const onWait = (progress: WaitProgress): void => {
        if (progress.reason === 'rate_limit') {
          queued = progress.queued;
          if (queued > 0) setStatus(RATE_LIMITED);
        }
        ctx.onWait?.(progress);
      };
      try {
        const result = await connection.run(resource, operation, input, { ...ctx, onWait });
        // While others still queue for the key, the nodes not running anything keep saying so.
        setStatus(queued > 0 ? RATE_LIMITED : { fill: 'green', shape: 'dot', text: 'connected' });
        return result;
      } catch (err) {
        const health = healthFromError(err);
        if (health) setStatus(health);
        throw err;
      }
    };

    node.verifyCallback = (rawBody: Buffer, headers: HeaderMap) => {
      if (!provider) throw new InputError(`Gateway "${node.name || node.id}" has an unknown provider`);
      return provider.verifyCallback(rawBody, headers, node.credentials ?? {});
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      users.clear();
      sharedLimitOf?.release();
      const closing = connection?.close();
      connection = undefined;
      if (!closing) return done();
      closing.then(done, (err: unknown) => {
        node.warn(`closing the gateway connection failed: ${err instanceof Error ? err.message : String(err)}`);
        done();
      });
    });
  }

  RED.nodes.registerType(GATEWAY_TYPE, PaywireGatewayNode, {
    credentials: {
      apiKey: { type: 'password' },
      apiSecret: { type: 'password' },
      callbackSecret: { type: 'password' },
      // Not a secret, so the editor shows it; still a credential, so it stays out of flow
      // exports like the password beside it (as the core MQTT broker node keeps its user).
      username: { type: 'text' },
      password: { type: 'password' },
    },
  });

  // The editor draws provider-aware forms from this; it carries no secrets. ?lng= is the
  // editor's language: German ("de", "de-DE", "de-AT" …) gets German texts, any other English.
  const localizedCatalog = catalogCache(() => providers().catalog(), {
    revision: () => providers().registryRevision(),
    translations: (language) => (id) => providers().getProvider(id)?.texts?.[language],
    onError: (language, err) => RED.log.warn(`paywire: the ${language} catalog texts could not be laid over, English is served: ${err instanceof Error ? err.message : String(err)}`),
  });
  httpAdminApp(RED)?.get('/paywire/catalog', needsPermission(RED, `${GATEWAY_TYPE}.read`), (req, res) => {
    res.json(localizedCatalog(req.query.lng));
  });

  // "Test connection" in the gateway dialog; works before deploy, with the stored credentials
  // only for the provider and base URL the gateway is deployed with.
  const savedGateway = (id: string): SavedGateway => {
    const live = RED.nodes.getNode(id) as unknown;
    const endpoint = isGatewayNode(live) ? live.endpoint : undefined;
    return { credentials: RED.nodes.getCredentials(id) ?? {}, endpoint };
  };
  httpAdminApp(RED)?.post(
    '/paywire/gateways/:id/test',
    needsPermission(RED, `${GATEWAY_TYPE}.write`),
    connectionTestHandler(savedGateway, (provider, config) => resolveBaseUrl(provider, { environment: config.environment as GatewayConfig['environment'], baseUrl: config.baseUrl })),
  );
};
