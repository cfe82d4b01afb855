/** Node-RED typings we use, plus the few runtime details @types/node-red does not cover. */
import type { Express, RequestHandler } from 'express';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';

export type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus };

export type SendFn = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
export type DoneFn = (err?: Error) => void;

/** Express app internals Node-RED core also relies on to hoist middleware and remove routes. */
export interface ExpressLayer {
  handle: unknown;
  route?: { path: string; methods: Record<string, boolean> };
}
export type ExpressApp = Express & {
  parent?: ExpressApp;
  _router?: { stack: ExpressLayer[] };
  router?: { stack: ExpressLayer[] };
};

export interface RedAuth {
  needsPermission(permission: string): RequestHandler;
}

export function httpNodeApp(RED: NodeAPI): ExpressApp | undefined {
  const app = (RED as unknown as { httpNode?: ExpressApp }).httpNode;
  return typeof app === 'function' ? app : undefined;
}

export function httpAdminApp(RED: NodeAPI): ExpressApp | undefined {
  const app = (RED as unknown as { httpAdmin?: ExpressApp }).httpAdmin;
  return typeof app === 'function' ? app : undefined;
}

export function needsPermission(RED: NodeAPI, permission: string): RequestHandler {
  const auth = (RED as unknown as { auth?: RedAuth }).auth;
  return auth ? auth.needsPermission(permission) : (_req, _res, next) => next();
}

/** Evaluates a TypedInput value (str, num, msg, flow, global, env, json, jsonata …). */
export function evaluateProperty(RED: NodeAPI, value: string, type: string, node: Node, msg: NodeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, type, node, msg, (err: Error | null, result: unknown) => {
      if (err) reject(err);
      else resolve(result);
    });
  });
}
