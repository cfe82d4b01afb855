/**
 * paywire-callback: a POST endpoint for the gateway's signed callbacks. Verifies the
 * signature over the raw body (even with the editor's JSON parser in front), drops
 * duplicates through the configured store, hands the message to the flow and answers
 * before the flow runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CallbackRejectedError } from '../lib/errors';
import type { VerifiedCallback } from '../lib/providers/types';
import { NOTHING_RECORDED, claimForCallback, emittedStatesIn } from '../lib/watch/emitted';
import type { Recorded } from '../lib/watch/emitted';
import { setupDedupe } from './shared/callback-dedupe';
import { RETRY_AFTER_S, deliverOnce } from './shared/callback-delivery';
import type { CallbackDedupe, DedupeConfig } from './shared/callback-dedupe';
import { isGatewayNode } from './shared/gateway-types';
import type { GatewayUser } from './shared/gateway-types';
import { guardCallbackPath, isExactPath, mountedPath, normalizePath, removeRoute } from './shared/raw-body';
import { DEFAULT_BODY_LIMIT, DEFAULT_BODY_TIMEOUT_MS, DEFAULT_PENDING_BYTES, readBoundedBody, refusalStatus, setPendingBytesCap } from './shared/bounded-body';
import type { BodyOutcome, BodyRules } from './shared/bounded-body';
import { httpNodeRules } from './shared/http-node-rules';
import type { HttpSettings } from './shared/http-node-rules';
import { shadowedAdminPath } from './shared/admin-paths';
import { refusalReport } from './shared/refusal-report';
import { httpAdminApp, httpNodeApp } from './shared/red';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';
import * as badge from './shared/status';
import { upgradeConfig } from './shared/config-version';

interface CallbackConfig extends NodeDef, DedupeConfig {
  gateway: string;
  path: string;
}

interface CallbackCredentials {
  /** Nodes saved before paywire-redis (config v2): their own Redis URL, still honoured. */
  redisUrl?: string;
}

/** Paths in use, so two callback nodes never silently share one route. */
const pathsInUse = new Map<string, string>();

/** Settings (settings.js) for the body read; both are Node-RED settings named after the node type. */
interface CallbackSettings extends HttpSettings {
  httpAdminRoot?: unknown;
  httpNodeRoot?: unknown;
  /** Milliseconds a callback body may take to arrive (default 10 s). */
  paywireCallbackBodyTimeout?: unknown;
  /** Bytes all unfinished callback bodies of the process may hold together (default 16 MiB). */
  paywireCallbackPendingBytes?: unknown;
}

function positive(value: unknown, fallback: number): number {
  const n = typeof value === 'number' || typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** A JSON answer with plain Node calls: the handler also runs before Express has set up res. */
function reply(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function isJsonContentType(value: string | undefined): boolean {
  if (!value) return true;
  const type = value.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

export = function register(RED: NodeAPI): void {
  function PaywireCallbackNode(this: Node, saved: CallbackConfig): void {
    RED.nodes.createNode(this, saved);
    const node = this;
    const { config, problem: versionProblem } = upgradeConfig('paywire-callback', saved);
    if (versionProblem) {
      node.status({ fill: 'red', shape: 'ring', text: 'newer config' });
      node.error(versionProblem);
      return;
    }
    const gateway = RED.nodes.getNode(config.gateway) as unknown;
    const httpNode = httpNodeApp(RED);
    const settings = RED.settings as unknown as CallbackSettings;
    const path = normalizePath(config.path || '/');
    let cleanup: Array<() => void> = [];

    if (!isGatewayNode(gateway)) {
      node.status({ fill: 'red', shape: 'ring', text: 'no gateway' });
      node.error('paywire-callback: select a paywire-gateway configuration');
      return;
    }
    const gw = gateway;
    if (!httpNode || settings.httpNodeRoot === false) {
      node.status({ fill: 'red', shape: 'ring', text: 'http disabled' });
      node.warn('paywire-callback: HTTP endpoints are disabled in settings (httpNodeRoot: false)');
      return;
    }
    const fullPath = mountedPath(httpNode, path);
    const shadowed = shadowedAdminPath(settings, httpAdminApp(RED), fullPath);
    if (shadowed) {
      node.status({ fill: 'red', shape: 'ring', text: 'path taken by the editor' });
      node.error(`paywire-callback: ${fullPath} would take requests meant for the Node-RED editor and admin API (${shadowed}); choose another path, e.g. /paywire${path}`);
      return;
    }
    const owner = pathsInUse.get(fullPath);
    if (owner && owner !== node.id) {
      node.status({ fill: 'red', shape: 'ring', text: 'path in use' });
      node.error(`paywire-callback: ${path} is already used by another paywire-callback node (${owner})`);
      return;
    }
    const listening = { fill: 'grey', shape: 'dot', text: `listening ${path}` } as const;
    let redisDown = false;
    let redisReady = false;
    const dedupe = setupDedupe(RED, node, config, (node.credentials as CallbackCredentials | undefined)?.redisUrl, {
      warn: (message) => node.warn(`paywire-callback ${path}: ${message}`),
      onRedisState: (state, error) => {
        redisReady = state === 'ready';
        if (state === 'ready') {
          if (redisDown) node.log(`paywire-callback ${path}: Redis reachable again`);
          redisDown = false;
          node.status(listening);
        } else if (state === 'down' && !redisDown) {
          // Reported once per outage; reconnection attempts continue quietly.
          redisDown = true;
          node.status({ fill: 'red', shape: 'ring', text: 'redis unreachable' });
          node.warn(`paywire-callback ${path}: Redis unreachable (${error?.message ?? 'unknown error'}); callbacks get 503 so the gateway retries`);
        }
      },
    });
    if ('problem' in dedupe) {
      node.status({ fill: 'red', shape: 'ring', text: 'duplicate store' });
      node.error(`paywire-callback: ${dedupe.problem}`);
      return;
    }
    const deliveries: CallbackDedupe = dedupe;
    pathsInUse.set(fullPath, node.id);

    const user: GatewayUser = { id: node.id, onGatewayStatus: () => undefined };
    gw.register(user);
    node.status(deliveries.mode === 'redis' && !redisReady ? { fill: 'grey', shape: 'ring', text: 'connecting to redis' } : listening);

    // Refusals are counted and summed up once a minute at most, never logged one by one.
    const refusals = refusalReport(`paywire-callback ${path}`, { warn: (text) => node.warn(text), status: (status) => node.status(status) });
    const reject = (res: ServerResponse, status: number, code: string, reason: string): void => {
      reply(res, status, { error: code });
      refusals.count(code, status, reason);
    };
    const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));
    const emittedStates = emittedStatesIn(deliveries.store);

    /**
     * The record that this callback's state reached the flow, which a paywire-watch on this
     * gateway reads; undefined when a watch follows the object and its state already reached
     * the flow (skip it). Callbacks without a known object and state are not recorded, nor are
     * those deduplicated in Redis: a watch reads only memory and context stores.
     */
    function stateRecord(callback: VerifiedCallback): Promise<Recorded | undefined> {
      const { meta: about } = callback;
      if (deliveries.mode === 'redis' || callback.unexpected || about.id === null || about.state === null) return Promise.resolve(NOTHING_RECORDED);
      const fact = { gateway: gw.recordScope, target: { provider: about.provider, resource: about.resource, id: about.id }, observed: { state: about.state, reason: about.reason } };
      return claimForCallback(emittedStates, fact);
    }

    const handler = (req: IncomingMessage, res: ServerResponse, outcome: BodyOutcome): void => {
      if (outcome.kind === 'aborted') return;
      if (outcome.kind === 'refused') return refusals.count(outcome.refusal, refusalStatus(outcome.refusal), outcome.detail);
      if (outcome.kind === 'consumed') {
        // Fail closed: without the exact bytes nothing can be verified.
        reply(res, 500, { error: 'raw_body_unavailable' });
        node.error(`paywire-callback ${path}: the request body was consumed by another middleware before it could be verified`);
        return;
      }
      if (!isJsonContentType(req.headers['content-type'])) {
        return reject(res, 415, 'unsupported_media_type', `content type ${String(req.headers['content-type']).slice(0, 80)}`);
      }
      const body = outcome.body;
      let verified;
      try {
        verified = gw.verifyCallback(body, req.headers);
      } catch (err) {
        if (err instanceof CallbackRejectedError) return reject(res, err.httpStatus, err.code, err.message);
        reply(res, 500, { error: 'internal_error' });
        node.error(`paywire-callback ${path}: ${describe(err)}`);
        return;
      }
      const { payload, meta, dedupeKey } = verified;
      const msg: NodeMessage & Record<string, unknown> = { _msgid: RED.util.generateId(), payload, paywire: meta };
      const deliver = (record: Recorded): Promise<void> =>
        deliverOnce(deliveries.store, `${fullPath} ${dedupeKey}`, {
          // Node-RED delivers asynchronously: this only queues the message, so the answer still
          // goes out before any node of the flow runs. A verified callback Paywire does not know
          // goes to Catch instead of the output: acknowledged, not dropped.
          handOn: () => (verified.unexpected ? node.error(verified.unexpected, msg) : node.send(msg)),
          onMarkDoneFailed: (err) =>
            node.warn(`paywire-callback ${path}: the callback was emitted but could not be recorded as delivered (${describe(err)}); a redelivery within ${deliveries.mode === 'redis' ? 'a minute' : 'the claim time'} may be emitted again`),
          onReleaseFailed: (err) => node.warn(`paywire-callback ${path}: releasing a duplicate claim failed (${describe(err)}); the callback's retries get 503 until it lapses`),
        }).then((outcome) => {
          // The state counts as emitted for a watch only when this callback emitted it.
          const settled = outcome.kind === 'delivered' ? record.keep() : record.undo();
          settled.catch((err: unknown) => node.warn(`paywire-callback ${path}: recording the callback's state for paywire-watch failed (${describe(err)})`));
          switch (outcome.kind) {
            case 'delivered':
              reply(res, 200, { received: true });
              node.status(verified.unexpected ? { fill: 'yellow', shape: 'ring', text: 'unexpected callback' } : badge.resultBadge(meta, meta.event));
              return;
            case 'duplicate':
              reply(res, 200, { received: true });
              node.status({ fill: 'grey', shape: 'ring', text: 'duplicate ignored' });
              return;
            case 'inflight':
              // Another attempt of this callback holds the claim; the gateway's retry settles it.
              reply(res, 503, { error: 'delivery_in_progress' }, { 'retry-after': String(outcome.retryAfterS) });
              return;
            case 'unavailable':
              // Without a working duplicate check nothing is emitted; 503 makes the gateway retry.
              reply(res, 503, { error: 'dedupe_unavailable' }, { 'retry-after': String(outcome.retryAfterS) });
              node.error(`paywire-callback ${path}: duplicate check (${deliveries.where}) failed: ${describe(outcome.error)}`);
              return;
            case 'not_handed_on':
              reply(res, 500, { error: 'internal_error' });
              node.error(`paywire-callback ${path}: could not pass the callback on (${describe(outcome.error)}); the gateway will retry`);
              return;
          }
        });
      stateRecord(verified).then(
        (record) => {
          if (record) return deliver(record);
          // A watch follows this object and already emitted this state.
          reply(res, 200, { received: true });
          node.status({ fill: 'grey', shape: 'ring', text: 'already seen by watch' });
          return undefined;
        },
        (err: unknown) => {
          // Without a working duplicate check nothing is emitted; 503 makes the gateway retry.
          reply(res, 503, { error: 'dedupe_unavailable' }, { 'retry-after': String(RETRY_AFTER_S) });
          node.error(`paywire-callback ${path}: duplicate check (${deliveries.where}) failed: ${describe(err)}`);
        },
      ).catch((err: unknown) => {
        reply(res, 500, { error: 'internal_error' });
        node.error(`paywire-callback ${path}: ${describe(err)}`);
      });
    };

    const rules: BodyRules = { limit: DEFAULT_BODY_LIMIT, deadlineMs: positive(settings.paywireCallbackBodyTimeout, DEFAULT_BODY_TIMEOUT_MS) };
    setPendingBytesCap(positive(settings.paywireCallbackPendingBytes, DEFAULT_PENDING_BYTES));
    // Answered from the guard at the top of the root app, past Express's routing, only where
    // that is the same as Node-RED's own path (no httpNodeMiddleware, no httpNodeAuth, nothing
    // else in front); otherwise through httpNodeAuth and httpNodeMiddleware like core http-in.
    const http = httpNodeRules(settings, httpNode, httpAdminApp(RED), fullPath);
    const stopGuard = guardCallbackPath(httpNode, fullPath, http.routedBecause ? {} : { direct: handler, rules });
    // Express matches routes ignoring case; only the exact path is ours, the rest falls through (404).
    const exactPath: RequestHandler = (req, _res, next) => next(isExactPath(req, fullPath) ? undefined : 'route');
    const readBody: RequestHandler = (req, res) => readBoundedBody(req, res, rules, (outcome) => handler(req, res, outcome));
    // As core http-in: an error from httpNodeMiddleware is warned about and answered 500.
    const middlewareError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
      node.warn(`paywire-callback ${path}: httpNodeMiddleware failed: ${describe(err)}`);
      if (!res.headersSent) reply(res, 500, { error: 'internal_error' });
    };
    httpNode.post(path, exactPath, ...http.middleware, readBody, middlewareError);
    if (http.routedBecause) node.debug(`paywire-callback ${path}: routed through Express because of ${http.routedBecause}`);
    cleanup = [
      stopGuard,
      () => removeRoute(httpNode, path, exactPath),
      () => refusals.close(),
      () => {
        if (pathsInUse.get(fullPath) === node.id) pathsInUse.delete(fullPath);
      },
      () => gw.deregister(user),
    ];

    node.on('close', (_removed: boolean, done: () => void) => {
      for (const fn of cleanup) fn();
      cleanup = [];
      deliveries.close().then(done, (err: unknown) => {
        node.warn(`paywire-callback ${path}: closing the duplicate store failed: ${describe(err)}`);
        done();
      });
    });
  }

  RED.nodes.registerType('paywire-callback', PaywireCallbackNode, {
    credentials: {
      redisUrl: { type: 'password' },
    },
  });
};
