/**
 * paywire-callback: a POST endpoint for the gateway's signed callbacks. Verifies the
 * signature over the raw body (even with the editor's JSON parser in front), drops
 * duplicates through the configured store, hands the message to the flow and answers
 * before the flow runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallbackRejectedError } from '../lib/errors';
import { setupDedupe } from './shared/callback-dedupe';
import type { CallbackDedupe, DedupeConfig } from './shared/callback-dedupe';
import { isGatewayNode } from './shared/gateway-types';
import type { GatewayUser } from './shared/gateway-types';
import { DEFAULT_BODY_LIMIT, captureRawBody, mountedPath, normalizePath, removeRoute } from './shared/raw-body';
import type { RawBodyRequest } from './shared/raw-body';
import { httpNodeApp } from './shared/red';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';
import * as badge from './shared/status';
import { upgradeConfig } from './shared/config-version';
import { providers } from './shared/lazy-lib';

interface CallbackConfig extends NodeDef, DedupeConfig {
  gateway: string;
  path: string;
}

interface CallbackCredentials {
  /** redis://[user:password@]host:port/db; a credential because it may hold a password. */
  redisUrl?: string;
}

/** Paths in use, so two callback nodes never silently share one route. */
const pathsInUse = new Map<string, string>();

/** A JSON answer with plain Node calls: the handler also runs before Express has set up res. */
function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
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
    const path = normalizePath(config.path || '/');
    let cleanup: Array<() => void> = [];

    if (!isGatewayNode(gateway)) {
      node.status({ fill: 'red', shape: 'ring', text: 'no gateway' });
      node.error('paywire-callback: select a paywire-gateway configuration');
      return;
    }
    const gw = gateway;
    // Past the provider's retry window, so a late retry is still known as a duplicate.
    const dedupeTtlMs = providers().callbackMemoryMs(gw.provider);
    if (!httpNode || (RED.settings as { httpNodeRoot?: unknown }).httpNodeRoot === false) {
      node.status({ fill: 'red', shape: 'ring', text: 'http disabled' });
      node.warn('paywire-callback: HTTP endpoints are disabled in settings (httpNodeRoot: false)');
      return;
    }
    const fullPath = mountedPath(httpNode, path);
    const owner = pathsInUse.get(fullPath);
    if (owner && owner !== node.id) {
      node.status({ fill: 'red', shape: 'ring', text: 'path in use' });
      node.error(`paywire-callback: ${path} is already used by another paywire-callback node (${owner})`);
      return;
    }
    const listening = { fill: 'grey', shape: 'dot', text: `listening ${path}` } as const;
    let redisDown = false;
    const dedupe = setupDedupe(RED, node, config, (node.credentials as CallbackCredentials | undefined)?.redisUrl, {
      warn: (message) => node.warn(`paywire-callback ${path}: ${message}`),
      onRedisState: (state, error) => {
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
    node.status(deliveries.mode === 'redis' ? { fill: 'grey', shape: 'ring', text: 'connecting to redis' } : listening);

    const reject = (res: ServerResponse, status: number, code: string, reason: string): void => {
      reply(res, status, { error: code });
      node.status({ fill: 'red', shape: 'ring', text: `rejected: ${code.replace(/_/g, ' ')}` });
      node.warn(`paywire-callback ${path}: rejected a callback (${status}): ${reason}`);
    };
    const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

    const handler = (req: IncomingMessage & { body?: unknown }, res: ServerResponse): void => {
      const raw = req as RawBodyRequest;
      if (raw.paywireRawBodyError === 'too_large') {
        return reject(res, 413, 'payload_too_large', `body over ${DEFAULT_BODY_LIMIT} bytes`);
      }
      if (!isJsonContentType(req.headers['content-type'])) {
        return reject(res, 415, 'unsupported_media_type', `content type ${req.headers['content-type']}`);
      }
      const body = raw.paywireRawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
      if (!body) {
        // Fail closed: without the exact bytes nothing can be verified.
        reply(res, 500, { error: 'raw_body_unavailable' });
        node.error(`paywire-callback ${path}: the request body was consumed by another middleware before it could be verified`);
        return;
      }
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
      deliveries.store.claim(`${fullPath} ${dedupeKey}`, dedupeTtlMs).then(
        (claim) => {
          if (!claim) {
            reply(res, 200, { received: true });
            node.status({ fill: 'grey', shape: 'ring', text: 'duplicate ignored' });
            return;
          }
          const msg: NodeMessage & Record<string, unknown> = { _msgid: RED.util.generateId(), payload, paywire: meta };
          try {
            // Node-RED delivers asynchronously: this only queues the message, so the
            // answer below still goes out before any node of the flow runs. A verified callback
            // Paywire does not know goes to Catch instead of the output: acknowledged, not dropped.
            if (verified.unexpected) node.error(verified.unexpected, msg);
            else node.send(msg);
          } catch (err) {
            // Not handed on: free the claim so the gateway's retry is not taken for a duplicate.
            reply(res, 500, { error: 'internal_error' });
            node.error(`paywire-callback ${path}: could not pass the callback on (${describe(err)}); the gateway will retry`);
            claim.release().catch((releaseErr: unknown) => node.warn(`paywire-callback ${path}: releasing the duplicate claim failed: ${describe(releaseErr)}`));
            return;
          }
          reply(res, 200, { received: true });
          node.status(verified.unexpected ? { fill: 'yellow', shape: 'ring', text: 'unexpected callback' } : badge.resultBadge(meta, meta.event));
        },
        (err: unknown) => {
          // Without a working duplicate check nothing is emitted; 503 makes the gateway retry.
          reply(res, 503, { error: 'dedupe_unavailable' });
          node.error(`paywire-callback ${path}: duplicate check (${deliveries.where}) failed: ${describe(err)}`);
        },
      );
    };

    // Answered from the capture middleware, past Express's routing, unless httpNodeAuth must
    // run first (it sits between the root app and the node routes). The Express route stays
    // for requests the capture does not see.
    const direct = !(RED.settings as { httpNodeAuth?: unknown }).httpNodeAuth;
    const stopCapture = captureRawBody(httpNode, fullPath, DEFAULT_BODY_LIMIT, direct ? handler : undefined);
    httpNode.post(path, handler);
    cleanup = [
      stopCapture,
      () => removeRoute(httpNode, path, handler),
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
