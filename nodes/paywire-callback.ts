/**
 * paywire-callback: a POST endpoint for the gateway's signed callbacks. Verifies the
 * signature over the raw body (even with the editor's JSON parser in front), answers at
 * once, drops duplicates, and emits the object with its shared state.
 */
import type { Request, Response } from 'express';
import { CallbackRejectedError } from '../lib/errors';
import { MemoryDedupeStore } from '../lib/dedupe';
import { isGatewayNode } from './shared/gateway-types';
import type { GatewayUser } from './shared/gateway-types';
import { DEFAULT_BODY_LIMIT, captureRawBody, mountedPath, normalizePath, removeRoute } from './shared/raw-body';
import type { RawBodyRequest } from './shared/raw-body';
import { httpNodeApp } from './shared/red';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './shared/red';
import * as badge from './shared/status';
import { upgradeConfig } from './shared/config-version';

interface CallbackConfig extends NodeDef {
  gateway: string;
  path: string;
}

/** How long a delivery is remembered for duplicate suppression. */
const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

/** Paths in use, so two callback nodes never silently share one route. */
const pathsInUse = new Map<string, string>();

/**
 * Remembered deliveries live beside the module, not the node, so a redeploy does not
 * forget them and let a provider's retry through twice. Keys are scoped by path.
 */
const deliveries = new MemoryDedupeStore();

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
    pathsInUse.set(fullPath, node.id);

    const user: GatewayUser = { id: node.id, onGatewayStatus: () => undefined };
    gw.register(user);
    node.status({ fill: 'grey', shape: 'dot', text: `listening ${path}` });

    const reject = (res: Response, status: number, code: string, reason: string): void => {
      res.status(status).json({ error: code });
      node.status({ fill: 'red', shape: 'ring', text: `rejected: ${code.replace(/_/g, ' ')}` });
      node.warn(`paywire-callback ${path}: rejected a callback (${status}): ${reason}`);
    };

    const handler = (req: Request, res: Response): void => {
      const raw = req as unknown as RawBodyRequest;
      if (raw.paywireRawBodyError === 'too_large') {
        return reject(res, 413, 'payload_too_large', `body over ${DEFAULT_BODY_LIMIT} bytes`);
      }
      if (!isJsonContentType(req.headers['content-type'])) {
        return reject(res, 415, 'unsupported_media_type', `content type ${req.headers['content-type']}`);
      }
      const body = raw.paywireRawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
      if (!body) {
        // Fail closed: without the exact bytes nothing can be verified.
        res.status(500).json({ error: 'raw_body_unavailable' });
        node.error(`paywire-callback ${path}: the request body was consumed by another middleware before it could be verified`);
        return;
      }
      let verified;
      try {
        verified = gw.verifyCallback(body, req.headers);
      } catch (err) {
        if (err instanceof CallbackRejectedError) return reject(res, err.httpStatus, err.code, err.message);
        res.status(500).json({ error: 'internal_error' });
        node.error(`paywire-callback ${path}: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      const { payload, meta, dedupeKey } = verified;
      deliveries.claim(`${fullPath} ${dedupeKey}`, DEDUPE_TTL_MS).then(
        (first) => {
          res.status(200).json({ received: true });
          if (!first) {
            node.status({ fill: 'grey', shape: 'ring', text: 'duplicate ignored' });
            return;
          }
          const msg: NodeMessage & Record<string, unknown> = { _msgid: RED.util.generateId(), payload, paywire: meta };
          node.send(msg);
          node.status(badge.resultBadge(meta, meta.event));
        },
        (err: unknown) => {
          res.status(503).json({ error: 'dedupe_unavailable' });
          node.error(`paywire-callback ${path}: duplicate check failed: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    };

    const stopCapture = captureRawBody(httpNode, fullPath);
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
      done();
    });
  }

  RED.nodes.registerType('paywire-callback', PaywireCallbackNode);
};
